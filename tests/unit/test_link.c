/*
 * test_link.c - linking servers to workloads and effective settings (link.c).
 *
 * Manifests are YAML written inline (and the bundled corpus), loaded through
 * the real loader and model; server code goes through the real extractor.
 * Every linking strategy is exercised with its reason, and the container
 * environment is resolved the way Kubernetes does it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshlint/config.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/yaml.h"

#define CORPUS "testdata/corpus/connectum-production-ready"

typedef struct fx {
    ml_arena arena;
    ml_config cfg;
    ml_model model;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ml_arena_init(&f->arena);
    f->cfg.arena = &f->arena;
    f->cfg.base_dir = ".";
    f->cfg.default_ns = "default";
    f->cfg.root_ns = "istio-system";
    f->cfg.trust_domain = "cluster.local";
    f->cfg.cluster_domain = "cluster.local";
    ml_map_init(&f->cfg.rules);
    ml_model_init(&f->model, &f->arena, &f->cfg);
    return f;
}

static void fx_free(fx *f)
{
    ML_VEC_EACH(ml_file *, file, &f->model.files) {
        free(file->line_off);
    }
    ml_model_free(&f->model);
    ml_map_free(&f->cfg.rules);
    ml_arena_free(&f->arena);
    free(f);
}

static ml_file *add_file(fx *f, const char *path, const char *text, size_t len, ml_file_type type)
{
    ml_file *file = ml_zalloc(&f->arena, sizeof *file);
    file->path = ml_strdup(&f->arena, path);
    file->data = ml_strndup(&f->arena, text, len);
    file->len = len;
    file->type = type;
    file->report = true;
    file->index = (unsigned)f->model.files.n;
    ml_vec_push(&f->arena, &f->model.files, file);
    return file;
}

static void add_yaml(fx *f, const char *path, const char *text)
{
    ml_file *file = add_file(f, path, text, strlen(text), ML_FILE_YAML);
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(&f->arena, file, &res);
    assert_int_equal(res.errors.n, 0);
    ML_VEC_EACH(ml_doc *, doc, &res.docs) {
        ml_vec_push(&f->arena, &f->model.docs, doc);
        ml_model_add_doc(&f->model, doc);
    }
}

static void add_corpus(fx *f, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CORPUS, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    add_yaml(f, path, buf);
}

static void add_ts(fx *f, const char *path, const char *text)
{
    ml_file *file = add_file(f, path, text, strlen(text), ML_FILE_TS);
    ml_vec_push(&f->arena, &f->model.ts_files, file);
}

/* The engine's order: extract, finish the model, link. */
static void finish(fx *f)
{
    ML_VEC_EACH(ml_file *, file, &f->model.ts_files) {
        ml_ts_extract(&f->model, file);
    }
    ml_model_finish(&f->model);
    ml_link_servers(&f->model);
}

static ml_server *server(fx *f, size_t i)
{
    assert_true(i < f->model.servers.n);
    return f->model.servers.items[i];
}

static ml_link *link_to(ml_server *s, const char *workload)
{
    ML_VEC_EACH(ml_link *, l, &s->links) {
        if (strcmp(l->workload->res->name, workload) == 0)
            return l;
    }
    return NULL;
}

static ml_workload *workload(fx *f, const char *ns, const char *name)
{
    ml_resource *r = ml_model_find(&f->model, ML_K_DEPLOYMENT, ns, name);
    assert_non_null(r);
    return r->u.workload;
}

static const ml_container *container(const ml_workload *w, const char *name)
{
    for (size_t i = 0; i < w->ncontainers; i++)
        if (ml_streq(ml_str(w->containers[i].name), name))
            return &w->containers[i];
    fail_msg("no container %s", name);
    return NULL;
}

/* A Deployment with one container listening on port. */
static const char *deployment(fx *f, const char *ns, const char *name, const char *labels, const char *annotations,
                              int port)
{
    return ml_printf(&f->arena,
                     "apiVersion: apps/v1\n"
                     "kind: Deployment\n"
                     "metadata:\n"
                     "  name: %s\n"
                     "  namespace: %s\n"
                     "spec:\n"
                     "  selector:\n"
                     "    matchLabels: {%s}\n"
                     "  template:\n"
                     "    metadata:\n"
                     "      labels: {%s}\n"
                     "      annotations: {%s}\n"
                     "    spec:\n"
                     "      containers:\n"
                     "        - name: app\n"
                     "          image: example/app\n"
                     "          ports:\n"
                     "            - containerPort: %d\n",
                     name, ns, labels, labels, annotations, port);
}

