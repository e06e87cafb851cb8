/*
 * test_model.c - the typed model (model.c) and the mesh facts (mesh.c).
 *
 * Inputs are YAML text loaded through the real loader: the bundled corpus
 * (testdata/corpus/connectum-production-ready, read in sorted path order
 * like the engine does) and small documents written inline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "meshlint/config.h"
#include "meshlint/mesh.h"
#include "meshlint/model.h"
#include "meshlint/yaml.h"

#define CORPUS "testdata/corpus/connectum-production-ready"

typedef struct fx {
    ml_arena arena;
    ml_model model;
    unsigned nfiles;
} fx;

static fx *fx_new(const ml_config *cfg)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ml_arena_init(&f->arena);
    ml_model_init(&f->model, &f->arena, cfg);
    return f;
}

static void fx_free(fx *f)
{
    ML_VEC_EACH(ml_file *, file, &f->model.files) {
        free(file->line_off);
    }
    ml_model_free(&f->model);
    ml_arena_free(&f->arena);
    free(f);
}

/* Load one file's text into the model (as the engine does for a file). */
static ml_file *load_text(fx *f, const char *path, const char *text, size_t len)
{
    ml_file *file = ml_zalloc(&f->arena, sizeof *file);
    file->path = ml_strdup(&f->arena, path);
    file->data = ml_strndup(&f->arena, text, len);
    file->len = len;
    file->type = ML_FILE_YAML;
    file->report = true;
    file->index = f->nfiles++;
    ml_vec_push(&f->arena, &f->model.files, file);
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(&f->arena, file, &res);
    ML_VEC_EACH(ml_doc *, d, &res.docs) {
        ml_vec_push(&f->arena, &f->model.docs, d);
        ml_model_add_doc(&f->model, d);
    }
    return file;
}

static ml_file *load(fx *f, const char *path, const char *text)
{
    return load_text(f, path, text, strlen(text));
}

static void done(fx *f)
{
    ml_model_finish(&f->model);
    ml_mesh_compute(&f->model);
}

/* ---- corpus ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *root, const char *rel, char ***paths, size_t *n, size_t *cap)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024], full[2048];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(root, sub, paths, n, cap);
        } else if (strstr(sub, ".yaml") || strstr(sub, ".yml")) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 32;
                *paths = realloc(*paths, *cap * sizeof **paths);
                assert_non_null(*paths);
            }
            (*paths)[(*n)++] = strdup(sub);
        }
    }
    closedir(d);
}

static fx *load_corpus(void)
{
    fx *f = fx_new(NULL);
    char **paths = NULL;
    size_t n = 0, cap = 0;
    collect(CORPUS, "", &paths, &n, &cap);
    assert_true(n >= 10);
    qsort(paths, n, sizeof *paths, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char full[2048];
        snprintf(full, sizeof full, "%s/%s", CORPUS, paths[i]);
        FILE *fp = fopen(full, "rb");
        assert_non_null(fp);
        char buf[65536];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        load_text(f, paths[i], buf, len);
        free(paths[i]);
    }
    free(paths);
    done(f);
    return f;
}

static const char *file_of(const ml_resource *r)
{
    return r && r->doc && r->doc->file ? r->doc->file->path : "";
}

static size_t count_defs(const ml_model *m, ml_kind k, const char *key)
{
    size_t n = 0;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[k]) {
        n += strcmp(r->key, key) == 0;
    }
    return n;
}

static ml_workload *workload(const ml_model *m, ml_kind k, const char *ns, const char *name)
{
    /* the last alternative in load order (k8s/ sorts after istio/) */
    const ml_vec *alts = ml_model_alternatives(m, k, ns, name);
    assert_non_null(alts);
    ml_resource *r = alts->items[alts->n - 1];
    assert_non_null(r->u.workload);
    return r->u.workload;
}

static void test_corpus_winners(void **state)
{
    (void)state;
    fx *f = load_corpus();
    ml_model *m = &f->model;

    /* Three VirtualServices connectum/order-service in three files: three
     * alternatives, all live, chained through prev_def in load order. */
    assert_int_equal(count_defs(m, ML_K_VIRTUALSERVICE, "VirtualService/connectum/order-service"), 3);
    assert_null(ml_model_find(m, ML_K_VIRTUALSERVICE, "connectum", "order-service")); /* not one answer */
    const ml_vec *alts = ml_model_alternatives(m, ML_K_VIRTUALSERVICE, "connectum", "order-service");
    assert_non_null(alts);
    assert_int_equal(alts->n, 3);
    ml_resource *vs = alts->items[2];
    assert_true(vs->live);
    assert_int_equal(vs->nalts, 3);
    assert_null(vs->replaced_by);
    assert_string_equal(file_of(vs), "istio/virtual-service.yaml");
    assert_non_null(vs->prev_def);
    assert_string_equal(file_of(vs->prev_def), "istio/header-routing.yaml");
    assert_true(vs->prev_def->live);
    assert_non_null(vs->prev_def->prev_def);
    assert_string_equal(file_of(vs->prev_def->prev_def), "istio/canary-virtual-service.yaml");
    assert_null(vs->prev_def->prev_def->prev_def);
    /* a group that defines the key sees only its own definition of it */
    assert_false(ml_model_meets(m, vs, vs->prev_def));
    assert_true(ml_model_meets(m, vs, vs));
    /* other objects of other files are met (complementary groups) */
    ml_resource *dr0 = ml_model_find(m, ML_K_DESTINATIONRULE, "connectum", "order-service");
    assert_non_null(dr0);
    assert_true(ml_model_meets(m, vs, dr0));
    assert_true(ml_model_meets(m, NULL, vs->prev_def));

    /* Two Deployments order-service (alternatives): both are workloads. */
    assert_int_equal(count_defs(m, ML_K_DEPLOYMENT, "Deployment/connectum/order-service"), 2);
    ml_vec deps = ml_model_view(m, NULL, ML_K_DEPLOYMENT, "connectum", "order-service");
    assert_int_equal(deps.n, 2);
    assert_string_equal(file_of(deps.items[0]), "istio/sidecar-resources.yaml");
    assert_string_equal(file_of(deps.items[1]), "k8s/deployment.yaml");
    assert_int_equal(m->workloads.n, 3); /* order-service twice and order-service-canary */

    /* Two Namespaces connectum: alternatives that disagree on injection, so
     * whether the pods get a sidecar is unknown. */
    assert_int_equal(m->by_kind[ML_K_NAMESPACE].n, 2);
    const ml_vec *nss = ml_model_namespace_defs(m, "connectum");
    assert_non_null(nss);
    assert_int_equal(nss->n, 2);
    ml_resource *ns = nss->items[1];
    assert_string_equal(file_of(ns), "k8s/namespace.yaml");
    const ml_workload *cw = ((ml_resource *)deps.items[1])->u.workload;
    assert_false(cw->sidecar->known);
    assert_int_equal(cw->sidecar->reason, ML_INJ_NS_ALTERNATIVES);
    assert_string_equal(ns->ns, "connectum");

    /* Kinds and the rest of the resources. */
    assert_int_equal(m->by_kind[ML_K_TELEMETRY].n, 1);
    assert_int_equal(m->by_kind[ML_K_PEERAUTHENTICATION].n, 2);
    assert_int_equal(m->by_kind[ML_K_SERVICE].n, 2);
    assert_int_equal(m->by_kind[ML_K_OTHER].n, 1); /* the HPA */
    assert_string_equal(((ml_resource *)m->by_kind[ML_K_OTHER].items[0])->kind_str, "HorizontalPodAutoscaler");
    assert_true(m->is_mesh_repo);
    assert_true(ml_model_has_ns(m, "connectum"));
    assert_false(ml_model_has_ns(m, "default"));
    assert_int_equal(m->shape_problems.n, 0);

    /* Order is global load order. */
    for (size_t i = 0; i < m->resources.n; i++)
        assert_int_equal(((ml_resource *)m->resources.items[i])->order, i);

    const ml_resource *dep = deps.items[1];
    assert_string_equal(ml_res_display(&f->arena, dep), "Deployment connectum/order-service");
    assert_string_equal(ml_res_display(&f->arena, ns), "Namespace connectum");
    ml_loc l = ml_res_loc(dep);
    assert_int_equal(l.line, 3); /* kind: Deployment */
    assert_string_equal(l.file->path, "k8s/deployment.yaml");
    fx_free(f);
}

