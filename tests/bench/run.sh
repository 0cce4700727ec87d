#!/usr/bin/env bash
# End-to-end figures of hearthd, with peers measured in the same run on the same mock Kafka. The
# broker runs in its own process, so the daemon's peak RSS is its own.
#   1. The whole synthetic council (every connector of config/demo.yaml) through `run --once`:
#      start to exit, records/s per connector, derive time, the daemon's peak RSS.
#   2. The school census files of that council, normalised and raw, and the ratio of the two.
#   3. ROWS CSV rows (about 300 bytes each) -> events on Kafka: records/s and peak RSS, with the
#      embedded broker (the demo set-up) and with the broker in its own process; the same file
#      through kcat and a bare librdkafka producer, and hearthd's ratio to each.
#   4. Start to /readyz 200 with the embedded broker.
# Usage: tests/bench/run.sh [BUILD_DIR]
#   SCALE=0.25 (the council's share of West Northamptonshire), ROWS=1000000 by default.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build/release}" && pwd)
rows=${ROWS:-1000000}
scale=${SCALE:-0.25}
work=$(mktemp -d)
mock_pid=
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
config() {  # config DIR BROKERS CONNECTORS_YAML
  cat > "$1/hearthd.yaml" <<YAML
state_dir: state
plugin_dirs: [$build/plugins]
log_level: info
admin: {port: 0}
kafka: {brokers: "$2", embedded_partitions: 256}
privacy: {pseudonym_key: a-benchmark-key-that-is-at-least-32-characters-long}
${4:-}
connectors: $3
YAML
}
# The records/s of a connector's "read complete" log line.
read_rate() {  # read_rate LOG CONNECTOR
  grep -o "\"msg\":\"read complete\",\"connector\":\"$2\".*\"records_per_second\":[0-9.]*" "$1" |
    grep -o '[0-9.]*$' | cut -d. -f1 | tail -n 1
}
run_daemon() {  # run_daemon NAME BROKERS CONNECTORS_YAML [EXTRA_YAML]; sets wall_ms and rss_kb
  local dir="$work/$1"
  mkdir -p "$dir"
  config "$dir" "$2" "$3" "${4:-}"
  local start end
  start=$(now_ms)
  local status=0
  (cd "$dir" && /usr/bin/time -f '%M' -o "$dir/rss" "$build/daemon/hearthd" run --once \
    "$dir/hearthd.yaml" 2> "$dir/log" > /dev/null) || status=$?
  end=$(now_ms)
  if [ "$status" -ne 0 ]; then
    echo "hearthd run --once ($1) exited with $status; the end of its log:" >&2
    grep -v '^Command exited' "$dir/log" | tail -n 20 >&2
    exit 1
  fi
  wall_ms=$((end - start))
  rss_kb=$(tail -n 1 "$dir/rss")
}

# A broker in its own process, shared by every run below but the embedded one, and the peers.
mkfifo "$work/mock.in"
"$build/tests/tools/hearth-mock-kafka" --partitions 256 \
  --topics hearth.records,hearth.rejects,hearth.identity,hearth.person.view,hearth.indicator.values,hearth.indicator.facts,peer \
  < "$work/mock.in" > "$work/mock.out" 2> /dev/null &
mock_pid=$!
exec 9> "$work/mock.in"
for _ in $(seq 100); do grep -q BOOTSTRAP "$work/mock.out" 2>/dev/null && break; sleep 0.05; done
bootstrap=$(cut -d' ' -f2 "$work/mock.out")