#define IMP "import { createServer } from '@connectum/core';\n"

/* ---- strategies ----------------------------------------------------------------- */

static void test_link_annotation(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "k8s/a.yaml", deployment(f, "shop", "api", "app: api", "meshlint.io/source: 'services/billing/**'", 5000));
    add_yaml(f, "k8s/b.yaml", deployment(f, "shop", "billing", "app: billing", "", 5000));
    add_yaml(f, "k8s/c.yaml", deployment(f, "shop", "gateway", "app: gateway", "meshlint.io/source: 'edge, services/orders'", 5000));
    add_yaml(f, "k8s/d.yaml", deployment(f, "shop", "other", "app: other", "meshlint.io/source: 'services/ord'", 5000));
    add_ts(f, "services/billing/src/main.ts", IMP "createServer({});\n");
    add_ts(f, "services/orders/main.ts", IMP "createServer({});\n");
    finish(f);
    ml_server *s = server(f, 0);
    /* the annotation wins over the directory name "billing" */
    assert_int_equal(s->links.n, 1);
    ml_link *l = link_to(s, "api");
    assert_non_null(l);
    assert_string_equal(l->reason, "annotation meshlint.io/source");
    assert_string_equal(ml_str(l->container->name), "app");
    assert_int_equal(workload(f, "shop", "api")->servers.n, 1);
    assert_ptr_equal(workload(f, "shop", "api")->servers.items[0], s);
    assert_int_equal(workload(f, "shop", "billing")->servers.n, 0);
    /* a plain path names a directory above the file, never a prefix of a name */
    s = server(f, 1);
    assert_int_equal(s->links.n, 1);
    assert_non_null(link_to(s, "gateway"));
    assert_null(link_to(s, "other"));
    fx_free(f);
}

static void test_link_config_mapping(void **state)
{
    (void)state;
    fx *f = fx_new();
    ml_workload_map *wm = ml_zalloc(&f->arena, sizeof *wm);
    wm->workload = "prod/api";
    wm->source_glob = "apps/*/server.ts";
    ml_vec_push(&f->arena, &f->cfg.workloads, wm);
    add_yaml(f, "prod.yaml", deployment(f, "prod", "api", "app: api", "", 5000));
    add_yaml(f, "dev.yaml", deployment(f, "dev", "api", "app: api", "", 5000));
    add_ts(f, "apps/api/server.ts", IMP "createServer({ port: 5000 });\n");
    add_ts(f, "apps/api/nested/server.ts", IMP "createServer({ port: 5000 });\n");
    finish(f);
    ml_server *s = server(f, 0);
    assert_int_equal(s->links.n, 1);
    ml_link *l = s->links.items[0];
    assert_string_equal(l->workload->res->ns, "prod");
    assert_string_equal(l->reason, "configuration workloads");
    /* '*' does not cross '/': the nested file falls through to the directory name */
    s = server(f, 1);
    assert_int_equal(s->links.n, 2);
    assert_string_equal(((ml_link *)s->links.items[0])->reason, "directory name api");
    fx_free(f);
}

