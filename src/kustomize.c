/*
 * kustomize.c - `kustomize build` in C, for the subset real repositories use.
 *
 * The semantics follow kustomize's own source (kubernetes-sigs/kustomize):
 *
 * - Order of a level (api/internal/target/kusttarget.go, AccumulateTarget, and
 *   kusttarget_configplugin.go): resources (files, directories holding a
 *   kustomization, in the order listed; `bases` is the old spelling), then
 *   components, then generators (ConfigMapGenerator, SecretGenerator), then
 *   the transformers in the fixed order PatchStrategicMerge, Patch,
 *   Namespace, Prefix, Suffix, Label, Annotations, PatchJson6902,
 *   ReplicaCount, ImageTag, Replacement; then name references are fixed
 *   (FixBackReferences).
 * - A component (kind: Component) is applied to the resources its includer
 *   accumulated so far: its resources are added and its transformers see
 *   everything (api/internal/target/kusttarget.go, accumulateComponents).
 * - Field specs: labels/commonLabels go to metadata/labels of every object
 *   and, for commonLabels (or labels with includeSelectors), to the
 *   selectors and pod templates listed in
 *   api/internal/konfig/builtinpluginconsts/commonlabels.go and
 *   metadatalabels.go; `labels` with includeTemplates only adds the
 *   templates. commonAnnotations go to metadata/annotations and pod templates
 *   (commonannotations.go).
 * - Name references (namereference.go): when a ConfigMap, Secret,
 *   ServiceAccount or Service is renamed (prefix, suffix, hash), the fields
 *   that name it in pod specs (volumes, env valueFrom, envFrom,
 *   imagePullSecrets, serviceAccountName), StatefulSet serviceName and
 *   RoleBinding subjects follow. kustomize has no name reference config for
 *   Istio's VirtualService or DestinationRule hosts: a prefixed Service is not
 *   renamed there, and meshlint renders that faithfully.
 * - The namespace transformer sets metadata.namespace on every namespaced
 *   object, replacing one already written (namespace.go fieldspec, no
 *   unsetOnly), and never on cluster-scoped kinds.
 * - Strategic merge (kyaml/yaml/merge2 with the built-in OpenAPI schema):
 *   maps merge, `null` deletes a key, lists of built-in kinds with a merge
 *   key merge by it (containers, initContainers, volumes, env, imagePullSecrets
 *   by name; container ports by containerPort; Service ports by port;
 *   volumeMounts by mountPath), `$patch: delete` on a list item or a whole
 *   object deletes it, `$patch: replace` replaces a map; every other list,
 *   and every list of a custom resource (Istio's included), is replaced
 *   whole.
 * - JSON 6902 (RFC 6902): add, remove, replace, move, copy, test on JSON
 *   pointers with ~0 ~1 escapes and "-" for the end of a list.
 * - Generators and the hash suffix: api/hasher/hasher.go (see ml_kust_hash).
 *
 * Every value keeps the ml_node it came from, so its position is in the base
 * or in the patch that wrote it. Nodes from files are never modified: a
 * change copies the nodes on the path to it (copy on write; `owned` records
 * the copies a build may change in place).
 */
#include "meshlint/kustomize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/model.h"

#define K_MAX_DEPTH 32        /* kustomizations nested deeper than this are refused */
#define K_MAX_RESOURCES 20000 /* objects in one build */
#define K_MAX_OPS 100000      /* patch operations in one build */
#define K_MAX_DIRS 2000       /* kustomizations one build may read (a base listed twice at every level doubles them) */

typedef struct kfile {
    ml_file *f;
    ml_vec docs; /* ml_doc* */
    bool yaml_ok;
    const char *err; /* read error */
} kfile;

typedef struct kres {
    ml_node *root;
    ml_doc *origin;          /* the document it came from (file, lines) */
    const char *level_name;  /* its name when the current level's transformers started */
    const char *level_ns;
    bool hash;               /* generated: gets the content hash suffix */
    bool deleted;
} kres;

typedef struct kb {
    ml_kust *k;
    ml_kust_result *out;
    ml_vec stack; /* directories being built (cycles) */
    unsigned ops;
    unsigned dirs; /* kustomizations built, nested ones counted each time */
    bool failed;
} kb;

/* ---- paths ---------------------------------------------------------------- */

/* One pass over p: out holds the result so far; a ".." drops the last
 * component written unless there is none to drop (then it is kept, or at
 * the root of an absolute path dropped). Components before `fixed` are
 * leading ".." and are never dropped. */
size_t ml_path_clean_to(char *out, const char *p)
{
    bool abs = p[0] == '/';
    size_t o = 0;
    if (abs)
        out[o++] = '/';
    size_t base = o, fixed = o;
    for (const char *s = p; *s;) {
        while (*s == '/')
            s++;
        if (!*s)
            break;
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 1 && s[0] == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (o > fixed) {
                while (o > fixed && out[o - 1] != '/')
                    o--;
                if (o > base)
                    o--; /* the separator before the dropped component */
            } else if (!abs) {
                if (o > base)
                    out[o++] = '/';
                out[o++] = '.';
                out[o++] = '.';
                fixed = o;
            }
        } else {
            if (o > base)
                out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s += len;
    }
    if (!o)
        out[o++] = '.';
    out[o] = '\0';
    return o;
}

const char *ml_path_clean(ml_arena *a, const char *p)
{
    size_t n = strlen(p);
    char small[256];
    char *out = n + 2 <= sizeof small ? small : malloc(n + 2);
    if (!out)
        abort();
    size_t len = ml_path_clean_to(out, p);
    const char *r = len == 1 && out[0] == '.' ? "." : ml_strndup(a, out, len);
    if (out != small)
        free(out);
    return r;
}

static const char *pjoin(ml_arena *a, const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return ml_path_clean(a, rel);
    if (!strcmp(dir, "."))
        return ml_path_clean(a, rel);
    return ml_path_clean(a, ml_printf(a, "%s/%s", dir, rel));
}

static const char *const kfile_names[] = {"kustomization.yaml", "kustomization.yml", "Kustomization"};

bool ml_kust_is_kfile(const char *path)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(s, kfile_names[i]))
            return true;
    return false;
}

const char *ml_kust_file_in(ml_kust *k, const char *dir)
{
    for (size_t i = 0; i < 3; i++) {
        const char *p = pjoin(k->arena, dir, kfile_names[i]);
        if (k->io.kind(k->io.ud, p) == ML_KPATH_FILE)
            return p;
    }
    return NULL;
}

/* ---- setup ---------------------------------------------------------------- */

void ml_kust_init(ml_kust *k, ml_arena *a, ml_kust_io io)
{
    memset(k, 0, sizeof *k);
    k->arena = a;
    k->io = io;
    ml_map_init(&k->files);
    ml_map_init(&k->owned);
}

void ml_kust_free(ml_kust *k)
{
    ml_map_free(&k->files);
    ml_map_free(&k->owned);
}

void ml_kust_result_free(ml_kust_result *r)
{
    ml_map_free(&r->included);
}

static void use_path(kb *b, const char *path)
{
    void **slot = ml_map_slot_for(&b->out->included, path, strlen(path));
    if (!*slot) {
        *slot = (void *)1;
        ml_vec_push(b->k->arena, &b->out->included_v, (void *)path);
    }
}

/* The file at path, read and parsed once per run. */
static kfile *kload(ml_kust *k, const char *path)
{
    void **slot = ml_map_slot_for(&k->files, path, strlen(path));
    if (*slot)
        return *slot;
    kfile *kf = ml_zalloc(k->arena, sizeof *kf);
    *slot = kf;
    const char *err = NULL;
    kf->f = k->io.read(k->io.ud, path, &err);
    if (!kf->f) {
        kf->err = err ? err : "cannot be read";
        return kf;
    }
    ml_vec_push(k->arena, &k->read, kf->f);
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(k->arena, kf->f, &res);
    kf->docs = res.docs;
    kf->yaml_ok = res.errors.n == 0;
    ML_VEC_EACH(ml_yaml_error *, e, &res.errors)
        ml_vec_push(k->arena, &k->yaml_errors, e);
    return kf;
}

/* ---- diagnostics ---------------------------------------------------------- */

static ml_unlinted *unlinted(kb *b, ml_unlinted_kind kind, ml_loc loc, const char *path, const char *what,
                             const char *how)
{
    ml_unlinted *u = ml_zalloc(b->k->arena, sizeof *u);
    u->kind = kind;
    u->loc = loc;
    u->path = path;
    u->what = what;
    u->how = how;
    ml_vec_push(b->k->arena, &b->out->unlinted, u);
    return u;
}

static void fail(kb *b, ml_loc loc, const char *fmt, ...) ML_PRINTF(3, 4);
static void fail(kb *b, ml_loc loc, const char *fmt, ...)
{
    if (b->failed)
        return; /* kustomize stops at the first error; so do we */
    b->failed = true;
    va_list ap;
    va_start(ap, fmt);
    const char *msg = ml_vprintf(b->k->arena, fmt, ap);
    va_end(ap);
    ml_unlinted *u =
        unlinted(b, ML_UNLINTED_KUSTOMIZE, loc, b->out->dir, msg,
                 ml_printf(b->k->arena, "fix the kustomization; `kustomize build %s` fails the same way", b->out->dir));
    u->error = true;
}

static ml_loc file_loc(ml_file *f)
{
    ml_loc l;
    memset(&l, 0, sizeof l);
    l.file = f;
    l.line = l.end_line = 1;
    l.col = l.end_col = 1;
    return l;
}

/* ---- nodes ---------------------------------------------------------------- */

static ml_loc nloc(const ml_node *n)
{
    ml_loc l;
    memset(&l, 0, sizeof l);
    return n ? ml_node_loc(n) : l;
}

/*
 * Children are stored inline (yaml.h): a node pointer below a collection
 * points into its parent's children array, and storing a node into a map or
 * sequence copies its 24-byte header (the children arrays it points to are
 * shared). So copy on write works on the arrays: `owned` records the
 * headers this build allocated alone (own, mk_scalar, mk_coll) and the
 * children arrays it copied or made (at array address + 1, so that an
 * array's address never reads as its first node's). A header may be changed
 * in place when it is owned alone or lives in an owned array; its children
 * when their array is owned (mut_in). A pointer to a node in an array is
 * good until that array is replaced (map_set appending, seq_insert): code
 * below never keeps one across a change of the array holding it.
 */
static bool owned(kb *b, const ml_node *n)
{
    return ml_map_get_ptr(&b->k->owned, n) != NULL;
}

static bool owned_arr(kb *b, const void *arr)
{
    return ml_map_get_ptr(&b->k->owned, (const char *)arr + 1) != NULL;
}

static void own_arr(kb *b, const void *arr)
{
    ml_map_put_ptr(&b->k->owned, b->k->arena, (const char *)arr + 1, (void *)1);
}

static ml_node *own(kb *b, const ml_node *n)
{
    ml_node *c = ml_alloc(b->k->arena, sizeof *c);
    *c = *n;
    ml_map_put_ptr(&b->k->owned, b->k->arena, c, (void *)1);
    return c;
}