static void test_corpus_selectors(void **state)
{
    (void)state;
    fx *f = load_corpus();
    ml_model *m = &f->model;
    ml_workload *stable = workload(m, ML_K_DEPLOYMENT, "connectum", "order-service");
    ml_workload *canary = workload(m, ML_K_DEPLOYMENT, "connectum", "order-service-canary");

    /* The Service selects both Deployments' pods. */
    ml_resource *svc = ml_model_find(m, ML_K_SERVICE, "connectum", "order-service");
    assert_non_null(svc);
    assert_int_equal(svc->u.service->workloads.n, 2);
    assert_ptr_equal(svc->u.service->workloads.items[0], canary); /* load order: istio/ first */
    assert_ptr_equal(svc->u.service->workloads.items[1], stable);
    assert_string_equal(svc->u.service->fqdn, "order-service.connectum.svc.cluster.local");
    const ml_vec *svcs = ml_model_services_for(m, "order-service.connectum.svc.cluster.local");
    assert_non_null(svcs);
    assert_int_equal(svcs->n, 1);

    /* The label index holds pod labels per namespace. */
    const char key[] = "connectum\x1fversion\x1f" "canary";
    const ml_vec *v = ml_map_vec(&m->label_index, key, sizeof key - 1);
    assert_non_null(v);
    assert_int_equal(v->n, 1);
    assert_ptr_equal(v->items[0], canary);
    const char key2[] = "connectum\x1f" "app.kubernetes.io/name\x1f" "order-service";
    v = ml_map_vec(&m->label_index, key2, sizeof key2 - 1);
    assert_non_null(v);
    assert_int_equal(v->n, 2);

    /* DR subsets: canary picks one workload; stable picks none (the stable
     * Deployment has no version label). */
    ml_destrule *dr = ml_model_find(m, ML_K_DESTINATIONRULE, "connectum", "order-service")->u.destrule;
    ml_vec c = ml_model_select(m, "connectum", dr->subsets[1].labels);
    assert_int_equal(c.n, 1);
    assert_ptr_equal(c.items[0], canary);
    c = ml_model_select(m, "connectum", dr->subsets[0].labels);
    assert_int_equal(c.n, 0);
    c = ml_model_select(m, "connectum", NULL);
    assert_int_equal(c.n, 3); /* two alternatives of order-service, and the canary */
    c = ml_model_select(m, "other", NULL);
    assert_int_equal(c.n, 0);
    assert_true(ml_selector_matches(NULL, canary->pod_labels));
    assert_true(ml_selector_matches(canary->selector, canary->pod_labels));
    assert_false(ml_selector_matches(canary->selector, stable->pod_labels));
    assert_string_equal(ml_label(canary->pod_labels, "version"), "canary");
    assert_null(ml_label(stable->pod_labels, "version"));
    fx_free(f);
}

static void test_corpus_dr_vs(void **state)
{
    (void)state;
    fx *f = load_corpus();
    ml_model *m = &f->model;
    const char *fq = "order-service.connectum.svc.cluster.local";

    ml_resource *r = ml_model_find(m, ML_K_DESTINATIONRULE, "connectum", "order-service");
    ml_destrule *dr = r->u.destrule;
    assert_string_equal(dr->fqdn, fq);
    assert_int_equal(dr->nsubsets, 2);
    assert_string_equal(ml_str(dr->subsets[0].name), "stable");
    assert_string_equal(ml_str(dr->subsets[1].name), "canary");
    assert_string_equal(ml_label(dr->subsets[1].labels, "version"), "canary");
    assert_string_equal(ml_str(dr->lb_simple), "ROUND_ROBIN");
    assert_string_equal(ml_str(dr->h2_upgrade), "UPGRADE");
    assert_non_null(dr->outlier_detection);
    assert_null(dr->tls_mode);
    ml_vec drs = ml_model_destrules_for(m, fq);
    assert_int_equal(drs.n, 1);
    assert_ptr_equal(drs.items[0], dr);

    /* Every alternative of the VS is indexed by host. */
    ml_vec vss = ml_model_vs_for(m, fq);
    assert_int_equal(vss.n, 3);
    ml_virtualservice *vs = vss.items[2]; /* load order: canary, header-routing, virtual-service */
    assert_string_equal(file_of(vs->res), "istio/virtual-service.yaml");
    assert_true(vs->mesh_gateway);
    assert_int_equal(vs->nhosts, 1);
    assert_string_equal(vs->fqdns[0], fq);
    assert_int_equal(vs->nroutes, 1);
    ml_route *rt = &vs->routes[0];
    assert_int_equal(rt->proto, ML_ROUTE_HTTP);
    assert_string_equal(ml_str(rt->timeout), "30s");
    assert_string_equal(ml_str(rt->attempts), "3");
    assert_string_equal(ml_str(rt->per_try_timeout), "10s");
    assert_string_equal(ml_str(rt->retry_on), "unavailable,deadline-exceeded");
    assert_int_equal(rt->ndest, 1);
    assert_int_equal(rt->dest[0].port_num, 5000);
    assert_int_equal(rt->dest[0].weight_num, -1);
    assert_null(rt->dest[0].weight);

    /* The canary VS (not the winner) keeps its weights: siblings of destination. */
    ml_resource *canary_vs = vs->res->prev_def->prev_def;
    ml_route *cr = &canary_vs->u.vs->routes[0];
    assert_int_equal(cr->ndest, 2);
    assert_int_equal(cr->dest[0].weight_num, 90);
    assert_int_equal(cr->dest[1].weight_num, 10);
    assert_string_equal(ml_str(cr->dest[1].subset), "canary");
    assert_string_equal(cr->dest[1].fqdn, fq);
    assert_null(cr->retries);

    /* Header routing: two routes, the first with a match. */
    ml_virtualservice *hr = vs->res->prev_def->u.vs;
    assert_int_equal(hr->nroutes, 2);
    assert_non_null(hr->routes[0].match);
    assert_null(hr->routes[1].match);
    assert_int_equal(hr->routes[1].index, 1);

    /* AuthorizationPolicy and PeerAuthentication records. */
    ml_authz *az = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "connectum", "order-service-policy")->u.authz;
    assert_int_equal(az->action, ML_AUTHZ_ALLOW);
    assert_non_null(az->rules);
    assert_int_equal(ml_node_n(az->rules), 2);
    ml_peerauth *pa = ml_model_find(m, ML_K_PEERAUTHENTICATION, "connectum", "default")->u.peerauth;
    assert_int_equal(pa->mode, ML_MTLS_STRICT);
    assert_null(pa->selector);
    assert_false(pa->mesh_wide);
    fx_free(f);
}

static void test_corpus_containers(void **state)
{
    (void)state;
    fx *f = load_corpus();
    ml_workload *w = workload(&f->model, ML_K_DEPLOYMENT, "connectum", "order-service");
    assert_true(w->long_running);
    assert_string_equal(ml_str(w->replicas), "3");
    assert_string_equal(ml_str(w->service_account), "order-service");
    assert_string_equal(ml_str(w->grace_period), "35");
    assert_string_equal(ml_label(w->pod_annotations, "checksum/config"),
                        "{{ include (print .Template.BasePath \"/configmap.yaml\") . | sha256sum }}");
    assert_int_equal(w->ncontainers, 1);
    ml_container *c = &w->containers[0];
    assert_false(c->is_init);
    assert_false(c->is_sidecar_proxy);
    assert_int_equal(c->nports, 1);
    assert_string_equal(ml_str(c->ports[0].name), "grpc");
    assert_int_equal(c->ports[0].num, 5000);

    /* Probes name their port: it resolves through the container's ports. */
    assert_int_equal(c->liveness.kind, ML_PROBE_HTTP);
    assert_string_equal(ml_str(c->liveness.path), "/healthz");
    assert_string_equal(ml_str(c->readiness.path), "/readyz");
    assert_int_equal(c->startup.kind, ML_PROBE_HTTP);
    const char *pname = ml_str(c->readiness.port);
    assert_string_equal(pname, "grpc");
    long long resolved = -1;
    for (size_t i = 0; i < c->nports; i++)
        if (ml_streq(ml_str(c->ports[i].name), pname))
            resolved = c->ports[i].num;
    assert_int_equal(resolved, 5000);
    assert_string_equal(ml_str(c->liveness.key), "livenessProbe");
    assert_int_equal(ml_node_loc(c->liveness.key).line, 121);

    assert_non_null(c->pre_stop);
    assert_int_equal(c->env_from_configmaps.n, 1);
    assert_string_equal(ml_str(c->env_from_configmaps.items[0]), "order-service-config");
    assert_int_equal(c->nenv, 0);

    ml_configmap *cm = ml_model_find(&f->model, ML_K_CONFIGMAP, "connectum", "order-service-config")->u.configmap;
    assert_string_equal(ml_label(cm->data, "PORT"), "5000");
    fx_free(f);
}