static void test_link_otel_name(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_corpus(f, "k8s/deployment.yaml");
    add_corpus(f, "istio/deployment-canary.yaml");
    add_yaml(f, "k8s/pay.yaml",
             "apiVersion: apps/v1\n"
             "kind: Deployment\n"
             "metadata: { name: weird-name, namespace: connectum }\n"
             "spec:\n"
             "  template:\n"
             "    spec:\n"
             "      containers:\n"
             "        - name: app\n"
             "          env:\n"
             "            - name: OTEL_SERVICE_NAME\n"
             "              value: payments\n");
    add_ts(f, "x/y/main.ts",
           IMP "import { initProvider } from '@connectum/otel';\n"
               "initProvider({ serviceName: 'order-service' });\n"
               "createServer({ port: 5000 });\n");
    add_ts(f, "z/main.ts",
           IMP "import { initProvider } from '@connectum/otel';\n"
               "initProvider({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'payments' });\n"
               "createServer({ port: 5000 });\n");
    finish(f);
    ml_server *s = server(f, 0);
    /* stable and canary share app.kubernetes.io/name */
    assert_int_equal(s->links.n, 2);
    assert_non_null(link_to(s, "order-service"));
    assert_non_null(link_to(s, "order-service-canary"));
    assert_string_equal(link_to(s, "order-service")->reason, "OTel service name order-service");
    assert_string_equal(ml_str(link_to(s, "order-service")->container->name), "order-service");
    /* the name can also be the one a workload's environment sets */
    s = server(f, 1);
    assert_int_equal(s->links.n, 1);
    assert_non_null(link_to(s, "weird-name"));
    assert_string_equal(link_to(s, "weird-name")->reason, "OTel service name payments");
    fx_free(f);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_link_package_and_package_facts(void **state)
{
    (void)state;
    char dir[] = "/tmp/meshlint-link-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/pay", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/pay/src", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/pay/package.json", dir);
    write_file(p, "{\n  \"name\": \"@acme/payments\",\n  \"version\": \"1.0.0\"\n}\n");
    snprintf(p, sizeof p, "%s/shop", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/shop/package.json", dir);
    write_file(p, "{ \"name\": \"shop\" }\n");

    fx *f = fx_new();
    add_yaml(f, "a.yaml", deployment(f, "default", "payments", "app: payments", "", 5000));
    add_yaml(f, "b.yaml", deployment(f, "default", "checkout-svc", "app: checkout", "", 5000));
    snprintf(p, sizeof p, "%s/pay/src/server.ts", dir);
    add_ts(f, p, IMP "createServer({ port: 5000 });\n");
    /* the shop package: initProvider and a client in other files of the package */
    snprintf(p, sizeof p, "%s/shop/names.ts", dir);
    write_file(p, "export const names = { service: 'checkout' };\n");
    snprintf(p, sizeof p, "%s/shop/otel.ts", dir);
    add_ts(f, p,
           "import { initProvider } from '@connectum/otel';\n"
           "import { names } from './names';\n"
           "initProvider({ serviceName: names.service });\n");
    snprintf(p, sizeof p, "%s/shop/clients.ts", dir);
    add_ts(f, p,
           "import { createConnectTransport } from '@connectrpc/connect-node';\n"
           "export const inventory = createConnectTransport({ baseUrl: 'http://inventory-service.connectum:5000' });\n");
    snprintf(p, sizeof p, "%s/shop/server.ts", dir);
    add_ts(f, p, IMP "createServer({ port: 5000 });\n");
    finish(f);

    ml_server *s = server(f, 0);
    assert_string_equal(s->package_name, "payments");
    assert_int_equal(s->links.n, 1);
    assert_string_equal(((ml_link *)s->links.items[0])->reason, "package.json name payments");
    assert_non_null(link_to(s, "payments"));

    s = server(f, 1);
    assert_string_equal(s->package_name, "shop");
    assert_int_equal(s->otel_service_name.kind, ML_VAL_STR);
    assert_string_equal(s->otel_service_name.str, "checkout");
    assert_true(ml_ends_with(s->otel_loc.file->path, "shop/otel.ts"));
    assert_int_equal(s->outbound.n, 1);
    ml_outbound *o = s->outbound.items[0];
    assert_string_equal(o->via, "createConnectTransport");
    assert_string_equal(o->url.str, "http://inventory-service.connectum:5000");
    assert_non_null(link_to(s, "checkout-svc"));
    assert_string_equal(link_to(s, "checkout-svc")->reason, "OTel service name checkout");
    /* linking twice gives the same links, not twice as many */
    ml_link_servers(&f->model);
    assert_int_equal(s->links.n, 1);
    assert_int_equal(s->outbound.n, 1);
    assert_int_equal(workload(f, "default", "checkout-svc")->servers.n, 1);
    fx_free(f);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    assert_int_equal(system(p), 0);
}

/* Servers in test files run in the test runner: no link, and nothing a
 * test sets up reaches the deployed server. The directory names count only
 * inside the package, never in the path above it. */
static void test_link_skips_test_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/meshlint-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512], q[512];
    snprintf(p, sizeof p, "%s/test", dir); /* a checkout under a directory named test */
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/test/orders", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/test/orders/package.json", dir);
    write_file(p, "{ \"name\": \"orders\" }\n");
    const char *const dirs[] = {"src", "src/__tests__", "test", "e2e", NULL};
    for (size_t i = 0; dirs[i]; i++) {
        snprintf(p, sizeof p, "%s/test/orders/%s", dir, dirs[i]);
        assert_int_equal(mkdir(p, 0700), 0);
    }

    snprintf(p, sizeof p, "%s/test/orders/src/server.ts", dir);
    fx *f = fx_new();
    assert_false(ml_ts_is_test_file(&f->arena, "src/server.ts"));
    assert_false(ml_ts_is_test_file(&f->arena, p));
    snprintf(q, sizeof q, "%s/test/orders/src/server.test.ts", dir);
    assert_true(ml_ts_is_test_file(&f->arena, q));
    snprintf(q, sizeof q, "%s/test/orders/src/server.spec.mts", dir);
    assert_true(ml_ts_is_test_file(&f->arena, q));
    snprintf(q, sizeof q, "%s/test/orders/src/__tests__/server.ts", dir);
    assert_true(ml_ts_is_test_file(&f->arena, q));
    snprintf(q, sizeof q, "%s/test/orders/test/helpers.ts", dir);
    assert_true(ml_ts_is_test_file(&f->arena, q));
    snprintf(q, sizeof q, "%s/test/orders/e2e/run.ts", dir);
    assert_true(ml_ts_is_test_file(&f->arena, q));
    assert_false(ml_ts_is_test_file(&f->arena, "services/latest/server.ts"));
    assert_false(ml_ts_is_test_file(&f->arena, "contest/server.ts"));

    add_yaml(f, "a.yaml", deployment(f, "default", "orders", "app: orders", "", 5000));
    add_ts(f, p, IMP "createServer({ port: 5000 });\n");
    snprintf(q, sizeof q, "%s/test/orders/src/__tests__/server.ts", dir);
    add_ts(f, q,
           IMP "import { initProvider } from '@connectum/otel';\n"
               "initProvider({ serviceName: 'orders-under-test' });\n"
               "createServer({ port: 0, tls: { dirPath: './fixtures' } });\n");
    finish(f);
    ml_server *prod = server(f, 0), *t = server(f, 1);
    assert_false(prod->in_test);
    assert_true(t->in_test);
    assert_int_equal(t->links.n, 0);
    assert_int_equal(prod->links.n, 1);
    assert_non_null(link_to(prod, "orders"));
    /* the test's initProvider is not the deployed server's OTel name */
    assert_int_equal(prod->otel_service_name.kind, ML_VAL_ABSENT);
    assert_int_equal(workload(f, "default", "orders")->servers.n, 1);
    fx_free(f);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    assert_int_equal(system(p), 0);
}

