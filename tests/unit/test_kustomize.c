/*
 * test_kustomize.c - the native kustomize build against outputs written by
 * hand from the kustomize documentation (kubectl.docs.kubernetes.io
 * references for namePrefix, commonLabels, patches, generators, components)
 * and the hash values of kustomize's own api/hasher/hasher_test.go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "meshlint/kustomize.h"
#include "meshlint/model.h"

/* An in-memory tree: path -> contents. */
typedef struct mem_fs {
    const char *const *files; /* path, text, path, text, ..., NULL */
    ml_arena *a;
} mem_fs;

static ml_arena A;
static ml_kust K;
static mem_fs FS;

static ml_file *mem_read(void *ud, const char *path, const char **err)
{
    mem_fs *fs = ud;
    for (size_t i = 0; fs->files[i]; i += 2)
        if (!strcmp(fs->files[i], path)) {
            ml_file *f = ml_zalloc(fs->a, sizeof *f);
            f->path = fs->files[i];
            f->data = fs->files[i + 1];
            f->len = strlen(f->data);
            f->type = ML_FILE_YAML;
            f->report = true;
            return f;
        }
    *err = "no such file";
    return NULL;
}

static ml_kpath mem_kind(void *ud, const char *path)
{
    mem_fs *fs = ud;
    size_t n = strlen(path);
    for (size_t i = 0; fs->files[i]; i += 2) {
        if (!strcmp(fs->files[i], path))
            return ML_KPATH_FILE;
        if (!strncmp(fs->files[i], path, n) && fs->files[i][n] == '/')
            return ML_KPATH_DIR;
    }
    return ML_KPATH_NONE;
}

static void build(const char *const *files, const char *dir, ml_kust_result *r)
{
    FS.files = files;
    FS.a = &A;
    ml_kust_init(&K, &A, (ml_kust_io){.ud = &FS, .read = mem_read, .kind = mem_kind});
    ml_kust_build(&K, dir, r);
}

static int setup(void **state)
{
    (void)state;
    ml_arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ML_VEC_EACH(ml_file *, f, &K.read)
        free(f->line_off);
    ml_kust_free(&K);
    ml_arena_free(&A);
    return 0;
}

static const ml_node *doc(ml_kust_result *r, const char *kind, const char *name)
{
    ML_VEC_EACH(ml_doc *, d, &r->docs)
        if (ml_streq(ml_str(ml_get(d->root, "kind")), kind) && ml_streq(ml_str(ml_path(d->root, "metadata.name")), name))
            return d->root;
    return NULL;
}

static const char *at(const ml_node *root, const char *path)
{
    return ml_str(ml_path(root, path));
}

static const ml_node *item(const ml_node *seq, size_t i)
{
    assert_true(ml_is_seq(seq));
    assert_true(i < ml_node_n(seq));
    return &seq->elems[i];
}

static const char *const DEPLOY = "apiVersion: apps/v1\n"
                                  "kind: Deployment\n"
                                  "metadata:\n"
                                  "  name: web\n"
                                  "spec:\n"
                                  "  selector:\n"
                                  "    matchLabels: {app: web}\n"
                                  "  template:\n"
                                  "    metadata:\n"
                                  "      labels: {app: web}\n"
                                  "    spec:\n"
                                  "      serviceAccountName: web\n"
                                  "      containers:\n"
                                  "        - name: web\n"
                                  "          image: shop/web:1.0\n"
                                  "          envFrom: [{configMapRef: {name: settings}}]\n"
                                  "        - name: log\n"
                                  "          image: busybox\n";
static const char *const SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
                               "  ports: [{port: 80}]\n";
static const char *const SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n";
static const char *const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";

/* namePrefix renames every object and the references workloads hold to
 * renamed ConfigMaps and ServiceAccounts; namespace lands on every object. */