# 1. The whole council.
council="$work/council"
"$build/tests/synth/hearth-synth" --seed 2025 --scale "$scale" --out "$council" --quiet
# The demo reads the health trust's export over HTTP from a server ops/demo.sh starts; here the
# same files are read as the directory a trust hands over, through the same layout.
demo_connectors=$(sed -n '/^connectors:/,$p' "$repo/config/demo.yaml" | tail -n +2 |
  awk -v dir="$council/fhir" '
    /^  - name: health$/ {
      print; skip = 1
      print "    plugin: fhir\n    normalise: {kind: fhir, source_system: nhft}"
      print "    settings: {mode: directory, directory: " dir ", pattern: \"*.ndjson\"}"
      next
    }
    skip && /^  (- name: |# )/ { skip = 0 }
    !skip' |
  sed -e "s#\.\./var/demo/council#$council#g" -e "s#var/demo/council#$council#g")
indicators="indicators:
  period_end: \"2025-03-31\"
  area_code: E06000062
  postcode_lookup: $council/reference/postcode_lookup.csv
  population_estimates: $council/reference/population_estimates.csv"
run_daemon council "$bootstrap" "
$demo_connectors" "$indicators"
records=$(grep -o '"msg":"read complete".*"records":[0-9]*' "$work/council/log" |
  grep -o '"records":[0-9]*$' | cut -d: -f2 | paste -sd+ | bc)
derive_s=$(grep -o '"msg":"derived".*"seconds":[0-9.]*' "$work/council/log" |
  grep -o '"seconds":[0-9.]*' | head -n 1 | cut -d: -f2)
echo "whole council (scale $scale, every demo connector, run --once, broker in its own process):"
printf '  %d records in %d ms start to exit (%s records/s), derive %s s, peak RSS %d MiB\n' \
  "$records" "$wall_ms" "$((records * 1000 / wall_ms))" "${derive_s:-?}" "$((rss_kb / 1024))"
grep -o '"msg":"read complete","connector":"[^"]*","records":[0-9]*' "$work/council/log" |
  sed -E 's/.*"connector":"([^"]+)","records":([0-9]+)/\1 \2/' | while read -r name count; do
    printf '  %-14s %8d records, %8s records/s while reading\n' "$name" "$count" \
      "$(read_rate "$work/council/log" "$name")"
  done

# The same council again on the same state directory: nothing new to read, so nothing derived is
# published but the markers.
run_daemon council "$bootstrap" "
$demo_connectors" "$indicators"
# (A connector with nothing new logs no "read complete".)
reread=$(grep -o '"msg":"read complete".*"records":[0-9]*' "$work/council/log" |
  grep -o '"records":[0-9]*$' | cut -d: -f2 | paste -sd+ | bc || true)
republished=$(grep -o '"msg":"derived".*"events":[0-9]*' "$work/council/log" |
  grep -o '"events":[0-9]*' | head -n 1 | cut -d: -f2 || true)
printf '  a restart with nothing new: %d ms start to exit, %d records read again, %s derived events
' \
  "$wall_ms" "${reread:-0}" "${republished:-?}"

# 2. The same school census files, normalised and raw.
census_connector() {  # census_connector NORMALISE_LINE
  sed -n '/^  - name: school_census/,/^  # EHC plans/p' "$repo/config/demo.yaml" | sed '$d' |
    sed -e "s#\.\./var/demo/council#$council#g" | grep -v "${1:-^$}"
}
run_daemon census-normalised "$bootstrap" "
$(census_connector)"
normalised=$(read_rate "$work/census-normalised/log" school_census)
run_daemon census-raw "$bootstrap" "
$(census_connector '    normalise:')"
raw=$(read_rate "$work/census-raw/log" school_census)
echo "school census files of that council:"
printf '  normalised %s records/s, raw %s records/s: normalised/raw %s\n' \
  "$normalised" "$raw" "$(ratio "$normalised" "$raw")"

# 3. Raw CSV to Kafka, against the peers.
mkdir -p "$work/input"
"$build/tests/bench/hearth-bench-csv" "$work/input/referrals.csv" "$rows"
bytes=$(stat -c %s "$work/input/referrals.csv")
echo "raw CSV: $rows rows, $((bytes / rows)) bytes a row, $((bytes / 1048576)) MiB"
csv_connector="
  - name: bench
    plugin: csv
    settings:
      directory: $work/input
      streams:
        - {name: referrals, pattern: \"referrals*.csv\", key: [referral_id]}"
csv_run() {  # csv_run NAME BROKERS; prints a line, sets csv_rate (records/s start to exit)
  run_daemon "$1" "$2" "$csv_connector"
  csv_rate=$((rows * 1000 / wall_ms))
  printf '  %-28s %9s records/s while reading, %9s records/s start to exit, peak RSS %4s MiB\n' \
    "hearthd ($1):" "$(read_rate "$work/$1/log" bench)" "$csv_rate" "$((rss_kb / 1024))"
}
csv_run embedded-broker embedded
csv_run external-broker "$bootstrap"
hearthd_rate=$csv_rate
start=$(now_ms)
kcat -P -b "$bootstrap" -t peer -z lz4 -X enable.idempotence=true -X acks=all \
  -l "$work/input/referrals.csv"
end=$(now_ms)
kcat_rate=$((rows * 1000 / (end - start)))
printf '  %-28s %9s msg/s (raw lines, unparsed)\n' "kcat -P:" "$kcat_rate"
peer_line=$("$build/tests/bench/hearth-bench-kafka-peer" "$bootstrap" "$work/input/referrals.csv")
echo "  $peer_line"
peer_rate=$(grep -o '= [0-9]*' <<<"$peer_line" | cut -c3-)
printf '  hearthd/bare producer %s, hearthd/kcat %s (start to exit, same broker)\n' \
  "$(ratio "$hearthd_rate" "$peer_rate")" "$(ratio "$hearthd_rate" "$kcat_rate")"
exec 9>&-

# 4. Start-up: process start to the first /readyz 200, embedded broker, no connectors.
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
