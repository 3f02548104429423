#!/usr/bin/env bash
# Conformance: drive the REAL vastai CLI (1.9.1, from PyPI) against our Vast simulator and
# assert on what it prints. Follows shared/vast/CLI-TRANSCRIPT.md §4: throwaway HOME/XDG dirs,
# VAST_URL (the CLI's GPU-name prefetch ignores --url), no update check, loopback only.
#
# Usage: scripts/vastai-conformance.sh ['COMMAND THAT STARTS THE SIM']
#   The command may use $PORT; default: canopy sim --addr 127.0.0.1:$PORT
#   (or env CANOPY_SIM_CMD). The sim is started with CANOPY_SIM_API_KEY (the one valid key,
#   so a wrong key gets 401) and CANOPY_SIM_SPEED=20 (boots in seconds) in its environment;
#   it must build its config with SimConfig::from_env().
# Env: VASTAI_VENV (default <repo>/target/vastai-venv; created and reused), PORT (default:
#   a free port), KEEP_LOGS=1 keeps the work dir.
# The CLI exits 0 even on HTTP errors, so every step checks stdout/stderr; any mismatch
# makes this script exit 1.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VASTAI_VENV:-$REPO/target/vastai-venv}
PY=${PYTHON:-python3}

if [[ ! -x "$VENV/bin/vastai" ]] || ! "$VENV/bin/python" -c 'import importlib.metadata as m,sys; sys.exit(m.version("vastai")!="1.9.1")' 2>/dev/null; then
  echo "== installing vastai==1.9.1 into $VENV"
  "$PY" -m venv "$VENV" && "$VENV/bin/pip" install -q 'vastai==1.9.1' || { echo "FAIL: could not install vastai" >&2; exit 1; }
fi
V="$VENV/bin/vastai"
VPY="$VENV/bin/python"