/* Make the children of the node at slot (memory this build may write:
 * an owned header or a node in an owned array) changeable in place: copy
 * them when the build did not make them. Returns slot. */
static ml_node *mut_in(kb *b, ml_node *slot)
{
    if (slot->type == ML_NODE_MAP && ml_node_n(slot) && !owned_arr(b, slot->kvs)) {
        ml_pair *p = ml_alloc(b->k->arena, ml_node_n(slot) * sizeof *p);
        memcpy(p, slot->kvs, ml_node_n(slot) * sizeof *p);
        own_arr(b, p);
        slot->kvs = p;
    } else if (slot->type == ML_NODE_SEQ && ml_node_n(slot) && !owned_arr(b, slot->elems)) {
        ml_node *it = ml_alloc(b->k->arena, ml_node_n(slot) * sizeof *it);
        memcpy(it, slot->elems, ml_node_n(slot) * sizeof *it);
        own_arr(b, it);
        slot->elems = it;
    }
    return slot;
}

/* A changeable copy of n (n itself when this build made it alone). The
 * caller stores the copy where n was (copying its header) once it is done
 * changing the header. */
static ml_node *mut(kb *b, ml_node *n)
{
    return mut_in(b, owned(b, n) ? n : own(b, n));
}

static ml_node *mk_scalar(kb *b, const char *s, ml_loc loc, bool quoted)
{
    ml_node *n = ml_zalloc(b->k->arena, sizeof *n);
    n->type = ML_NODE_SCALAR;
    n->style = quoted ? ML_SCALAR_QUOTED : ML_SCALAR_PLAIN;
    ml_node_set_loc(n, loc);
    n->str_ = ml_strdup(b->k->arena, s);
    n->len_ = strlen(s);
    ml_map_put_ptr(&b->k->owned, b->k->arena, n, (void *)1);
    return n;
}

static ml_node *mk_coll(kb *b, ml_node_type t, ml_loc loc)
{
    ml_node *n = ml_zalloc(b->k->arena, sizeof *n);
    n->type = t;
    ml_node_set_loc(n, loc);
    ml_map_put_ptr(&b->k->owned, b->k->arena, n, (void *)1);
    return n;
}

static long pair_index(const ml_node *m, const char *key)
{
    if (!ml_is_map(m))
        return -1;
    for (size_t i = 0; i < ml_node_n(m); i++)
        if (ml_streq(ml_str(&m->kvs[i].key), key))
            return (long)i;
    return -1;
}

/* Set key in the changeable map m (appending when absent) to a copy of
 * value's header. Appending replaces m's pairs: pointers into them go
 * stale. */
static void map_set(kb *b, ml_node *m, const char *key, const ml_node *value, ml_loc keyloc)
{
    long i = pair_index(m, key);
    if (i >= 0) {
        m->kvs[i].value = *value;
        return;
    }
    ml_pair *p = ml_alloc(b->k->arena, (ml_node_n(m) + 1) * sizeof *p);
    if (ml_node_n(m))
        memcpy(p, m->kvs, ml_node_n(m) * sizeof *p);
    p[ml_node_n(m)].key = *mk_scalar(b, key, keyloc, false);
    p[ml_node_n(m)].value = *value;
    own_arr(b, p);
    m->kvs = p;
    m->n_++;
}

static void map_del(ml_node *m, size_t i)
{
    memmove(&m->kvs[i], &m->kvs[i + 1], (ml_node_n(m) - i - 1) * sizeof *m->kvs);
    m->n_--;
}

/* Insert a copy of v's header at `at` in the changeable sequence s (its
 * items are replaced: pointers into them go stale). */
static void seq_insert(kb *b, ml_node *s, size_t at, const ml_node *v)
{
    ml_node *it = ml_alloc(b->k->arena, (ml_node_n(s) + 1) * sizeof *it);
    if (at)
        memcpy(it, s->elems, at * sizeof *it);
    it[at] = *v;
    if (ml_node_n(s) > at)
        memcpy(it + at + 1, s->elems + at, (ml_node_n(s) - at) * sizeof *it);
    own_arr(b, it);
    s->elems = it;
    s->n_++;
}

static void seq_del(ml_node *s, size_t i)
{
    memmove(&s->elems[i], &s->elems[i + 1], (ml_node_n(s) - i - 1) * sizeof *s->elems);
    s->n_--;
}

/* The changeable map at a path of keys under *slot (slot updated to the
 * copy), creating missing maps when create; NULL when a step is not a map.
 * The map returned lives in its parent's pairs. */
static ml_node *mut_path(kb *b, ml_node **slot, const char *const *keys, size_t nkeys, bool create, ml_loc loc)
{
    if (!*slot) {
        if (!create)
            return NULL;
        *slot = mk_coll(b, ML_NODE_MAP, loc);
    }
    if (!ml_is_map(*slot))
        return NULL;
    ml_node *m = mut(b, *slot);
    *slot = m;
    for (size_t i = 0; i < nkeys; i++) {
        long j = pair_index(m, keys[i]);
        if (j < 0 || ml_is_null(&m->kvs[j].value)) {
            if (!create)
                return NULL;
            map_set(b, m, keys[i], mk_coll(b, ML_NODE_MAP, loc), loc);
            j = pair_index(m, keys[i]);
        }
        if (!ml_is_map(&m->kvs[j].value))
            return NULL;
        m = mut_in(b, &m->kvs[j].value);
    }
    return m;
}

/* Split "a/b/c" into keys (arena). */
static size_t split_path(ml_arena *a, const char *path, const char **keys, size_t max)
{
    size_t n = 0;
    for (const char *s = path; *s && n < max;) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        keys[n++] = ml_strndup(a, s, len);
        s += len;
        if (*s == '/')
            s++;
    }
    return n;
}

static const char *res_kind(const kres *r)
{
    return ml_str_nonnull(ml_get(r->root, "kind"));
}

static const char *res_name(const kres *r)
{
    return ml_str_nonnull(ml_path(r->root, "metadata.name"));
}

static const char *res_ns(const kres *r)
{
    return ml_str_nonnull(ml_path(r->root, "metadata.namespace"));
}

/* True when the object's API group is one of Kubernetes' own (the types
 * kustomize has a schema for: strategic merge keys apply to them only). */
