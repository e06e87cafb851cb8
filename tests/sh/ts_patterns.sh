# Code patterns real Connectum services use, as --dump-model shows them
# (issue 16): builder parameters through their defaults and call sites in
# other files ("one of" where they differ), helper functions with a single
# return, [a, b].map((opts) => createServer(opts)) as one server per
# element, and package.json "imports" #subpaths.
. tests/sh/lib.inc
dump_ports() { # dump_ports DIR: "file port-kind port-value-or-why" per server
  "$MESHLINT" --no-config --dump-model "$1" > "$T/dump" || fail "--dump-model $1"
  python3 - "$T/dump" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["servers"]:
    p = s["port"]
    alts = ",".join(str(a.get("value", a.get("env"))) for a in p.get("oneOf", []))
    print(s["at"], p["kind"], p.get("value", p.get("env", "")), alts)
PY
}
command -v python3 > /dev/null || { echo "ts_patterns: python3 missing, skipped"; exit 0; }
mkdir -p "$T/b/src"
printf '{ "name": "fleet", "imports": { "#*": "./src/*" } }\n' > "$T/b/package.json"
cat > "$T/b/src/server.ts" <<'TS'
import { createServer } from "@connectum/core";
export function buildServer(options: { port?: number } = {}) {
  const port = options.port ?? Number(process.env.PORT ?? 5000);
  return createServer({ port });
}
TS
printf 'import { buildServer } from "#server.ts";\nawait buildServer().start();\n' > "$T/b/src/main.ts"
dump_ports "$T/b" > "$T/out"
contains "$T/out" "src/server.ts:4:10 env PORT"
printf 'import { buildServer } from "./server.js";\nbuildServer({ port: 6000 });\n' > "$T/b/src/admin.ts"
dump_ports "$T/b" > "$T/out"
contains "$T/out" "src/server.ts:4:10 unknown  6000,PORT"
"$MESHLINT" --no-config --dump-model "$T/b" > "$T/dump"
contains "$T/dump" "one of 6000 or env PORT (default 5000): the call sites of buildServer pass different values"
mkdir -p "$T/m"
cat > "$T/m/main.ts" <<'TS'
import { createServer } from "@connectum/core";
const port = (base: number) => base + 1;
[{ port: port(7000) }, { port: 8000 }].map((opts) => createServer(opts));
TS
dump_ports "$T/m" > "$T/out"
contains "$T/out" "main.ts:3:54 number 7001"
contains "$T/out" "main.ts:3:54 number 8000"
# interceptor lists (issue 16): a helper with several returns is one of
# them, an interceptor present in every return is on; a call into
# @connectrpc/ is no resilience interceptor; an array changed after its
# declaration (push) is unknown, not its literal; a call into a package
# meshlint cannot see stays unknown
dump_icpt() { # dump_icpt DIR: "file known retry timeout bulkhead" per server
  "$MESHLINT" --no-config --dump-model "$1" > "$T/dump" || fail "--dump-model $1"
  python3 - "$T/dump" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["servers"]:
    print(s["at"], s["interceptorsKnown"], s["retry"]["enabled"], s["timeout"]["enabled"], s["bulkhead"]["enabled"])
PY
}
mkdir -p "$T/i"
cat > "$T/i/main.ts" <<'TS'
import { createServer } from "@connectum/core";
import { createRetryInterceptor, createTimeoutInterceptor } from "@connectum/interceptors";
import { createValidateInterceptor } from "@connectrpc/validate";
import { platformInterceptors } from "@acme/platform";
function resilience() {
  const retry = createRetryInterceptor({ maxRetries: 2 });
  if (process.env.NODE_ENV === "test") return [retry];
  return [createTimeoutInterceptor({ duration: 2000 }), retry];
}
const extra = [createValidateInterceptor()];
extra.push(createTimeoutInterceptor());
createServer({ interceptors: [createValidateInterceptor(), ...resilience()] });
createServer({ interceptors: extra });
createServer({ interceptors: [...platformInterceptors(), ...resilience()] });
TS
dump_icpt "$T/i" > "$T/out"
contains "$T/out" "main.ts:12:1 True yes maybe no"
contains "$T/out" "main.ts:13:1 False maybe maybe maybe"
contains "$T/out" "main.ts:14:1 False yes maybe maybe"
# enabledServices forms (issue 16): each link's list from its container's
# env, or unknown saying what the code was
dump_enabled() { # dump_enabled DIR: "workload kind value-or-why" per link
  "$MESHLINT" --no-config --dump-model "$1" > "$T/dump" || fail "--dump-model $1"
  python3 - "$T/dump" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["servers"]:
    for l in s["links"]:
        e = l["enabledServices"]["value"]
        print(l["workload"], e["kind"], e.get("value", e.get("why", "")))
PY
}
enabled_case() { # enabled_case NAME EXPR [SERVICES]: a server with enabledServices: EXPR, one Deployment
  mkdir -p "$T/e$1"
  printf '{ "name": "svc%s" }\n' "$1" > "$T/e$1/package.json"
  cat > "$T/e$1/main.ts" <<TS
import { createServer, mergeEnabledServices, parseEnvConfig, parseServicesEnv } from "@connectum/core";
const env = parseEnvConfig();
const LIST = ["a.v1.A", " b.v1.B", "c.v1.C"] as const;
createServer({ services: [], enabledServices: $2 });
TS
  envs=""
  [ -n "${3-}" ] && envs="env: [{name: SERVICES, value: \"$3\"}], "
  cat > "$T/e$1/k8s.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc$1, namespace: ns}
spec:
  selector: {matchLabels: {app: svc$1}}
  template:
    metadata: {labels: {app: svc$1}}
    spec:
      containers: [{name: app, image: "svc$1:1", ${envs}ports: [{containerPort: 5000}]}]
YAML
  dump_enabled "$T/e$1" > "$T/out"
}
enabled_case 1 'LIST'
contains "$T/out" "Deployment ns/svc1 string a.v1.A,c.v1.C"
enabled_case 2 'process.env.SERVICES.split(",")'
contains "$T/out" "SERVICES is not set, so SERVICES.split() throws before the server is built"
enabled_case 3 'process.env.SERVICES?.split(",").filter(Boolean)' "x.v1.X,,y.v1.Y"
contains "$T/out" "Deployment ns/svc3 string x.v1.X,,y.v1.Y"
enabled_case 4 'process.env.SERVICES?.split(",")'
contains "$T/out" "Deployment ns/svc4 absent"
enabled_case 5 'parseServicesEnv(env.SERVICES)' "x.v1.X"
contains "$T/out" "SERVICES is not a field of parseEnvConfig()"
enabled_case 6 '(process.env.SERVICES ?? "").split(",").map((s) => s.toLowerCase())' "x.v1.X"
contains "$T/out" "map() of a split list with a callback meshlint does not evaluate"
enabled_case 7 'mergeEnabledServices(LIST, ["d.v1.D"])'
contains "$T/out" "enabledServices is the result of a call meshlint does not evaluate, not a list meshlint evaluates"
enabled_case 8 'process.env.SERVICES?.split(",").map(function (s: string) { return s.trim(); })' " x.v1.X , y.v1.Y"
contains "$T/out" "Deployment ns/svc8 string  x.v1.X , y.v1.Y"
# outbound peers per link (issue 16): a baseUrl read from env is each
# linked container's value, else the code's (nested) default
mkdir -p "$T/o"
printf '{ "name": "shop" }\n' > "$T/o/package.json"
cat > "$T/o/main.ts" <<'TS'
import { createServer } from "@connectum/core";
import { createGrpcTransport } from "@connectrpc/connect-node";
export const fleet = createGrpcTransport({ baseUrl: process.env.FLEET_ADDR ?? process.env.PEER_ADDR ?? "http://fleet:5001" });
createServer({ services: [] });
TS
for n in a b c; do
  envs=""
  [ $n = a ] && envs='env: [{name: FLEET_ADDR, value: "http://fleet-a.shop.svc:5001"}], '
  [ $n = b ] && envs='env: [{name: PEER_ADDR, value: "http://fleet-b.shop.svc:5001"}], '
  cat >> "$T/o/k8s.yaml" <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-$n, namespace: shop, annotations: {meshlint.io/source: main.ts}}
