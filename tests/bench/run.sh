#!/usr/bin/env bash
# End-to-end figures of hearthd, with peers measured in the same run on the same mock Kafka:
#   1. ROWS CSV rows (about 300 bytes each) -> events on Kafka: records/s and peak RSS, with the
#      embedded broker (the demo set-up) and with the broker in its own process (the daemon's
#      own memory, without the broker's stored messages);
#   2. the same file through kcat and through a bare librdkafka producer;
#   3. start to /readyz 200 with the embedded broker.
# Usage: tests/bench/run.sh [BUILD_DIR]   (ROWS=1000000 by default)
set -euo pipefail
build=$(cd "${1:-build/release}" && pwd)
rows=${ROWS:-1000000}
work=$(mktemp -d)
mock_pid=
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
config() {  # config DIR BROKERS CONNECTORS_YAML
  cat > "$1/hearthd.yaml" <<YAML
state_dir: state
plugin_dirs: [$build/plugins]
log_level: info
admin: {port: 0}
kafka: {brokers: "$2", embedded_partitions: 256}
privacy: {pseudonym_key: a-benchmark-key-that-is-at-least-32-characters-long}
connectors: $3
YAML
}
csv_connector="
  - name: bench
    plugin: csv
    settings:
      directory: $work/input
      streams:
        - {name: referrals, pattern: \"referrals*.csv\", key: [referral_id]}"

mkdir -p "$work/input"
"$build/tests/bench/hearth-bench-csv" "$work/input/referrals.csv" "$rows"
bytes=$(stat -c %s "$work/input/referrals.csv")
echo "input: $rows rows, $((bytes / rows)) bytes a row, $((bytes / 1048576)) MiB"

run_daemon() {  # run_daemon NAME BROKERS
  local dir="$work/$1"
  mkdir -p "$dir"
  config "$dir" "$2" "$csv_connector"
  local start end
  start=$(now_ms)
  /usr/bin/time -f '%M' -o "$dir/rss" "$build/daemon/hearthd" run --once "$dir/hearthd.yaml" \
    2> "$dir/log"
  end=$(now_ms)
  local rss_kb read_rate
  rss_kb=$(tail -n 1 "$dir/rss")
  read_rate=$(grep -o '"msg":"read complete".*"records_per_second":[0-9.]*' "$dir/log" |
    grep -o '[0-9.]*$' | cut -d. -f1)
  printf '%-34s %9s records/s while reading, %9s records/s start to exit, peak RSS %4s MiB\n' \
    "hearthd ($1):" "$read_rate" "$((rows * 1000 / (end - start)))" "$((rss_kb / 1024))"
}

run_daemon embedded-broker embedded

# A broker in its own process, shared by the daemon and the peers below.
mkfifo "$work/mock.in"
"$build/tests/tools/hearth-mock-kafka" --partitions 256 --topics hearth.records,hearth.rejects,peer \
  < "$work/mock.in" > "$work/mock.out" 2> /dev/null &
mock_pid=$!
exec 9> "$work/mock.in"
for _ in $(seq 100); do grep -q BOOTSTRAP "$work/mock.out" 2>/dev/null && break; sleep 0.05; done
bootstrap=$(cut -d' ' -f2 "$work/mock.out")
run_daemon external-broker "$bootstrap"

start=$(now_ms)
kcat -P -b "$bootstrap" -t peer -z lz4 -X enable.idempotence=true -X acks=all \
  -l "$work/input/referrals.csv"
end=$(now_ms)
printf '%-34s %9s msg/s (raw lines, unparsed)\n' "kcat -P:" "$((rows * 1000 / (end - start)))"
"$build/tests/bench/hearth-bench-kafka-peer" "$bootstrap" "$work/input/referrals.csv"
exec 9>&-

# Start-up: process start to the first /readyz 200, embedded broker, no connectors.
best=999999
total=0
for i in 1 2 3 4 5; do
  dir="$work/startup$i"
  mkdir -p "$dir"
  config "$dir" embedded "[]"
  start=$(now_ms)
  "$build/daemon/hearthd" run "$dir/hearthd.yaml" 2> "$dir/log" &
  pid=$!
  port=
  while :; do
    port=${port:-$(grep -o '"admin listening".*"port":[0-9]*' "$dir/log" 2>/dev/null | grep -o '[0-9]*$' || true)}
    if [ -n "$port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; then
      break
    fi
    sleep 0.002
  done
  end=$(now_ms)
  kill -TERM "$pid"; wait "$pid" || true
  ms=$((end - start)); total=$((total + ms)); [ "$ms" -lt "$best" ] && best=$ms
done
echo "start to /readyz 200 (embedded broker): best ${best} ms, mean $((total / 5)) ms over 5 starts"