static void test_prefix_and_references(void **state)
{
    (void)state;
    const char *const files[] = {"app/kustomization.yaml",
                                 "namePrefix: prod-\nnamespace: shop\nresources: [deploy.yaml, svc.yaml, sa.yaml, cm.yaml]\n",
                                 "app/deploy.yaml", DEPLOY, "app/svc.yaml", SVC, "app/sa.yaml", SA, "app/cm.yaml", CM,
                                 NULL};
    ml_kust_result r;
    build(files, "app", &r);
    assert_true(r.ok);
    assert_int_equal(r.docs.n, 4);
    const ml_node *d = doc(&r, "Deployment", "prod-web");
    assert_non_null(d);
    assert_string_equal(at(d, "metadata.namespace"), "shop");
    assert_string_equal(at(d, "spec.template.spec.serviceAccountName"), "prod-web");
    const ml_node *c0 = item(ml_path(d, "spec.template.spec.containers"), 0);
    assert_string_equal(ml_str(ml_path(item(ml_get(c0, "envFrom"), 0), "configMapRef.name")), "prod-settings");
    /* the invented name is placed at the namePrefix field, line 1 */
    assert_int_equal(ml_node_loc(ml_path(d, "metadata.name")).line, 1);
    assert_string_equal(ml_node_file(ml_path(d, "metadata.name"))->path, "app/kustomization.yaml");
    /* untouched values keep their place in the base */
    assert_string_equal(ml_node_file(ml_path(d, "spec.template.spec.containers"))->path, "app/deploy.yaml");
    assert_non_null(doc(&r, "Service", "prod-web"));
    assert_string_equal(at(doc(&r, "Service", "prod-web"), "metadata.namespace"), "shop");
    ml_kust_result_free(&r);
}

/* commonLabels go to metadata, selectors and pod templates; labels without
 * includeSelectors only to metadata. */
static void test_common_labels(void **state)
{
    (void)state;
    const char *const files[] = {"k/kustomization.yaml",
                                 "commonLabels: {team: shop}\nlabels:\n  - pairs: {tier: web}\nresources: [d.yaml, s.yaml]\n",
                                 "k/d.yaml", DEPLOY, "k/s.yaml", SVC, NULL};
    ml_kust_result r;
    build(files, "k", &r);
    assert_true(r.ok);
    const ml_node *d = doc(&r, "Deployment", "web");
    assert_string_equal(at(d, "metadata.labels.team"), "shop");
    assert_string_equal(at(d, "spec.selector.matchLabels.team"), "shop");
    assert_string_equal(at(d, "spec.selector.matchLabels.app"), "web");
    assert_string_equal(at(d, "spec.template.metadata.labels.team"), "shop");
    assert_string_equal(at(d, "metadata.labels.tier"), "web");
    assert_null(at(d, "spec.selector.matchLabels.tier"));
    assert_null(at(d, "spec.template.metadata.labels.tier"));
    const ml_node *s = doc(&r, "Service", "web");
    assert_string_equal(at(s, "spec.selector.team"), "shop");
    assert_null(at(s, "spec.selector.tier"));
    ml_kust_result_free(&r);
}

/* A strategic merge patch merges containers by name, keeps the rest. */
static void test_strategic_merge_containers(void **state)
{
    (void)state;
    const char *const files[] = {"o/kustomization.yaml", "resources: [../b]\npatches:\n  - path: p.yaml\n",
                                 "o/p.yaml",
                                 "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
                                 "    spec:\n      containers:\n        - name: log\n          image: busybox:2\n"
                                 "        - name: side\n          image: side:1\n",
                                 "b/kustomization.yaml", "resources: [d.yaml]\n", "b/d.yaml", DEPLOY, NULL};
    ml_kust_result r;
    build(files, "o", &r);
    assert_true(r.ok);
    const ml_node *cs = ml_path(doc(&r, "Deployment", "web"), "spec.template.spec.containers");
    assert_int_equal(ml_node_n(cs), 3);
    assert_string_equal(at(item(cs, 0), "image"), "shop/web:1.0");
    assert_string_equal(at(item(cs, 1), "name"), "log");
    assert_string_equal(at(item(cs, 1), "image"), "busybox:2");
    /* the patched value is at the patch's line */
    assert_string_equal(ml_node_file(ml_get(item(cs, 1), "image"))->path, "o/p.yaml");
    assert_int_equal(ml_node_loc(ml_get(item(cs, 1), "image")).line, 9);
    assert_string_equal(at(item(cs, 2), "name"), "side");
    /* the patch file and the base are part of the build */
    assert_non_null(ml_map_gets(&r.included, "o/p.yaml"));
    assert_non_null(ml_map_gets(&r.included, "b/d.yaml"));
    assert_non_null(ml_map_gets(&r.included, "b"));
    ml_kust_result_free(&r);
}