/* ---- inline documents ----------------------------------------------------- */

/* Labels a controller adds to its pods, which no template shows. */
static void test_controller_labels(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "ctl.yaml",
         "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: kafka, namespace: d}\n"
         "spec: {template: {metadata: {labels: {app: kafka}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: d}\n"
         "spec: {template: {metadata: {labels: {app: web}}}}\n"
         "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: d}\n"
         "spec: {template: {metadata: {labels: {app: migrate}}}}\n"
         "---\napiVersion: v1\nkind: Service\nmetadata: {name: kafka-0, namespace: d}\n"
         "spec: {selector: {statefulset.kubernetes.io/pod-name: kafka-0}}\n");
    done(f);
    ml_workload *kafka = workload(m, ML_K_STATEFULSET, "d", "kafka");
    ml_workload *web = workload(m, ML_K_DEPLOYMENT, "d", "web");
    ml_workload *job = workload(m, ML_K_JOB, "d", "migrate");

    /* a per-pod Service of the StatefulSet selects its pods */
    ml_resource *svc = ml_model_find(m, ML_K_SERVICE, "d", "kafka-0");
    assert_non_null(svc);
    assert_int_equal(svc->u.service->workloads.n, 1);
    assert_ptr_equal(svc->u.service->workloads.items[0], kafka);

    fx *g = fx_new(NULL);
    load(g, "sel.yaml",
         "a: {statefulset.kubernetes.io/pod-name: kafka-2, app: kafka}\n"
         "b: {statefulset.kubernetes.io/pod-name: kafkaa-0}\n"
         "c: {apps.kubernetes.io/pod-index: '1'}\n"
         "d: {pod-template-hash: 5d9c7b8f4}\n"
         "e: {job-name: migrate}\n"
         "f: {job-name: other}\n"
         "g: {app: web, pod-template-hash: 5d9c7b8f4}\n");
    const ml_doc *doc = g->model.docs.items[0];
    const ml_node *root = doc->root;
    assert_true(ml_selector_matches_workload(ml_get(root, "a"), kafka));
    assert_false(ml_selector_matches_workload(ml_get(root, "a"), web));
    assert_false(ml_selector_matches_workload(ml_get(root, "b"), kafka)); /* another name */
    assert_true(ml_selector_matches_workload(ml_get(root, "c"), kafka));
    assert_false(ml_selector_matches_workload(ml_get(root, "c"), web));
    assert_true(ml_selector_matches_workload(ml_get(root, "d"), web)); /* a hash: unknown, taken as matching */
    assert_false(ml_selector_matches_workload(ml_get(root, "d"), kafka));
    assert_true(ml_selector_matches_workload(ml_get(root, "e"), job));
    assert_false(ml_selector_matches_workload(ml_get(root, "f"), job));
    assert_false(ml_selector_matches(ml_get(root, "a"), kafka->pod_labels)); /* the template alone has none */

    ml_vec v = ml_model_select(m, "d", ml_get(root, "a"));
    assert_int_equal(v.n, 1);
    assert_ptr_equal(v.items[0], kafka);
    v = ml_model_select(m, "d", ml_get(root, "g"));
    assert_int_equal(v.n, 1);
    assert_ptr_equal(v.items[0], web);
    v = ml_model_select(m, "d", ml_get(root, "b"));
    assert_int_equal(v.n, 0);
    fx_free(g);
    fx_free(f);
}

static void test_host_resolution(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    assert_string_equal(ml_resolve_host(m, "reviews", "bar"), "reviews.bar.svc.cluster.local");
    /* a host with a dot is taken as written (ResolveShortnameToFQDN) */
    assert_string_equal(ml_resolve_host(m, "reviews.foo", "bar"), "reviews.foo");
    assert_string_equal(ml_resolve_host(m, "google.com", "bar"), "google.com");
    assert_string_equal(ml_resolve_host(m, "reviews.foo.svc.cluster.local", "bar"),
                        "reviews.foo.svc.cluster.local");
    assert_string_equal(ml_resolve_host(m, "api.example.com", "bar"), "api.example.com");
    assert_string_equal(ml_resolve_host(m, "*.example.com", "bar"), "*.example.com");
    assert_string_equal(ml_resolve_host(m, "*", "bar"), "*");
    assert_string_equal(ml_resolve_host(m, "10.0.0.1", "bar"), "10.0.0.1");
    assert_null(ml_resolve_host(m, NULL, "bar"));
    fx_free(f);

    ml_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.default_ns = "apps"; /* bound apply-time namespace */
    cfg.root_ns = "mesh-root";
    cfg.cluster_domain = "corp.internal";
    f = fx_new(&cfg);
    m = &f->model;
    assert_string_equal(ml_resolve_host(m, "reviews", "bar"), "reviews.bar.svc.corp.internal");
    load(f, "svc.yaml",
         "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {selector: {app: r}}\n");
    done(f);
    ml_resource *r = ml_model_find(m, ML_K_SERVICE, "apps", "reviews");
    assert_non_null(r);
    assert_false(r->ns_explicit);
    assert_string_equal(r->u.service->fqdn, "reviews.apps.svc.corp.internal");
    assert_string_equal(m->mesh->root_ns, "mesh-root");
    fx_free(f);
}

/* Manifests without a namespace share the apply-time namespace; a policy in
 * another namespace may select them until -n binds it. */
static void test_apply_time_namespace(void **state)
{
    (void)state;
    static const char *const text =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
        "spec: {template: {metadata: {labels: {app: api}}}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}}\n"
        "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: shop}\n"
        "spec: {selector: {matchLabels: {app: api}}}\n";
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "all.yaml", text);
    done(f);
    ml_resource *svc = ml_model_find(m, ML_K_SERVICE, ML_NS_APPLY_TIME, "api");
    assert_non_null(svc);
    assert_false(svc->ns_explicit);
    assert_true(ml_model_has_apply_time(m));
    assert_true(ml_ns_may_equal(m, "shop", svc->ns));
    assert_false(ml_ns_may_equal(m, "shop", "other"));
    const ml_node *sel = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "shop", "p")->u.authz->selector;
    assert_int_equal(ml_model_select(m, "shop", sel).n, 0);
    assert_int_equal(ml_model_select_may(m, "shop", sel).n, 1);
    assert_int_equal(ml_model_select_may(m, ML_NS_APPLY_TIME, sel).n, 1);
    fx_free(f);

    /* bound (-n shop or default-namespace: shop): an ordinary namespace */
    ml_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.default_ns = "shop";
    f = fx_new(&cfg);
    m = &f->model;
    load(f, "all.yaml", text);
    done(f);
    assert_false(ml_model_has_apply_time(m));
    assert_non_null(ml_model_find(m, ML_K_SERVICE, "shop", "api"));
    sel = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "shop", "p")->u.authz->selector;
    assert_int_equal(ml_model_select(m, "shop", sel).n, 1);
    assert_false(ml_ns_may_equal(m, "shop", "other"));
    fx_free(f);
}

