#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running the demo need.
# Idempotent: when everything is present it only checks, in well under a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git curl time openssl
  librdkafka-dev kcat
  prometheus-cpp-dev prometheus
  libboost-dev
  libcurl4-openssl-dev
  unixodbc-dev odbc-postgresql libsqliteodbc libpq-dev
  postgresql-15
  libsqlite3-dev sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libexpat1-dev
  libssl-dev libsystemd-dev libxxhash-dev zlib1g-dev libmimalloc-dev
  libhowardhinnant-date-dev tzdata libutf8proc-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-14 libclang-rt-14-dev clang-format
  dpkg-dev fakeroot lintian help2man systemd
  python3 python3-jsonschema chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
