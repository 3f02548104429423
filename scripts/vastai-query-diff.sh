#!/usr/bin/env bash
# vastai-query-diff.sh — capture what the REAL `vastai search offers` (vastai==1.9.1) sends for
# every entry of the query corpus, and diff it against what our implementation prints.
#
#   scripts/vastai-query-diff.sh                       # capture + diff against $CANOPY_EXPLAIN
#   scripts/vastai-query-diff.sh --explain-cmd 'CMD'   # same, command given explicitly
#   scripts/vastai-query-diff.sh --write-fixture       # capture only; rewrite testdata/cli_bodies.json
#   scripts/vastai-query-diff.sh --corpus FILE         # another corpus (same TSV format)
#
# The explain command is a command PREFIX. For each corpus entry it is run as
#     CMD [QUERY] FLAG...            (QUERY omitted when the corpus query is empty)
# and must print the JSON request body on stdout and exit 0, or exit non-zero when the query is
# invalid. Example: CANOPY_EXPLAIN='canopy offers search --explain'.
#
# Safety: the real CLI runs with a throwaway HOME and VAST_URL pointing at a tiny recorder on
# 127.0.0.1 (random port) that answers {"offers": []}; nothing leaves the machine. The recorder is
# stopped when the script ends. The venv (default target/vastai-venv, override with
# VASTAI_VENV) is created with `pip install vastai==1.9.1` if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS="$ROOT/app/src/domain/query/testdata/corpus.tsv"
FIXTURE="$ROOT/app/src/domain/query/testdata/cli_bodies.json"
VENV="${VASTAI_VENV:-$ROOT/target/vastai-venv}"
EXPLAIN="${CANOPY_EXPLAIN:-}"
WRITE_FIXTURE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --write-fixture) WRITE_FIXTURE=1 ;;
    --explain-cmd) shift; EXPLAIN="${1:?--explain-cmd needs a command}" ;;
    --corpus) shift; CORPUS="${1:?--corpus needs a file}" ;;
    --fixture) shift; FIXTURE="${1:?--fixture needs a file}" ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$WRITE_FIXTURE" = 0 ] && [ -z "$EXPLAIN" ]; then
  echo "nothing to diff against: set CANOPY_EXPLAIN or pass --explain-cmd (or use --write-fixture)" >&2
  exit 2
fi

if [ ! -x "$VENV/bin/vastai" ]; then
  echo "creating venv $VENV with vastai==1.9.1 ..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'vastai==1.9.1'
fi
"$VENV/bin/python" -c 'import importlib.metadata as m; v=m.version("vastai"); assert v=="1.9.1", v' \
  || { echo "venv $VENV does not hold vastai 1.9.1" >&2; exit 2; }

export CORPUS FIXTURE VENV EXPLAIN WRITE_FIXTURE
exec "$VENV/bin/python" - <<'PY'
import http.server, json, os, shlex, subprocess, sys, tempfile, threading

corpus, fixture, venv = os.environ["CORPUS"], os.environ["FIXTURE"], os.environ["VENV"]
explain, write_fixture = os.environ["EXPLAIN"], os.environ["WRITE_FIXTURE"] == "1"

records, lock = [], threading.Lock()

class Recorder(http.server.BaseHTTPRequestHandler):
    def _reply(self, obj):
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with lock:
            records.append({"method": self.command, "path": self.path, "body": body.decode("utf-8")})
        if "gpu_names" in self.path:
            self._reply({"gpu_names": []})
        elif "users/current" in self.path:
            self._reply({"id": 1})
        else:
            self._reply({"offers": []})
    do_GET = do_POST = do_PUT = do_DELETE = _handle
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()

home = tempfile.mkdtemp(prefix="vastrec-")
env = dict(os.environ)
env.update({
    "HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_CACHE_HOME": home + "/.cache",
    "XDG_STATE_HOME": home + "/.local/state", "XDG_DATA_HOME": home + "/.local/share",
    "VAST_URL": f"http://127.0.0.1:{port}", "VASTAI_NO_UPDATE_CHECK": "1", "CI": "1",
    "VAST_API_KEY": "testkey123",
})

entries = []
with open(corpus, encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        while len(cols) < 3:
            cols.append("")
        entries.append({"id": cols[0], "query": cols[1], "flags": cols[2].split()})

def argv_tail(e):
    return ([e["query"]] if e["query"] != "" else []) + e["flags"]

out = []
for e in entries:
    with lock:
        records.clear()
    cmd = [venv + "/bin/vastai", "--raw", "search", "offers"] + argv_tail(e)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    with lock:
        reqs = [r for r in records if "gpu_names" not in r["path"] and "users/current" not in r["path"]]
    req = None
    if reqs:
        r = reqs[-1]
        req = {"method": r["method"], "path": r["path"], "body_raw": r["body"], "body": json.loads(r["body"])}
    err = None
    if req is None:
        lines = [l for l in (p.stdout + "\n" + p.stderr).splitlines() if l.strip()]
        msg = next((l for l in lines if l.startswith("Error: ")), None)
        if msg is not None:
            err = {"kind": "error", "message": msg[len("Error: "):].strip()}
        else:
            tb = [l for l in lines if not l.startswith(" ")]
            err = {"kind": "crash", "message": tb[-1] if tb else ""}
    warnings = [l for l in p.stderr.splitlines() if l.startswith("Warning:")]
    out.append({"id": e["id"], "query": e["query"], "flags": e["flags"], "request": req,
                "cli_error": err, "cli_warnings": warnings, "exit_code": p.returncode})
    print(f"captured {e['id']:<34} {'ERR ' + err['kind'] if err else req['method'] + ' ' + req['path']}", file=sys.stderr)

srv.shutdown()
subprocess.run(["rm", "-rf", home])

if write_fixture:
    with open(fixture, "w", encoding="utf-8") as f:
        json.dump({"cli": "vastai 1.9.1", "entries": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out)} entries to {fixture}", file=sys.stderr)

if not explain:
    sys.exit(0)

bad = 0
for c in out:
    cmd = shlex.split(explain) + argv_tail(c)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if c["request"] is None:
        if p.returncode == 0:
            bad += 1
            print(f"DIFF {c['id']}: CLI refused ({c['cli_error']['message']}) but ours printed:\n{p.stdout}")
        continue
    if p.returncode != 0:
        bad += 1
        print(f"DIFF {c['id']}: CLI sent {c['request']['body_raw']}\n  ours failed: {p.stderr.strip() or p.stdout.strip()}")
        continue
    try:
        ours = json.loads(p.stdout)
    except ValueError:
        bad += 1
        print(f"DIFF {c['id']}: ours printed non-JSON: {p.stdout!r}")
        continue
    want = c["request"]["body"]
    # json.dumps tells 1 from 1.0 from "1", so this is a typed comparison, key order ignored
    if json.dumps(ours, sort_keys=True) != json.dumps(want, sort_keys=True):
        bad += 1
        print(f"DIFF {c['id']}:\n  cli : {json.dumps(want, sort_keys=True)}\n  ours: {json.dumps(ours, sort_keys=True)}")
    elif p.stdout.strip() != c["request"]["body_raw"]:
        print(f"note {c['id']}: same JSON, different bytes/key order", file=sys.stderr)

print(f"{len(out) - bad}/{len(out)} corpus entries agree with the real CLI", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