static void test_host_lookup_wildcards(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "a.yaml",
         "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n"
         "metadata: {name: wild, namespace: bar}\n"
         "spec:\n  hosts: ['*.example.com', reviews]\n  gateways: [gw]\n"
         "  tcp:\n  - route:\n    - destination: {host: db.bar.svc.cluster.local}\n"
         "---\n"
         "apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\n"
         "metadata: {name: all, namespace: bar}\nspec: {host: '*'}\n"
         "---\n"
         "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
         "metadata: {name: reviews, namespace: bar}\nspec: {host: reviews}\n"
         "---\n"
         "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
         "metadata: {name: ext, namespace: bar}\nspec: {hosts: [api.example.com]}\n");
    done(f);
    ml_vec v = ml_model_vs_for(m, "api.example.com");
    assert_int_equal(v.n, 1);
    ml_virtualservice *vs = v.items[0];
    assert_false(vs->mesh_gateway);
    assert_int_equal(vs->nroutes, 1);
    assert_int_equal(vs->routes[0].proto, ML_ROUTE_TCP);
    assert_string_equal(vs->routes[0].dest[0].fqdn, "db.bar.svc.cluster.local");
    assert_int_equal(ml_model_vs_for(m, "a.b.example.com").n, 1);
    assert_int_equal(ml_model_vs_for(m, "example.com").n, 0);
    assert_int_equal(ml_model_vs_for(m, "reviews.bar.svc.cluster.local").n, 1);
    assert_int_equal(ml_model_vs_for(m, "reviews.foo.svc.cluster.local").n, 0);

    /* "*" matches every host; results in load order, no duplicates. */
    v = ml_model_destrules_for(m, "reviews.bar.svc.cluster.local");
    assert_int_equal(v.n, 2);
    assert_string_equal(((ml_destrule *)v.items[0])->res->name, "all");
    assert_string_equal(((ml_destrule *)v.items[1])->res->name, "reviews");
    v = ml_model_destrules_for(m, "anything.else");
    assert_int_equal(v.n, 1);

    const ml_vec *se = ml_map_vec(&m->se_by_host, "api.example.com", strlen("api.example.com"));
    assert_non_null(se);
    assert_int_equal(se->n, 1);
    fx_free(f);
}

static const ml_shape_problem *find_problem(const ml_model *m, const char *text)
{
    ML_VEC_EACH(ml_shape_problem *, p, &m->shape_problems) {
        if (strstr(p->message, text))
            return p;
    }
    return NULL;
}

static void test_shape_problems(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "bad.yaml",
         "apiVersion: networking.istio.io/v1\n"            /* 1 */
         "kind: VirtualService\n"                          /* 2 */
         "metadata: {name: vs, namespace: x}\n"            /* 3 */
         "spec:\n"                                         /* 4 */
         "  hosts: 5\n"                                    /* 5 */
         "  http:\n"                                       /* 6 */
         "  - route:\n"                                    /* 7 */
         "    - destination: {host: a, port: {number: x}}\n" /* 8 */
         "      weight: heavy\n"                           /* 9 */
         "---\n"
         "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
         "metadata: {name: dr, namespace: x}\n"
         "spec:\n  host: a\n  subsets: {}\n"
         "---\n"
         "apiVersion: apps/v1\nkind: Deployment\n"
         "metadata:\n  name: d\n  namespace: x\n  labels: [a, b]\n"
         "spec:\n  replicas: \"three\"\n"
         "  template:\n    metadata:\n      labels: {app: d, version: 1.0}\n"
         "    spec:\n      containers:\n      - name: c\n        ports:\n        - containerPort: http\n"
         "        env:\n        - {name: A, value: 5000}\n"
         "---\n"
         "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: [oops]\n"
         "spec:\n  template:\n    spec:\n      containers: {name: c}\n");
    done(f);

    const ml_shape_problem *p = find_problem(m, "spec.hosts should be a list of host names, not a scalar");
    assert_non_null(p);
    assert_int_equal(p->loc.line, 5);
    assert_string_equal(p->res->name, "vs");
    ml_virtualservice *vs = ml_model_find(m, ML_K_VIRTUALSERVICE, "x", "vs")->u.vs;
    assert_int_equal(vs->nhosts, 0);
    assert_int_equal(vs->routes[0].dest[0].port_num, -1);
    assert_int_equal(vs->routes[0].dest[0].weight_num, -1);
    assert_non_null(find_problem(m, "spec.http[0].route[0].destination.port.number should be an integer, not the string \"x\""));
    assert_non_null(find_problem(m, "spec.http[0].route[0].weight should be an integer"));

    assert_non_null(find_problem(m, "spec.subsets should be a list of subsets, not a mapping"));
    assert_int_equal(ml_model_find(m, ML_K_DESTINATIONRULE, "x", "dr")->u.destrule->nsubsets, 0);

    p = find_problem(m, "spec.replicas should be an integer, not the string \"three\"");
    assert_non_null(p);
    ml_resource *d = ml_model_find(m, ML_K_DEPLOYMENT, "x", "d");
    assert_null(d->u.workload->replicas);
    assert_non_null(find_problem(m, "metadata.labels should be a mapping of strings, not a list"));
    assert_null(d->labels);
    assert_non_null(find_problem(m, "spec.template.metadata.labels.version should be a string, not the number 1.0 (quote it)"));
    assert_non_null(find_problem(m, "spec.template.spec.containers[0].ports[0].containerPort should be an integer"));
    assert_int_equal(d->u.workload->containers[0].ports[0].num, -1);
    assert_non_null(find_problem(m, "spec.template.spec.containers[0].env[0].value should be a string"));

    assert_non_null(find_problem(m, "metadata should be a mapping, not a list"));
    assert_non_null(find_problem(m, "spec.template.spec.containers should be a list of containers, not a mapping"));
    ml_resource *ss = m->by_kind[ML_K_STATEFULSET].items[0];
    assert_string_equal(ss->name, "");
    assert_int_equal(ss->u.workload->ncontainers, 0);
    fx_free(f);
}

static void test_kind_list_and_skips(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "list.yaml",
         "apiVersion: v1\nkind: List\nitems:\n"
         "- apiVersion: v1\n  kind: Service\n  metadata: {name: s, namespace: n}\n"
         "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d, namespace: n}\n"
         "- 42\n"
         "- apiVersion: v1\n  kind: List\n  items:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"
         "---\n"
         "- not a mapping\n"
         "---\n"
         "just: a mapping\n"
         "---\n"
         "apiVersion: {x: 1}\nkind: Pod\n"
         "---\n"
         "---\n"
         "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\n"
         "---\n"
         "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\n"
         "---\n"
         "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n");
    done(f);
    assert_int_equal(m->resources.n, 6);
    ml_resource *s = ml_model_find(m, ML_K_SERVICE, "n", "s");
    ml_resource *d = ml_model_find(m, ML_K_DEPLOYMENT, "n", "d");
    ml_resource *c = ml_model_find(m, ML_K_CONFIGMAP, ML_NS_APPLY_TIME, "c"); /* no namespace, none bound */
    assert_non_null(s);
    assert_non_null(d);
    assert_non_null(c);
    assert_ptr_equal(s->doc, d->doc);
    assert_ptr_equal(s->doc, c->doc);
    assert_int_equal(ml_node_loc(s->kind_node).line, 5);

    /* The Gateway API's Gateway does not replace Istio's. */
    ml_resource *gw = ml_model_find(m, ML_K_GATEWAY, "n", "g");
    assert_non_null(gw);
    assert_true(gw->live);
    assert_int_equal(m->by_kind[ML_K_OTHER].n, 1);
    assert_int_equal(m->by_kind[ML_K_GW_GATEWAY].n, 1);
    ml_resource *other = ml_model_find(m, ML_K_GW_GATEWAY, "n", "g");
    assert_non_null(other);
    assert_true(other->live);
    assert_string_equal(other->kind_str, "Gateway");
    assert_string_equal(other->key, "Gateway.gateway.networking.k8s.io/n/g");
    assert_false(ml_streq(other->key, gw->key));
    assert_int_equal(m->shape_problems.n, 0); /* another API group is no mistake */
    assert_true(m->is_mesh_repo);

    /* A cluster-scoped object does not make the apply-time namespace present. */
    ml_resource *cr = m->by_kind[ML_K_OTHER].items[0];
    assert_string_equal(cr->ns, "");
    assert_true(ml_model_has_ns(m, ML_NS_APPLY_TIME)); /* the ConfigMap without namespace */
    assert_false(ml_model_has_ns(m, "default"));
    assert_true(ml_model_has_ns(m, "n"));
    assert_false(ml_model_has_ns(m, "zzz"));
    fx_free(f);

    f = fx_new(NULL);
    load(f, "cr.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n");
    done(f);
    assert_false(ml_model_has_ns(&f->model, "default"));
    assert_false(f->model.is_mesh_repo);
    fx_free(f);
}