/* $patch: delete removes a container; a list of a custom resource is replaced whole. */
static void test_strategic_merge_delete_and_crd_lists(void **state)
{
    (void)state;
    const char *const files[] = {
        "k/kustomization.yaml",
        "resources: [d.yaml, dr.yaml]\npatchesStrategicMerge:\n  - del.yaml\n  - dr-patch.yaml\n",
        "k/d.yaml", DEPLOY,
        "k/del.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - {name: log, $patch: delete}\n",
        "k/dr.yaml",
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n"
        "  subsets:\n    - {name: v1, labels: {version: v1}}\n    - {name: v2, labels: {version: v2}}\n",
        "k/dr-patch.yaml",
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n"
        "  subsets:\n    - {name: v3, labels: {version: v3}}\n",
        NULL};
    ml_kust_result r;
    build(files, "k", &r);
    assert_true(r.ok);
    const ml_node *cs = ml_path(doc(&r, "Deployment", "web"), "spec.template.spec.containers");
    assert_int_equal(ml_node_n(cs), 1);
    assert_string_equal(at(item(cs, 0), "name"), "web");
    const ml_node *subsets = ml_path(doc(&r, "DestinationRule", "r"), "spec.subsets");
    assert_int_equal(ml_node_n(subsets), 1);
    assert_string_equal(at(item(subsets, 0), "name"), "v3");
    assert_string_equal(at(doc(&r, "DestinationRule", "r"), "spec.host"), "r");
    ml_kust_result_free(&r);
}

/* JSON 6902 add, replace, remove (inline literal block: nodes at their lines in the kustomization). */
static void test_json6902(void **state)
{
    (void)state;
    const char *const files[] = {"k/kustomization.yaml",
                                 "resources: [d.yaml]\n"
                                 "patches:\n"
                                 "  - target: {kind: Deployment, name: web}\n"
                                 "    patch: |-\n"
                                 "      - op: add\n"
                                 "        path: /spec/replicas\n"
                                 "        value: 3\n"
                                 "      - op: replace\n"
                                 "        path: /spec/template/spec/containers/0/image\n"
                                 "        value: shop/web:2.0\n"
                                 "      - op: remove\n"
                                 "        path: /spec/template/spec/containers/1\n"
                                 "      - op: add\n"
                                 "        path: /metadata/annotations\n"
                                 "        value: {a~1b: c}\n",
                                 "k/d.yaml", DEPLOY, NULL};
    ml_kust_result r;
    build(files, "k", &r);
    assert_true(r.ok);
    const ml_node *d = doc(&r, "Deployment", "web");
    assert_string_equal(at(d, "spec.replicas"), "3");
    assert_int_equal(ml_node_loc(ml_path(d, "spec.replicas")).line, 7);
    assert_int_equal(ml_node_loc(ml_path(d, "spec.replicas")).col, 16);
    assert_string_equal(ml_node_file(ml_path(d, "spec.replicas"))->path, "k/kustomization.yaml");
    const ml_node *cs = ml_path(d, "spec.template.spec.containers");
    assert_int_equal(ml_node_n(cs), 1);
    assert_string_equal(at(item(cs, 0), "image"), "shop/web:2.0");
    assert_int_equal(ml_node_loc(ml_get(item(cs, 0), "image")).line, 10);
    ml_kust_result_free(&r);
}

/* Children are inline (yaml.h): a node kept across a change must not be a
 * pointer into an array the change rewrites in place. A move whose source
 * array this build already owns (the replace before it) keeps the moved
 * node's header, not a pointer to the slot the removal shifts; a patch by
 * the name the level started with keeps the prefixed name although the
 * metadata it rewrites is an owned copy (namePrefix made it). */
static void test_changes_keep_nodes_by_value(void **state)
{
    (void)state;
    const char *const files[] = {"k/kustomization.yaml",
                                 "namePrefix: p-\n"
                                 "resources: [d.yaml]\n"
                                 "patches:\n"
                                 "  - patch: |-\n"
                                 "      apiVersion: apps/v1\n"
                                 "      kind: Deployment\n"
                                 "      metadata: {name: web}\n"
                                 "      spec: {replicas: 3}\n",
                                 "k/d.yaml", DEPLOY,
                                 "o/kustomization.yaml",
                                 "resources: [../k]\n"
                                 "patches:\n"
                                 "  - target: {kind: Deployment}\n"
                                 "    patch: |-\n"
                                 "      apiVersion: apps/v1\n"
                                 "      kind: Deployment\n"
                                 "      metadata: {name: other}\n"
                                 "      spec: {replicas: 4}\n"
                                 "  - target: {kind: Deployment}\n"
                                 "    patch: |-\n"
                                 "      - op: replace\n"
                                 "        path: /spec/template/spec/containers/0/image\n"
                                 "        value: shop/web:2.0\n"
                                 "      - op: move\n"
                                 "        from: /spec/template/spec/containers/0\n"
                                 "        path: /spec/template/spec/containers/-\n",
                                 NULL};
    ml_kust_result r;
    build(files, "o", &r);
    assert_true(r.ok);
    const ml_node *d = doc(&r, "Deployment", "p-web");
    assert_non_null(d);
    assert_string_equal(at(d, "spec.replicas"), "4");
    const ml_node *cs = ml_path(d, "spec.template.spec.containers");
    assert_int_equal(ml_node_n(cs), 2);
    assert_string_equal(at(item(cs, 0), "name"), "log");
    assert_string_equal(at(item(cs, 1), "name"), "web");
    assert_string_equal(at(item(cs, 1), "image"), "shop/web:2.0");
    ml_kust_result_free(&r);
}

