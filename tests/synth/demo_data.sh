#!/bin/sh
# Generates the demo council once and reuses it: the cache is keyed on the generator binary,
# the seed, the scale and the mess rate, so a rebuilt generator or a changed setting regenerates it.
# Usage: tests/synth/demo_data.sh BUILD_DIR [OUT_DIR] [SCALE] [SEED] [MESS_RATE]
set -eu
build_dir=${1:?usage: demo_data.sh BUILD_DIR [OUT_DIR] [SCALE] [SEED] [MESS_RATE]}
out_dir=${2:-var/demo/council}
scale=${3:-0.05}
seed=${4:-2025}
mess_rate=${5:-1}
binary="$build_dir/tests/synth/hearth-synth"
[ -x "$binary" ] || { echo "demo_data.sh: $binary not built" >&2; exit 1; }
key="$(sha256sum "$binary" | cut -c1-16) seed=$seed scale=$scale mess_rate=$mess_rate"
if [ -f "$out_dir/.generated" ] && [ "$(cat "$out_dir/.generated")" = "$key" ]; then
  echo "synthetic council: cached in $out_dir"
  exit 0
fi
rm -rf "$out_dir"
"$binary" --seed "$seed" --scale "$scale" --mess-rate "$mess_rate" --out "$out_dir" --quiet
echo "$key" > "$out_dir/.generated"
echo "synthetic council: generated in $out_dir (seed $seed, scale $scale, mess rate $mess_rate)"
