#!/usr/bin/env bash
# The demo: a synthetic council (generated once by tests/synth, then cached) flows through hearthd
# into its embedded Kafka, then a separate kcat process reads every event back. Run by `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
hearthd="$build/daemon/hearthd"
config=config/demo.yaml
state=var/demo/state

step() { printf '\n== %s\n' "$*"; }

step "Synthetic council (tests/synth/README.md describes every file)"
# HEARTH_DEMO_SCALE, HEARTH_DEMO_SEED and HEARTH_DEMO_MESS_RATE (0 for a clean council) choose it.
tests/synth/demo_data.sh "$build" var/demo/council "${HEARTH_DEMO_SCALE:-0.05}" \
  "${HEARTH_DEMO_SEED:-2025}" "${HEARTH_DEMO_MESS_RATE:-1}"

step "Health trust: a FHIR server serving the council's FHIR output as a Bulk Data export"
# The connector signs its token requests with a client key (SMART Backend Services); the server
# knows only the public half. The key is made once and kept 0600.
mkdir -p var/demo/fhir
if [ ! -f var/demo/fhir/client_key.pem ]; then
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
     -out var/demo/fhir/client_key.pem 2>/dev/null)
fi
openssl pkey -in var/demo/fhir/client_key.pem -pubout -out var/demo/fhir/client_key.pub.pem
"$build/tests/tools/hearth-fhir-server" --data var/demo/council/fhir --port 8091 \
  --client-id hearth-demo --public-key var/demo/fhir/client_key.pub.pem > var/demo/fhir/server.out &
fhir_pid=$!
trap 'kill -TERM $fhir_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^BASE ' var/demo/fhir/server.out 2>/dev/null && break
  kill -0 $fhir_pid 2>/dev/null || { echo "the FHIR server did not start"; exit 1; }
  sleep 0.05
done
echo "FHIR server: $(sed -n 's/^BASE //p' var/demo/fhir/server.out)"
# hearthd resolves the connector's secret reference env:HEARTH_FHIR_CLIENT_KEY.
HEARTH_FHIR_CLIENT_KEY=$(cat var/demo/fhir/client_key.pem)
export HEARTH_FHIR_CLIENT_KEY

step "Validating $config"
# A state directory left by an earlier run (perhaps with looser permissions) is not this run's:
# it goes before the configuration that names it is checked.
rm -rf "$state"
"$hearthd" validate "$config"
"$hearthd" plugins --config "$config"

step "Starting hearthd (fresh state in $state; logs in var/demo/hearthd.log)"
rm -rf "$state"
mkdir -p var/demo
"$hearthd" run "$config" 2> var/demo/hearthd.log &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; kill -TERM $fhir_pid 2>/dev/null || true' EXIT

admin=http://127.0.0.1:8080
for _ in $(seq 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' $admin/readyz)" = 200 ] && break
  kill -0 $pid 2>/dev/null || { cat var/demo/hearthd.log; exit 1; }
  sleep 0.05
done
echo "ready: $admin/readyz, $admin/metrics, $admin/api/v1/connectors; status page: $admin/"

step "Waiting for every connector to finish its first read"
for _ in $(seq 600); do
  status=$(curl -s $admin/api/v1/connectors)
  if ! grep -q '"cycles":0' <<<"$status" && ! grep -q '"outstanding_events":[1-9]' <<<"$status"; then
    break
  fi
  sleep 0.1
done
curl -s $admin/api/v1/connectors | sed 's/},{/},\n {/g'; echo

step "Indicators of the demo council (hearthd indicators; also GET $admin/api/v1/indicators)"
# The first derive runs once every connector has completed its first read.
for _ in $(seq 300); do
  grep -q '"msg":"derived"' var/demo/hearthd.log && break
  sleep 0.1
done
"$hearthd" indicators --config "$config"
# What was printed, as JSON, to hold against the generator's truth/indicators.json.
"$hearthd" indicators --config "$config" --json > var/demo/indicators.json
echo "(also in var/demo/indicators.json; the generator's truth: var/demo/council/truth/indicators.json)"

bootstrap=$(cat "$state/kafka.bootstrap")
step "Reading the topics back with kcat from another process (broker $bootstrap)"
for topic in hearth.records hearth.rejects hearth.identity hearth.person.view \
             hearth.indicator.values hearth.indicator.facts; do
  count=$(kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%k\n' | wc -l)
  printf '%-16s %7d events\n' "$topic" "$count"
done
# Findings are rejects (the record was refused) or queries (it was published; its data owner
# should look): both are on hearth.rejects and in hearth_rejects_total{severity}.
findings=$(kcat -C -b "$bootstrap" -t hearth.rejects -o beginning -e -q -f '%s\n')
printf 'hearth.rejects: %d rejects, %d queries\n' \
  "$(grep -c '"severity":"reject"' <<<"$findings" || true)" \
  "$(grep -c '"severity":"query"' <<<"$findings" || true)"
echo "per connector, from the read-complete log lines:"
grep '"msg":"read complete"' var/demo/hearthd.log |
  sed -E 's/.*"connector":"([^"]+)".*"records":([0-9]+),"rejects":([0-9]+),"queries":([0-9]+).*/  \1: \2 records, \3 rejects, \4 queries/' || true
echo "one event from hearth.records with its Kafka headers (pseudonymous: no names, identifiers,"
echo "full birth dates or postcodes):"
kcat -C -b "$bootstrap" -t hearth.records -p 0 -o beginning -c 1 -q -f 'headers: %h\n%s\n'

echo "the headline values on hearth.indicator.values, read back with kcat:"
kcat -C -b "$bootstrap" -t hearth.indicator.values -o beginning -e -q -f '%s\n' |
  grep '"breakdown":null' |
  sed -E 's/.*"indicator":"([a-z_0-9]+)".*"numerator":([^,]+),"denominator":([^,]+),"value":([^,]+),"unit":"([^"]*)".*/  \1 \2\/\3 = \4 \5/' |
  sort -u

step "Metrics"
curl -s $admin/metrics | grep -E '^hearth_(records_read|events_published|rejects)_total' || true

step "Stopping (SIGTERM drains, flushes Kafka and saves checkpoints)"
kill -TERM $pid
wait $pid
kill -TERM $fhir_pid 2>/dev/null || true
wait $fhir_pid 2>/dev/null || true
trap - EXIT
tail -n 1 var/demo/hearthd.log