/* A JSON 6902 operation on a missing path fails the build at the operation. */
static void test_json6902_missing_path_fails(void **state)
{
    (void)state;
    const char *const files[] = {"k/kustomization.yaml",
                                 "resources: [d.yaml]\npatchesJson6902:\n  - target: {kind: Deployment, name: web}\n"
                                 "    patch: '[{\"op\": \"replace\", \"path\": \"/spec/nope/x\", \"value\": 1}]'\n",
                                 "k/d.yaml", DEPLOY, NULL};
    ml_kust_result r;
    build(files, "k", &r);
    assert_false(r.ok);
    assert_int_equal(r.docs.n, 0);
    assert_int_equal(r.unlinted.n, 1);
    ml_unlinted *u = r.unlinted.items[0];
    assert_true(u->error);
    assert_int_equal(u->loc.line, 4);
    assert_non_null(strstr(u->what, "/spec/nope/x does not exist"));
    ml_kust_result_free(&r);
}

/* The hash suffix, as kustomize's hasher_test.go computes it. */
static void test_hash_values(void **state)
{
    (void)state;
    assert_string_equal(ml_kust_hash(&A, "ConfigMap", "", NULL, NULL), "6ct58987ht");
    const char *const files[] = {"x.yaml", "one: \"\"\n", "y.yaml", "type: my-type\n", NULL};
    FS.files = files;
    FS.a = &A;
    const char *err;
    ml_file *f = mem_read(&FS, "x.yaml", &err);
    ml_yaml_result yr;
    memset(&yr, 0, sizeof yr);
    ml_yaml_load(&A, f, &yr);
    const ml_node *data = ((ml_doc *)yr.docs.items[0])->root;
    assert_string_equal(ml_kust_hash(&A, "ConfigMap", "", NULL, data), "9g67k2htb6");
    assert_string_equal(ml_kust_hash(&A, "Secret", "", "my-type", NULL), "5gmgkf8578");
    assert_string_equal(ml_kust_hash(&A, "Secret", "", "my-type", data), "74bd68bm66");
    free(f->line_off);
    ml_kust_init(&K, &A, (ml_kust_io){.ud = &FS, .read = mem_read, .kind = mem_kind});
}

/* configMapGenerator: the hash suffix (computed on the final name and data)
 * and the workload's reference follow. Expected value computed by hand:
 * sha256 of {"data":{"LOG":"debug"},"kind":"ConfigMap","name":"settings"}. */
#define GEN_HASH "g6cbm674gk"
static void test_generator(void **state)
{
    (void)state;
    const char *const files[] = {"k/kustomization.yaml",
                                 "resources: [d.yaml]\nconfigMapGenerator:\n  - name: settings\n    literals: [LOG=debug]\n",
                                 "k/d.yaml", DEPLOY, NULL};
    ml_kust_result r;
    build(files, "k", &r);
    assert_true(r.ok);
    const ml_node *cm = NULL;
    ML_VEC_EACH(ml_doc *, d, &r.docs)
        if (ml_streq(ml_str(ml_get(d->root, "kind")), "ConfigMap"))
            cm = d->root;
    assert_non_null(cm);
    assert_string_equal(at(cm, "metadata.name"), "settings-" GEN_HASH);
    assert_string_equal(at(cm, "data.LOG"), "debug");
    const ml_node *d = doc(&r, "Deployment", "web");
    const ml_node *c0 = item(ml_path(d, "spec.template.spec.containers"), 0);
    assert_string_equal(ml_str(ml_path(item(ml_get(c0, "envFrom"), 0), "configMapRef.name")), "settings-" GEN_HASH);
    ml_kust_result_free(&r);
}

/* Components apply to what their includer accumulated; nested bases; a
 * remote resource is a note, not a failure; a cycle fails. */