/* Gateway API kinds: typed with the API's defaults; a version Istio does
 * not read stays untyped without an ML002 problem. */
static void test_gateway_api(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    load(f, "gw.yaml",
         "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: Gateway\nmetadata: {name: pub, namespace: ing}\n"
         "spec:\n  gatewayClassName: istio-waypoint\n  listeners:\n"
         "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n"
         "---\n"
         "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\n"
         "spec:\n  parentRefs: [{name: pub, namespace: ing}, {group: '', kind: Service, name: s, port: 80}]\n"
         "  hostnames: [a.example.com]\n"
         "  rules:\n  - backendRefs: [{name: s, port: 80}, {name: t, namespace: o, port: 81, weight: 0}]\n"
         "    timeouts: {request: 5s}\n"
         "---\n"
         "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: o}\n"
         "spec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]\n"
         "  to: [{group: '', kind: Service}]\n"
         "---\n"
         "apiVersion: gateway.networking.k8s.io/v1alpha3\nkind: TLSRoute\nmetadata: {name: t, namespace: shop}\n");
    done(f);
    ml_model *m = &f->model;
    ml_resource *g = ml_model_find(m, ML_K_GW_GATEWAY, "ing", "pub");
    assert_non_null(g);
    assert_true(g->u.gw->waypoint);
    assert_int_equal(g->u.gw->nlisteners, 1);
    assert_int_equal(g->u.gw->listeners[0].port_num, 80);
    assert_string_equal(ml_str(g->u.gw->listeners[0].allowed_from), "All");
    ml_resource *r = ml_model_find(m, ML_K_HTTPROUTE, "shop", "r");
    assert_non_null(r);
    const ml_gw_route *rt = r->u.route;
    assert_int_equal(rt->nparents, 2);
    assert_true(rt->parents[0].is_gateway);
    assert_string_equal(rt->parents[0].ns, "ing");
    assert_true(rt->parents[1].is_service);
    assert_string_equal(rt->parents[1].ns, "shop");
    assert_int_equal(rt->nrules, 1);
    assert_int_equal(rt->rules[0].nbackends, 2);
    assert_true(rt->rules[0].backends[0].is_service);
    assert_int_equal(rt->rules[0].backends[0].weight_num, 1); /* the default */
    assert_int_equal(rt->rules[0].backends[1].weight_num, 0);
    assert_string_equal(rt->rules[0].backends[1].ns, "o");
    assert_string_equal(ml_str(rt->rules[0].timeout_request), "5s");
    ml_resource *rg = ml_model_find(m, ML_K_REFERENCEGRANT, "o", "g");
    assert_non_null(rg);
    assert_int_equal(rg->u.refgrant->nfrom, 1);
    assert_string_equal(rg->u.refgrant->from[0].ns, "shop");
    assert_null(rg->u.refgrant->to[0].name);
    assert_int_equal(m->by_kind[ML_K_OTHER].n, 1); /* the TLSRoute v1alpha3 */
    assert_int_equal(m->shape_problems.n, 0);
    fx_free(f);
}

static void test_workload_kinds(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "w.yaml",
         "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj, namespace: n}\n"
         "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
         "        metadata: {labels: {app: cj}}\n"
         "        spec:\n          initContainers: [{name: init}]\n"
         "          containers: [{name: main}, {name: istio-proxy}]\n"
         "---\n"
         "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n, labels: {app: p}}\n"
         "spec:\n  serviceAccount: legacy\n  containers:\n  - name: c\n"
         "    readinessProbe: {grpc: {port: 9000, service: health}}\n"
         "    livenessProbe: {tcpSocket: {port: 8080}}\n"
         "    startupProbe: {exec: {command: [true]}}\n"
         "    env: [{name: A, valueFrom: {fieldRef: {fieldPath: x}}}, {name: B, value: 'b'}]\n"
         "---\n"
         "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old, namespace: n}\n"
         "---\n"
         "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: ancient, namespace: n}\n");
    done(f);
    ml_workload *cj = workload(m, ML_K_CRONJOB, "n", "cj");
    assert_false(cj->long_running);
    assert_string_equal(ml_label(cj->pod_labels, "app"), "cj");
    assert_int_equal(cj->ncontainers, 3);
    assert_string_equal(ml_str(cj->containers[0].name), "main");
    assert_true(cj->containers[1].is_sidecar_proxy);
    assert_true(cj->containers[2].is_init);

    ml_workload *p = workload(m, ML_K_POD, "n", "p");
    assert_true(p->long_running);
    assert_null(p->selector);
    assert_string_equal(ml_str(p->service_account), "legacy");
    assert_ptr_equal(p->pod_labels, p->res->labels);
    ml_container *c = &p->containers[0];
    assert_int_equal(c->readiness.kind, ML_PROBE_GRPC);
    assert_string_equal(ml_str(c->readiness.port), "9000");
    assert_string_equal(ml_str(c->readiness.service), "health");
    assert_int_equal(c->liveness.kind, ML_PROBE_TCP);
    assert_int_equal(c->startup.kind, ML_PROBE_EXEC);
    assert_int_equal(c->nenv, 2);
    assert_null(c->env[0].value);
    assert_non_null(c->env[0].value_from);
    assert_string_equal(ml_str(c->env[1].value), "b");

    assert_non_null(ml_model_find(m, ML_K_CRONJOB, "n", "old"));
    assert_null(ml_model_find(m, ML_K_DEPLOYMENT, "n", "ancient"));
    assert_int_equal(m->workloads.n, 3);
    /* A removed version of a kind we read is worth telling; it stays untyped. */
    assert_int_equal(m->shape_problems.n, 1);
    const ml_shape_problem *sp = m->shape_problems.items[0];
    assert_string_equal(sp->message, "apiVersion should be apps/v1 for kind Deployment, not \"apps/v1beta1\"; "
                                     "meshlint does not read this resource");
    assert_int_equal(sp->loc.line, 30);
    assert_int_equal(m->by_kind[ML_K_OTHER].n, 1);

    assert_string_equal(ml_kind_name(ML_K_PEERAUTHENTICATION), "PeerAuthentication");
    assert_true(ml_kind_is_workload(ML_K_CRONJOB));
    assert_false(ml_kind_is_workload(ML_K_SERVICE));
    assert_true(ml_kind_is_istio(ML_K_TELEMETRY));
    assert_false(ml_kind_is_istio(ML_K_SECRET));
    assert_string_equal(ml_mtls_name(ML_MTLS_STRICT), "STRICT");
    fx_free(f);
}

