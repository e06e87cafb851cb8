/*
 * gen.c - write a synthetic Connectum-on-Istio monorepo for the benchmark.
 *
 *   gen [-n SERVICES] [-s SEED] [-r DEFECT_PERMILLE] OUTDIR
 *
 * The repository looks like one a platform team keeps: teams of 20 services,
 * each team a namespace with sidecar injection; per service one Kubernetes
 * file (ServiceAccount, ConfigMap, stable and canary Deployments, Service),
 * one Istio file (PeerAuthentication, DestinationRule, VirtualService,
 * AuthorizationPolicy) and a Connectum src/server.ts. Within a team each
 * service calls the next one over gRPC, and the callee's AuthorizationPolicy
 * admits exactly its caller, so a clean service draws no finding at all.
 *
 * A fixed fraction of services carries exactly one seeded defect, each of a
 * kind that produces exactly one finding of a known rule. The choice comes
 * from a PRNG seeded by (seed, service number) only, so the output is the
 * same byte for byte on every machine for a given seed. On standard output
 * the program prints what it wrote and the findings meshlint must report:
 *
 *   services N / files N / bytes N / resources N / expect MLnnn K / expect total K
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TEAM_SIZE 20

/* The seeded defects; each makes exactly one finding of its rule. */
enum defect {
    D_NONE = -1,
    D_TLS_UNDER_STRICT, /* ML101: createServer terminates TLS under STRICT mTLS */
    D_RETRY_AMPLIFY,    /* ML201: app retry interceptor behind mesh retries */
    D_RETRY_TIMEOUT,    /* ML202: tries * perTryTimeout exceed the route timeout */
    D_SUBSET_TYPO,      /* ML302: canary subset label value misspelt */
    D_NO_READINESS,     /* ML401: canary container without readinessProbe */
    D_UNKNOWN_PRINCIPAL,/* ML503: policy names a service account nobody has */
    D__COUNT
};
static const char *const defect_rule[D__COUNT] = {"ML101", "ML201", "ML202", "ML302", "ML401", "ML503"};

static const char *const words[] = {
    "order",    "payment", "inventory", "catalog", "billing",  "shipping", "pricing",  "cart",
    "account",  "profile", "search",    "review",  "checkout", "ledger",   "invoice",  "notify",
    "identity", "session", "quota",     "report",  "fraud",    "refund",   "warehouse", "tax",
};
#define NWORDS (sizeof words / sizeof words[0])

/* ---- deterministic randomness ------------------------------------------ */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(splitmix(s) % n);
}

/* ---- output -------------------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static void die(const char *what, const char *path)
{
    fprintf(stderr, "gen: %s %s: %s\n", what, path, strerror(errno));
    exit(2);
}

static void bprintf(buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (n < 0) {
            fputs("gen: vsnprintf failed\n", stderr);
            exit(2);
        }
        if ((size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) {
            fputs("gen: out of memory\n", stderr);
            exit(2);
        }
    }
}

static uint64_t total_files, total_bytes, total_resources;

static void mkdirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) {
        fprintf(stderr, "gen: path too long: %s\n", path);
        exit(2);
    }
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                die("cannot create", tmp);
            tmp[i] = c;
        }
    }
}

static void write_file(const char *dir, const char *name, buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot write", path);
    if (fwrite(b->s, 1, b->n, f) != b->n || fclose(f) != 0)
        die("cannot write", path);
    total_files++;
    total_bytes += b->n;
    b->n = 0;
}

/* ---- one service ----------------------------------------------------------- */

typedef struct svc {
    char name[64], ns[32], caller[64], callee[64];
    unsigned idx, port, replicas, minor, patch, ncfg;
    enum defect defect;
} svc;

static void svc_name(char *out, size_t n, unsigned i)
{
    snprintf(out, n, "%s-%s-%05u", words[i % NWORDS], words[(i / NWORDS + 7 * i) % NWORDS], i);
}

