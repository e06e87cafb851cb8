#!/bin/sh
# meshlint --lsp: a scripted Language Server Protocol session.
#
# The workspace on disk is correct; the client opens vs.yaml with an unsaved
# buffer that breaks two routes (an unknown subset after an astral character
# on its line, and a typo meshlint can fix). Checked: the diagnostics arrive
# for the buffer (not for the file on disk) at the right line and UTF-16
# column, with severity, code, source, help and related information; the
# code action renames the subset; an edit that repairs the buffer clears the
# diagnostics and re-reads nothing from disk; malformed input (a bad
# Content-Length, invalid JSON, an unknown method, a request before
# initialize) gets an error response or a log line and the server goes on;
# shutdown + exit exits 0, the end of input without them exits 1.
. tests/sh/lib.inc
command -v python3 > /dev/null || { echo "SKIP: python3 not installed"; exit 0; }

W="$T/work space"
mkdir -p "$W"
cp testdata/rules/ML301/fire-typo-subset/k8s.yaml "$W/"
sed -n 1,15p testdata/rules/ML301/fire-typo-subset/istio.yaml > "$W/dr.yaml"
cat > "$W/vs.yaml" <<'EOF'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: orders
  namespace: shop
spec:
  hosts:
    - orders
  http:
    - route:
        - destination:
            host: orders
            subset: stable
          weight: 90
        - destination:
            host: orders
            subset: canary
          weight: 10
EOF
cp "$W/vs.yaml" "$T/vs.orig"

MESHLINT_LSP_VERBOSE=1 python3 - "$MESHLINT" "$W" > "$T/py.out" 2> "$T/py.err" <<'PY'
import json, os, queue, subprocess, sys, threading, urllib.parse

exe, ws = sys.argv[1], sys.argv[2]
root_uri = "file://" + urllib.parse.quote(ws)
vs_uri = root_uri + "/vs.yaml"

def frame(obj=None, raw=None):
    body = raw if raw is not None else json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