static void test_link_directory(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "inv.yaml", deployment(f, "shop", "inv-v2", "app: inventory-service", "", 5000));
    add_ts(f, "./services/inventory-service/lib/server.ts", IMP "createServer({});\n");
    finish(f);
    ml_server *s = server(f, 0);
    /* the deepest matching directory decides: lib (none), inventory-service */
    assert_int_equal(s->links.n, 1);
    assert_non_null(link_to(s, "inv-v2"));
    assert_string_equal(link_to(s, "inv-v2")->reason, "directory name inventory-service");
    fx_free(f);
}

static void test_link_only_server(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "a.yaml", deployment(f, "x", "alpha", "app: alpha", "", 7000));
    add_yaml(f, "b.yaml", deployment(f, "x", "beta", "app: beta", "", 8080));
    add_ts(f, "main.ts", IMP "createServer({ port: Number(process.env.PORT ?? 7000) });\n");
    finish(f);
    ml_server *s = server(f, 0);
    assert_int_equal(s->links.n, 1);
    assert_non_null(link_to(s, "alpha"));
    assert_string_equal(link_to(s, "alpha")->reason, "only server in the input; container port 7000");
    fx_free(f);

    /* with two servers the port alone links nothing */
    f = fx_new();
    add_yaml(f, "a.yaml", deployment(f, "x", "alpha", "app: alpha", "", 5000));
    add_ts(f, "main.ts", IMP "createServer({});\ncreateServer({ port: 5000 });\n");
    finish(f);
    assert_int_equal(server(f, 0)->links.n, 0);
    assert_int_equal(server(f, 1)->links.n, 0);
    fx_free(f);
}