/* Nothing the fuzzer can write crashes the typing code. */
static void test_hostile_shapes(void **state)
{
    (void)state;
    static const char *const kinds[][2] = {
        {"v1", "Pod"}, {"apps/v1", "Deployment"}, {"batch/v1", "CronJob"}, {"v1", "Service"},
        {"v1", "ConfigMap"}, {"v1", "Namespace"}, {"networking.istio.io/v1", "VirtualService"},
        {"networking.istio.io/v1", "DestinationRule"}, {"networking.istio.io/v1", "ServiceEntry"},
        {"security.istio.io/v1", "PeerAuthentication"}, {"security.istio.io/v1", "AuthorizationPolicy"},
    };
    static const char *const bodies[] = {
        "metadata: 5\nspec: 5\n",
        "metadata: {name: [x], namespace: {a: b}, labels: {a: [1]}, annotations: 3}\nspec: []\n",
        "metadata: {name: x}\nspec: {template: 1, jobTemplate: {spec: []}, selector: 2, hosts: [[1], {a: b}, ~], "
        "http: [1, {route: 3, retries: [], mirror: 2}, {route: [1, {destination: 3}, {destination: {port: 1}}]}], "
        "tcp: {}, tls: [~], subsets: [1, {labels: 3, trafficPolicy: {tls: 1}}], "
        "trafficPolicy: {portLevelSettings: [1, {port: 3}], loadBalancer: 1, connectionPool: {http: 1}}, "
        "mtls: [], portLevelMtls: {abc: {mode: STRICT}, 8080: 3, 9090: {mode: [1]}}, selector: {matchLabels: [1]}, "
        "rules: 3, action: [], ports: [1, {port: [], targetPort: {}}], gateways: [1, [2]], data: 1}\ndata: [1]\n",
        "metadata: {name: x}\nspec:\n  template:\n    metadata: []\n    spec:\n      containers: [1, ~, "
        "{name: [1], ports: 1, env: [1, {name: 2, value: [3]}], envFrom: [1, {configMapRef: 2}], "
        "livenessProbe: 1, readinessProbe: {httpGet: 1}, startupProbe: {grpc: {port: x}}, lifecycle: 1}]\n",
    };
    fx *f = fx_new(NULL);
    char buf[4096];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
            snprintf(buf, sizeof buf, "apiVersion: %s\nkind: %s\n%s", kinds[k][0], kinds[k][1], bodies[b]);
            load(f, "fuzz.yaml", buf);
        }
    assert_int_equal(f->model.resources.n, sizeof kinds / sizeof kinds[0] * 4);
    /* A List holding itself through an alias (if the loader builds the
     * cycle) stops at the nesting bound. */
    load(f, "self.yaml", "&l {apiVersion: v1, kind: List, items: [*l, {apiVersion: v1, kind: Pod, metadata: {name: p}}]}\n");
    done(f);
    assert_true(f->model.resources.n <= sizeof kinds / sizeof kinds[0] * 4 + 8);
    assert_true(f->model.shape_problems.n > 50);
    ML_VEC_EACH(ml_shape_problem *, p, &f->model.shape_problems) {
        assert_non_null(p->message);
        assert_non_null(strstr(p->message, " should be ") ? p->message : strstr(p->message, " items"));
    }
    assert_non_null(find_problem(&f->model, "spec.portLevelMtls should be keyed by port numbers, not the string \"abc\""));
    fx_free(f);
}

/* ---- sidecar injection ---------------------------------------------------- */

static const char *const inject_yaml =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: on, labels: {istio-injection: enabled}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: off, labels: {istio-injection: disabled}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: rev, labels: {istio.io/rev: canary}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: odd, labels: {istio-injection: maybe}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: on}\n"
    "spec: {template: {metadata: {labels: {app: a}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: out, namespace: on}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'false'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: off}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c, namespace: plain}\n"
    "spec: {template: {metadata: {annotations: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: both, namespace: plain}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}, "
    "annotations: {sidecar.istio.io/inject: 'false'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: none, namespace: plain}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: pr, namespace: plain}\n"
    "spec: {template: {metadata: {labels: {istio.io/rev: canary}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: caps, namespace: on}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'False'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ua, namespace: nowhere}\n"
    "spec: {template: {metadata: {annotations: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw, namespace: on}\n"
    "spec: {template: {metadata: {annotations: {inject.istio.io/templates: gateway}, labels: {istio: gw}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r, namespace: rev}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: o, namespace: odd}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: u, namespace: nowhere}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ui, namespace: nowhere}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: k, namespace: kube-system}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: istio-system}\n"
    "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: hn, namespace: on}\n"
    "spec: {template: {metadata: {labels: {sidecar.istio.io/inject: 'true'}}, spec: {hostNetwork: true}}}\n"
    "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: pn, namespace: on}\n"
    "spec: {template: {spec: {hostNetwork: false}}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: z, namespace: amb}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: zn, namespace: amb}\n"
    "spec: {template: {metadata: {labels: {istio.io/dataplane-mode: none}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: zp, namespace: plain}\n"
    "spec: {template: {metadata: {labels: {istio.io/dataplane-mode: ambient}}}}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: zs, namespace: on}\n"
    "spec: {template: {metadata: {labels: {istio.io/dataplane-mode: ambient}}}}\n";

static const ml_sidecar_fact *sc(const ml_model *m, ml_kind k, const char *ns, const char *name)
{
    const ml_sidecar_fact *s = ml_mesh_sidecar(m, workload(m, k, ns, name));
    assert_non_null(s);
    assert_non_null(s->explain);
    return s;
}

static void test_sidecar(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "inject.yaml", inject_yaml);
    done(f);
    const ml_sidecar_fact *s;

    s = sc(m, ML_K_DEPLOYMENT, "on", "a");
    assert_true(s->injected);
    assert_true(s->known);
    assert_int_equal(s->reason, ML_INJ_NS_LABEL);
    assert_string_equal(ml_str(s->decided_by), "enabled");
    assert_string_equal(s->namespace_res->name, "on");
    assert_string_equal(s->explain, "namespace on has istio-injection=enabled (inject.yaml:3)");

    s = sc(m, ML_K_DEPLOYMENT, "on", "out");
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_POD_OPT_OUT);
    assert_string_equal(ml_str(s->decided_by), "false");

    s = sc(m, ML_K_DEPLOYMENT, "off", "b"); /* opt-in does not override disabled */
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_NS_DISABLED);

    /* the annotation alone: the object selector of the webhook reads the
     * label only, so in an unlabelled namespace nothing injects */
    s = sc(m, ML_K_DEPLOYMENT, "plain", "c");
    assert_false(s->injected);
    assert_true(s->known);
    assert_int_equal(s->reason, ML_INJ_NO_LABEL);

    s = sc(m, ML_K_DEPLOYMENT, "plain", "pr"); /* a pod revision label selects the rev.object webhook */
    assert_true(s->injected);
    assert_int_equal(s->reason, ML_INJ_POD_OPT_IN);
    assert_string_equal(ml_str(s->decided_by), "canary");

    s = sc(m, ML_K_DEPLOYMENT, "on", "caps"); /* "False" passes the selector, the injector refuses it */
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_POD_OPT_OUT);

    s = sc(m, ML_K_DEPLOYMENT, "nowhere", "ua"); /* annotation, namespace unknown: unknown */
    assert_false(s->known);

    s = sc(m, ML_K_DEPLOYMENT, "on", "gw"); /* the gateway template: a gateway proxy, not an app */
    assert_false(s->known);
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_GATEWAY_PROXY);

    s = sc(m, ML_K_DEPLOYMENT, "plain", "both"); /* the label wins over the annotation */
    assert_true(s->injected);
    assert_int_equal(s->reason, ML_INJ_POD_OPT_IN);

    s = sc(m, ML_K_DEPLOYMENT, "plain", "none");
    assert_false(s->injected);
    assert_true(s->known);
    assert_int_equal(s->reason, ML_INJ_NO_LABEL);

    s = sc(m, ML_K_DEPLOYMENT, "rev", "r");
    assert_true(s->injected);
    assert_int_equal(s->reason, ML_INJ_NS_REV);

    s = sc(m, ML_K_DEPLOYMENT, "odd", "o");
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_NO_LABEL);

    s = sc(m, ML_K_DEPLOYMENT, "nowhere", "u");
    assert_false(s->known);
    assert_int_equal(s->reason, ML_INJ_NS_UNKNOWN);
    assert_null(s->namespace_res);

    s = sc(m, ML_K_DEPLOYMENT, "nowhere", "ui");
    assert_true(s->known);
    assert_true(s->injected);

    s = sc(m, ML_K_DAEMONSET, "kube-system", "k");
    assert_false(s->injected);
    assert_int_equal(s->reason, ML_INJ_SYSTEM_NS);
    s = sc(m, ML_K_DEPLOYMENT, "istio-system", "istiod");
    assert_int_equal(s->reason, ML_INJ_SYSTEM_NS);

    /* The injector skips host-network pods before it looks at any label. */
    s = sc(m, ML_K_DAEMONSET, "on", "hn");
    assert_false(s->injected);
    assert_true(s->known);
    assert_int_equal(s->reason, ML_INJ_HOST_NETWORK);
    assert_string_equal(ml_str(s->decided_by), "true");
    s = sc(m, ML_K_DAEMONSET, "on", "pn");
    assert_true(s->injected);
    assert_int_equal(s->reason, ML_INJ_NS_LABEL);

    /* Ambient: no sidecar, and nothing the sidecar rules can judge. */
    s = sc(m, ML_K_DEPLOYMENT, "amb", "z");
    assert_false(s->injected);
    assert_false(s->known);
    assert_int_equal(s->reason, ML_INJ_AMBIENT);
    assert_string_equal(ml_str(s->decided_by), "ambient");
    s = sc(m, ML_K_DEPLOYMENT, "amb", "zn"); /* the pod opts out of ambient */
    assert_true(s->known);
    assert_int_equal(s->reason, ML_INJ_NO_LABEL);
    s = sc(m, ML_K_DEPLOYMENT, "plain", "zp"); /* the pod opts in */
    assert_false(s->known);
    assert_int_equal(s->reason, ML_INJ_AMBIENT);
    s = sc(m, ML_K_DEPLOYMENT, "on", "zs"); /* a sidecar takes precedence */
    assert_true(s->injected);
    assert_int_equal(s->reason, ML_INJ_NS_LABEL);
    fx_free(f);

    /* The corpus: the two Namespace connectum definitions (alternatives)
     * disagree on the injection label: unknown. */
    f = load_corpus();
    s = sc(&f->model, ML_K_DEPLOYMENT, "connectum", "order-service");
    assert_false(s->known);
    assert_int_equal(s->reason, ML_INJ_NS_ALTERNATIVES);
    assert_null(s->namespace_res);
    assert_string_equal(s->explain,
                        "namespace connectum has alternative definitions that disagree on sidecar injection "
                        "(istio/namespace.yaml:5, k8s/namespace.yaml:5): whether its pods get a sidecar depends on "
                        "which one is applied last");
    fx_free(f);
}