static void test_components_and_nesting(void **state)
{
    (void)state;
    const char *const files[] = {
        "env/prod/kustomization.yaml",
        "resources: [../../base, https://github.com/x/y//z?ref=v1]\ncomponents: [../../comp]\nnamespace: prod\n",
        "base/kustomization.yaml", "resources: [app]\nnamePrefix: b-\n", "base/app/kustomization.yaml",
        "resources: [svc.yaml]\n", "base/app/svc.yaml", SVC, "comp/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {owner: team}\n", NULL};
    ml_kust_result r;
    build(files, "env/prod", &r);
    assert_true(r.ok);
    assert_int_equal(r.docs.n, 1);
    const ml_node *s = doc(&r, "Service", "b-web");
    assert_non_null(s);
    assert_string_equal(at(s, "metadata.namespace"), "prod");
    assert_string_equal(at(s, "metadata.annotations.owner"), "team");
    assert_int_equal(r.unlinted.n, 1);
    ml_unlinted *u = r.unlinted.items[0];
    assert_false(u->error);
    assert_int_equal(u->kind, ML_UNLINTED_KUSTOMIZE);
    assert_string_equal(u->ns, "prod");
    assert_non_null(strstr(u->what, "remote"));
    ml_kust_result_free(&r);
}

static void test_cycle_fails(void **state)
{
    (void)state;
    const char *const files[] = {"a/kustomization.yaml", "resources: [../b]\n", "b/kustomization.yaml",
                                 "resources: [../a]\n", NULL};
    ml_kust_result r;
    build(files, "a", &r);
    assert_false(r.ok);
    ml_unlinted *u = r.unlinted.items[0];
    assert_true(u->error);
    assert_non_null(strstr(u->what, "cycle"));
    assert_string_equal(u->loc.file->path, "b/kustomization.yaml");
    ml_kust_result_free(&r);
}

/* A base listed twice at each of 12 levels would be built 4096 times: the
 * build is refused past its bound instead. */
static void test_doubling_is_bounded(void **state)
{
    (void)state;
    const char *files[2 * 14 + 1];
    size_t n = 0;
    for (int i = 0; i < 12; i++) {
        files[n++] = ml_printf(&A, "d%d/kustomization.yaml", i);
        files[n++] = ml_printf(&A, "resources: [../d%d, ../d%d]\n", i + 1, i + 1);
    }
    files[n++] = "d12/kustomization.yaml";
    files[n++] = "resources: [s.yaml]\n";
    files[n++] = "d12/s.yaml";
    files[n++] = SVC;
    files[n] = NULL;
    ml_kust_result r;
    build(files, "d0", &r);
    assert_false(r.ok);
    ml_unlinted *u = r.unlinted.items[0];
    assert_non_null(strstr(u->what, "kustomizations in one build"));
    ml_kust_result_free(&r);
}

static void test_path_clean(void **state)
{
    (void)state;
    assert_string_equal(ml_path_clean(&A, "overlays/prod/../../base"), "base");
    assert_string_equal(ml_path_clean(&A, "./a//b/./c/"), "a/b/c");
    assert_string_equal(ml_path_clean(&A, "../x/../y"), "../y");
    assert_string_equal(ml_path_clean(&A, "a/.."), ".");
    assert_string_equal(ml_path_clean(&A, "/a/../.."), "/");
    assert_string_equal(ml_path_clean(&A, ""), ".");
    assert_string_equal(ml_path_clean(&A, "../../a/b/../../.."), "../../..");
    assert_string_equal(ml_path_clean(&A, "a/../../b/./c/.."), "../b");
    assert_string_equal(ml_path_clean(&A, "//x//.../..a/a../"), "/x/.../..a/a..");
    /* the same without the arena, into a buffer of strlen + 2 */
    char buf[32];
    assert_int_equal(ml_path_clean_to(buf, ""), 1);
    assert_string_equal(buf, ".");
    assert_int_equal(ml_path_clean_to(buf, "./overlays//prod/../base/"), 13);
    assert_string_equal(buf, "overlays/base");
    assert_int_equal(ml_path_clean_to(buf, "/.."), 1);
    assert_string_equal(buf, "/");
    ml_kust_init(&K, &A, (ml_kust_io){.ud = &FS, .read = mem_read, .kind = mem_kind});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prefix_and_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strategic_merge_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strategic_merge_delete_and_crd_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json6902, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_keep_nodes_by_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json6902_missing_path_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_components_and_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doubling_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_clean, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