static bool builtin_api(const kres *r)
{
    const char *av = ml_str_nonnull(ml_get(r->root, "apiVersion"));
    if (!av)
        return false;
    const char *s = strchr(av, '/');
    if (!s)
        return true; /* "v1": the core group */
    size_t n = (size_t)(s - av);
    static const char *const groups[] = {"apps", "batch", "autoscaling", "policy", "networking.k8s.io",
                                         "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strlen(groups[i]) == n && !strncmp(av, groups[i], n))
            return true;
    return false;
}

static bool is_kind(const kres *r, const char *k)
{
    return ml_streq(res_kind(r), k);
}

/* Where the pod template of a workload is: the path of its metadata's
 * parent ("spec.template"), NULL for kinds without one. Pod: "" (itself). */
static const char *pod_template_path(const kres *r)
{
    const char *k = res_kind(r);
    if (!k)
        return NULL;
    if (!strcmp(k, "Pod"))
        return "";
    if (!strcmp(k, "Deployment") || !strcmp(k, "ReplicaSet") || !strcmp(k, "DaemonSet") ||
        !strcmp(k, "StatefulSet") || !strcmp(k, "Job") || !strcmp(k, "ReplicationController"))
        return "spec/template";
    if (!strcmp(k, "CronJob"))
        return "spec/jobTemplate/spec/template";
    return NULL;
}

/* Kinds without a namespace (the namespace transformer leaves them alone). */
static bool cluster_scoped(const kres *r)
{
    static const char *const kinds[] = {"Namespace",
                                        "ClusterRole",
                                        "ClusterRoleBinding",
                                        "CustomResourceDefinition",
                                        "PersistentVolume",
                                        "StorageClass",
                                        "PriorityClass",
                                        "IngressClass",
                                        "MutatingWebhookConfiguration",
                                        "ValidatingWebhookConfiguration",
                                        "APIService",
                                        "Node",
                                        "RuntimeClass",
                                        "ClusterIssuer"};
    const char *k = res_kind(r);
    for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

/* ---- strategic merge ------------------------------------------------------ */

/* The merge key of a list field of a built-in kind, or NULL (replace). */
static const char *merge_key(const char *field, const char *parent_field)
{
    if (!field)
        return NULL;
    if (!strcmp(field, "containers") || !strcmp(field, "initContainers") || !strcmp(field, "ephemeralContainers") ||
        !strcmp(field, "volumes") || !strcmp(field, "env") || !strcmp(field, "imagePullSecrets"))
        return "name";
    if (!strcmp(field, "volumeMounts"))
        return "mountPath";
    if (!strcmp(field, "ports"))
        return parent_field && !strcmp(parent_field, "spec") ? "port" : "containerPort";
    if (!strcmp(field, "hostAliases"))
        return "ip";
    return NULL;
}

static bool is_directive(const ml_node *k)
{
    const char *s = ml_str(k);
    return s && s[0] == '$';
}

static const char *patch_directive(const ml_node *m)
{
    return ml_str_nonnull(ml_get(m, "$patch"));
}

/* A patch value without its $ directives (owned copy when it had some). */
static ml_node *strip(kb *b, ml_node *v)
{
    if (ml_is_map(v)) {
        bool any = false;
        for (size_t i = 0; i < ml_node_n(v); i++)
            any |= is_directive(&v->kvs[i].key);
        ml_node *c = v;
        if (any) {
            c = own(b, v);
            c->kvs = ml_alloc(b->k->arena, (ml_node_n(v) ? ml_node_n(v) : 1) * sizeof *c->kvs);
            own_arr(b, c->kvs);
            c->n_ = 0;
            for (size_t i = 0; i < ml_node_n(v); i++)
                if (!is_directive(&v->kvs[i].key))
                    c->kvs[c->n_++] = v->kvs[i];
        }
        for (size_t i = 0; i < ml_node_n(c); i++) {
            ml_node *s = strip(b, &c->kvs[i].value);
            if (s != &c->kvs[i].value) {
                if (c == v)
                    c = mut(b, v);
                c->kvs[i].value = *s;
            }
        }
        return c;
    }
    if (ml_is_seq(v)) {
        ml_node *c = v;
        for (size_t i = 0; i < ml_node_n(v); i++) {
            if (ml_is_map(&v->elems[i]) && ml_streq(patch_directive(&v->elems[i]), "delete")) {
                continue;
            }
            ml_node *s = strip(b, &v->elems[i]);
            if (s != &v->elems[i]) {
                if (c == v)
                    c = mut(b, v);
                c->elems[i] = *s;
            }
        }
        return c;
    }
    return v;
}

static ml_node *smp(kb *b, ml_node *base, ml_node *patch, bool builtin, const char *field, const char *parent);

static ml_node *smp_list(kb *b, ml_node *base, ml_node *patch, bool builtin, const char *field, const char *parent)
{
    const char *key = builtin ? merge_key(field, parent) : NULL;
    if (!key || !ml_is_seq(base)) {
        /* replaced whole, `$patch: delete` items dropped */
        ml_node *c = mk_coll(b, ML_NODE_SEQ, ml_node_loc(patch));
        for (size_t i = 0; i < ml_node_n(patch); i++) {
            ml_node *it = &patch->elems[i];
            if (ml_is_map(it) && patch_directive(it))
                continue;
            seq_insert(b, c, ml_node_n(c), strip(b, it));
        }
        return c;
    }
    ml_node *out = mut(b, base);
    for (size_t i = 0; i < ml_node_n(patch) && b->ops++ < K_MAX_OPS; i++) {
        ml_node *it = &patch->elems[i];
        const char *kv = ml_str_nonnull(ml_get(it, key));
        long at = -1;
        for (size_t j = 0; kv && j < ml_node_n(out); j++)
            if (ml_streq(ml_str_nonnull(ml_get(&out->elems[j], key)), kv)) {
                at = (long)j;
                break;
            }
        const char *dir = ml_is_map(it) ? patch_directive(it) : NULL;
        if (dir && !strcmp(dir, "delete")) {
            if (at >= 0)
                seq_del(out, (size_t)at);
            continue;
        }
        if (at >= 0)
            out->elems[at] = *smp(b, &out->elems[at], it, builtin, NULL, field);
        else
            seq_insert(b, out, ml_node_n(out), strip(b, it));
    }
    return out;
}

/* Strategic merge of patch into base (both maps at the top). */
static ml_node *smp(kb *b, ml_node *base, ml_node *patch, bool builtin, const char *field, const char *parent)
{
    if (!ml_is_map(patch) || !ml_is_map(base)) {
        if (ml_is_seq(patch))
            return smp_list(b, base, patch, builtin, field, parent);
        /* a value the patch repeats unchanged keeps its place in the base */
        if (ml_is_scalar(patch) && ml_is_scalar(base) && ml_streq(ml_str(patch), ml_str(base)))
            return base;
        return strip(b, patch);
    }
    const char *dir = patch_directive(patch);
    if (dir && !strcmp(dir, "replace"))
        return strip(b, patch);
    ml_node *out = mut(b, base);
    for (size_t i = 0; i < ml_node_n(patch) && b->ops++ < K_MAX_OPS; i++) {
        ml_pair *p = &patch->kvs[i];
        if (is_directive(&p->key))
            continue;
        const char *key = ml_str(&p->key);
        if (!key)
            continue;
        long j = pair_index(out, key);
        if (ml_is_null(&p->value)) { /* null deletes the field */
            if (j >= 0)
                map_del(out, (size_t)j);
            continue;
        }
        if (ml_is_map(&p->value) && ml_streq(patch_directive(&p->value), "delete")) {
            if (j >= 0)
                map_del(out, (size_t)j);
            continue;
        }
        if (j < 0) {
            ml_pair *np = ml_alloc(b->k->arena, (ml_node_n(out) + 1) * sizeof *np);
            if (ml_node_n(out))
                memcpy(np, out->kvs, ml_node_n(out) * sizeof *np);
            np[ml_node_n(out)].key = p->key;
            np[ml_node_n(out)].value = *strip(b, &p->value);
            own_arr(b, np);
            out->kvs = np;
            out->n_++;
        } else
            out->kvs[j].value = *smp(b, &out->kvs[j].value, &p->value, builtin, key, field);
    }
    return out;
}

/* ---- JSON 6902 -------------------------------------------------------------- */

static const char *jp_unescape(ml_arena *a, const char *s, size_t len)
{
    char *o = ml_alloc(a, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '~' && i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1')) {
            o[n++] = s[i + 1] == '0' ? '~' : '/';
            i++;
        } else
            o[n++] = s[i];
    }
    o[n] = 0;
    return o;
}

static size_t jp_split(ml_arena *a, const char *ptr, const char ***out)
{
    size_t cnt = 0;
    for (const char *s = ptr; *s; s++)
        cnt += *s == '/';
    const char **t = ml_alloc(a, (cnt + 1) * sizeof *t);
    size_t n = 0;
    if (*ptr == '/')
        ptr++;
    else if (*ptr)
        return (size_t)-1;
    while (cnt && n < cnt) {
        const char *e = strchr(ptr, '/');
        size_t len = e ? (size_t)(e - ptr) : strlen(ptr);
        t[n++] = jp_unescape(a, ptr, len);
        ptr += len + (e ? 1 : 0);
    }
    *out = t;
    return n;
}

static bool jp_index(const char *tok, size_t n, bool allow_end, size_t *out)
{
    if (allow_end && !strcmp(tok, "-")) {
        *out = n;
        return true;
    }
    if (!*tok || (tok[0] == '0' && tok[1]))
        return false;
    size_t v = 0;
    for (const char *s = tok; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return v <= n;
}

static ml_node *jp_get(ml_node *n, const char **t, size_t nt)
{
    for (size_t i = 0; i < nt && n; i++) {
        if (ml_is_map(n))
            n = ml_get(n, t[i]);
        else if (ml_is_seq(n)) {
            size_t ix;
            if (!jp_index(t[i], ml_node_n(n), false, &ix) || ix >= ml_node_n(n))
                return NULL;
            n = &n->elems[ix];
        } else
            return NULL;
    }
    return n;
}

typedef enum { JP_ADD, JP_REMOVE, JP_REPLACE } jp_op;

/* Apply op at t[0..nt) at the node *slot, which this build may change
 * (copying the children on the way). false: the path does not exist
 * (kustomize fails the build then). */
static bool jp_apply(kb *b, ml_node *slot, const char **t, size_t nt, jp_op op, const ml_node *value)
{
    if (nt == 0) {
        if (op == JP_REMOVE)
            return false;
        *slot = *value;
        return true;
    }
    ml_node *n = slot;
    if (ml_is_map(n)) {
        long j = pair_index(n, t[0]);
        if (nt == 1) {
            mut_in(b, n);
            if (op == JP_ADD) {
                map_set(b, n, t[0], value, ml_node_loc(value));
                if (j < 0)
                    ml_node_set_loc(&n->kvs[ml_node_n(n) - 1].key, ml_node_loc(value));
                return true;
            }
            if (j < 0)
                return false;
            if (op == JP_REMOVE)
                map_del(n, (size_t)j);
            else
                n->kvs[j].value = *value;
            return true;
        }
        if (j < 0)
            return false;
        mut_in(b, n);
        return jp_apply(b, &n->kvs[j].value, t + 1, nt - 1, op, value);
    }
    if (ml_is_seq(n)) {
        size_t ix;
        if (!jp_index(t[0], ml_node_n(n), nt == 1 && op == JP_ADD, &ix))
            return false;
        if (nt == 1) {
            mut_in(b, n);
            if (op == JP_ADD) {
                seq_insert(b, n, ix, value);
                return true;
            }
            if (ix >= ml_node_n(n))
                return false;
            if (op == JP_REMOVE)
                seq_del(n, ix);
            else
                n->elems[ix] = *value;
            return true;
        }
        if (ix >= ml_node_n(n))
            return false;
        mut_in(b, n);
        return jp_apply(b, &n->elems[ix], t + 1, nt - 1, op, value);
    }
    return false;
}

/* jp_apply on r's root: the root is copied first (an owned header), as
 * every change below it changes it. */
static bool jp_apply_root(kb *b, kres *r, const char **t, size_t nt, jp_op op, const ml_node *value)
{
    if (!r->root) {
        if (nt || op == JP_REMOVE)
            return false;
        r->root = own(b, value);
        return true;
    }
    r->root = owned(b, r->root) ? r->root : own(b, r->root);
    return jp_apply(b, r->root, t, nt, op, value);
}

/* Apply a list of JSON 6902 operations to r. */
static void json6902(kb *b, kres *r, const ml_node *ops)
{
    if (!ml_is_seq(ops)) {
        fail(b, nloc(ops), "a JSON 6902 patch must be a list of operations");
        return;
    }
    for (size_t i = 0; i < ml_node_n(ops) && !b->failed; i++) {
        const ml_node *o = &ops->elems[i];
        const char *op = ml_str_nonnull(ml_get(o, "op"));
        const char *path = ml_str_nonnull(ml_get(o, "path"));
        ml_node *value = ml_get(o, "value");
        if (b->ops++ > K_MAX_OPS) {
            fail(b, nloc(o), "more than %d patch operations in one build; not rendered", K_MAX_OPS);
            return;
        }
        if (!op || !path) {
            fail(b, nloc(o), "a JSON 6902 operation needs `op` and `path`");
            return;
        }
        const char **t;
        size_t nt = jp_split(b->k->arena, path, &t);
        if (nt == (size_t)-1) {
            fail(b, nloc(ml_get(o, "path")), "`%s` is not a JSON pointer (it must start with /)", path);
            return;
        }
        bool ok = true;
        if (!strcmp(op, "add") || !strcmp(op, "replace")) {
            if (!value) {
                fail(b, nloc(o), "JSON 6902 `%s` needs a `value`", op);
                return;
            }
            ok = jp_apply_root(b, r, t, nt, !strcmp(op, "add") ? JP_ADD : JP_REPLACE, value);
        } else if (!strcmp(op, "remove")) {
            ok = jp_apply_root(b, r, t, nt, JP_REMOVE, NULL);
        } else if (!strcmp(op, "move") || !strcmp(op, "copy")) {
            const char *from = ml_str_nonnull(ml_get(o, "from"));
            const char **ft;
            size_t nf = from ? jp_split(b->k->arena, from, &ft) : (size_t)-1;
            ml_node *v = nf == (size_t)-1 ? NULL : jp_get(r->root, ft, nf);
            /* v may be in an array the removal shifts: keep its header */
            ml_node vh;
            memset(&vh, 0, sizeof vh);
            if (v)
                vh = *v;
            ok = v != NULL;
            if (ok && !strcmp(op, "move"))
                ok = jp_apply_root(b, r, ft, nf, JP_REMOVE, NULL);
            if (ok)
                ok = jp_apply_root(b, r, t, nt, JP_ADD, &vh);
        } else if (!strcmp(op, "test")) {
            ml_node *v = jp_get(r->root, t, nt);
            ok = v && value && ml_is_scalar(v) && ml_is_scalar(value) && ml_streq(ml_str(v), ml_str(value));
            if (!ok) {
                fail(b, nloc(o), "JSON 6902 test failed at %s", path);
                return;
            }
        } else {
            fail(b, nloc(ml_get(o, "op")), "unknown JSON 6902 operation `%s`", op);
            return;
        }
        if (!ok) {
            fail(b, nloc(ml_get(o, "path")), "JSON 6902 `%s`: %s does not exist in %s %s", op, path,
                 res_kind(r) ? res_kind(r) : "?", res_name(r) ? res_name(r) : "?");
            return;
        }
    }
}

/* ---- target selection ----------------------------------------------------- */

/* An equality-based label selector ("a=b,c!=d,e,!f") against labels. */
static bool label_selector_matches(const char *sel, const ml_node *labels)
{
    char buf[1024];
    size_t n = strlen(sel);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, sel, n + 1);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        char *e = t + strlen(t);
        while (e > t && e[-1] == ' ')
            *--e = 0;
        char *ne = strstr(t, "!=");
        char *eq = strchr(t, '=');
        if (ne) {
            *ne = 0;
            const char *v = ml_label(labels, t);
            if (v && !strcmp(v, ne + 2))
                return false;
        } else if (eq) {
            *eq = 0;
            const char *want = eq[1] == '=' ? eq + 2 : eq + 1;
            const char *v = ml_label(labels, t);
            if (!v || strcmp(v, want))
                return false;
        } else if (*t == '!') {
            if (ml_label(labels, t + 1))
                return false;
        } else if (!ml_label(labels, t))
            return false;
    }
    return true;
}