static const char multi_container[] =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: { name: orders, namespace: shop }\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      initContainers:\n"
    "        - name: migrate\n"
    "          ports: [{ containerPort: 5000 }]\n"
    "      containers:\n"
    "        - name: istio-proxy\n"
    "          ports: [{ containerPort: 15090 }]\n"
    "        - name: metrics\n"
    "          ports: [{ containerPort: 9000 }]\n"
    "        - name: app\n"
    "          ports: [{ containerPort: 5000 }]\n";

static void test_serving_container(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "o.yaml", multi_container);
    add_ts(f, "orders/a.ts", IMP "createServer({});\n");
    add_ts(f, "orders/b.ts", IMP "createServer({ port: getPort() });\n");
    finish(f);
    ml_link *l = link_to(server(f, 0), "orders");
    assert_non_null(l);
    assert_string_equal(ml_str(l->container->name), "app");
    l = link_to(server(f, 1), "orders");
    assert_non_null(l);
    assert_string_equal(ml_str(l->container->name), "metrics");
    fx_free(f);
}

/* ---- environment -------------------------------------------------------------------- */

static const char env_manifests[] =
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata: { name: cm-a, namespace: shop }\n"
    "data: { PORT: \"6002\", X: a, Y: a, HTTP_HEALTH_ENABLED: \"yes\", GRACEFUL_SHUTDOWN_TIMEOUT_MS: \"45000\" }\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata: { name: cm-b, namespace: shop }\n"
    "data: { X: b, KEYED: from-key }\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: { name: env-test, namespace: shop }\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: app\n"
    "          ports: [{ containerPort: 6001 }]\n"
    "          envFrom:\n"
    "            - configMapRef: { name: cm-a }\n"
    "            - configMapRef: { name: cm-b }\n"
    "          env:\n"
    "            - { name: PORT, value: \"6001\" }\n"
    "            - name: SECRET\n"
    "              valueFrom: { secretKeyRef: { name: s, key: k } }\n"
    "            - name: FROM_KEY\n"
    "              valueFrom: { configMapKeyRef: { name: cm-b, key: KEYED } }\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: { name: missing-cm, namespace: shop }\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: app\n"
    "          envFrom:\n"
    "            - configMapRef: { name: cm-a }\n"
    "            - configMapRef: { name: not-here }\n";

static void test_container_env_precedence(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "env.yaml", env_manifests);
    finish(f);
    const ml_workload *w = workload(f, "shop", "env-test");
    const ml_container *c = container(w, "app");
    ml_setting s = ml_container_env(&f->model, w, c, "PORT");
    assert_int_equal(s.val.kind, ML_VAL_STR);
    assert_string_equal(s.val.str, "6001");
    assert_string_equal(s.source, "env PORT in Deployment shop/env-test");
    assert_int_equal(s.loc.line, 24);
    s = ml_container_env(&f->model, w, c, "X");
    assert_string_equal(s.val.str, "b");
    assert_string_equal(s.source, "ConfigMap shop/cm-b");
    s = ml_container_env(&f->model, w, c, "Y");
    assert_string_equal(s.val.str, "a");
    assert_string_equal(s.source, "ConfigMap shop/cm-a");
    assert_int_equal(s.loc.line, 4);
    s = ml_container_env(&f->model, w, c, "Z");
    assert_int_equal(s.val.kind, ML_VAL_ABSENT);
    s = ml_container_env(&f->model, w, c, "SECRET");
    assert_int_equal(s.val.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s.val.why, "SECRET comes from a secret or field reference");
    s = ml_container_env(&f->model, w, c, "FROM_KEY");
    assert_int_equal(s.val.kind, ML_VAL_STR);
    assert_string_equal(s.val.str, "from-key");
    /* a ConfigMap that is not in the input could set anything after cm-a */
    w = workload(f, "shop", "missing-cm");
    c = container(w, "app");
    s = ml_container_env(&f->model, w, c, "Y");
    assert_int_equal(s.val.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s.val.why, "envFrom ConfigMap shop/not-here is not in the input");
    fx_free(f);
}