/* ---- mTLS ---------------------------------------------------------------- */

static const ml_peerauth *pa_named(const ml_model *m, const char *ns, const char *name)
{
    ml_resource *r = ml_model_find(m, ML_K_PEERAUTHENTICATION, ns, name);
    assert_non_null(r);
    return r->u.peerauth;
}

static void test_mtls_corpus(void **state)
{
    (void)state;
    fx *f = load_corpus();
    ml_model *m = &f->model;
    ml_workload *w = workload(m, ML_K_DEPLOYMENT, "connectum", "order-service");
    const ml_peerauth *perm = pa_named(m, "connectum", "order-service-permissive");
    const ml_peerauth *strict = pa_named(m, "connectum", "default");

    /* The workload policy (PERMISSIVE) beats the namespace one (STRICT). */
    ml_mtls_fact t = ml_mesh_mtls(m, w, -1);
    assert_int_equal(t.mode, ML_MTLS_PERMISSIVE);
    assert_int_equal(t.scope, ML_SCOPE_WORKLOAD);
    assert_ptr_equal(t.decided_by, perm);
    assert_ptr_equal(t.workload_pa, perm);
    assert_ptr_equal(t.namespace_pa, strict);
    assert_null(t.mesh_pa);
    assert_string_equal(ml_str(t.mode_node), "PERMISSIVE");
    t = ml_mesh_mtls(m, w, 5000);
    assert_int_equal(t.scope, ML_SCOPE_WORKLOAD);

    assert_int_equal(ml_mesh_pa_workloads(m, perm)->n, 2); /* the alternative in sidecar-resources.yaml lacks app.kubernetes.io/name */
    assert_int_equal(ml_mesh_pa_workloads(m, strict)->n, 1); /* that alternative falls back to the namespace policy */

    ml_vec az = ml_mesh_authz_workloads(m, ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "connectum",
                                                         "order-service-policy")->u.authz);
    assert_int_equal(az.n, 2);
    fx_free(f);
}

static void test_mtls_precedence(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "pa.yaml",
         /* namespace a: STRICT; workload policy UNSET with a port override */
         "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ns, namespace: a}\n"
         "spec: {mtls: {mode: STRICT}}\n"
         "---\napiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: w, namespace: a}\n"
         "spec: {selector: {matchLabels: {app: w}}, portLevelMtls: {8080: {mode: DISABLE}, 9090: {mode: UNSET}}}\n"
         /* two workload policies for x: the first in load order wins */
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: x1, namespace: a}\n"
         "spec: {selector: {matchLabels: {app: x}}, mtls: {mode: DISABLE}}\n"
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: x2, namespace: a}\n"
         "spec: {selector: {matchLabels: {app: x, tier: t}}, mtls: {mode: STRICT}}\n"
         /* mesh-wide PERMISSIVE, overridden by a later definition of the same name: STRICT */
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\n"
         "spec: {mtls: {mode: PERMISSIVE}}\n"
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\n"
         "spec: {mtls: {mode: STRICT}}\n"
         /* namespace c: UNSET inherits the mesh */
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ns, namespace: c}\n"
         "spec: {mtls: {mode: UNSET}}\n"
         /* invalid mode decides nothing */
         "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ns, namespace: d}\n"
         "spec: {mtls: {mode: strict}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: a}\n"
         "spec: {template: {metadata: {labels: {app: w}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: a}\n"
         "spec: {template: {metadata: {labels: {app: x, tier: t}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: b}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c, namespace: c}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: d}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw, namespace: istio-system}\n");
    done(f);
    const ml_peerauth *ns_a = pa_named(m, "a", "ns"), *wpa = pa_named(m, "a", "w");
    const ml_peerauth *mesh = pa_named(m, "istio-system", "default");
    assert_true(mesh->mesh_wide);
    assert_int_equal(mesh->mode, ML_MTLS_STRICT);
    assert_int_equal(wpa->nport_level, 2);
    assert_int_equal(wpa->port_level[0].port, 8080);
    assert_int_equal(wpa->mode, ML_MTLS_UNSET);

    ml_workload *w = workload(m, ML_K_DEPLOYMENT, "a", "w");
    ml_mtls_fact t = ml_mesh_mtls(m, w, -1); /* workload UNSET inherits the namespace */
    assert_int_equal(t.mode, ML_MTLS_STRICT);
    assert_int_equal(t.scope, ML_SCOPE_NAMESPACE);
    assert_ptr_equal(t.decided_by, ns_a);
    assert_ptr_equal(t.workload_pa, wpa);
    assert_ptr_equal(t.mesh_pa, mesh);
    t = ml_mesh_mtls(m, w, 8080); /* port level */
    assert_int_equal(t.mode, ML_MTLS_DISABLE);
    assert_int_equal(t.scope, ML_SCOPE_PORT);
    assert_ptr_equal(t.decided_by, wpa);
    assert_string_equal(ml_str(t.mode_node), "DISABLE");
    t = ml_mesh_mtls(m, w, 9090); /* port UNSET inherits */
    assert_int_equal(t.mode, ML_MTLS_STRICT);
    assert_int_equal(t.scope, ML_SCOPE_NAMESPACE);

    ml_workload *x = workload(m, ML_K_DEPLOYMENT, "a", "x");
    t = ml_mesh_mtls(m, x, -1);
    assert_int_equal(t.mode, ML_MTLS_DISABLE);
    assert_ptr_equal(t.decided_by, pa_named(m, "a", "x1"));
    assert_int_equal(ml_mesh_pa_workloads(m, pa_named(m, "a", "x2"))->n, 0);

    t = ml_mesh_mtls(m, workload(m, ML_K_DEPLOYMENT, "b", "b"), -1); /* mesh-wide */
    assert_int_equal(t.mode, ML_MTLS_STRICT);
    assert_int_equal(t.scope, ML_SCOPE_MESH);
    assert_ptr_equal(t.decided_by, mesh);
    t = ml_mesh_mtls(m, workload(m, ML_K_DEPLOYMENT, "c", "c"), -1);
    assert_int_equal(t.scope, ML_SCOPE_MESH);
    assert_non_null(t.namespace_pa);
    t = ml_mesh_mtls(m, workload(m, ML_K_DEPLOYMENT, "d", "d"), -1);
    assert_int_equal(pa_named(m, "d", "ns")->mode, ML_MTLS_INVALID);
    assert_int_equal(t.scope, ML_SCOPE_MESH);
    t = ml_mesh_mtls(m, workload(m, ML_K_DEPLOYMENT, "istio-system", "gw"), -1);
    assert_int_equal(t.scope, ML_SCOPE_MESH);
    assert_null(t.namespace_pa);

    /* Who each policy applies to. */
    const ml_vec *v = ml_mesh_pa_workloads(m, wpa);
    assert_int_equal(v->n, 1);
    assert_ptr_equal(v->items[0], w);
    v = ml_mesh_pa_workloads(m, ns_a); /* w only: x has its own deciding policy */
    assert_int_equal(v->n, 1);
    assert_ptr_equal(v->items[0], w);
    v = ml_mesh_pa_workloads(m, mesh); /* b, c, d and gw */
    assert_int_equal(v->n, 4);
    /* The losing earlier definition applies to nothing. */
    ml_resource *old = mesh->res->prev_def;
    assert_non_null(old);
    assert_int_equal(ml_mesh_pa_workloads(m, old->u.peerauth)->n, 0);
    fx_free(f);

    /* No policy anywhere: PERMISSIVE by default. */
    f = fx_new(NULL);
    load(f, "d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n");
    done(f);
    t = ml_mesh_mtls(&f->model, workload(&f->model, ML_K_DEPLOYMENT, ML_NS_APPLY_TIME, "d"), 80);
    assert_int_equal(t.mode, ML_MTLS_PERMISSIVE);
    assert_int_equal(t.scope, ML_SCOPE_DEFAULT);
    assert_null(t.decided_by);
    fx_free(f);
}