spec:
  selector: {matchLabels: {app: shop-$n}}
  template:
    metadata: {labels: {app: shop-$n}}
    spec:
      containers: [{name: app, image: "shop:1", ${envs}ports: [{containerPort: 5000}]}]
YAML
done
"$MESHLINT" --no-config --dump-model "$T/o" > "$T/dump" || fail "--dump-model $T/o"
python3 - "$T/dump" > "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["servers"]:
    for l in s["links"]:
        for o in l.get("outbound", []):
            v = o["url"]["value"]
            print(l["workload"], o["via"], v.get("value", v.get("why")), "|", o["url"]["source"])
PY
contains "$T/out" "Deployment shop/shop-a createGrpcTransport http://fleet-a.shop.svc:5001 | env FLEET_ADDR in Deployment shop/shop-a"
contains "$T/out" "Deployment shop/shop-b createGrpcTransport http://fleet-b.shop.svc:5001 | env PEER_ADDR in Deployment shop/shop-b"
contains "$T/out" "Deployment shop/shop-c createGrpcTransport http://fleet:5001 | default in code (PEER_ADDR is not set)"
# the Connectum examples' monolith switch: every service when the list is
# empty or names "*" (enabledServices: undefined), else the list
MONO='parseServicesEnv(process.env.SERVICES).length === 0 || parseServicesEnv(process.env.SERVICES).includes("*") ? undefined : parseServicesEnv(process.env.SERVICES)'
enabled_case 9 "$MONO"
contains "$T/out" "Deployment ns/svc9 absent"
enabled_case 10 "$MONO" " * "
contains "$T/out" "Deployment ns/svc10 absent"
enabled_case 11 "$MONO" "x.v1.X"
contains "$T/out" "Deployment ns/svc11 string x.v1.X"
enabled_case 12 'parseServicesEnv(process.env.SERVICES).length > 0 && !parseServicesEnv(process.env.SERVICES).includes("*") ? parseServicesEnv(process.env.SERVICES) : undefined' "*,x.v1.X"
contains "$T/out" "Deployment ns/svc12 absent"
enabled_case 13 'parseServicesEnv(process.env.SERVICES).length > 2 ? undefined : parseServicesEnv(process.env.SERVICES)' "x.v1.X"
contains "$T/out" "a comparison of a service list's length"
# .split(/re/): JavaScript's split at a regex literal PCRE2 compiles
# (the first entry keeps its leading blank and matches nothing, as includes() compares exactly)
enabled_case 14 'process.env.SERVICES?.split(/\s*,\s*/)' " x.v1.X ,y.v1.Y"
contains "$T/out" "Deployment ns/svc14 string y.v1.Y"
enabled_case 15 'process.env.SERVICES?.split(/(,)/)' "x.v1.X"
contains "$T/out" "a separator with a capturing group"
enabled_case 16 'process.env.SERVICES?.split(/x*/)' "ab"
contains "$T/out" "Deployment ns/svc16 string a,b"
dump_enabled testdata/rules/ML319/fire-role-topology-monolith-switch > "$T/out"
contains "$T/out" "Deployment library/all-in-one absent"
contains "$T/out" "Deployment library/loans string library.v1.LoanService"
echo "ts_patterns: ok"