def start():
    # LSP_WRAP: a command to run the server under (tests/valgrind.sh)
    p = subprocess.Popen(os.environ.get("LSP_WRAP", "").split() + [exe, "--lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=open(os.path.join(os.path.dirname(ws), "server.err"), "ab"))
    q = queue.Queue()
    def reader():
        f = p.stdout
        while True:
            headers = {}
            while True:
                line = f.readline()
                if not line:
                    q.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
            n = int(headers[b"content-length"])
            q.put(json.loads(f.read(n)))
    threading.Thread(target=reader, daemon=True).start()
    return p, q

def send(p, obj=None, raw=None):
    p.stdin.write(frame(obj, raw))
    p.stdin.flush()

def wait(q, pred, what):
    while True:
        try:
            m = q.get(timeout=60)
        except queue.Empty:
            sys.exit("timed out waiting for " + what)
        if m is None:
            sys.exit("the server closed its output while waiting for " + what)
        if pred(m):
            return m

def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)

p, q = start()
# a request before initialize is refused, and the server goes on
send(p, {"jsonrpc": "2.0", "id": 99, "method": "textDocument/codeAction", "params": {}})
m = wait(q, lambda m: m.get("id") == 99, "the early request's error")
check(m.get("error", {}).get("code") == -32002, "request before initialize: -32002, got %r" % m)

send(p, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": root_uri, "capabilities": {}}})
m = wait(q, lambda m: m.get("id") == 1, "initialize")
caps = m["result"]["capabilities"]
check(caps["textDocumentSync"]["change"] == 1 and caps["textDocumentSync"]["openClose"], "full sync advertised")
check(caps["codeActionProvider"], "code actions advertised")
check(caps.get("positionEncoding") == "utf-16", "utf-16 positions")
check(m["result"]["serverInfo"]["name"] == "meshlint", "serverInfo")
send(p, {"jsonrpc": "2.0", "method": "initialized", "params": {}})

broken = open(os.path.join(ws, "vs.yaml"), encoding="utf-8").read()
broken = broken.replace("subset: canary", "subset: canry")
broken = broken.replace("    - route:\n", "    - match:\n        - headers: {\"x-\u00fcn\u00ef\U0001F600\": {exact: \"1\"}}\n"
                        "      route:\n        - destination: {\"x-\U0001F600\": 1, host: orders, subset: \"c\U0001F600nary\"}\n"
                        "    - route:\n", 1)
send(p, {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": vs_uri, "languageId": "yaml", "version": 1, "text": broken}}})
m = wait(q, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == vs_uri,
         "diagnostics of vs.yaml")
ds = [d for d in m["params"]["diagnostics"] if d.get("code") == "ML301"]
check(len(ds) == 2, "two ML301 in the unsaved buffer, got %r" % m["params"]["diagnostics"])
ds.sort(key=lambda d: d["range"]["start"]["line"])
astral, typo = ds
# line 13 (0-based 12): {"x-<U+1F600>": 1, host: orders, subset: "c<U+1F600>nary"}
# the value "c<U+1F600>nary" starts at code point 57, byte 60, UTF-16 unit 58
# (1-based) and spans 8 code points, 9 UTF-16 units
check(astral["range"] == {"start": {"line": 12, "character": 57}, "end": {"line": 12, "character": 66}},
      "UTF-16 range of the astral subset: %r" % astral["range"])
check(typo["range"] == {"start": {"line": 20, "character": 20}, "end": {"line": 20, "character": 25}},
      "range of the typo: %r" % typo["range"])
check(typo["severity"] == 1 and typo["source"] == "meshlint", "severity and source")
check("did you mean canary?" in typo["message"] and "\nhelp: write subset: canary" in typo["message"],
      "message with help: %r" % typo["message"])
rel = typo.get("relatedInformation") or []
check(len(rel) == 1 and rel[0]["location"]["uri"] == root_uri + "/dr.yaml"
      and rel[0]["location"]["range"]["start"] == {"line": 3, "character": 8}, "related information: %r" % rel)
print("diagnostics ok")

# the code action for the typo, asked at a cursor inside it
send(p, {"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction",
         "params": {"textDocument": {"uri": vs_uri},
                    "range": {"start": {"line": 20, "character": 22}, "end": {"line": 20, "character": 22}},
                    "context": {"diagnostics": [typo]}}})
m = wait(q, lambda m: m.get("id") == 2, "codeAction")
acts = m["result"]
check(len(acts) == 1, "one code action at the typo: %r" % acts)
a = acts[0]
check(a["kind"] == "quickfix" and a["title"] == "rename the subset reference to canary", "action title: %r" % a)
check(a["edit"]["changes"] == {vs_uri: [{"range": {"start": {"line": 20, "character": 20},
                                                    "end": {"line": 20, "character": 25}},
                                          "newText": "canary"}]}, "workspace edit: %r" % a["edit"])
# none on a line without a fix
send(p, {"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction",
         "params": {"textDocument": {"uri": vs_uri},
                    "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                    "context": {"diagnostics": []}}})
m = wait(q, lambda m: m.get("id") == 3, "codeAction elsewhere")
check(m["result"] == [], "no action away from a fix: %r" % m)
print("code action ok")

# malformed input: a bad Content-Length, invalid JSON, an unknown method
p.stdin.write(b"Content-Length: abc\r\n\r\n")
send(p, raw=b'{"jsonrpc": "2.0", "id": 4, "method": ')
m = wait(q, lambda m: "error" in m and m.get("id") is None, "the parse error")
check(m["error"]["code"] == -32700, "parse error code: %r" % m)
send(p, {"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover", "params": {}})
m = wait(q, lambda m: m.get("id") == 5, "unknown method")
check(m["error"]["code"] == -32601, "method not found: %r" % m)
send(p, raw=b"[1, 2, 3]")
m = wait(q, lambda m: "error" in m, "a non-object message")
check(m["error"]["code"] == -32600, "invalid request: %r" % m)
print("malformed input ok")

# repair the buffer: the diagnostics are cleared
fixed = broken.replace("subset: canry", "subset: canary").replace("\"c\U0001F600nary\"", "canary")
send(p, {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": vs_uri, "version": 2}, "contentChanges": [{"text": fixed}]}})
m = wait(q, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == vs_uri,
         "diagnostics after the repair")
check([d for d in m["params"]["diagnostics"] if d.get("code") == "ML301"] == [], "repaired: %r" % m)
# a ranged change is applied too: break it again through a range
line = fixed.split("\n")[20]
col = line.index("canary")
send(p, {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": vs_uri, "version": 3},
                    "contentChanges": [{"range": {"start": {"line": 20, "character": col + 3},
                                                  "end": {"line": 20, "character": col + 4}}, "text": ""}]}})
m = wait(q, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == vs_uri,
         "diagnostics after the ranged change")
ds = [d for d in m["params"]["diagnostics"] if d.get("code") == "ML301"]
check(len(ds) == 1 and "names subset canry" in ds[0]["message"], "ranged change applied: %r" % ds)
# closing the buffer clears its diagnostics (the file on disk is correct)
send(p, {"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": vs_uri}}})
m = wait(q, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == vs_uri,
         "diagnostics cleared on close")
check(m["params"]["diagnostics"] == [], "cleared on close: %r" % m)

send(p, {"jsonrpc": "2.0", "id": 6, "method": "shutdown"})
m = wait(q, lambda m: m.get("id") == 6, "shutdown")
check("result" in m and m["result"] is None, "shutdown result null: %r" % m)
send(p, {"jsonrpc": "2.0", "method": "exit"})
check(p.wait(timeout=30) == 0, "exit after shutdown: status 0")
print("session ok")

# the end of input without shutdown: status 1
p, q = start()
send(p, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootPath": ws, "capabilities": {}}})
wait(q, lambda m: m.get("id") == 1, "initialize")
p.stdin.close()
check(p.wait(timeout=30) == 1, "end of input without exit: status 1")
print("eof ok")
PY
st=$?
cat "$T/py.out"
[ $st -eq 0 ] || { cat "$T/py.err" "$T/server.err" 2>/dev/null; fail "LSP session"; }
contains "$T/py.out" "session ok"
contains "$T/py.out" "eof ok"
# the buffer never reached the disk
cmp -s "$W/vs.yaml" "$T/vs.orig" || fail "the server modified vs.yaml"
# the malformed header was logged, not fatal
contains "$T/server.err" "invalid Content-Length"
# the first lint read the two files on disk that are not open (vs.yaml is
# the buffer); the lints after each edit read none; a lint after closing
# the buffer (there is none when shutdown follows at once) reads that file
# from disk, and only that one
grep "linted " "$T/server.err" > "$T/lints"
n=$(wc -l < "$T/lints")
[ "$n" -ge 3 ] || { cat "$T/server.err"; fail "expected at least 3 lints, got $n"; }
head -n 1 "$T/lints" | grep -q "(2 read from disk, 1 open buffers)" || { cat "$T/lints"; fail "first lint reads the workspace once"; }
bad=$(sed -n '2,$p' "$T/lints" | grep -v "(1 read from disk, 0 open buffers)" | grep -vc "(0 read from disk, 1 open buffers)")
[ "$bad" = 0 ] || { cat "$T/lints"; fail "a lint after an edit read files from disk again"; }
[ "$(sed -n '2,$p' "$T/lints" | grep -c "(0 read from disk, 1 open buffers)")" -ge 2 ] || { cat "$T/lints"; fail "the edits were not linted from memory"; }
echo "lsp: ok"
