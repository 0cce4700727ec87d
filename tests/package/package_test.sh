#!/usr/bin/env bash
# The Debian package as a council's IT operations would meet it: build it, check it with lintian,
# install it, look at what was installed and who owns it, run the daemon once as the hearth user,
# verify the unit, validate the shipped configuration, upgrade, remove and purge.
# Needs root (dpkg -i); CI runs it on a throwaway Debian 12 machine.
# Usage: package_test.sh <build dir>
set -euo pipefail
build=$(cd "${1:?build directory}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_mode() {  # path owner:group mode
  local got
  got=$(stat -c '%U:%G %a' "$1" 2>/dev/null) || { fail "$1 is missing"; return; }
  [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
}
step() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "package_test.sh needs root (dpkg -i)" >&2; exit 1; }
purge_installed() {
  if dpkg-query -W -f='${Status}' hearth 2>/dev/null | grep -q installed; then dpkg -P hearth; fi
}

step "Building the package"
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/hearth_*.deb)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

step "lintian (errors fail the test)"
lintian --fail-on error "$deb" || fail "lintian reports errors"

step "Installing"
purge_installed
dpkg -i "$deb"
id hearth || fail "no hearth account"
[ "$(getent passwd hearth | cut -d: -f6,7)" = "/var/lib/hearth:/usr/sbin/nologin" ] ||
  fail "hearth account: $(getent passwd hearth)"
expect_mode /usr/sbin/hearthd root:root 755
expect_mode /usr/sbin/hearth-plugin-host root:root 755
for plugin in csv ssda903 cin_census trust_ssd; do
  expect_mode "/usr/lib/hearth/plugins/hearth_connector_$plugin.so" root:root 644
done
expect_mode /usr/share/hearth/bank_holidays_england.csv root:root 644
expect_mode /usr/share/hearth/schemas/hearthd.config.schema.json root:root 644
expect_mode /usr/share/hearth/schemas/hearth.record.v1.json root:root 644
expect_mode /etc/hearth root:root 755
expect_mode /etc/hearth/hearthd.yaml root:hearth 640
expect_mode /etc/hearth/hearthd.example.yaml root:root 644
expect_mode /lib/systemd/system/hearthd.service root:root 644
expect_mode /usr/lib/sysusers.d/hearth.conf root:root 644
expect_mode /usr/share/man/man8/hearthd.8.gz root:root 644
expect_mode /usr/share/bash-completion/completions/hearthd root:root 644
expect_mode /usr/share/doc/hearth/README.md root:root 644
expect_mode /usr/share/doc/hearth/RUNBOOK.md root:root 644
expect_mode /usr/share/doc/hearth/copyright root:root 644
expect_mode /usr/share/doc/hearth/changelog.gz root:root 644
expect_mode /var/lib/hearth hearth:hearth 700
conffiles=$(dpkg-query -W -f='${Conffiles}' hearth)
for f in /etc/hearth/hearthd.yaml /etc/hearth/hearthd.example.yaml; do
  grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done
zcat /usr/share/man/man8/hearthd.8.gz | grep -q '^\.SH "EXIT STATUS"' || fail "man page lacks EXIT STATUS"
bash -c 'source /usr/share/bash-completion/completions/hearthd && complete -p hearthd' >/dev/null ||
  fail "bash completion does not load"
/usr/sbin/hearthd --version | grep -q '^hearthd ' || fail "hearthd --version"

step "systemd-analyze verify"
systemd-analyze verify --man=no /lib/systemd/system/hearthd.service >"$work/verify.log" 2>&1 ||
  fail "systemd-analyze verify exited non-zero"
cat "$work/verify.log"
[ ! -s "$work/verify.log" ] || fail "systemd-analyze verify reports problems"

step "The shipped configuration, with its secrets from the environment"
# Port 0: a daemon already listening on 8080 here must not fail the test.
secrets=(HEARTH_KAFKA_BROKERS=embedded HEARTH_ADMIN_PORT=0
         HEARTH_PSEUDONYM_KEY=package-test-pseudonym-key-of-32-characters-or-more)
runuser -u hearth -- env "${secrets[@]}" /usr/sbin/hearthd validate /etc/hearth/hearthd.yaml ||
  fail "hearthd validate /etc/hearth/hearthd.yaml"
status=0
runuser -u hearth -- /usr/sbin/hearthd validate /etc/hearth/hearthd.yaml 2>"$work/unset.err" ||
  status=$?
[ "$status" = 78 ] || fail "validate without the secrets exited $status, expected 78"
grep -q 'HEARTH_PSEUDONYM_KEY is not set' "$work/unset.err" || fail "the missing secret is not named"

step "hearthd run --once as the hearth user, under umask 000"
(umask 000 && runuser -u hearth -- env "${secrets[@]}" /usr/sbin/hearthd run --once \
  --config /etc/hearth/hearthd.yaml) 2>"$work/run.log" || { cat "$work/run.log"; fail "run --once"; }
for file in /var/lib/hearth/hearth.db /var/lib/hearth/records.db; do
  expect_mode "$file" hearth:hearth 600
done
open=$(find /var/lib/hearth -mindepth 1 \( -perm /077 -o ! -user hearth \) -printf '%p %m %u\n')
[ -z "$open" ] || fail "state files open to others or not the hearth user's: $open"

step "Upgrade: a changed configuration is kept"
echo "# changed by the administrator" >>/etc/hearth/hearthd.yaml
dpkg -i --force-confold "$deb"
grep -q 'changed by the administrator' /etc/hearth/hearthd.yaml || fail "upgrade replaced the configuration"
expect_mode /etc/hearth/hearthd.yaml root:hearth 640
expect_mode /var/lib/hearth/hearth.db hearth:hearth 600

step "Remove: configuration, state and the account stay"
dpkg -r hearth
[ ! -e /usr/sbin/hearthd ] || fail "/usr/sbin/hearthd left after remove"
[ ! -e /usr/lib/hearth ] || fail "/usr/lib/hearth left after remove"
[ -f /etc/hearth/hearthd.yaml ] || fail "remove deleted the conffile"
[ -f /var/lib/hearth/hearth.db ] || fail "remove deleted the state"

step "Purge: nothing left but the account"
dpkg -P hearth
for path in /etc/hearth /var/lib/hearth /usr/lib/hearth /usr/share/hearth /usr/share/doc/hearth \
            /lib/systemd/system/hearthd.service /usr/lib/sysusers.d/hearth.conf \
            /usr/share/man/man8/hearthd.8.gz /usr/share/bash-completion/completions/hearthd; do
  [ ! -e "$path" ] || fail "$path left after purge"
done
id hearth >/dev/null || fail "the hearth account was deleted (Debian keeps system accounts)"
dpkg-query -W hearth 2>/dev/null && fail "dpkg still knows hearth"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "package test passed"