static bool target_matches(const ml_node *tg, const kres *r)
{
    const char *kind = ml_str_nonnull(ml_get(tg, "kind"));
    const char *name = ml_str_nonnull(ml_get(tg, "name"));
    const char *ns = ml_str_nonnull(ml_get(tg, "namespace"));
    const char *group = ml_str_nonnull(ml_get(tg, "group"));
    const char *version = ml_str_nonnull(ml_get(tg, "version"));
    const char *ls = ml_str_nonnull(ml_get(tg, "labelSelector"));
    const char *as = ml_str_nonnull(ml_get(tg, "annotationSelector"));
    if (kind && !ml_streq(kind, res_kind(r)))
        return false;
    if (name && !ml_streq(name, res_name(r)))
        return false;
    if (ns && !ml_streq(ns, res_ns(r) ? res_ns(r) : "default"))
        return false;
    const char *av = ml_str_nonnull(ml_get(r->root, "apiVersion"));
    if (av && (group || version)) {
        const char *sl = strchr(av, '/');
        size_t gl = sl ? (size_t)(sl - av) : 0;
        const char *v = sl ? sl + 1 : av;
        if (group && (strlen(group) != gl || strncmp(group, av, gl)))
            return false;
        if (version && strcmp(version, v))
            return false;
    }
    if (ls && !label_selector_matches(ls, ml_path(r->root, "metadata.labels")))
        return false;
    if (as && !label_selector_matches(as, ml_path(r->root, "metadata.annotations")))
        return false;
    return true;
}

/* ---- transformers ----------------------------------------------------------- */

static void set_namespace(kb *b, ml_vec *acc, const ml_node *nsnode)
{
    const char *ns = ml_str_nonnull(nsnode);
    if (!ns)
        return;
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted || cluster_scoped(r))
            continue;
        const char *k[] = {"metadata"};
        ml_node *md = mut_path(b, &r->root, k, 1, true, ml_node_loc(nsnode));
        if (md && !ml_streq(res_ns(r), ns))
            map_set(b, md, "namespace", mk_scalar(b, ns, ml_node_loc(nsnode), false), ml_node_loc(nsnode));
    }
}

static void prefix_suffix(kb *b, ml_vec *acc, const ml_node *pre, const ml_node *suf)
{
    const char *p = ml_str_nonnull(pre), *s = ml_str_nonnull(suf);
    if (!p && !s)
        return;
    ml_loc loc = pre ? ml_node_loc(pre) : ml_node_loc(suf);
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted || is_kind(r, "Namespace") || is_kind(r, "CustomResourceDefinition") ||
            is_kind(r, "APIService"))
            continue;
        const char *name = res_name(r);
        if (!name)
            continue;
        const char *k[] = {"metadata"};
        ml_node *md = mut_path(b, &r->root, k, 1, false, loc);
        if (md)
            map_set(b, md, "name", mk_scalar(b, ml_printf(b->k->arena, "%s%s%s", p ? p : "", name, s ? s : ""), loc, false),
                    loc);
    }
}

/* Add every pair of `pairs` to the map at path under r (created when create). */
static void add_pairs(kb *b, kres *r, const char *path, const ml_node *pairs, bool create, ml_loc loc)
{
    const char *keys[16];
    size_t nk = split_path(b->k->arena, path, keys, 16);
    ml_node *saved = r->root;
    ml_node *m = mut_path(b, &r->root, keys, nk, create, loc);
    if (!m) {
        r->root = saved;
        return;
    }
    for (size_t i = 0; i < ml_node_n(pairs); i++) {
        const char *k = ml_str(&pairs->kvs[i].key);
        const char *v = ml_str(&pairs->kvs[i].value);
        if (!k || !v)
            continue;
        long j = pair_index(m, k);
        if (j >= 0 && ml_streq(ml_str(&m->kvs[j].value), v))
            continue;
        map_set(b, m, k, mk_scalar(b, v, ml_node_loc(&pairs->kvs[i].value), true), ml_node_loc(&pairs->kvs[i].key));
    }
}

/* Selector field specs of commonlabels.go: (kind, path, create). */
static const struct {
    const char *kind, *path;
    bool create;
} selector_specs[] = {
    {"Service", "spec/selector", true},
    {"ReplicationController", "spec/selector", true},
    {"Deployment", "spec/selector/matchLabels", true},
    {"ReplicaSet", "spec/selector/matchLabels", true},
    {"DaemonSet", "spec/selector/matchLabels", true},
    {"StatefulSet", "spec/selector/matchLabels", true},
    {"Job", "spec/selector/matchLabels", false},
    {"CronJob", "spec/jobTemplate/spec/selector/matchLabels", false},
    {"PodDisruptionBudget", "spec/selector/matchLabels", false},
    {"NetworkPolicy", "spec/podSelector/matchLabels", false},
};

static void add_labels(kb *b, ml_vec *acc, const ml_node *pairs, bool selectors, bool templates)
{
    if (!ml_is_map(pairs) || !ml_node_n(pairs))
        return;
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted)
            continue;
        add_pairs(b, r, "metadata/labels", pairs, true, ml_node_loc(pairs));
        const char *tp = pod_template_path(r);
        if (templates && tp && *tp)
            add_pairs(b, r, ml_printf(b->k->arena, "%s/metadata/labels", tp), pairs, true, ml_node_loc(pairs));
        if (templates && is_kind(r, "CronJob"))
            add_pairs(b, r, "spec/jobTemplate/metadata/labels", pairs, true, ml_node_loc(pairs));
        if (!selectors)
            continue;
        for (size_t i = 0; i < sizeof selector_specs / sizeof selector_specs[0]; i++)
            if (is_kind(r, selector_specs[i].kind) && builtin_api(r))
                add_pairs(b, r, selector_specs[i].path, pairs, selector_specs[i].create, ml_node_loc(pairs));
    }
}

static void add_annotations(kb *b, ml_vec *acc, const ml_node *pairs)
{
    if (!ml_is_map(pairs) || !ml_node_n(pairs))
        return;
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted)
            continue;
        add_pairs(b, r, "metadata/annotations", pairs, true, ml_node_loc(pairs));
        const char *tp = pod_template_path(r);
        if (tp && *tp)
            add_pairs(b, r, ml_printf(b->k->arena, "%s/metadata/annotations", tp), pairs, true, ml_node_loc(pairs));
    }
}

/* The pod spec of r, changeable (NULL when r has none). */
static ml_node *mut_pod_spec(kb *b, kres *r, ml_loc loc)
{
    const char *tp = pod_template_path(r);
    if (!tp)
        return NULL;
    const char *keys[8];
    size_t nk = split_path(b->k->arena, *tp ? ml_printf(b->k->arena, "%s/spec", tp) : "spec", keys, 8);
    ml_node *saved = r->root;
    ml_node *ps = mut_path(b, &r->root, keys, nk, false, loc);
    if (!ps)
        r->root = saved;
    return ps;
}

static const ml_node *pod_spec(const kres *r)
{
    const char *tp = pod_template_path(r);
    if (!tp)
        return NULL;
    const ml_node *n = r->root;
    const char *p = *tp ? tp : NULL;
    char buf[64];
    if (p) {
        snprintf(buf, sizeof buf, "%s", p);
        for (char *save = NULL, *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save))
            n = ml_get(n, t);
    }
    return ml_get(n, "spec");
}

static void images(kb *b, ml_vec *acc, const ml_node *list)
{
    if (!ml_is_seq(list))
        return;
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted || !pod_spec(r))
            continue;
        static const char *const lists[] = {"containers", "initContainers"};
        for (size_t l = 0; l < 2; l++) {
            const ml_node *cs = ml_get(pod_spec(r), lists[l]);
            for (size_t i = 0; ml_is_seq(cs) && i < ml_node_n(cs); i++) {
                const char *img = ml_str_nonnull(ml_get(&cs->elems[i], "image"));
                if (!img)
                    continue;
                /* name[:tag][@digest]; a ':' after the last '/' starts the tag */
                const char *at = strchr(img, '@');
                const char *slash = strrchr(img, '/');
                const char *colon = strrchr(img, ':');
                if (colon && slash && colon < slash)
                    colon = NULL;
                if (at && colon && colon > at)
                    colon = NULL;
                size_t nl = colon ? (size_t)(colon - img) : at ? (size_t)(at - img) : strlen(img);
                const char *iname = ml_strndup(b->k->arena, img, nl);
                const char *tag = colon ? ml_strndup(b->k->arena, colon + 1, at ? (size_t)(at - colon - 1) : strlen(colon + 1))
                                        : NULL;
                const char *digest = at ? at + 1 : NULL;
                for (size_t j = 0; j < ml_node_n(list); j++) {
                    const ml_node *e = &list->elems[j];
                    if (!ml_streq(ml_str_nonnull(ml_get(e, "name")), iname))
                        continue;
                    const char *nn = ml_str_nonnull(ml_get(e, "newName"));
                    const char *nt = ml_str_nonnull(ml_get(e, "newTag"));
                    const char *dg = ml_str_nonnull(ml_get(e, "digest"));
                    const char *nm = nn ? nn : iname;
                    const char *v;
                    if (dg)
                        v = ml_printf(b->k->arena, "%s@%s", nm, dg);
                    else if (nt)
                        v = ml_printf(b->k->arena, "%s:%s", nm, nt);
                    else
                        v = ml_printf(b->k->arena, "%s%s%s%s%s", nm, tag ? ":" : "", tag ? tag : "",
                                      digest ? "@" : "", digest ? digest : "");
                    ml_node *ps = mut_pod_spec(b, r, ml_node_loc(e));
                    long li = pair_index(ps, lists[l]);
                    if (!ps || li < 0)
                        break;
                    ml_node *seq = mut_in(b, &ps->kvs[li].value);
                    ml_node *c = mut_in(b, &seq->elems[i]);
                    map_set(b, c, "image", mk_scalar(b, v, ml_node_loc(e), false), ml_node_loc(e));
                    break;
                }
            }
        }
    }
}

static void replicas(kb *b, ml_vec *acc, const ml_node *list)
{
    if (!ml_is_seq(list))
        return;
    for (size_t j = 0; j < ml_node_n(list); j++) {
        const ml_node *e = &list->elems[j];
        const char *name = ml_str_nonnull(ml_get(e, "name"));
        const ml_node *count = ml_get(e, "count");
        if (!name || !ml_is_scalar(count))
            continue;
        ML_VEC_EACH(kres *, r, acc) {
            if (r->deleted || !ml_streq(res_name(r), name))
                continue;
            if (!is_kind(r, "Deployment") && !is_kind(r, "ReplicaSet") && !is_kind(r, "StatefulSet") &&
                !is_kind(r, "ReplicationController"))
                continue;
            const char *k[] = {"spec"};
            ml_node *sp = mut_path(b, &r->root, k, 1, true, ml_node_loc(count));
            if (sp)
                map_set(b, sp, "replicas", (ml_node *)count, ml_node_loc(count));
        }
    }
}

