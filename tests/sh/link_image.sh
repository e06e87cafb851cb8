# One image, many roles (issue 16): a server is linked to the workloads whose
# container image the repository builds from its package (Dockerfile,
# docker-compose build:, skaffold artifacts), then narrowed by the entry
# point each container runs and its import graph; settings are per link.
. tests/sh/lib.inc
command -v python3 > /dev/null || { echo "link_image: python3 missing, skipped"; exit 0; }
links() { # links DIR: "server-file workload | reason" per link, then per-link port and OTel name
  "$MESHLINT" --no-config --dump-model "$1" > "$T/dump" || fail "--dump-model $1"
  python3 - "$T/dump" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["servers"]:
    for l in s["links"]:
        p, o = l["port"]["value"], l["otelServiceName"]["value"]
        print(s["at"], l["workload"], "|", l["reason"], "| port", p.get("value", p.get("why")),
              "| otel", o.get("value", o.get("why")))
PY
}
EX=testdata/realistic/one-image-many-roles
(cd $EX && links .) > "$T/out"
contains "$T/out" "src/server.ts:21:10 Deployment shop/orders | image ghcr.io/acme/shop-backend named after the build context . (Dockerfile); entry point src/main.ts (Dockerfile CMD: dist/main.js) reaches it | port 5000 | otel orders"
contains "$T/out" "Deployment shop/payments | image ghcr.io/acme/shop-backend named after the build context . (Dockerfile); entry point src/main.ts (Dockerfile CMD: dist/main.js) reaches it | port 5001 | otel payments"
contains "$T/out" "Deployment shop/inventory | image ghcr.io/acme/shop-backend"
contains "$T/out" "| port 5002 | otel inventory"
lacks "$T/out" "shop-outbox"   # command: node dist/worker.js does not import the server
[ "$(wc -l < "$T/out")" = 3 ] || { cat "$T/out"; fail "expected 3 links"; }

# the Dockerfile is build evidence, never a manifest; docker-compose and
# skaffold files are not linted as Kubernetes objects either
cp -r "$EX" "$T/r"
"$MESHLINT" --no-config --dump-model "$T/r" > "$T/dump"
contains "$T/dump" "\"$T/r/Dockerfile\""

# docker-compose: build.context + build.dockerfile + image
C=testdata/rules/ML004/silent-compose-build-context
(cd $C && links .) > "$T/out"
contains "$T/out" "Deployment shop/checkout | image ghcr.io/acme/storefront-api built from . (docker-compose.yaml services.api); entry point services/storefront/src/index.ts (services/storefront/Dockerfile ENTRYPOINT and CMD: dist/index.js) reaches it"
(cd $C && "$MESHLINT" --no-config --format gcc --fail-on never .) > "$T/lint"
lacks "$T/lint" "docker-compose.yaml"

# two builds push the same image: no link from the image
cp -r "$C" "$T/amb"
cat >> "$T/amb/docker-compose.yaml" <<'YAML'
  admin:
    build: ./services/admin
    image: ghcr.io/acme/storefront-api:dev
YAML
mkdir -p "$T/amb/services/admin" && printf 'FROM nginx:1.27\n' > "$T/amb/services/admin/Dockerfile"
(cd "$T/amb" && links .) > "$T/out"
lacks "$T/out" "image ghcr.io/acme/storefront-api"

# skaffold: build.artifacts[].image + context; a container args override
# and npm start through package.json scripts
mkdir -p "$T/sk/apps/ledger/src" "$T/sk/k8s"
cat > "$T/sk/skaffold.yaml" <<'YAML'
apiVersion: skaffold/v4beta11
kind: Config
build:
  artifacts:
    - image: registry.example.com/fin/ledger-svc
      context: apps/ledger
