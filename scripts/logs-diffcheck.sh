#!/usr/bin/env bash
# logs-diffcheck.sh — does a change to the log pipeline change what it reads?
#
#   scripts/logs-diffcheck.sh [BASE_REV]        (default: HEAD)
#
# Builds `app/examples/analysis_rows` at BASE_REV (in a throwaway git worktree, with its own
# target dir, target/diffcheck-base) and from the working tree, runs both over the same logs,
# and compares their rows: each log's analysis as JSON, read as a file and as a live log, and
# a flag where two threads disagreed with one. For a change meant to be faster only, the rows
# must be identical.
#
# The logs (rebuilt into target/logs-diffset each run; seeded, so the same every time):
#   - the traces (server/data/traces/h200/*.log) and the corpus excerpts (server/data/logs/corpus);
#   - every test log of app/src/domain/logs/tests.rs: its string literals of 20 bytes or more;
#   - 400 mixes of runs of their lines and the fuzz fragments, joined by \n, \r, \r\n or nothing.
#
# Exit 0: identical rows and no two-thread disagreement. Exit 1: the first differences printed.
set -euo pipefail
cd "$(dirname "$0")/.."

base_rev=${1:-HEAD}
base_sha=$(git rev-parse --verify "$base_rev^{commit}")
set_dir=target/logs-diffset
base_target=$PWD/target/diffcheck-base
worktree=$(mktemp -d)
trap 'git worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"' EXIT

echo "==> the logs ($set_dir)"
rm -rf "$set_dir"
mkdir -p "$set_dir"
python3 - "$set_dir" <<'PY'
import glob, os, random, re, sys

out = sys.argv[1]
tests = open("app/src/domain/logs/tests.rs", encoding="utf-8").read()

def literals(src):
    """Rust string literals (plain and raw), escapes decoded; byte strings too."""
    found, i, n = [], 0, len(src)
    pat = re.compile(r'r(#*)"|"')
    while (m := pat.search(src, i)):
        start = m.start()
        if m.group(0).startswith("r"):
            if start > 0 and (src[start - 1].isalnum() or src[start - 1] == "_"):
                i = start + 1
                continue
            end = src.find('"' + m.group(1), m.end())
            if end < 0:
                break
            found.append(src[m.end():end])
            i = end + 1 + len(m.group(1))
            continue
        if start > 0 and src[start - 1] == "'" and src[start + 1:start + 2] == "'":
            i = m.end()  # the char literal '"'
            continue
        j, buf = m.end(), []
        while j < n and src[j] != '"':
            c = src[j]
            if c != "\\":
                buf.append(c)
                j += 1
                continue
            d = src[j + 1]
            simple = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
            if d in simple:
                buf.append(simple[d])
                j += 2
            elif d == "x":
                buf.append(chr(int(src[j + 2:j + 4], 16)))
                j += 4
            elif d == "u":
                k = src.index("}", j)
                buf.append(chr(int(src[j + 3:k], 16)))
                j = k + 1
            elif d == "\n":  # line continuation: the next line's indent goes too
                j += 2
                while j < n and src[j] in " \t\n":
                    j += 1
            else:
                buf.append(d)
                j += 2
        found.append("".join(buf))
        i = j + 1
    return found

def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

sources = []
for path in sorted(glob.glob("server/data/traces/h200/*.log") + glob.glob("server/data/logs/corpus/*.txt")):
    data = open(path, "rb").read()
    sources.append(data)
    write(os.path.basename(path), data)
for k, text in enumerate(t for t in literals(tests) if len(t) >= 20):
    data = text.encode("utf-8", "surrogatepass")
    sources.append(data)
    write(f"test-{k:05}.log", data)
fragments = open("app/src/domain/logs/fuzz_fragments.txt", "rb").read().split(b"\n")
rng = random.Random(23)
for k in range(400):
    parts = []
    for _ in range(rng.randint(3, 30)):
        if rng.random() < 0.15:
            parts.append(rng.choice(fragments))
            continue
        lines = re.split(rb"(?<=[\n\r])", rng.choice(sources))
        a = rng.randrange(len(lines))
        parts.append(b"".join(lines[a:a + rng.randint(1, 60)]))
    write(f"mix-{k:04}.log", rng.choice([b"", b"\n", b"\r", b"\r\n"]).join(parts))
print(f"{len(os.listdir(out))} logs")
PY

echo "==> analysis_rows at $base_rev ($base_sha)"
git worktree add --detach "$worktree" "$base_sha" >/dev/null
if [ ! -f "$worktree/app/examples/analysis_rows.rs" ]; then
  cp app/examples/analysis_rows.rs "$worktree/app/examples/"
fi
(cd "$worktree" && CARGO_TARGET_DIR="$base_target" cargo build --release -q -p app --example analysis_rows)
echo "==> analysis_rows in the working tree"
cargo build --release -q -p app --example analysis_rows

logs=("$set_dir"/*)
"$base_target/release/examples/analysis_rows" "${logs[@]}" > target/logs-diffset.base.tsv
target/release/examples/analysis_rows "${logs[@]}" > target/logs-diffset.new.tsv

status=0
if grep -q $'\tTWO-THREADS-DIFFER$' target/logs-diffset.new.tsv; then
  echo "two threads disagree with one on:"
  grep $'\tTWO-THREADS-DIFFER$' target/logs-diffset.new.tsv | cut -f1 | head -20
  status=1
fi
if cmp -s target/logs-diffset.base.tsv target/logs-diffset.new.tsv; then
  echo "identical: $(wc -l < target/logs-diffset.new.tsv) rows over ${#logs[@]} logs"
else
  echo "the rows differ (target/logs-diffset.base.tsv against .new.tsv); the first:"
  diff <(cut -c1-300 target/logs-diffset.base.tsv) <(cut -c1-300 target/logs-diffset.new.tsv) | head -20 || true
  status=1
fi
exit $status