/* ---- name references (namereference.go) ------------------------------------ */

static void fix_ref(kb *b, ml_node *holder, const char *key, const char *old, const char *new_name, const ml_loc *why)
{
    (void)why;
    long j = pair_index(holder, key);
    if (j < 0 || !ml_streq(ml_str(&holder->kvs[j].value), old))
        return;
    holder->kvs[j].value = *mk_scalar(b, new_name, ml_node_loc(&holder->kvs[j].value), false);
}

/* In the changeable seq under m[key], each item changeable. */
static ml_node *mut_seq(kb *b, ml_node *m, const char *key)
{
    long j = pair_index(m, key);
    if (j < 0 || !ml_is_seq(&m->kvs[j].value))
        return NULL;
    ml_node *s = mut_in(b, &m->kvs[j].value);
    for (size_t i = 0; i < ml_node_n(s); i++)
        if (ml_is_map(&s->elems[i]))
            mut_in(b, &s->elems[i]);
    return s;
}

static ml_node *mut_child(kb *b, ml_node *m, const char *key)
{
    long j = pair_index(m, key);
    if (j < 0 || !ml_is_map(&m->kvs[j].value))
        return NULL;
    return mut_in(b, &m->kvs[j].value);
}

static bool refers_in_pod(const ml_node *ps, const char *kind, const char *old);

static void rename_in_pod(kb *b, kres *r, const char *kind, const char *old, const char *nw)
{
    if (!refers_in_pod(pod_spec(r), kind, old))
        return;
    ml_node *ps = mut_pod_spec(b, r, ml_node_loc(r->root));
    if (!ps)
        return;
    bool cm = !strcmp(kind, "ConfigMap"), sec = !strcmp(kind, "Secret");
    if (!strcmp(kind, "ServiceAccount")) {
        fix_ref(b, ps, "serviceAccountName", old, nw, NULL);
        fix_ref(b, ps, "serviceAccount", old, nw, NULL);
        return;
    }
    ml_node *vols = mut_seq(b, ps, "volumes");
    for (size_t i = 0; vols && i < ml_node_n(vols); i++) {
        ml_node *v = &vols->elems[i];
        if (!ml_is_map(v))
            continue;
        ml_node *c = mut_child(b, v, cm ? "configMap" : "secret");
        if (c)
            fix_ref(b, c, cm ? "name" : "secretName", old, nw, NULL);
        ml_node *pj = mut_child(b, v, "projected");
        ml_node *srcs = pj ? mut_seq(b, pj, "sources") : NULL;
        for (size_t s = 0; srcs && s < ml_node_n(srcs); s++) {
            ml_node *x = ml_is_map(&srcs->elems[s]) ? mut_child(b, &srcs->elems[s], cm ? "configMap" : "secret") : NULL;
            if (x)
                fix_ref(b, x, "name", old, nw, NULL);
        }
    }
    if (sec) {
        ml_node *ips = mut_seq(b, ps, "imagePullSecrets");
        for (size_t i = 0; ips && i < ml_node_n(ips); i++)
            if (ml_is_map(&ips->elems[i]))
                fix_ref(b, &ips->elems[i], "name", old, nw, NULL);
    }
    static const char *const lists[] = {"containers", "initContainers"};
    for (size_t l = 0; l < 2; l++) {
        ml_node *cs = mut_seq(b, ps, lists[l]);
        for (size_t i = 0; cs && i < ml_node_n(cs); i++) {
            ml_node *c = &cs->elems[i];
            if (!ml_is_map(c))
                continue;
            ml_node *env = mut_seq(b, c, "env");
            for (size_t e = 0; env && e < ml_node_n(env); e++) {
                ml_node *vf = ml_is_map(&env->elems[e]) ? mut_child(b, &env->elems[e], "valueFrom") : NULL;
                ml_node *ref = vf ? mut_child(b, vf, cm ? "configMapKeyRef" : "secretKeyRef") : NULL;
                if (ref)
                    fix_ref(b, ref, "name", old, nw, NULL);
            }
            ml_node *ef = mut_seq(b, c, "envFrom");
            for (size_t e = 0; ef && e < ml_node_n(ef); e++) {
                ml_node *ref = ml_is_map(&ef->elems[e]) ? mut_child(b, &ef->elems[e], cm ? "configMapRef" : "secretRef") : NULL;
                if (ref)
                    fix_ref(b, ref, "name", old, nw, NULL);
            }
        }
    }
}

/* Cheap test first, so that unrelated pods are not copied. */
static bool refers_in_pod(const ml_node *ps, const char *kind, const char *old)
{
    if (!ps)
        return false;
    /* any scalar equal to old anywhere in the pod spec */
    if (ml_is_scalar(ps))
        return ml_streq(ml_str(ps), old);
    if (ml_is_map(ps)) {
        for (size_t i = 0; i < ml_node_n(ps); i++)
            if (refers_in_pod(&ps->kvs[i].value, kind, old))
                return true;
    } else if (ml_is_seq(ps)) {
        for (size_t i = 0; i < ml_node_n(ps); i++)
            if (refers_in_pod(&ps->elems[i], kind, old))
                return true;
    }
    return false;
}

/* After a level's transformers: references to renamed objects follow. */
static void fix_back_references(kb *b, ml_vec *acc)
{
    ML_VEC_EACH(kres *, t, acc) {
        if (t->deleted || !t->level_name)
            continue;
        const char *nw = res_name(t);
        if (!nw || !strcmp(nw, t->level_name))
            continue;
        const char *kind = res_kind(t);
        bool podref = ml_streq(kind, "ConfigMap") || ml_streq(kind, "Secret") || ml_streq(kind, "ServiceAccount");
        bool svc = ml_streq(kind, "Service");
        if (!podref && !svc)
            continue;
        ML_VEC_EACH(kres *, r, acc) {
            if (r->deleted || r == t)
                continue;
            /* referrer and referral in the same namespace (as it was named
             * when the level started: the namespace transformer moved both) */
            if (!ml_streq(r->level_ns, t->level_ns) && !ml_streq(res_ns(r), res_ns(t)))
                continue;
            if (podref)
                rename_in_pod(b, r, kind, t->level_name, nw);
            if (svc && is_kind(r, "StatefulSet")) {
                const char *k[] = {"spec"};
                ml_node *saved = r->root;
                ml_node *sp = ml_streq(ml_str_nonnull(ml_path(r->root, "spec.serviceName")), t->level_name)
                                  ? mut_path(b, &r->root, k, 1, false, ml_node_loc(r->root))
                                  : NULL;
                if (sp)
                    fix_ref(b, sp, "serviceName", t->level_name, nw, NULL);
                else
                    r->root = saved;
            }
            if (ml_streq(kind, "ServiceAccount") && (is_kind(r, "RoleBinding") || is_kind(r, "ClusterRoleBinding"))) {
                ml_node *root = mut(b, r->root);
                r->root = root;
                ml_node *subj = mut_seq(b, root, "subjects");
                for (size_t i = 0; subj && i < ml_node_n(subj); i++)
                    if (ml_is_map(&subj->elems[i]) && ml_streq(ml_str(ml_get(&subj->elems[i], "kind")), "ServiceAccount"))
                        fix_ref(b, &subj->elems[i], "name", t->level_name, nw, NULL);
            }
        }
    }
}

/* ---- loading resources and patches ------------------------------------------ */

static void fix_locs(ml_node *n, const ml_file *f, unsigned depth)
{
    if (!n || depth > ML_YAML_MAX_DEPTH || ml_node_file(n) == f)
        return;
    n->file = ml_file_id((ml_file *)f);
    if (n->type == ML_NODE_MAP)
        for (size_t i = 0; i < ml_node_n(n); i++) {
            fix_locs(&n->kvs[i].key, f, depth + 1);
            fix_locs(&n->kvs[i].value, f, depth + 1);
        }
    else if (n->type == ML_NODE_SEQ)
        for (size_t i = 0; i < ml_node_n(n); i++)
            fix_locs(&n->elems[i], f, depth + 1);
}

static void set_locs(ml_node *n, ml_loc loc, unsigned depth)
{
    if (!n || depth > ML_YAML_MAX_DEPTH)
        return;
    ml_node_set_loc(n, loc);
    if (n->type == ML_NODE_MAP)
        for (size_t i = 0; i < ml_node_n(n); i++) {
            set_locs(&n->kvs[i].key, loc, depth + 1);
            set_locs(&n->kvs[i].value, loc, depth + 1);
        }
    else if (n->type == ML_NODE_SEQ)
        for (size_t i = 0; i < ml_node_n(n); i++)
            set_locs(&n->elems[i], loc, depth + 1);
}

/* The documents of an inline patch (a string in the kustomization). A
 * literal block scalar (`patch: |`) is parsed where it stands: the file's
 * bytes outside the block are blanked, so every node keeps its own line
 * and column in the kustomization. Any other string is parsed alone and
 * its nodes are placed at the string. */
static ml_vec parse_inline(kb *b, const ml_node *s)
{
    ml_vec docs = {0};
    const ml_file *kf = ml_node_file(s);
    ml_arena *a = b->k->arena;
    ml_file *pf = ml_zalloc(a, sizeof *pf);
    bool in_place = s->style == ML_SCALAR_BLOCK && kf && s->off < kf->len && kf->data[s->off] == '|' &&
                    s->end_off <= kf->len;
    if (in_place) {
        *pf = *kf;
        pf->line_off = NULL;
        pf->nlines = 0;
        /* pf->id stays kf's: the nodes are placed in kf at once (the bytes
         * from the line after `|` to the block's end are kf's, at the same
         * offsets, so every line and column computed through kf is the one
         * the loader saw) */
        char *d = ml_alloc(a, kf->len + 1);
        size_t start = s->off;
        while (start < kf->len && kf->data[start] != '\n')
            start++;
        for (size_t i = 0; i < kf->len; i++)
            d[i] = (i > start && i < s->end_off) || kf->data[i] == '\n' ? kf->data[i] : ' ';
        d[kf->len] = 0;
        pf->data = d;
    } else {
        pf->path = kf ? kf->path : "<inline patch>";
        pf->data = ml_node_str(s);
        pf->len = ml_node_len(s);
        pf->type = ML_FILE_YAML;
    }
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(a, pf, &res);
    free(pf->line_off);
    if (res.errors.n) {
        ml_yaml_error *e = res.errors.items[0];
        ml_loc l = in_place ? e->loc : ml_node_loc(s);
        l.file = kf;
        fail(b, l, "the inline patch is not valid YAML: %s", e->message);
        if (!in_place)
            ml_file_release(pf);
        return docs;
    }
    ML_VEC_EACH(ml_doc *, d, &res.docs) {
        if (!d->root)
            continue;
        if (in_place)
            fix_locs(d->root, kf, 0);
        else
            set_locs(d->root, ml_node_loc(s), 0);
        d->file = (ml_file *)kf;
        ml_vec_push(a, &docs, d);
    }
    if (!in_place)
        ml_file_release(pf); /* its nodes were all placed at s */
    return docs;
}