static void k8s_file(buf *b, const svc *s)
{
    /* ServiceAccount */
    bprintf(b,
            "# %s: Kubernetes objects (generated by bench/gen)\n"
            "apiVersion: v1\n"
            "kind: ServiceAccount\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "  labels:\n"
            "    app.kubernetes.io/name: %s\n"
            "    app.kubernetes.io/part-of: %s\n"
            "---\n",
            s->name, s->name, s->ns, s->name, s->ns);
    /* ConfigMap */
    bprintf(b,
            "apiVersion: v1\n"
            "kind: ConfigMap\n"
            "metadata:\n"
            "  name: %s-config\n"
            "  namespace: %s\n"
            "  labels:\n"
            "    app.kubernetes.io/name: %s\n"
            "data:\n"
            "  PORT: \"%u\"\n"
            "  OTEL_SERVICE_NAME: %s\n"
            "  LOG_LEVEL: info\n",
            s->name, s->ns, s->name, s->port, s->name);
    if (s->callee[0])
        bprintf(b, "  NEXT_URL: http://%s.%s.svc.cluster.local:%u\n", s->callee, s->ns, s->port);
    for (unsigned i = 0; i < s->ncfg; i++)
        bprintf(b, "  FEATURE_%s_%u: \"%s\"\n", i % 2 ? "FLAG" : "LIMIT", i, i % 2 ? "true" : "250");
    bprintf(b,
            "  settings.json: |\n"
            "    {\n"
            "      \"service\": \"%s\",\n"
            "      \"pool\": { \"max\": %u, \"idleMillis\": 30000 },\n"
            "      \"cache\": { \"ttlSeconds\": 60 }\n"
            "    }\n"
            "---\n",
            s->name, 4 + s->idx % 13);
    total_resources += 2;

    /* stable and canary Deployments */
    for (int canary = 0; canary < 2; canary++) {
        const char *track = canary ? "canary" : "stable";
        bprintf(b,
                "apiVersion: apps/v1\n"
                "kind: Deployment\n"
                "metadata:\n"
                "  name: %s%s\n"
                "  namespace: %s\n"
                "  labels:\n"
                "    app.kubernetes.io/name: %s\n"
                "    app.kubernetes.io/version: \"1.%u.%u\"\n"
                "    app.kubernetes.io/part-of: %s\n"
                "spec:\n"
                "  replicas: %u\n"
                "  revisionHistoryLimit: 5\n"
                "  selector:\n"
                "    matchLabels:\n"
                "      app.kubernetes.io/name: %s\n"
                "      version: %s\n"
                "  strategy:\n"
                "    type: RollingUpdate\n"
                "    rollingUpdate:\n"
                "      maxSurge: 25%%\n"
                "      maxUnavailable: 0\n"
                "  template:\n"
                "    metadata:\n"
                "      labels:\n"
                "        app.kubernetes.io/name: %s\n"
                "        version: %s\n"
                "      annotations:\n"
                "        prometheus.io/scrape: \"true\"\n"
                "        prometheus.io/port: \"15020\"\n"
                "    spec:\n"
                "      serviceAccountName: %s\n"
                "      terminationGracePeriodSeconds: 45\n"
                "      securityContext:\n"
                "        runAsNonRoot: true\n"
                "        runAsUser: 10001\n"
                "      containers:\n"
                "        - name: %s\n"
                "          image: registry.example.com/%s/%s:1.%u.%u%s\n"
                "          imagePullPolicy: IfNotPresent\n"
                "          ports:\n"
                "            - name: grpc\n"
                "              containerPort: %u\n"
                "          envFrom:\n"
                "            - configMapRef:\n"
                "                name: %s-config\n"
                "          env:\n"
                "            - name: POD_NAME\n"
                "              valueFrom:\n"
                "                fieldRef:\n"
                "                  fieldPath: metadata.name\n"
                "            - name: NODE_OPTIONS\n"
                "              value: \"--max-old-space-size=384\"\n"
                "          resources:\n"
                "            requests:\n"
                "              cpu: 100m\n"
                "              memory: 256Mi\n"
                "            limits:\n"
                "              cpu: \"1\"\n"
                "              memory: 512Mi\n",
                s->name, canary ? "-canary" : "", s->ns, s->name, s->minor + (unsigned)canary, s->patch, s->ns,
                canary ? 1 : s->replicas, s->name, track, s->name, track, s->name, s->name, s->ns, s->name,
                s->minor + (unsigned)canary, s->patch, canary ? "-rc.1" : "", s->port, s->name);
        if (!(canary && s->defect == D_NO_READINESS))
            bprintf(b,
                    "          readinessProbe:\n"
                    "            grpc:\n"
                    "              port: %u\n"
                    "            periodSeconds: 5\n",
                    s->port);
        bprintf(b,
                "          livenessProbe:\n"
                "            grpc:\n"
                "              port: %u\n"
                "            initialDelaySeconds: 10\n"
                "            periodSeconds: 10\n"
                "          lifecycle:\n"
                "            preStop:\n"
                "              exec:\n"
                "                command: [\"sh\", \"-c\", \"sleep 5\"]\n"
                "          securityContext:\n"
                "            allowPrivilegeEscalation: false\n"
                "            readOnlyRootFilesystem: true\n"
                "---\n",
                s->port);
        total_resources++;
    }
    /* Service */
    bprintf(b,
            "apiVersion: v1\n"
            "kind: Service\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "  labels:\n"
            "    app.kubernetes.io/name: %s\n"
            "spec:\n"
            "  selector:\n"
            "    app.kubernetes.io/name: %s\n"
            "  ports:\n"
            "    - name: grpc\n"
            "      port: %u\n"
            "      targetPort: grpc\n"
            "      appProtocol: grpc\n",
            s->name, s->ns, s->name, s->name, s->port);
    total_resources++;
}