manifests:
  rawYaml: [k8s/*.yaml]
YAML
printf '{ "name": "@fin/books", "scripts": { "start": "node --enable-source-maps dist/main.js", "reindex": "tsx src/reindex.ts" } }\n' > "$T/sk/apps/ledger/package.json"
printf 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD npm start\n' > "$T/sk/apps/ledger/Dockerfile"
cat > "$T/sk/apps/ledger/src/main.ts" <<'TS'
import { createServer } from "@connectum/core";
await createServer({ services: [], port: Number(process.env.PORT ?? 7000) }).start();
TS
printf 'console.log("reindexing");\n' > "$T/sk/apps/ledger/src/reindex.ts"
for n in bookkeeping reindexer; do
  args=""; [ $n = reindexer ] && args='          args: ["npm", "run", "reindex"]'
  cat > "$T/sk/k8s/$n.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: { name: $n, namespace: fin }
spec:
  selector: { matchLabels: { app: $n } }
  template:
    metadata: { labels: { app: $n } }
    spec:
      containers:
        - name: app
          image: registry.example.com/fin/ledger-svc:3.1.0
$args
YAML
done
(cd "$T/sk" && links .) > "$T/out"
contains "$T/out" "apps/ledger/src/main.ts:2:7 Deployment fin/bookkeeping | image registry.example.com/fin/ledger-svc built from apps/ledger (skaffold.yaml build.artifacts[0]); entry point apps/ledger/src/main.ts (apps/ledger/Dockerfile CMD: dist/main.js) reaches it | port 7000"
lacks "$T/out" "reindexer"

# an unknown entry point links every server of the package, and says so
printf 'FROM node:22-slim\nCOPY . .\n' > "$T/sk/apps/ledger/Dockerfile"
(cd "$T/sk" && links .) > "$T/out"
contains "$T/out" "Deployment fin/bookkeeping | image registry.example.com/fin/ledger-svc built from apps/ledger (skaffold.yaml build.artifacts[0]); entry point unknown, so every server of the package"
lacks "$T/out" "reindexer"   # its args are known and run src/reindex.ts
# multi-stage: a stage built FROM an earlier stage inherits its CMD (AS names
# lower-cased; a FROM naming a stage in other case names no stage, BuildKit
# dockerfile2llb addState); an ENTRYPOINT drops the inherited CMD
printf 'FROM node:22-slim AS Base\nWORKDIR /app\nCMD ["node", "dist/main.js"]\nFROM base AS runtime\nCOPY . .\n' > "$T/sk/apps/ledger/Dockerfile"
(cd "$T/sk" && links .) > "$T/out"
contains "$T/out" "entry point apps/ledger/src/main.ts (apps/ledger/Dockerfile CMD: dist/main.js) reaches it"
printf 'FROM node:22-slim AS base\nCMD ["node", "dist/main.js"]\nFROM Base\nCOPY . .\n' > "$T/sk/apps/ledger/Dockerfile"
(cd "$T/sk" && links .) > "$T/out"
contains "$T/out" "entry point unknown, so every server of the package"
printf 'FROM node:22-slim AS base\nCMD ["node", "dist/main.js"]\nFROM base\nENTRYPOINT ["node", "src/reindex.ts"]\n' > "$T/sk/apps/ledger/Dockerfile"
(cd "$T/sk" && links .) > "$T/out"
lacks "$T/out" "bookkeeping"   # runs node src/reindex.ts, without the inherited CMD

# tsconfig outDir/rootDir map build output to its source (here no dist/ ->
# src/ guess would find it); an unparseable tsconfig leaves today's guess
printf 'FROM node:22-slim\nCMD ["node", "out/app/main.js"]\n' > "$T/sk/apps/ledger/Dockerfile"
mkdir -p "$T/sk/apps/ledger/cfg"
printf '{ "extends": ["./cfg/base.json"], /* emit */ "compilerOptions": { "outDir": "out/app", }, }\n' > "$T/sk/apps/ledger/tsconfig.json"
printf '{ "compilerOptions": { "rootDir": "../src" } }\n' > "$T/sk/apps/ledger/cfg/base.json"
printf 'console.log("not the server");\n' > "$T/sk/apps/ledger/src/cli.ts"
mkdir -p "$T/sk/apps/ledger/scripts" && printf 'console.log("main");\n' > "$T/sk/apps/ledger/scripts/main.ts"
(cd "$T/sk" && links .) > "$T/out"
contains "$T/out" "Deployment fin/bookkeeping | image registry.example.com/fin/ledger-svc built from apps/ledger (skaffold.yaml build.artifacts[0]); entry point apps/ledger/src/main.ts (apps/ledger/Dockerfile CMD: out/app/main.js) reaches it"
printf '{ "compilerOptions": { "outDir": "out/app" ' > "$T/sk/apps/ledger/tsconfig.json"
(cd "$T/sk" && links .) > "$T/out"
lacks "$T/out" "bookkeeping"   # two main.ts, no tsconfig: the script's source is not known
# a server linked by name runs in every workload of the same image and
# command; a sibling that starts another program from the image does not
mkdir -p "$T/si/src"
printf '{ "name": "ledger" }\n' > "$T/si/package.json"
printf 'import { createServer } from "@connectum/core";\nawait createServer({ services: [], port: 7000 }).start();\n' > "$T/si/src/server.ts"
for d in ledger ledger-edge ledger-cron; do
  cmd=""
  [ $d = ledger-cron ] && cmd='command: [node, src/cron.ts], '
  cat >> "$T/si/k8s.yaml" <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: $d, namespace: money}
spec:
  selector: {matchLabels: {app: $d}}
  template:
    metadata: {labels: {app: $d}}
    spec:
      containers: [{name: app, image: "registry.example.com/ledger:2.0.0", ${cmd}ports: [{containerPort: 7000}]}]
YAML
done
(cd "$T/si" && links .) > "$T/out"
contains "$T/out" "Deployment money/ledger-edge | runs image registry.example.com/ledger:2.0.0 as Deployment money/ledger does (package.json name ledger)"
lacks "$T/out" "ledger-cron"
# ... but only an image named after the program: a shared placeholder
# image (nginx) links no sibling
mkdir -p "$T/ph/src"
printf '{ "name": "web" }\n' > "$T/ph/package.json"
printf 'import { createServer } from "@connectum/core";\nawait createServer({ services: [], port: 7000 }).start();\n' > "$T/ph/src/server.ts"
for d in web cache; do
  cat >> "$T/ph/k8s.yaml" <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: $d, namespace: site}
spec:
  selector: {matchLabels: {app: $d}}
  template:
    metadata: {labels: {app: $d}}
    spec:
      containers: [{name: app, image: "nginx:1.25", ports: [{containerPort: 7000}]}]
YAML
done
(cd "$T/ph" && links .) > "$T/out"
contains "$T/out" "Deployment site/web | package.json name web"
lacks "$T/out" "site/cache"
echo "link_image: ok"