static bool is_remote(const char *s)
{
    return strstr(s, "://") || ml_starts_with(s, "github.com/") || ml_starts_with(s, "gitlab.com/") ||
           ml_starts_with(s, "bitbucket.org/") || ml_starts_with(s, "git@") || strstr(s, "?ref=") ||
           strstr(s, ".git//");
}

/* The documents of a patch entry: a file (path relative to dir) or an
 * inline string. NULL with the build failed when it cannot be had. */
static bool patch_docs(kb *b, const char *dir, const ml_node *pathn, const ml_node *inl, ml_vec *out)
{
    if (inl) {
        if (!ml_is_scalar(inl)) {
            /* written as YAML directly (older kustomizations allow it) */
            ml_doc *d = ml_zalloc(b->k->arena, sizeof *d);
            d->root = (ml_node *)inl;
            d->file = (ml_file *)ml_node_file(inl);
            ml_vec_push(b->k->arena, out, d);
            return true;
        }
        *out = parse_inline(b, inl);
        return !b->failed;
    }
    const char *rel = ml_str_nonnull(pathn);
    if (!rel) {
        fail(b, nloc(pathn), "a patch needs `path` or `patch`");
        return false;
    }
    const char *p = pjoin(b->k->arena, dir, rel);
    kfile *kf = kload(b->k, p);
    if (!kf->f) {
        fail(b, ml_node_loc(pathn), "patch %s: %s", rel, kf->err);
        return false;
    }
    use_path(b, p);
    if (!kf->yaml_ok) {
        fail(b, ml_node_loc(pathn), "patch %s is not valid YAML", rel);
        return false;
    }
    ML_VEC_EACH(ml_doc *, d, &kf->docs)
        if (d->root)
            ml_vec_push(b->k->arena, out, d);
    return true;
}

static bool name_is(const kres *r, const char *name)
{
    return ml_streq(res_name(r), name) || ml_streq(r->level_name, name);
}

/* A strategic merge patch without target: applies to the object of its
 * kind and name (and namespace, when it names one). */
static void smp_by_id(kb *b, ml_vec *acc, ml_node *patch, ml_loc where)
{
    const char *kind = ml_str_nonnull(ml_get(patch, "kind"));
    const char *name = ml_str_nonnull(ml_path(patch, "metadata.name"));
    const char *ns = ml_str_nonnull(ml_path(patch, "metadata.namespace"));
    bool found = false;
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted || !ml_streq(res_kind(r), kind) || !name_is(r, name))
            continue;
        if (ns && !ml_streq(res_ns(r) ? res_ns(r) : "default", ns))
            continue;
        found = true;
        if (ml_streq(patch_directive(patch), "delete")) {
            r->deleted = true;
            continue;
        }
        /* the name's header, kept by value: smp may change the array it is
         * in (an owned one) in place */
        ml_node saved_h, *saved_name = ml_path(r->root, "metadata.name");
        if (saved_name) {
            saved_h = *saved_name;
            saved_name = &saved_h;
        }
        r->root = smp(b, r->root, patch, builtin_api(r), NULL, NULL);
        /* the patch names the object as the base did; the object keeps its name */
        if (saved_name && !ml_streq(ml_str(saved_name), res_name(r))) {
            const char *k[] = {"metadata"};
            ml_node *md = mut_path(b, &r->root, k, 1, false, where);
            if (md)
                map_set(b, md, "name", saved_name, ml_node_loc(saved_name));
        }
    }
    if (!found)
        fail(b, where, "no %s named %s for this patch (kustomize build fails: no matches for the patch's target)",
             kind ? kind : "object", name ? name : "?");
}

static void apply_patch_doc(kb *b, ml_vec *acc, ml_doc *d, const ml_node *target, ml_loc where)
{
    ml_node *p = d->root;
    if (ml_is_seq(p)) {
        if (!target) {
            fail(b, where, "a JSON 6902 patch needs a `target`");
            return;
        }
        ML_VEC_EACH(kres *, r, acc)
            if (!r->deleted && target_matches(target, r) && !b->failed)
                json6902(b, r, p);
        return;
    }
    if (!ml_is_map(p)) {
        fail(b, where, "a patch must be a mapping (strategic merge) or a list (JSON 6902)");
        return;
    }
    if (!target) {
        smp_by_id(b, acc, p, where);
        return;
    }
    ML_VEC_EACH(kres *, r, acc) {
        if (r->deleted || !target_matches(target, r))
            continue;
        if (ml_streq(patch_directive(p), "delete")) {
            r->deleted = true;
            continue;
        }
        /* kept by value: smp may change the arrays they are in in place */
        ml_node name_h, ns_h, *md_name = ml_path(r->root, "metadata.name"), *md_ns = ml_path(r->root, "metadata.namespace");
        if (md_name) {
            name_h = *md_name;
            md_name = &name_h;
        }
        if (md_ns) {
            ns_h = *md_ns;
            md_ns = &ns_h;
        }
        /* with a target, the patch's own name and namespace do not rename */
        r->root = smp(b, r->root, p, builtin_api(r), NULL, NULL);
        const char *k[] = {"metadata"};
        ml_node *md = mut_path(b, &r->root, k, 1, false, where);
        if (md && md_name)
            map_set(b, md, "name", md_name, ml_node_loc(md_name));
        if (md && md_ns)
            map_set(b, md, "namespace", md_ns, ml_node_loc(md_ns));
    }
}

static void patches_field(kb *b, const char *dir, ml_vec *acc, const ml_node *list, int which)
{
    /* which: 0 patchesStrategicMerge, 1 patches, 2 patchesJson6902 */
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list) && !b->failed; i++) {
        const ml_node *it = &list->elems[i];
        const ml_node *pathn = NULL, *inl = NULL, *target = NULL;
        if (which == 0) {
            const char *s = ml_str_nonnull(it);
            if (s && !strchr(s, '\n') && !strstr(s, ": "))
                pathn = it;
            else
                inl = it;
        } else {
            pathn = ml_get(it, "path");
            inl = ml_get(it, "patch");
            target = ml_get(it, "target");
            if (which == 2 && !target) {
                fail(b, nloc(it), "a patchesJson6902 entry needs a `target`");
                return;
            }
        }
        ml_vec docs = {0};
        if (!patch_docs(b, dir, pathn, inl, &docs))
            return;
        ML_VEC_EACH(ml_doc *, d, &docs) {
            if (which == 2 && !ml_is_seq(d->root)) {
                /* patchesJson6902 files may also be written as YAML lists only */
                fail(b, nloc(d->root), "a JSON 6902 patch must be a list of operations");
                return;
            }
            apply_patch_doc(b, acc, d, target, nloc(it));
            if (b->failed)
                return;
        }
    }
}

static void add_file_resources(kb *b, kfile *kf, ml_vec *acc, const ml_node *ref)
{
    ML_VEC_EACH(ml_doc *, d, &kf->docs) {
        if (!d->root)
            continue;
        if (!ml_is_map(d->root)) {
            fail(b, ml_node_loc(d->root), "a resource must be a mapping");
            return;
        }
        const char *kind = ml_str_nonnull(ml_get(d->root, "kind"));
        const ml_node *items = ml_get(d->root, "items");
        if (kind && ml_ends_with(kind, "List") && ml_is_seq(items)) {
            for (size_t i = 0; i < ml_node_n(items); i++) {
                if (!ml_is_map(&items->elems[i]))
                    continue;
                kres *r = ml_zalloc(b->k->arena, sizeof *r);
                r->root = &items->elems[i];
                r->origin = d;
                ml_vec_push(b->k->arena, acc, r);
            }
            continue;
        }
        if (!kind || !ml_path(d->root, "metadata.name")) {
            fail(b, ml_node_loc(d->root), "%s: a resource needs `kind` and `metadata.name`", kf->f->path);
            return;
        }
        kres *r = ml_zalloc(b->k->arena, sizeof *r);
        r->root = d->root;
        r->origin = d;
        ml_vec_push(b->k->arena, acc, r);
        if (acc->n > K_MAX_RESOURCES) {
            fail(b, nloc(ref), "more than %d objects in one build; not rendered", K_MAX_RESOURCES);
            return;
        }
    }
}

static void generators(kb *b, const char *dir, const ml_node *root, ml_vec *acc);
static void add_hashes(kb *b, ml_vec *acc);

/* kustomization fields meshlint does not render: each is a note */
static const struct {
    const char *key, *what;
} unrendered[] = {
    {"helmCharts", "Helm charts inflated by kustomize (helmCharts)"},
    {"helmChartInflationGenerator", "Helm charts inflated by kustomize (helmChartInflationGenerator)"},
    {"replacements", "kustomize replacements"},
    {"vars", "kustomize vars"},
    {"transformers", "kustomize transformer plugins"},
    {"generators", "kustomize generator plugins"},
    {"validators", "kustomize validator plugins"},
    {"openapi", "a custom OpenAPI schema (openapi:), which changes strategic merge"},
    {"crds", "custom resource definitions for kustomize (crds:), which change name references"},
    {"configurations", "custom transformer configurations (configurations:)"},
    {"nameReference", "custom name references"},
};

/* Every local file the kustomization names is part of its build, even when
 * the build fails before reaching it: a patch is a fragment, never a
 * manifest of its own. */
static void claim_files(kb *b, const char *dir, const ml_node *root)
{
    static const char *const lists[] = {"resources", "bases", "patchesStrategicMerge", "patches", "patchesJson6902"};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        const ml_node *l = ml_get(root, lists[k]);
        for (size_t i = 0; ml_is_seq(l) && i < ml_node_n(l); i++) {
            const ml_node *it = &l->elems[i];
            const char *s = ml_is_map(it) ? ml_str_nonnull(ml_get(it, "path")) : ml_str_nonnull(it);
            if (s && !strchr(s, '\n') && !is_remote(s))
                use_path(b, pjoin(b->k->arena, dir, s));
        }
    }
    static const char *const gens[] = {"configMapGenerator", "secretGenerator"};
    for (size_t g = 0; g < 2; g++) {
        const ml_node *l = ml_get(root, gens[g]);
        for (size_t i = 0; ml_is_seq(l) && i < ml_node_n(l); i++) {
            static const char *const fl[] = {"files", "envs"};
            for (size_t f = 0; f < 2; f++) {
                const ml_node *fs = ml_get(&l->elems[i], fl[f]);
                for (size_t j = 0; ml_is_seq(fs) && j < ml_node_n(fs); j++) {
                    const char *s = ml_str_nonnull(&fs->elems[j]);
                    const char *eq = s ? strchr(s, '=') : NULL;
                    if (s)
                        use_path(b, pjoin(b->k->arena, dir, eq ? eq + 1 : s));
                }
            }
            const char *e = ml_str_nonnull(ml_get(&l->elems[i], "env"));
            if (e)
                use_path(b, pjoin(b->k->arena, dir, e));
        }
    }
}