static void test_authz_workloads(void **state)
{
    (void)state;
    fx *f = fx_new(NULL);
    ml_model *m = &f->model;
    load(f, "az.yaml",
         "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: sel, namespace: a}\n"
         "spec: {selector: {matchLabels: {app: api}}, action: DENY, rules: [{}]}\n"
         "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: all, namespace: a}\n"
         "spec: {}\n"
         "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: mesh, namespace: istio-system}\n"
         "spec: {selector: {matchLabels: {app: api}}, action: bogus}\n"
         "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: meshall, namespace: istio-system}\n"
         "spec: {action: AUDIT}\n"
         "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: gw, namespace: a}\n"
         "spec: {targetRefs: [{kind: Gateway, name: g}], action: CUSTOM}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\n"
         "spec: {template: {metadata: {labels: {app: api}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n"
         "spec: {template: {metadata: {labels: {app: web}}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: b}\n"
         "spec: {template: {metadata: {labels: {app: api}}}}\n");
    done(f);
    ml_authz *sel = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "a", "sel")->u.authz;
    ml_authz *all = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "a", "all")->u.authz;
    ml_authz *mesh = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "istio-system", "mesh")->u.authz;
    ml_authz *meshall = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "istio-system", "meshall")->u.authz;
    ml_authz *gw = ml_model_find(m, ML_K_AUTHORIZATIONPOLICY, "a", "gw")->u.authz;
    assert_int_equal(sel->action, ML_AUTHZ_DENY);
    assert_int_equal(all->action, ML_AUTHZ_ALLOW);
    assert_null(all->rules);
    assert_int_equal(mesh->action, ML_AUTHZ_INVALID);
    assert_int_equal(meshall->action, ML_AUTHZ_AUDIT);
    assert_int_equal(gw->action, ML_AUTHZ_CUSTOM);

    ml_vec v = ml_mesh_authz_workloads(m, sel);
    assert_int_equal(v.n, 1);
    assert_string_equal(((ml_workload *)v.items[0])->res->ns, "a");
    assert_int_equal(ml_mesh_authz_workloads(m, all).n, 2);
    v = ml_mesh_authz_workloads(m, mesh);
    assert_int_equal(v.n, 2);
    assert_string_equal(((ml_workload *)v.items[1])->res->ns, "b");
    assert_int_equal(ml_mesh_authz_workloads(m, meshall).n, 3);
    assert_int_equal(ml_mesh_authz_workloads(m, gw).n, 0);
    fx_free(f);
}

/* Many services sharing a common label: each Service still finds its one
 * workload through the rarest label, and the whole model builds quickly. */
static void test_scale(void **state)
{
    (void)state;
    enum { N = 3000 };
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < N; i++)
        ml_buf_printf(&b,
                      "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d, namespace: big}\n"
                      "spec: {selector: {part-of: shop, app: a%d}}\n"
                      "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d, namespace: big}\n"
                      "spec: {template: {metadata: {labels: {part-of: shop, app: a%d}}}}\n",
                      i, i, i, i);
    fx *f = fx_new(NULL);
    load_text(f, "big.yaml", b.s, b.n);
    ml_buf_free(&b);
    done(f);
    assert_int_equal(f->model.workloads.n, N);
    ML_VEC_EACH(ml_resource *, r, &f->model.by_kind[ML_K_SERVICE]) {
        assert_int_equal(r->u.service->workloads.n, 1);
        ml_workload *w = r->u.service->workloads.items[0];
        assert_string_equal(w->res->name + 1, r->name + 1);
    }
    fx_free(f);
}

static const ml_vec *counted(const ml_vec *v, int *calls)
{
    ++*calls;
    return v;
}

/* ML_VEC_EACH evaluates its vector once (ML504 once passed `++n <= MAX ?
 * &v : &none` and crashed), skips NULL items, and break and continue mean
 * what they mean in a plain loop. */
static void test_vec_each(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_vec v = {0};
    static int items[5];
    for (int i = 0; i < 5; i++)
        ml_vec_push(&a, &v, i == 2 ? NULL : &items[i]);
    int calls = 0, seen = 0;
    ML_VEC_EACH(int *, p, counted(&v, &calls)) {
        assert_non_null(p);
        seen++;
    }
    assert_int_equal(calls, 1);
    assert_int_equal(seen, 4);
    static const ml_vec none;
    int hinted = 0;
    for (int round = 0; round < 3; round++) {
        seen = 0;
        ML_VEC_EACH(int *, p, ++hinted <= 1 ? &v : &none) {
            (void)p;
            seen++;
        }
        assert_int_equal(seen, round == 0 ? 4 : 0);
    }
    assert_int_equal(hinted, 3);
    seen = 0;
    ML_VEC_EACH(int *, p, &v) {
        if (p == &items[1])
            continue;
        if (p == &items[3])
            break;
        seen++;
    }
    assert_int_equal(seen, 1); /* items[0] only: [1] continued, [2] NULL, [3] broke */
    ml_arena_free(&a);
}

/* A pattern that starts with '/' is never read before its first byte (an
 * exactly sized copy lets the sanitizer build see it). */
static void test_glob_leading_slash(void **state)
{
    (void)state;
    static const char *const pats[] = {"/", "/*", "/**/x.yaml", "/a/*.yaml"};
    static const char *const paths[] = {"", "/", "/a/x.yaml", "a/x.yaml"};
    static const bool want[4][4] = {{false, true, false, false},
                                    {false, true, false, false},
                                    {false, false, true, false},
                                    {false, false, true, false}};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(pats[i]) + 1;
        char *p = malloc(n);
        assert_non_null(p);
        memcpy(p, pats[i], n);
        for (size_t j = 0; j < 4; j++)
            assert_int_equal(ml_glob_match(p, paths[j]), want[i][j]);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_each),
        cmocka_unit_test(test_glob_leading_slash),
        cmocka_unit_test(test_corpus_winners),
        cmocka_unit_test(test_apply_time_namespace),
        cmocka_unit_test(test_corpus_selectors),
        cmocka_unit_test(test_corpus_dr_vs),
        cmocka_unit_test(test_corpus_containers),
        cmocka_unit_test(test_controller_labels),
        cmocka_unit_test(test_host_resolution),
        cmocka_unit_test(test_host_lookup_wildcards),
        cmocka_unit_test(test_shape_problems),
        cmocka_unit_test(test_kind_list_and_skips),
        cmocka_unit_test(test_gateway_api),
        cmocka_unit_test(test_workload_kinds),
        cmocka_unit_test(test_hostile_shapes),
        cmocka_unit_test(test_sidecar),
        cmocka_unit_test(test_mtls_corpus),
        cmocka_unit_test(test_mtls_precedence),
        cmocka_unit_test(test_authz_workloads),
        cmocka_unit_test(test_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
