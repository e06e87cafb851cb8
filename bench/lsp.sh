#!/bin/sh
# bench/lsp.sh [SERVICES] [EDITS]: the language server's cost of a re-lint
# after an edit, against a cold command-line run of the same workspace.
#
# Writes a synthetic repository of SERVICES services (bench/gen; default
# 500, about 1,500 files) to bench/out/lsp-N, runs `meshlint --lsp` with
# MESHLINT_LSP_VERBOSE=1, opens one VirtualService file, sends EDITS (default
# 10) full-text changes, each waited for, and prints what the server logged
# for every lint: files linted, files read from disk, milliseconds. The
# first lint reads the workspace; every later one should read nothing
# (only the open buffer changed). Not part of make check (a measurement, not
# a timed test). Needs python3; builds ./meshlint and build/bench/gen first.
set -eu
N=${1:-500}
EDITS=${2:-10}
make -s meshlint build/bench/gen > /dev/null
D=bench/out/lsp-$N
if [ ! -d "$D" ]; then
  mkdir -p bench/out
  build/bench/gen -n "$N" "$D" > /dev/null
fi
files=$(find "$D" -type f | wc -l)
echo "workspace $D: $files files"
t0=$(date +%s%N)
./meshlint --no-config --format gcc --fail-on never "$D" > /dev/null
t1=$(date +%s%N)
echo "cold command-line run: $(( (t1 - t0) / 1000000 )) ms"
MESHLINT_LSP_VERBOSE=1 python3 - ./meshlint "$D" "$EDITS" <<'PY'
import json, os, subprocess, sys, time, urllib.parse
exe, ws, edits = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
root = "file://" + urllib.parse.quote(ws)
vs = None
for dirpath, _, names in sorted(os.walk(ws)):
    for n in sorted(names):
        p = os.path.join(dirpath, n)
        if n.endswith(".yaml") and "VirtualService" in open(p, encoding="utf-8").read():
            vs = p
            break
    if vs:
        break
uri = "file://" + urllib.parse.quote(vs)
p = subprocess.Popen([exe, "--lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(o):
    b = json.dumps(o).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
    p.stdin.flush()
def recv():
    h = {}
    while True:
        line = p.stdout.readline().strip()
        if not line:
            break
        k, _, v = line.partition(b":")
        h[k.lower()] = v.strip()
    return json.loads(p.stdout.read(int(h[b"content-length"])))
def until(pred):
    while True:
        m = recv()
        if pred(m):
            return m
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": root, "capabilities": {}}})
until(lambda m: m.get("id") == 1)
text = open(vs, encoding="utf-8").read()
# each edit is followed by a codeAction request: its answer comes after the
# lint that the edit caused, whether or not the file has findings
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
rng = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
for i in range(edits + 1):
    if i:
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": i + 1},
                         "contentChanges": [{"text": text + "\n# edit %d\n" % i}]}})
    t = time.time()
    send({"jsonrpc": "2.0", "id": 100 + i, "method": "textDocument/codeAction",
          "params": {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}}})
    until(lambda m: m.get("id") == 100 + i)
    print("%s: %.1f ms round trip" % ("open" if i == 0 else "edit %d" % i, (time.time() - t) * 1e3), flush=True)
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
until(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit"})
sys.exit(p.wait())
PY