static void build_dir(kb *b, const char *dir, ml_vec *acc, bool component, const ml_node *ref, unsigned depth)
{
    ml_arena *a = b->k->arena;
    if (depth > K_MAX_DEPTH) {
        fail(b, nloc(ref), "kustomizations nested deeper than %d levels; not rendered", K_MAX_DEPTH);
        return;
    }
    if (++b->dirs > K_MAX_DIRS) {
        fail(b, nloc(ref), "more than %d kustomizations in one build; not rendered", K_MAX_DIRS);
        return;
    }
    ML_VEC_EACH(const char *, d, &b->stack)
        if (!strcmp(d, dir)) {
            fail(b, nloc(ref), "cycle: %s includes itself", dir);
            return;
        }
    const char *kpath = ml_kust_file_in(b->k, dir);
    if (!kpath) {
        fail(b, nloc(ref), "%s has no kustomization.yaml (a directory resource must hold one)", dir);
        return;
    }
    use_path(b, dir);
    use_path(b, kpath);
    kfile *kf = kload(b->k, kpath);
    if (!kf->f) {
        fail(b, nloc(ref), "%s: %s", kpath, kf->err);
        return;
    }
    if (!b->out->kfile)
        b->out->kfile = kf->f;
    if (!kf->yaml_ok) {
        ml_loc l = file_loc(kf->f);
        ML_VEC_EACH(ml_yaml_error *, e, &b->k->yaml_errors)
            if (e->loc.file == kf->f) {
                l = e->loc;
                break;
            }
        fail(b, l, "%s is not valid YAML", kpath);
        return;
    }
    const ml_node *root = kf->docs.n ? ((ml_doc *)kf->docs.items[0])->root : NULL;
    if (root && !ml_is_map(root)) {
        fail(b, ml_node_loc(root), "a kustomization must be a mapping");
        return;
    }
    const char *kind = ml_str_nonnull(ml_get(root, "kind"));
    bool is_comp = ml_streq(kind, "Component");
    if (component && !is_comp) {
        fail(b, nloc(ref), "%s is listed under components but its kind is not Component", dir);
        return;
    }
    if (!component && is_comp && depth == 0) {
        /* A Component found on its own: no kustomization in the input lists
         * it under components. It is not an apply unit (kustomize applies a
         * component only to the resources of the kustomization that
         * includes it), so it is not built: its manifests stay loose files,
         * linted as files are, and a note says what was not rendered. */
        unlinted(b, ML_UNLINTED_KUSTOMIZE, root ? ml_node_loc(root) : file_loc(kf->f), dir,
                 "the patches and transformers of a kustomize Component that no kustomization in the "
                 "input includes (its resource files are linted as plain files)",
                 "lint the kustomization that lists it under components");
        b->out->component = true;
        return;
    }
    if (!component && is_comp) {
        fail(b, nloc(ref), "%s is a Component: list it under components, not resources", dir);
        return;
    }
    if (depth == 0)
        b->out->ns = ml_str_nonnull(ml_get(root, "namespace"));
    claim_files(b, dir, root);
    for (size_t i = 0; i < sizeof unrendered / sizeof unrendered[0]; i++) {
        const ml_pair *p = ml_get_pair(root, unrendered[i].key);
        if (p && !ml_is_null(&p->value))
            unlinted(b, ML_UNLINTED_KUSTOMIZE, ml_node_loc(&p->key), dir, unrendered[i].what,
                     ml_printf(a, "run `kustomize build %s | meshlint --stdin-filename %s/rendered.yaml -`", dir, dir));
    }
    ml_vec_push(a, &b->stack, (void *)dir);
    ml_vec local = {0};
    ml_vec *L = component ? acc : &local;
    static const char *const res_keys[] = {"resources", "bases"};
    for (size_t k = 0; k < 2 && !b->failed; k++) {
        const ml_node *list = ml_get(root, res_keys[k]);
        for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list) && !b->failed; i++) {
            const ml_node *it = &list->elems[i];
            const char *s = ml_str_nonnull(it);
            if (!s) {
                fail(b, ml_node_loc(it), "a resource must be a path");
                break;
            }
            if (is_remote(s)) {
                unlinted(b, ML_UNLINTED_KUSTOMIZE, ml_node_loc(it), dir, ml_printf(a, "remote kustomize resource %s", s),
                         ml_printf(a, "run `kustomize build %s | meshlint --stdin-filename %s/rendered.yaml -`", dir,
                                   dir));
                continue;
            }
            const char *p = pjoin(a, dir, s);
            ml_kpath pk = b->k->io.kind(b->k->io.ud, p);
            if (pk == ML_KPATH_DIR) {
                build_dir(b, p, L, false, it, depth + 1);
            } else if (pk == ML_KPATH_FILE) {
                kfile *rf = kload(b->k, p);
                if (!rf->f) {
                    fail(b, ml_node_loc(it), "resource %s: %s", s, rf->err);
                    break;
                }
                use_path(b, p);
                if (!rf->yaml_ok) {
                    fail(b, ml_node_loc(it), "resource %s is not valid YAML", s);
                    break;
                }
                add_file_resources(b, rf, L, it);
            } else {
                fail(b, ml_node_loc(it), "resource %s: no such file or directory", s);
            }
        }
    }
    const ml_node *comps = ml_get(root, "components");
    for (size_t i = 0; ml_is_seq(comps) && i < ml_node_n(comps) && !b->failed; i++) {
        const char *s = ml_str_nonnull(&comps->elems[i]);
        if (!s || is_remote(s)) {
            if (s)
                unlinted(b, ML_UNLINTED_KUSTOMIZE, ml_node_loc(&comps->elems[i]), dir,
                         ml_printf(a, "remote kustomize component %s", s),
                         ml_printf(a, "run `kustomize build %s | meshlint --stdin-filename %s/rendered.yaml -`", dir,
                                   dir));
            continue;
        }
        build_dir(b, pjoin(a, dir, s), L, true, &comps->elems[i], depth + 1);
    }
    if (!b->failed)
        generators(b, dir, root, L);
    ML_VEC_EACH(kres *, r, L) {
        r->level_name = res_name(r);
        r->level_ns = res_ns(r);
    }
    if (!b->failed)
        patches_field(b, dir, L, ml_get(root, "patchesStrategicMerge"), 0);
    if (!b->failed)
        patches_field(b, dir, L, ml_get(root, "patches"), 1);
    if (!b->failed) {
        set_namespace(b, L, ml_get(root, "namespace"));
        prefix_suffix(b, L, ml_get(root, "namePrefix"), ml_get(root, "nameSuffix"));
        add_labels(b, L, ml_get(root, "commonLabels"), true, true);
        const ml_node *labels = ml_get(root, "labels");
        for (size_t i = 0; ml_is_seq(labels) && i < ml_node_n(labels); i++) {
            const ml_node *e = &labels->elems[i];
            bool sel = false, tmpl = false;
            ml_bool(ml_get(e, "includeSelectors"), &sel);
            ml_bool(ml_get(e, "includeTemplates"), &tmpl);
            if (ml_get(e, "fields"))
                unlinted(b, ML_UNLINTED_KUSTOMIZE, ml_node_loc(&ml_get_pair(e, "fields")->key), dir,
                         "labels with custom fields", "run `kustomize build` and lint its output");
            add_labels(b, L, ml_get(e, "pairs"), sel, sel || tmpl);
        }
        add_annotations(b, L, ml_get(root, "commonAnnotations"));
        patches_field(b, dir, L, ml_get(root, "patchesJson6902"), 2);
    }
    if (!b->failed) {
        replicas(b, L, ml_get(root, "replicas"));
        images(b, L, ml_get(root, "images"));
        fix_back_references(b, L);
    }
    b->stack.n--;
    if (!component)
        ML_VEC_EACH(kres *, r, &local)
            if (!r->deleted)
                ml_vec_push(a, acc, r);
}

void ml_kust_build(ml_kust *k, const char *dir, ml_kust_result *out)
{
    memset(out, 0, sizeof *out);
    out->dir = ml_path_clean(k->arena, dir);
    ml_map_init(&out->included);
    kb b;
    memset(&b, 0, sizeof b);
    b.k = k;
    b.out = out;
    ml_vec acc = {0};
    build_dir(&b, out->dir, &acc, false, NULL, 0);
    if (!b.failed)
        add_hashes(&b, &acc);
    out->ok = !b.failed;
    ML_VEC_EACH(ml_unlinted *, u, &out->unlinted)
        if (!u->error)
            u->ns = out->ns;
    if (b.failed)
        return;
    ML_VEC_EACH(kres *, r, &acc) {
        if (r->deleted)
            continue;
        ml_doc *d = ml_alloc(k->arena, sizeof *d);
        *d = *r->origin;
        d->root = r->root;
        d->unit = NULL;
        ml_vec_push(k->arena, &out->docs, d);
    }
}

/* ---- hash suffix (api/hasher/hasher.go) -------------------------------------- */

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} sha256;

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(sha256 *s, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
    s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha_init(sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->nbuf = 0;
}

static void sha_add(sha256 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->len += n;
    while (n) {
        size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            sha_block(s, s->buf);
            s->nbuf = 0;
        }
    }
}

static void sha_hex(sha256 *s, char out[65])
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0;
    sha_add(s, &pad, 1);
    while (s->nbuf != 56)
        sha_add(s, &zero, 1);
    unsigned char L[8];
    for (int i = 0; i < 8; i++)
        L[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_add(s, L, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* A string as Go's encoding/json writes it (HTML characters escaped). */
static void json_str(ml_buf *b, const char *s, size_t n)
{
    ml_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            ml_buf_putc(b, '\\');
            ml_buf_putc(b, (char)c);
        } else if (c == '\n')
            ml_buf_puts(b, "\\n");
        else if (c == '\r')
            ml_buf_puts(b, "\\r");
        else if (c == '\t')
            ml_buf_puts(b, "\\t");
        else if (c < 0x20 || c == '<' || c == '>' || c == '&')
            ml_buf_printf(b, "\\u%04x", c);
        else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            ml_buf_printf(b, "\\u%04x", (unsigned char)s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 2;
        } else
            ml_buf_putc(b, (char)c);
    }
    ml_buf_putc(b, '"');
}

static int pair_cmp(const void *x, const void *y)
{
    const ml_pair *a = *(const ml_pair *const *)x, *b = *(const ml_pair *const *)y;
    const char *ka = ml_str(&a->key), *kb_ = ml_str(&b->key);
    return strcmp(ka ? ka : "", kb_ ? kb_ : "");
}

static void json_value(ml_arena *a, ml_buf *b, const ml_node *v)
{
    long long iv;
    if (v && ml_is_scalar(v) && v->style == ML_SCALAR_PLAIN && ml_int(v, &iv))
        ml_buf_printf(b, "%lld", iv);
    else if (v && ml_is_scalar(v))
        json_str(b, ml_node_str(v), ml_node_len(v));
    else if (ml_is_map(v)) {
        ml_vec ps = {0};
        for (size_t i = 0; i < ml_node_n(v); i++)
            ml_vec_push(a, &ps, &v->kvs[i]);
        ml_vec_sort(&ps, pair_cmp);
        ml_buf_putc(b, '{');
        for (size_t i = 0; i < ps.n; i++) {
            const ml_pair *p = ps.items[i];
            if (i)
                ml_buf_putc(b, ',');
            const char *k = ml_str(&p->key);
            json_str(b, k ? k : "", k ? strlen(k) : 0);
            ml_buf_putc(b, ':');
            json_value(a, b, &p->value);
        }
        ml_buf_putc(b, '}');
    } else
        ml_buf_puts(b, "\"\"");
}

