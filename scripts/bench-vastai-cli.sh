#!/usr/bin/env bash
# The real vastai CLI's side of the search benchmark: the same three searches as
# server/benches/sim_search.rs, against `canopy sim --offers 20000`, timed by
# hyperfine (Debian package) — each run is a whole CLI process, as a user runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VASTAI_VENV:-target/vastai-venv}
[ -x "$VENV/bin/vastai" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q vastai==1.9.1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
BIN=${CANOPY_BIN:-target/release/canopy}; [ -x "$BIN" ] || BIN=target/debug/canopy
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
work=$(mktemp -d); trap 'kill $sim 2>/dev/null; rm -rf "$work"' EXIT
"$BIN" sim --addr "127.0.0.1:$PORT" --offers 20000 >"$work/sim.log" 2>&1 & sim=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v0/users/current/?api_key=x" >/dev/null 2>&1 && break; sleep 0.1; done
export HOME=$work VAST_URL=http://127.0.0.1:$PORT VASTAI_NO_UPDATE_CHECK=1 VAST_API_KEY=bench
v="$VENV/bin/vastai"
hyperfine -N --warmup 2 --runs ${RUNS:-15} --export-json "$work/cli.json" \
  -n rtx4090_2plus "$v --raw search offers 'gpu_name=RTX_4090 num_gpus>=2' -o dph" \
  -n default_query "$v --raw search offers" \
  -n vram_48_reliable "$v --raw search offers 'gpu_ram>=48 reliability>=0.98' -o dph --storage 50 --limit 100"
python3 - "$work/cli.json" <<'PY'
import json,sys,statistics
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:<20} p50 {statistics.median(r["times"])*1000:8.1f} ms')
PY