static void istio_file(buf *b, const svc *s)
{
    bprintf(b,
            "# %s: mesh policy and traffic (generated by bench/gen)\n"
            "apiVersion: security.istio.io/v1\n"
            "kind: PeerAuthentication\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "spec:\n"
            "  selector:\n"
            "    matchLabels:\n"
            "      app.kubernetes.io/name: %s\n"
            "  mtls:\n"
            "    mode: STRICT\n"
            "---\n",
            s->name, s->name, s->ns, s->name);
    bprintf(b,
            "apiVersion: networking.istio.io/v1\n"
            "kind: DestinationRule\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "spec:\n"
            "  host: %s.%s.svc.cluster.local\n"
            "  trafficPolicy:\n"
            "    connectionPool:\n"
            "      http:\n"
            "        http2MaxRequests: 1000\n"
            "        maxRequestsPerConnection: 100\n"
            "    outlierDetection:\n"
            "      consecutive5xxErrors: 5\n"
            "      interval: 30s\n"
            "      baseEjectionTime: 30s\n"
            "  subsets:\n"
            "    - name: stable\n"
            "      labels:\n"
            "        version: stable\n"
            "    - name: canary\n"
            "      labels:\n"
            "        version: %s\n"
            "---\n",
            s->name, s->ns, s->name, s->ns, s->defect == D_SUBSET_TYPO ? "canray" : "canary");
    unsigned weight = 5 + 5 * (s->idx % 4);
    bool tight = s->defect == D_RETRY_TIMEOUT;
    bprintf(b,
            "apiVersion: networking.istio.io/v1\n"
            "kind: VirtualService\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "spec:\n"
            "  hosts:\n"
            "    - %s.%s.svc.cluster.local\n"
            "  http:\n"
            "    - name: primary\n"
            "      route:\n"
            "        - destination:\n"
            "            host: %s.%s.svc.cluster.local\n"
            "            subset: stable\n"
            "          weight: %u\n"
            "        - destination:\n"
            "            host: %s.%s.svc.cluster.local\n"
            "            subset: canary\n"
            "          weight: %u\n"
            "      timeout: %s\n"
            "      retries:\n"
            "        attempts: %u\n"
            "        perTryTimeout: 10s\n"
            "        retryOn: unavailable,resource-exhausted\n"
            "---\n",
            s->name, s->ns, s->name, s->ns, s->name, s->ns, 100 - weight, s->name, s->ns, weight,
            tight ? "25s" : "40s", s->defect == D_RETRY_AMPLIFY || tight ? 3u : 2u);
    /* The callee admits its caller; the team's first service admits the
     * ingress gateway. */
    bprintf(b,
            "apiVersion: security.istio.io/v1\n"
            "kind: AuthorizationPolicy\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "spec:\n"
            "  selector:\n"
            "    matchLabels:\n"
            "      app.kubernetes.io/name: %s\n"
            "  action: ALLOW\n"
            "  rules:\n"
            "    - from:\n"
            "        - source:\n"
            "            principals:\n",
            s->name, s->ns, s->name);
    if (s->caller[0])
        bprintf(b, "              - cluster.local/ns/%s/sa/%s\n", s->ns, s->caller);
    else
        bprintf(b, "              - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account\n");
    if (s->defect == D_UNKNOWN_PRINCIPAL)
        bprintf(b, "              - cluster.local/ns/%s/sa/%s-batch\n", s->ns, s->name);
    bprintf(b,
            "      to:\n"
            "        - operation:\n"
            "            methods: [\"POST\"]\n"
            "            paths: [\"/acme.%s.v1.%c%sService/*\"]\n",
            words[s->idx % NWORDS], words[s->idx % NWORDS][0] - 32, words[s->idx % NWORDS] + 1);
    total_resources += 4;
}