static void test_effective_settings(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_yaml(f, "env.yaml", env_manifests);
    add_ts(f, "env-test/a.ts",
           IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
               "createServer({ port: Number(process.env.PORT ?? 5000), protocols: [Healthcheck({})] });\n");
    add_ts(f, "env-test/b.ts",
           IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
               "createServer({ port: 7000, protocols: [Healthcheck({ httpEnabled: false })],\n"
               "  shutdown: { timeout: 5000 } });\n");
    add_ts(f, "env-test/c.ts", IMP "createServer({ port: Number(process.env.NOPE), shutdown: { timeout: t() } });\n");
    add_ts(f, "env-test/d.ts", IMP "createServer({ port: Number(process.env.Z ?? 5005) });\n");
    add_ts(f, "env-test/e.ts",
           "import { createServer, parseEnvConfig } from '@connectum/core';\n"
           "import { Healthcheck } from '@connectum/healthcheck';\n"
           "const env = parseEnvConfig();\n"
           "createServer({ port: env.PORT, protocols: [Healthcheck({ httpEnabled: env.HTTP_HEALTH_ENABLED })],\n"
           "  shutdown: { autoShutdown: env.GRACEFUL_SHUTDOWN_ENABLED, timeout: env.GRACEFUL_SHUTDOWN_TIMEOUT_MS } });\n");
    finish(f);

    ml_link *l = link_to(server(f, 0), "env-test");
    assert_non_null(l);
    ml_setting s = ml_server_port(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_NUM);
    assert_true(s.val.num == 6001);
    assert_string_equal(s.source, "env PORT in Deployment shop/env-test");
    /* HTTP_HEALTH_ENABLED and GRACEFUL_SHUTDOWN_TIMEOUT_MS in the
     * container's env are read by no framework code: defaults apply */
    s = ml_server_http_health(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_BOOL);
    assert_false(s.val.b);
    assert_string_equal(s.source, "default");
    s = ml_server_shutdown_ms(&f->model, l);
    assert_true(s.val.num == 30000);
    assert_string_equal(s.source, "default");
    s = ml_server_auto_shutdown(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_BOOL);
    assert_false(s.val.b);

    /* what the code fixes wins over the environment */
    l = link_to(server(f, 1), "env-test");
    s = ml_server_port(&f->model, l);
    assert_true(s.val.num == 7000);
    assert_string_equal(s.source, "code");
    assert_int_equal(s.loc.line, 3);
    s = ml_server_http_health(&f->model, l);
    assert_false(s.val.b);
    assert_string_equal(s.source, "code");
    s = ml_server_shutdown_ms(&f->model, l);
    assert_true(s.val.num == 5000);

    l = link_to(server(f, 2), "env-test");
    s = ml_server_port(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s.val.why, "NOPE is not set in the container and the code has no default");
    s = ml_server_shutdown_ms(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s.val.why, "call to t()");
    s = ml_server_http_health(&f->model, l);
    assert_false(s.val.b);
    assert_string_equal(s.source, "no Healthcheck protocol");

    l = link_to(server(f, 3), "env-test");
    s = ml_server_port(&f->model, l);
    assert_true(s.val.num == 5005);
    assert_string_equal(s.source, "default in code (Z is not set)");

    /* ...but they do where the code passes parseEnvConfig()'s fields on */
    l = link_to(server(f, 4), "env-test");
    s = ml_server_port(&f->model, l);
    assert_true(s.val.num == 6001);
    s = ml_server_http_health(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_BOOL);
    assert_true(s.val.b); /* "yes" in ConfigMap cm-a */
    s = ml_server_shutdown_ms(&f->model, l);
    assert_true(s.val.num == 45000);
    assert_string_equal(s.source, "ConfigMap shop/cm-a");
    s = ml_server_auto_shutdown(&f->model, l);
    assert_int_equal(s.val.kind, ML_VAL_BOOL);
    assert_true(s.val.b); /* GRACEFUL_SHUTDOWN_ENABLED unset: the schema's default true */
    assert_string_equal(s.source, "default in code (GRACEFUL_SHUTDOWN_ENABLED is not set)");
    fx_free(f);
}

