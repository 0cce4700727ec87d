#!/usr/bin/env bash
# The synthetic council's FHIR data as a Bulk Data export from the FHIR test server, read by
# hearthd's fhir connector in bulk mode and normalised by the fhir layout (the demo's set-up,
# without authorisation), through `run --once` with the embedded broker: the export's size, the
# connector's read (kick-off to its last record) and start to exit (every event durable, derive
# done), and the daemon's peak RSS.
# Usage: tests/bench/fhir_bulk.sh [BUILD_DIR]
#   SCALE=1.0 (the council's share of West Northamptonshire) by default; COUNCIL=DIR reads a
#   council generated before instead of generating one.
set -euo pipefail
build=$(cd "${1:-build/release}" && pwd)
scale=${SCALE:-1.0}
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

council=${COUNCIL:-$work/council}
if [ -z "${COUNCIL:-}" ]; then
  "$build/tests/synth/hearth-synth" --seed 2025 --scale "$scale" --out "$council" --quiet
fi
resources=$(cat "$council"/fhir/*.ndjson | grep -c .)
bytes=$(cat "$council"/fhir/*.ndjson | wc -c)

"$build/tests/tools/hearth-fhir-server" --data "$council/fhir" > "$work/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q '^BASE ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
base=$(cut -d' ' -f2 "$work/server.out")

mkdir -p "$work/daemon"
cat > "$work/daemon/hearthd.yaml" <<YAML
state_dir: state
plugin_dirs: [$build/plugins]
log_level: info
admin: {port: 0}
kafka: {brokers: embedded, embedded_partitions: 64}
privacy: {pseudonym_key: a-benchmark-key-that-is-at-least-32-characters-long}
connectors:
  - name: health
    plugin: fhir
    normalise: {kind: fhir, source_system: nhft}
    settings:
      mode: bulk
      base_url: $base
      auth: {type: none}
      bulk: {poll_min_s: 1, poll_max_s: 10}
YAML
start=$(now_ms)
(cd "$work/daemon" && /usr/bin/time -f '%M' -o rss "$build/daemon/hearthd" run --once \
  hearthd.yaml 2> log > /dev/null)
end=$(now_ms)
line=$(grep -o '"msg":"read complete".*' "$work/daemon/log" | tail -n 1)
records=$(grep -o '"records":[0-9]*' <<< "$line" | head -n 1 | cut -d: -f2)
read_s=$(grep -o '"seconds":[0-9.]*' <<< "$line" | cut -d: -f2)
printf 'bulk export of %s: %d resources, %d MiB of NDJSON\n' \
  "${COUNCIL:-the council at scale $scale}" "$resources" "$((bytes / 1048576))"
printf '  read (kick-off to last record) %s s, %d records; start to exit %d ms; peak RSS %d MiB\n' \
  "$read_s" "$records" "$((end - start))" "$(($(tail -n 1 "$work/daemon/rss") / 1024))"