static void server_file(buf *b, const svc *s)
{
    bprintf(b,
            "// %s: Connectum server (generated by bench/gen)\n"
            "import { createServer } from '@connectum/core';\n"
            "import { Healthcheck } from '@connectum/healthcheck';\n"
            "import { Reflection } from '@connectum/reflection';\n"
            "import { createDefaultInterceptors } from '@connectum/interceptors';\n"
            "import { createGrpcTransport } from '@connectrpc/connect-node';\n"
            "import routes from './routes.js';\n"
            "\n",
            s->name);
    if (s->callee[0])
        bprintf(b,
                "export const next = createGrpcTransport({\n"
                "  baseUrl: process.env.NEXT_URL ?? 'http://%s.%s:%u',\n"
                "});\n"
                "\n",
                s->callee, s->ns, s->port);
    bprintf(b,
            "const port = Number(process.env.PORT ?? %u);\n"
            "\n"
            "const server = createServer({\n"
            "  services: [routes],\n"
            "  port,\n"
            "  allowHTTP1: false, // h2c: gRPC clients, grpc probes and the sidecar speak HTTP/2\n",
            s->port);
    if (s->defect == D_TLS_UNDER_STRICT)
        bprintf(b, "  tls: { dirPath: '/etc/tls' },\n");
    bprintf(b,
            "  protocols: [Healthcheck(), Reflection()],\n"
            "  interceptors: createDefaultInterceptors({\n"
            "    timeout: { duration: 5_000 },\n");
    if (s->defect == D_RETRY_AMPLIFY)
        bprintf(b, "    retry: { maxRetries: 2 },\n");
    bprintf(b,
            "  }),\n"
            "  shutdown: { autoShutdown: true, timeout: 20_000 },\n"
            "});\n"
            "\n"
            "await server.start();\n");
}

static void namespace_file(buf *b, const char *ns)
{
    bprintf(b,
            "apiVersion: v1\n"
            "kind: Namespace\n"
            "metadata:\n"
            "  name: %s\n"
            "  labels:\n"
            "    istio-injection: enabled\n"
            "    team: %s\n",
            ns, ns);
    total_resources++;
}

static unsigned long parse_num(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || !*s) {
        fprintf(stderr, "gen: %s expects a number, not '%s'\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    unsigned long n = 100, seed = 1, permille = 50;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = parse_num(argv[++i], "-n");
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = parse_num(argv[++i], "-s");
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            permille = parse_num(argv[++i], "-r");
        else if (argv[i][0] != '-' && !out)
            out = argv[i];
        else {
            fprintf(stderr, "usage: gen [-n SERVICES] [-s SEED] [-r DEFECT_PERMILLE] OUTDIR\n");
            return 2;
        }
    }
    if (!out || n == 0 || n > 1000000 || permille > 1000) {
        fprintf(stderr, "usage: gen [-n SERVICES 1..1000000] [-s SEED] [-r DEFECT_PERMILLE 0..1000] OUTDIR\n");
        return 2;
    }
    uint64_t expect[D__COUNT] = {0};
    buf b = {0};
    char dir[4096], ns[32];
    for (unsigned long i = 0; i < n; i++) {
        unsigned team = (unsigned)(i / TEAM_SIZE), pos = (unsigned)(i % TEAM_SIZE);
        snprintf(ns, sizeof ns, "team-%04u", team);
        snprintf(dir, sizeof dir, "%s/teams/%s", out, ns);
        if (pos == 0) {
            mkdirs(dir);
            namespace_file(&b, ns);
            write_file(dir, "namespace.yaml", &b);
        }
        uint64_t st = seed * 0x100000001B3ULL ^ (uint64_t)i * 0x9E3779B97F4A7C15ULL;
        splitmix(&st);
        svc s;
        memset(&s, 0, sizeof s);
        s.idx = (unsigned)i;
        snprintf(s.ns, sizeof s.ns, "%s", ns);
        svc_name(s.name, sizeof s.name, (unsigned)i);
        if (pos > 0)
            svc_name(s.caller, sizeof s.caller, (unsigned)i - 1);
        if (pos + 1 < TEAM_SIZE && i + 1 < n)
            svc_name(s.callee, sizeof s.callee, (unsigned)i + 1);
        s.port = pick(&st, 4) == 0 ? 8080 : 5000;
        s.replicas = 2 + pick(&st, 4);
        s.minor = pick(&st, 30);
        s.patch = pick(&st, 10);
        s.ncfg = 2 + pick(&st, 8);
        s.defect = D_NONE;
        if (pick(&st, 1000) < permille) {
            s.defect = (enum defect)pick(&st, D__COUNT);
            expect[s.defect]++;
        }
        snprintf(dir, sizeof dir, "%s/teams/%s/%s/deploy", out, ns, s.name);
        mkdirs(dir);
        k8s_file(&b, &s);
        write_file(dir, "k8s.yaml", &b);
        istio_file(&b, &s);
        write_file(dir, "istio.yaml", &b);
        snprintf(dir, sizeof dir, "%s/teams/%s/%s/src", out, ns, s.name);
        mkdirs(dir);
        server_file(&b, &s);
        write_file(dir, "server.ts", &b);
    }
    free(b.s);
    uint64_t total = 0;
    printf("services %lu\nfiles %" PRIu64 "\nbytes %" PRIu64 "\nresources %" PRIu64 "\n", n, total_files,
           total_bytes, total_resources);
    for (int d = 0; d < D__COUNT; d++) {
        printf("expect %s %" PRIu64 "\n", defect_rule[d], expect[d]);
        total += expect[d];
    }
    printf("expect total %" PRIu64 "\n", total);
    return 0;
}
