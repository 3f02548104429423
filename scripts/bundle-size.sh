#!/usr/bin/env bash
# Prints the raw and gzipped sizes of what a browser downloads: wasm + js + css.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
total_raw=0; total_gz=0
printf '%-22s %10s %10s\n' file bytes gzipped
for f in "$pkg"/canopy.wasm "$pkg"/canopy.js "$pkg"/canopy.css; do
  [ -f "$f" ] || { echo "missing $f: run 'make release' first" >&2; exit 1; }
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-22s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-22s %10d %10d\n' total "$total_raw" "$total_gz"