static void test_effective_env_test(void **state)
{
    (void)state;
    static const struct {
        const char *value; /* NULL: not set */
        bool on;
        const char *source;
    } cases[] = {
        {"true", true, "env HTTP_HEALTH_ENABLED in Deployment shop/h"},
        {"1", false, "env HTTP_HEALTH_ENABLED in Deployment shop/h"},
        {NULL, false, "default in code (HTTP_HEALTH_ENABLED is not set)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fx *f = fx_new();
        const char *env = cases[k].value
                              ? ml_printf(&f->arena,
                                          "          env: [{ name: HTTP_HEALTH_ENABLED, value: \"%s\" }]\n",
                                          cases[k].value)
                              : "";
        add_yaml(f, "h.yaml",
                 ml_printf(&f->arena,
                           "apiVersion: apps/v1\n"
                           "kind: Deployment\n"
                           "metadata: { name: h, namespace: shop }\n"
                           "spec:\n"
                           "  template:\n"
                           "    spec:\n"
                           "      containers:\n"
                           "        - name: app\n%s",
                           env));
        add_ts(f, "h/main.ts",
               IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
                   "createServer({ protocols: [Healthcheck({ httpEnabled: process.env.HTTP_HEALTH_ENABLED === 'true' })] });\n");
        finish(f);
        ml_link *l = link_to(server(f, 0), "h");
        assert_non_null(l);
        ml_setting s = ml_server_http_health(&f->model, l);
        assert_int_equal(s.val.kind, ML_VAL_BOOL);
        assert_int_equal(s.val.b, cases[k].on);
        assert_string_equal(s.source, cases[k].source);
        fx_free(f);
    }
}

static void test_corpus_order_service(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_corpus(f, "k8s/configmap.yaml");
    add_corpus(f, "k8s/deployment.yaml");
    add_corpus(f, "istio/deployment-canary.yaml");
    add_ts(f, "order-service/src/index.ts",
           IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
               "createServer({ services: [routes], protocols: [Healthcheck()] });\n");
    finish(f);
    ml_server *s = server(f, 0);
    assert_int_equal(s->links.n, 2);
    ml_link *stable = link_to(s, "order-service");
    ml_link *canary = link_to(s, "order-service-canary");
    assert_non_null(stable);
    assert_non_null(canary);
    assert_string_equal(stable->reason, "directory name order-service");
    /* the stable Deployment reads order-service-config through envFrom */
    ml_setting p = ml_server_port(&f->model, stable);
    assert_true(p.val.num == 5000);
    assert_string_equal(p.source, "ConfigMap connectum/order-service-config");
    /* the ConfigMap's HTTP_HEALTH_ENABLED and GRACEFUL_SHUTDOWN_TIMEOUT_MS
     * reach no framework code: this server does not pass them on */
    ml_setting h = ml_server_http_health(&f->model, stable);
    assert_false(h.val.b);
    assert_string_equal(h.source, "default");
    ml_setting sd = ml_server_shutdown_ms(&f->model, stable);
    assert_true(sd.val.num == 30000);
    assert_string_equal(sd.source, "default");
    ml_setting on = ml_server_otel_name(&f->model, stable);
    assert_string_equal(on.val.str, "order-service");
    /* the canary has no envFrom: framework defaults */
    p = ml_server_port(&f->model, canary);
    assert_true(p.val.num == 5000);
    assert_string_equal(p.source, "default");
    h = ml_server_http_health(&f->model, canary);
    assert_false(h.val.b);
    assert_string_equal(h.source, "default");
    on = ml_server_otel_name(&f->model, canary);
    assert_int_equal(on.val.kind, ML_VAL_ABSENT);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_annotation),
        cmocka_unit_test(test_link_config_mapping),
        cmocka_unit_test(test_link_otel_name),
        cmocka_unit_test(test_link_package_and_package_facts),
        cmocka_unit_test(test_link_skips_test_files),
        cmocka_unit_test(test_link_directory),
        cmocka_unit_test(test_link_only_server),
        cmocka_unit_test(test_serving_container),
        cmocka_unit_test(test_container_env_precedence),
        cmocka_unit_test(test_effective_settings),
        cmocka_unit_test(test_effective_env_test),
        cmocka_unit_test(test_corpus_order_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