const char *ml_kust_hash(ml_arena *a, const char *kind, const char *name, const char *type, const ml_node *data)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, "{\"data\":");
    json_value(a, &b, ml_is_map(data) ? data : NULL);
    ml_buf_puts(&b, ",\"kind\":");
    json_str(&b, kind, strlen(kind));
    ml_buf_puts(&b, ",\"name\":");
    json_str(&b, name ? name : "", name ? strlen(name) : 0);
    if (!strcmp(kind, "Secret")) {
        ml_buf_puts(&b, ",\"type\":");
        json_str(&b, type ? type : "", type ? strlen(type) : 0);
    }
    ml_buf_putc(&b, '}');
    sha256 s;
    sha_init(&s);
    sha_add(&s, b.s, b.n);
    ml_buf_free(&b);
    char hex[65];
    sha_hex(&s, hex);
    char *enc = ml_strndup(a, hex, 10);
    for (char *p = enc; *p; p++)
        switch (*p) {
        case '0': *p = 'g'; break;
        case '1': *p = 'h'; break;
        case '3': *p = 'k'; break;
        case 'a': *p = 'm'; break;
        case 'e': *p = 't'; break;
        default: break;
        }
    return enc;
}

/* ---- generators (configMapGenerator, secretGenerator) -------------------------- */

static const char *base64(ml_arena *a, const char *s, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = ml_alloc(a, (n + 2) / 3 * 4 + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        o[j++] = tbl[v >> 18 & 63];
        o[j++] = tbl[v >> 12 & 63];
        o[j++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
        o[j++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    o[j] = 0;
    return o;
}

static void data_put(kb *b, ml_node *data, const char *key, const char *val, size_t vlen, ml_loc kloc, ml_loc vloc,
                     bool secret)
{
    ml_node *v = mk_scalar(b, "", vloc, true);
    if (secret) {
        v->str_ = base64(b->k->arena, val, vlen);
        v->len_ = strlen(ml_node_str(v));
    } else {
        v->str_ = ml_strndup(b->k->arena, val, vlen);
        v->len_ = vlen;
    }
    map_set(b, data, key, v, kloc);
    long j = pair_index(data, key);
    ml_node_set_loc(&data->kvs[j].key, kloc);
}

/* KEY=VALUE lines of an env file (# comments and blank lines skipped). */
static void env_file(kb *b, ml_node *data, ml_file *f, bool secret)
{
    const char *s = f->data, *end = f->data + f->len;
    while (s < end) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        const char *t = s;
        while (t < e && (*t == ' ' || *t == '\t'))
            t++;
        const char *le = e;
        if (le > t && le[-1] == '\r')
            le--;
        if (t < le && *t != '#') {
            const char *eq = memchr(t, '=', (size_t)(le - t));
            ml_loc loc = ml_loc_from_offsets(f, (uint32_t)(t - f->data), (uint32_t)(le - f->data));
            if (eq)
                data_put(b, data, ml_strndup(b->k->arena, t, (size_t)(eq - t)), eq + 1, (size_t)(le - eq - 1), loc,
                         loc, secret);
        }
        s = e + 1;
    }
}

static void generator(kb *b, const char *dir, const ml_node *e, const ml_node *opts, ml_vec *acc, bool secret)
{
    ml_arena *a = b->k->arena;
    const ml_node *namen = ml_get(e, "name");
    const char *name = ml_str_nonnull(namen);
    if (!name) {
        fail(b, nloc(e), "a generator needs a `name`");
        return;
    }
    ml_loc loc = ml_node_loc(namen);
    ml_node *data = mk_coll(b, ML_NODE_MAP, loc);
    const ml_node *lits = ml_get(e, "literals");
    for (size_t i = 0; ml_is_seq(lits) && i < ml_node_n(lits); i++) {
        const char *s = ml_str_nonnull(&lits->elems[i]);
        const char *eq = s ? strchr(s, '=') : NULL;
        if (!eq) {
            fail(b, nloc(&lits->elems[i]), "a literal must be KEY=VALUE");
            return;
        }
        const char *v = eq + 1;
        size_t vl = strlen(v);
        /* kustomize strips one pair of surrounding quotes (api/kv/kv.go) */
        if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
            v++;
            vl -= 2;
        }
        data_put(b, data, ml_strndup(a, s, (size_t)(eq - s)), v, vl, ml_node_loc(&lits->elems[i]), ml_node_loc(&lits->elems[i]),
                 secret);
    }
    const ml_node *files = ml_get(e, "files");
    for (size_t i = 0; ml_is_seq(files) && i < ml_node_n(files); i++) {
        const char *s = ml_str_nonnull(&files->elems[i]);
        if (!s)
            continue;
        const char *eq = strchr(s, '=');
        const char *rel = eq ? eq + 1 : s;
        const char *p = pjoin(a, dir, rel);
        const char *err = NULL;
        ml_file *f = b->k->io.read(b->k->io.ud, p, &err);
        if (!f) {
            fail(b, ml_node_loc(&files->elems[i]), "generator file %s: %s", rel, err ? err : "cannot be read");
            return;
        }
        ml_vec_push(a, &b->k->read, f);
        use_path(b, p);
        const char *base = strrchr(rel, '/');
        const char *key = eq ? ml_strndup(a, s, (size_t)(eq - s)) : base ? base + 1 : rel;
        data_put(b, data, key, f->data, f->len, ml_node_loc(&files->elems[i]), file_loc(f), secret);
    }
    const ml_node *envs = ml_get(e, "envs");
    const ml_node *env1 = ml_get(e, "env");
    for (size_t i = 0; (ml_is_seq(envs) && i < ml_node_n(envs)) || (i == 0 && env1); i++) {
        const ml_node *en = ml_is_seq(envs) && i < ml_node_n(envs) ? &envs->elems[i] : env1;
        const char *s = ml_str_nonnull(en);
        if (!s)
            continue;
        const char *p = pjoin(a, dir, s);
        const char *err = NULL;
        ml_file *f = b->k->io.read(b->k->io.ud, p, &err);
        if (!f) {
            fail(b, ml_node_loc(en), "env file %s: %s", s, err ? err : "cannot be read");
            return;
        }
        ml_vec_push(a, &b->k->read, f);
        use_path(b, p);
        env_file(b, data, f, secret);
        if (en == env1)
            break;
    }
    const ml_node *o = ml_get(e, "options");
    bool nohash = false;
    ml_bool(ml_get(opts, "disableNameSuffixHash"), &nohash);
    ml_bool(ml_get(o, "disableNameSuffixHash"), &nohash);
    const char *behavior = ml_str_nonnull(ml_get(e, "behavior"));
    const char *ns = ml_str_nonnull(ml_get(e, "namespace"));
    const char *kind = secret ? "Secret" : "ConfigMap";
    if (behavior && (!strcmp(behavior, "merge") || !strcmp(behavior, "replace"))) {
        ML_VEC_EACH(kres *, r, acc) {
            if (r->deleted || !is_kind(r, kind) || !name_is(r, name))
                continue;
            if (ns && !ml_streq(res_ns(r) ? res_ns(r) : "default", ns))
                continue;
            ml_node *root = mut(b, r->root);
            r->root = root;
            long j = pair_index(root, "data");
            if (!strcmp(behavior, "merge") && j >= 0 && ml_is_map(&root->kvs[j].value)) {
                ml_node *m = mut_in(b, &root->kvs[j].value);
                for (size_t i = 0; i < ml_node_n(data); i++)
                    map_set(b, m, ml_str(&data->kvs[i].key), &data->kvs[i].value, ml_node_loc(&data->kvs[i].key));
            } else
                map_set(b, root, "data", data, loc);
            if (!nohash)
                r->hash = true;
            return;
        }
        fail(b, loc, "%s %s: behavior %s needs a %s of that name from a base", kind, name, behavior, kind);
        return;
    }
    ml_node *root = mk_coll(b, ML_NODE_MAP, loc);
    map_set(b, root, "apiVersion", mk_scalar(b, "v1", loc, false), loc);
    map_set(b, root, "kind", mk_scalar(b, kind, loc, false), loc);
    ml_node *md = mk_coll(b, ML_NODE_MAP, loc);
    map_set(b, md, "name", (ml_node *)namen, loc);
    if (ns)
        map_set(b, md, "namespace", ml_get(e, "namespace"), loc);
    map_set(b, root, "metadata", md, loc);
    if (secret) {
        const ml_node *t = ml_get(e, "type");
        map_set(b, root, "type", t ? (ml_node *)t : mk_scalar(b, "Opaque", loc, false), loc);
    }
    if (ml_node_n(data))
        map_set(b, root, "data", data, loc);
    kres *r = ml_zalloc(a, sizeof *r);
    r->root = root;
    r->hash = !nohash;
    ml_doc *d = ml_zalloc(a, sizeof *d);
    d->file = (ml_file *)loc.file;
    d->root = root;
    d->start_line = d->end_line = loc.line;
    r->origin = d;
    for (int pass = 0; pass < 2; pass++) {
        const ml_node *src = pass == 0 ? opts : o;
        if (ml_is_map(ml_get(src, "labels")))
            add_pairs(b, r, "metadata/labels", ml_get(src, "labels"), true, loc);
        if (ml_is_map(ml_get(src, "annotations")))
            add_pairs(b, r, "metadata/annotations", ml_get(src, "annotations"), true, loc);
    }
    ml_vec_push(a, acc, r);
}

static void generators(kb *b, const char *dir, const ml_node *root, ml_vec *acc)
{
    const ml_node *opts = ml_get(root, "generatorOptions");
    for (int s = 0; s < 2 && !b->failed; s++) {
        const ml_node *list = ml_get(root, s ? "secretGenerator" : "configMapGenerator");
        for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list) && !b->failed; i++)
            generator(b, dir, &list->elems[i], opts, acc, s == 1);
    }
}

/* Last step of a build (kusttarget.go makeCustomizedResMap): generated
 * objects get the hash of their final content as a name suffix, and
 * references follow. */
static void add_hashes(kb *b, ml_vec *acc)
{
    bool any = false;
    ML_VEC_EACH(kres *, r, acc) {
        r->level_name = res_name(r);
        r->level_ns = res_ns(r);
        if (r->deleted || !r->hash || !res_name(r))
            continue;
        const char *kind = res_kind(r);
        const char *h = ml_kust_hash(b->k->arena, kind, res_name(r), ml_str_nonnull(ml_get(r->root, "type")),
                                     ml_get(r->root, "data"));
        const ml_node *old = ml_path(r->root, "metadata.name");
        const char *k[] = {"metadata"};
        ml_node *md = mut_path(b, &r->root, k, 1, false, ml_node_loc(old));
        if (md)
            map_set(b, md, "name", mk_scalar(b, ml_printf(b->k->arena, "%s-%s", res_name(r), h), ml_node_loc(old), false),
                    ml_node_loc(old));
        any = true;
    }
    if (any)
        fix_back_references(b, acc);
}