PORT=${PORT:-$("$VPY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}
export PORT
SIM_CMD=${1:-${CANOPY_SIM_CMD:-}}
if [[ -z "$SIM_CMD" ]]; then
  if command -v canopy >/dev/null 2>&1; then SIM_CMD='canopy sim --addr 127.0.0.1:$PORT'
  elif [[ -x "$REPO/target/debug/canopy" ]]; then SIM_CMD="$REPO/target/debug/canopy"' sim --addr 127.0.0.1:$PORT'
  else SIM_CMD='canopy sim --addr 127.0.0.1:$PORT'; fi
fi

WORK=$(mktemp -d)
KEY=sim-conformance-key
SIM_PID=
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
  if [[ "${KEEP_LOGS:-}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== starting sim: $SIM_CMD (port $PORT)"
( export CANOPY_SIM_API_KEY=$KEY CANOPY_SIM_SPEED=${CANOPY_SIM_SPEED:-20}; exec bash -c "exec $SIM_CMD" ) >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 150); do
  if "$VPY" -c "import urllib.request,sys; urllib.request.urlopen('$BASE/api/v0/gpu_names/unique/', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 "$SIM_PID" 2>/dev/null; then echo "FAIL: sim exited:"; cat "$WORK/sim.log"; exit 1; fi
  sleep 0.2
done

# Sandbox: nothing from the real HOME, all traffic to the sim on loopback.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_CACHE_HOME=$WORK/home/.cache \
       XDG_STATE_HOME=$WORK/home/.local/state XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"
export VAST_URL=$BASE VASTAI_NO_UPDATE_CHECK=1 CI=1 VAST_API_KEY=$KEY COLUMNS=250 NO_COLOR=1
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost

FAILS=0
STEPS=0
OUT=$WORK/out; ERR=$WORK/err
fail() { echo "  FAIL: $*" >&2; echo "  --- stdout:" >&2; head -c 1500 "$OUT" >&2; echo "  --- stderr:" >&2; head -c 1500 "$ERR" >&2; FAILS=$((FAILS+1)); }
# run NAME ARGS... : runs the CLI; stderr must be free of the error markers.
run() {
  local name=$1; shift
  STEPS=$((STEPS+1))
  echo "-- $name: vastai $*"
  "$V" "$@" >"$OUT" 2>"$ERR" </dev/null
  local rc=$?
  if [[ $rc -ne 0 ]]; then fail "$name: exit code $rc"; return 1; fi
  if grep -qE 'Failed with error|Traceback|invalid return Content-Type|"error": true' "$ERR"; then fail "$name: error on stderr"; return 1; fi
  return 0
}
# check NAME PYTHON-EXPR : evaluates EXPR with o = parsed stdout JSON, out/err = text.
check() {
  local name=$1 expr=$2
  if ! "$VPY" - "$OUT" "$ERR" "$expr" <<'PYEOF'
import json, sys
out = open(sys.argv[1]).read(); err = open(sys.argv[2]).read()
try:
    o = json.loads(out)
except Exception:
    o = None
env = {"o": o, "out": out, "err": err, "json": json}
ok = eval(sys.argv[3], env)
sys.exit(0 if ok else 1)
PYEOF
  then fail "$name: check failed: $2"; return 1; fi
}
sim_post() {  # sim-only admin endpoint
  "$VPY" -c "import urllib.request,sys; r=urllib.request.Request('$BASE$1', data=sys.argv[1].encode(), method='POST', headers={'Content-Type':'application/json'}); urllib.request.urlopen(r, timeout=5)" "$2"
}

# 1. search (CLI defaults + the runbook query)
run search search offers 'gpu_ram>=24 num_gpus=1 reliability>0.98 gpu_name=RTX_4090' --raw &&
check search 'isinstance(o, list) and len(o) > 0 and all(x["gpu_name"] == "RTX 4090" and x["num_gpus"] == 1 and x["reliability"] > 0.98 and x["gpu_ram"] >= 24000 and x["rentable"] is True and x["verification"] == "verified" and isinstance(x["id"], int) and isinstance(x["dph_total"], float) for x in o) and [x["score"] for x in o] == sorted([x["score"] for x in o], reverse=True)'
cp "$OUT" "$WORK/offers.json"
OFFER=$("$VPY" -c 'import json,sys;print(json.load(open(sys.argv[1]))[0]["id"])' "$WORK/offers.json" 2>/dev/null)
[[ -n "$OFFER" ]] || { fail "no offer to rent"; exit 1; }

ls "$XDG_CACHE_HOME"/vastai/gpu_names_cache.json >/dev/null 2>&1 && grep -q 'RTX 4090' "$XDG_CACHE_HOME"/vastai/gpu_names_cache.json ||
  { STEPS=$((STEPS+1)); : >"$OUT"; : >"$ERR"; fail "gpu_names prefetch was not cached"; }

run search-ops search offers 'gpu_name in [RTX_4090,RTX_3090] geolocation notin [CN,VN] dph<2' -o 'dph_total' --limit 5 --raw &&
check search-ops 'isinstance(o, list) and 0 < len(o) <= 5 and all(x["gpu_name"] in ("RTX 4090", "RTX 3090") and not x["geolocation"].endswith(("CN", "VN")) and x["dph_total"] < 2 for x in o) and [x["dph_total"] for x in o] == sorted(x["dph_total"] for x in o)'

run search-bid search offers 'gpu_name=RTX_4090' -b --limit 3 --raw &&
check search-bid 'len(o) > 0 and all(x["is_bid"] is True and abs(x["dph_base"] - x["min_bid"]) < 1e-9 for x in o)'

run search-storage search offers 'gpu_name=RTX_4090' --storage 100 --limit 3 --raw &&
check search-storage 'len(o) > 0 and all(abs(x["dph_total"] - (x["dph_base"] + x["storage_cost"] * 100 / 720)) < 1e-9 and abs(x["storage_total_cost"] - x["storage_cost"] * 100 / 720) < 1e-12 for x in o)'

run search-reserved search offers -n 'num_gpus>=2 gpu_total_ram>=48 cpu_ram>=64 dlperf_usd>10' -o 'num_gpus-' -r --limit 10 --raw &&
check search-reserved 'len(o) > 0 and all(x["num_gpus"] >= 2 and x["gpu_total_ram"] >= 48000 and x["dlperf_per_dphtotal"] > 10 for x in o) and [x["num_gpus"] for x in o] == sorted([x["num_gpus"] for x in o], reverse=True)'

run search-new search offers --new 'gpu_name=H100_SXM' --limit 3 --raw &&
check search-new 'len(o) > 0 and all(x["gpu_name"] == "H100 SXM" for x in o)'

run search-driver search offers 'driver_version>=570.0.0 cuda_vers>=12.8 duration>=3' --limit 5 --raw &&
check search-driver 'len(o) > 0 and all(x["driver_vers"] >= 570000000 and x["cuda_max_good"] >= 12.8 and x["duration"] >= 3 * 86400 for x in o)'

run search-table search offers 'gpu_name=RTX_4090' --limit 3 && check search-table '"RTX_4090" in out or "RTX 4090" in out'

# 2. create
run create create instance "$OFFER" --image pytorch/pytorch --disk 20 --label conf --ssh --direct \
    --onstart-cmd 'echo hi' --env '-e FOO=bar -p 8080:8080' --raw &&
check create 'o["success"] is True and isinstance(o["new_contract"], int)'
INST=$("$VPY" -c 'import json,sys;print(json.load(open(sys.argv[1]))["new_contract"])' "$OUT" 2>/dev/null)
[[ -n "$INST" ]] || { fail "no instance id"; exit 1; }

run rented-offer-gone search offers "id=$OFFER" --raw && check rented-offer-gone 'o == []'

# 3. show instances
run show-instances-raw show instances --raw &&
check show-instances-raw "any(x['id'] == $INST and x['label'] == 'conf' and x['extra_env'].get('FOO') == 'bar' and x['image_uuid'] == 'pytorch/pytorch' and x['disk_space'] == 20 for x in o)"
run show-instances-table show instances && check show-instances-table "'$INST' in out and 'conf' in out"
run show-instances-filtered show instances --label conf --limit 5 --raw &&
check show-instances-filtered "o['instances'][0]['id'] == $INST and o['total_instances'] == 1"
run show-instance show instance "$INST" --raw &&
check show-instance "o['id'] == $INST and o['actual_status'] in (None, 'loading', 'running') and o['machine_id'] > 0"

# 4. wait for running (sim speed 20x; where /_sim/advance exists, jump the boot delay)
sim_post /_sim/advance '{"seconds": 120}' 2>/dev/null || true
for _ in $(seq 1 60); do
  "$V" show instance "$INST" --raw >"$OUT" 2>"$ERR" </dev/null
  "$VPY" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["actual_status"] != "running")' "$OUT" 2>/dev/null && break
  sleep 0.5
done
STEPS=$((STEPS+1)); check running "o['actual_status'] == 'running' and o['status_msg'].startswith('success') and isinstance(o['ports'], dict)"

run label label instance "$INST" conformance && check label "'label for $INST set to conformance.' in out"
run stop stop instance "$INST" && check stop "'stopping instance $INST.' in out"
run show-stopped show instance "$INST" --raw && check show-stopped "o['actual_status'] == 'stopped' and o['label'] == 'conformance'"
run start start instance "$INST" && check start "'starting instance $INST.' in out"

# 5. logs (result_url on loopback, polled without auth)
run logs logs "$INST" --tail 50 && check logs '"Pulling from pytorch/pytorch" in out'
run logs-daemon logs "$INST" --daemon-logs && check logs-daemon '"[daemon]" in out'

# 6. account
run user show user --raw && check user 'isinstance(o["credit"], float) and 0 < o["credit"] < 25 and o["id"] > 0'
run ssh-key-create create ssh-key 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIConformanceKey test@sim' && check ssh-key-create '"ssh-key created" in out'
run ssh-keys show ssh-keys && check ssh-keys '"AAAAC3NzaC1lZDI1NTE5AAAAIConformanceKey" in out'
run attach-ssh attach ssh "$INST" 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIConformanceKey test@sim' && check attach-ssh "\"'success': True\" in out"

# 7. destroy
run destroy destroy instance "$INST" -y && check destroy "'destroying instance $INST.' in out"
run show-destroyed show instance "$INST" --raw && check show-destroyed 'o == {"instances": None}'
run show-after-destroy show instances --raw && check show-after-destroy "all(x['id'] != $INST for x in o)"
run offer-back search offers "id=$OFFER" --raw && check offer-back "len(o) == 1 and o[0]['id'] == $OFFER"

# 8. errors as Vast sends them (the CLI exits 0; check stderr)
STEPS=$((STEPS+1)); "$V" --api-key wrong show user >"$OUT" 2>"$ERR" </dev/null
check wrong-key '"Failed with error 401: Invalid user key" in err' ||
  echo "  (the sim must accept only CANOPY_SIM_API_KEY: build its config with SimConfig::from_env())" >&2
STEPS=$((STEPS+1)); "$V" --raw create instance 1 --image pytorch/pytorch >"$OUT" 2>"$ERR" </dev/null
check unknown-offer '"status_code\": 404" in err and "not available" in err'
STEPS=$((STEPS+1)); "$V" destroy instance 1 -y >"$OUT" 2>"$ERR" </dev/null
check destroy-unknown '"404" in (out + err)'

# 9. faults: 429 with Retry-After is retried by the CLI; the daily quota is not.
if sim_post /_sim/faults '{"spec": "user=429@1*2"}' 2>/dev/null; then
  run rate-limited-retry show user --raw && check rate-limited-retry 'o["id"] > 0'
  sim_post /_sim/faults '{"spec": "search=quota"}'
  STEPS=$((STEPS+1)); "$V" search offers 'gpu_name=RTX_4090' >"$OUT" 2>"$ERR" </dev/null
  check search-quota '"Failed with error 429: Daily search quota exceeded. Resets at" in err'
else
  echo "-- (sim has no /_sim/faults; fault steps skipped)"
fi

echo
if [[ $FAILS -eq 0 ]]; then
  echo "vastai conformance: $STEPS passed, 0 failed"
  exit 0
fi
echo "vastai conformance: $((STEPS-FAILS)) passed, $FAILS failed"
echo "--- sim log (tail):"; tail -20 "$WORK/sim.log"
exit 1
