/*
 * config.c - the .meshlint.yaml file.
 *
 * The file is read with the manifest loader, so a mistake is reported as
 * file:line:col with what was expected there. Every key is checked: an
 * unknown key is a mistake, not something to ignore, because a misspelt
 * "disable" would otherwise silently change nothing.
 */
#include "meshlint/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshlint/rule.h"

const char *const ml_config_keys[] = {
    "rules",          "ignore",   "default-namespace", "root-namespace", "trust-domain",
    "trust-domain-aliases", "cluster-domain", "assume-complete", "markdown", "fail-on", "workloads",
    "apply-sets", "default-service-export-to", "default-virtual-service-export-to",
    "default-destination-rule-export-to", NULL};

void ml_config_defaults(ml_config *c, ml_arena *a)
{
    memset(c, 0, sizeof *c);
    c->arena = a;
    ml_map_init(&c->rules);
    c->default_ns = NULL; /* unbound: manifests without a namespace get the one chosen at apply time */
    c->root_ns = "istio-system";
    c->trust_domain = "cluster.local";
    c->cluster_domain = "cluster.local";
    c->fail_on = ML_LEVEL_WARNING;
}

static bool fail(ml_buf *err, const ml_config *c, const ml_node *n, const char *fmt, ...) ML_PRINTF(4, 5);
static bool fail(ml_buf *err, const ml_config *c, const ml_node *n, const char *fmt, ...)
{
    if (n && ml_node_file(n)) {
        ml_loc l = ml_node_loc(n);
        /* computing it built the line index again: not one of the run's
         * inputs, so release it here (see ml_config_load) */
        ml_file *f = (ml_file *)l.file;
        free(f->line_off);
        f->line_off = NULL;
        ml_buf_printf(err, "%s:%u:%u: ", c->path, l.line, l.col);
    } else
        ml_buf_printf(err, "%s: ", c->path);
    va_list ap;
    va_start(ap, fmt);
    ml_buf_vprintf(err, fmt, ap);
    va_end(ap);
    return false;
}

static ml_rule_cfg *rule_cfg(ml_config *c, const ml_rule *r)
{
    void **slot = ml_map_slot_for(&c->rules, r->id, strlen(r->id));
    if (!*slot) {
        ml_rule_cfg *rc = ml_zalloc(c->arena, sizeof *rc);
        rc->rule_id = r->id;
        *slot = rc;
    }
    return *slot;
}

static bool scalar_string(ml_buf *err, ml_config *c, const ml_node *v, const char *key, const char **out)
{
    const char *s = ml_str_nonnull(v);
    if (!s || !*s)
        return fail(err, c, v, "'%s' expects a non-empty string", key);
    *out = s;
    return true;
}

static bool parse_level_value(ml_buf *err, ml_config *c, const ml_node *v, ml_rule_cfg *rc)
{
    const char *s = ml_str(v);
    bool b;
    if (ml_bool(v, &b) || ml_streq(s, "on")) {
        if (ml_streq(s, "on") || b)
            rc->enabled = true, rc->disabled = false;
        else
            rc->disabled = true;
        return true;
    }
    ml_level l;
    if (!s || !ml_level_parse(s, &l))
        return fail(err, c, v, "expected a level: error, warning, note, on or off");
    if (l == ML_LEVEL_NONE) {
        rc->disabled = true;
    } else {
        rc->level = l;
        rc->enabled = true;
        rc->disabled = false;
    }
    return true;
}

/* The k-th entry of a comma-separated list, as [*s, *s + *len). */
static bool list_entry(const char *list, size_t k, const char **s, size_t *len)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (k-- == 0) {
            *s = p;
            *len = n;
            return true;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

/* The type of setting key of rule r ("uint", "int", "bool", "string"), or
 * NULL when the rule has no such setting. */
static const char *setting_type(const ml_rule *r, const char *key)
{
    size_t n = strlen(key);
    const char *s;
    size_t len;
    for (size_t k = 0; list_entry(r->settings, k, &s, &len); k++) {
        if (len != n || strncmp(s, key, n) != 0)
            continue;
        if (!list_entry(r->setting_types, k, &s, &len))
            return "string";
        return len == 4 && !strncmp(s, "uint", 4)   ? "uint"
               : len == 3 && !strncmp(s, "int", 3)  ? "int"
               : len == 4 && !strncmp(s, "bool", 4) ? "bool"
                                                    : "string";
    }
    return NULL;
}

/* A setting of the wrong type stops the run (meshlint.yaml(5)): a rule
 * must never fall back to its default for a value the user wrote. */
static bool check_setting_type(ml_buf *err, ml_config *c, const ml_rule *r, const char *key,
                               const char *type, const ml_node *v)
{
    long long i;
    bool b;
    if (!strcmp(type, "uint") && !(ml_int(v, &i) && i >= 0))
        return fail(err, c, v, "rule %s setting '%s' expects a whole number of at least 0", r->id, key);
    if (!strcmp(type, "int") && !ml_int(v, &i))
        return fail(err, c, v, "rule %s setting '%s' expects a whole number", r->id, key);
    if (!strcmp(type, "bool") && !ml_bool(v, &b))
        return fail(err, c, v, "rule %s setting '%s' expects true or false", r->id, key);
    if (!strcmp(type, "string") && !ml_str_nonnull(v))
        return fail(err, c, v, "rule %s setting '%s' expects a string", r->id, key);
    return true;
}

static bool parse_rules(ml_buf *err, ml_config *c, const ml_node *rules)
{
    if (!ml_is_map(rules))
        return fail(err, c, rules, "'rules' expects a mapping of rule id or name to a level or settings");
    for (size_t i = 0; i < ml_node_n(rules); i++) {
        const ml_pair *p = &rules->kvs[i];
        const ml_rule *r = ml_rule_find(ml_str(&p->key));
        if (!r)
            return fail(err, c, &p->key, "unknown rule '%s' (see meshlint --list-rules)",
                        ml_str(&p->key) ? ml_str(&p->key) : "?");
        ml_rule_cfg *rc = rule_cfg(c, r);
        if (ml_is_scalar(&p->value)) {
            if (!parse_level_value(err, c, &p->value, rc))
                return false;
            continue;
        }
        if (!ml_is_map(&p->value))
            return fail(err, c, &p->value, "rule %s expects a level or a mapping of settings", r->id);
        for (size_t j = 0; j < ml_node_n(&p->value); j++) {
            const ml_pair *q = &p->value.kvs[j];
            const char *k = ml_str(&q->key);
            if (ml_streq(k, "level")) {
                if (!parse_level_value(err, c, &q->value, rc))
                    return false;
            } else if (!k || !setting_type(r, k)) {
                return fail(err, c, &q->key, "rule %s has no setting '%s'%s%s", r->id, k ? k : "?",
                            r->settings ? "; it accepts: level, " : "; it accepts only: level",
                            r->settings ? r->settings : "");
            } else if (!ml_is_scalar(&q->value)) {
                return fail(err, c, &q->value, "setting '%s' expects a scalar value", k);
            } else if (!check_setting_type(err, c, r, k, setting_type(r, k), &q->value)) {
                return false;
            }
        }
        rc->settings = &p->value;
    }
    return true;
}

static bool parse_bool(ml_buf *err, ml_config *c, const ml_node *v, const char *key, bool *out)
{
    if (!ml_bool(v, out))
        return fail(err, c, v, "'%s' expects true or false", key);
    return true;
}

#define CONFIG_MAX_BYTES ((size_t)4 << 20)

/* Read a configuration file whole into data. Only a regular file is read:
 * it is opened without blocking so that a FIFO cannot hang the run, and a
 * directory, a read error or a file over 4 MiB is refused, never taken for
 * an empty (or cut) configuration. NULL on success, else the reason. */
static const char *read_config(const char *path, ml_buf *data)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        const char *why = strerror(errno);
        close(fd);
        return why;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    char chunk[8192];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            const char *why = strerror(errno);
            close(fd);
            return why;
        }
        if (got == 0)
            break;
        if (data->n + (size_t)got > CONFIG_MAX_BYTES) {
            close(fd);
            return "larger than 4 MiB";
        }
        ml_buf_add(data, chunk, (size_t)got);
    }
    close(fd);
    return NULL;
}

/* apply-sets: a list of {name: NAME, paths: [GLOB, ...]}, globs in apply order */
static bool parse_apply_sets(ml_buf *err, ml_config *c, const ml_node *v)
{
    static const char *const shape = "'apply-sets' expects a list of {name: NAME, paths: [GLOB, ...]} (globs in apply order)";
    if (!ml_is_seq(v))
        return fail(err, c, v, "%s", shape);
    for (size_t i = 0; i < ml_node_n(v); i++) {
        const ml_node *it = &v->elems[i];
        if (!ml_is_map(it))
            return fail(err, c, it, "%s", shape);
        ml_apply_set *s = ml_zalloc(c->arena, sizeof *s);
        for (size_t j = 0; j < ml_node_n(it); j++) {
            const char *k = ml_str(&it->kvs[j].key);
            const ml_node *val = &it->kvs[j].value;
            if (ml_streq(k, "name")) {
                if (!scalar_string(err, c, val, "apply-sets name", &s->name))
                    return false;
            } else if (ml_streq(k, "paths")) {
                if (!ml_is_seq(val) || ml_node_n(val) == 0)
                    return fail(err, c, val, "'paths' of an apply set expects a non-empty list of path globs");
                for (size_t g = 0; g < ml_node_n(val); g++) {
                    const char *glob = NULL;
                    if (!scalar_string(err, c, &val->elems[g], "paths", &glob))
                        return false;
                    ml_vec_push(c->arena, &s->globs, (void *)glob);
                }
            } else {
                return fail(err, c, &it->kvs[j].key, "unknown key '%s' in an apply set; expected name or paths",
                            k ? k : "?");
            }
        }
        if (!s->name || !*s->name || !s->globs.n)
            return fail(err, c, it, "%s", shape);
        ml_vec_push(c->arena, &c->apply_sets, s);
    }
    return true;
}

bool ml_config_load(ml_config *c, const char *path, ml_buf *err)
{
    c->path = ml_strdup(c->arena, path);
    const char *slash = strrchr(path, '/');
    c->base_dir = slash ? ml_strndup(c->arena, path, (size_t)(slash - path)) : ".";
    ml_buf data;
    ml_buf_init(&data);
    const char *why = read_config(path, &data);
    if (why) {
        ml_buf_printf(err, "%s: cannot read configuration file: %s", path, why);
        ml_buf_free(&data);
        return false;
    }
    ml_file *f = ml_zalloc(c->arena, sizeof *f);
    f->path = c->path;
    f->data = ml_strndup(c->arena, data.s ? data.s : "", data.n);
    f->len = data.n;
    f->type = ML_FILE_YAML;
    ml_buf_free(&data);

    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(c->arena, f, &res);
    /* The line index loading built is released here: this file is not one
     * of the run's inputs, whose indexes ml_run_free releases. A node's
     * position computed later builds it again (fail() releases it). */
    free(f->line_off);
    f->line_off = NULL;
    if (res.errors.n) {
        const ml_yaml_error *e = res.errors.items[0];
        ml_buf_printf(err, "%s:%u:%u: %s", c->path, e->loc.line, e->loc.col, e->message);
        return false;
    }
    if (res.docs.n > 1) {
        const ml_doc *d2 = res.docs.items[1];
        ml_buf_printf(err, "%s:%u:1: a second YAML document; the configuration is one document (merge the two)",
                      c->path, d2->start_line ? d2->start_line : 1);
        return false;
    }
    const ml_node *root = res.docs.n ? ((ml_doc *)res.docs.items[0])->root : NULL;
    if (!root)
        return true; /* an empty file configures nothing */
    if (!ml_is_map(root))
        return fail(err, c, root, "expected a mapping of settings at the top level");
    for (size_t i = 0; i < ml_node_n(root); i++) {
        const ml_pair *p = &root->kvs[i];
        const char *k = ml_str(&p->key);
        const ml_node *v = &p->value;
        if (ml_streq(k, "rules")) {
            if (!parse_rules(err, c, v))
                return false;
        } else if (ml_streq(k, "ignore")) {
            if (!ml_is_seq(v))
                return fail(err, c, v, "'ignore' expects a list of path globs");
            for (size_t j = 0; j < ml_node_n(v); j++) {
                const char *g = NULL;
                if (!scalar_string(err, c, &v->elems[j], "ignore", &g))
                    return false;
                ml_vec_push(c->arena, &c->ignore_globs, (void *)g);
            }
        } else if (ml_streq(k, "default-namespace")) {
            if (!scalar_string(err, c, v, k, &c->default_ns))
                return false;
        } else if (ml_streq(k, "root-namespace")) {
            if (!scalar_string(err, c, v, k, &c->root_ns))
                return false;
        } else if (ml_streq(k, "trust-domain")) {
            if (!scalar_string(err, c, v, k, &c->trust_domain))
                return false;
        } else if (ml_streq(k, "trust-domain-aliases")) {
            if (!ml_is_seq(v))
                return fail(err, c, v, "'trust-domain-aliases' expects a list of trust domains");
            for (size_t j = 0; j < ml_node_n(v); j++) {
                const char *td = NULL;
                if (!scalar_string(err, c, &v->elems[j], "trust-domain-aliases", &td))
                    return false;
                ml_vec_push(c->arena, &c->trust_domain_aliases, (void *)td);
            }
        } else if (ml_streq(k, "default-service-export-to") || ml_streq(k, "default-virtual-service-export-to") ||
                   ml_streq(k, "default-destination-rule-export-to")) {
            ml_vec *dst = ml_streq(k, "default-service-export-to")           ? &c->default_export_service
                          : ml_streq(k, "default-virtual-service-export-to") ? &c->default_export_vs
                                                                             : &c->default_export_dr;
            if (!ml_is_seq(v))
                return fail(err, c, v, "'%s' expects a list of namespaces (\".\", \"*\", \"~\" or names)", k);
            dst->n = 0;
            for (size_t j = 0; j < ml_node_n(v); j++) {
                const char *e = NULL;
                if (!scalar_string(err, c, &v->elems[j], k, &e))
                    return false;
                ml_vec_push(c->arena, dst, (void *)e);
            }
        } else if (ml_streq(k, "cluster-domain")) {
            if (!scalar_string(err, c, v, k, &c->cluster_domain))
                return false;
        } else if (ml_streq(k, "assume-complete")) {
            if (!parse_bool(err, c, v, k, &c->assume_complete))
                return false;
        } else if (ml_streq(k, "markdown")) {
            if (!parse_bool(err, c, v, k, &c->markdown))
                return false;
        } else if (ml_streq(k, "fail-on")) {
            if (!ml_str(v) || !ml_level_parse(ml_str(v), &c->fail_on))
                return fail(err, c, v, "'fail-on' expects error, warning, note or never");
        } else if (ml_streq(k, "apply-sets")) {
            if (!parse_apply_sets(err, c, v))
                return false;
        } else if (ml_streq(k, "workloads")) {
            if (!ml_is_map(v))
                return fail(err, c, v, "'workloads' expects a mapping of workload (name or namespace/name) to a source path glob");
            for (size_t j = 0; j < ml_node_n(v); j++) {
                ml_workload_map *wm = ml_zalloc(c->arena, sizeof *wm);
                if (!scalar_string(err, c, &v->kvs[j].key, "workloads", &wm->workload) ||
                    !scalar_string(err, c, &v->kvs[j].value, "workloads", &wm->source_glob))
                    return false;
                ml_vec_push(c->arena, &c->workloads, wm);
            }
        } else {
            ml_buf b;
            ml_buf_init(&b);
            for (size_t j = 0; ml_config_keys[j]; j++)
                ml_buf_printf(&b, "%s%s", j ? ", " : "", ml_config_keys[j]);
            fail(err, c, &p->key, "unknown key '%s'; expected one of: %s", k ? k : "?", b.s);
            ml_buf_free(&b);
            return false;
        }
    }
    return true;
}

const char *ml_config_find(ml_arena *a, const char *dir)
{
    char buf[4096];
    if (!realpath(dir, buf))
        return NULL;
    for (;;) {
        char *cand = ml_printf(a, "%s/.meshlint.yaml", strcmp(buf, "/") == 0 ? "" : buf);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode))
            return cand;
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf) {
            if (strcmp(buf, "/") == 0)
                return NULL;
            strcpy(buf, "/");
            continue;
        }
        *slash = '\0';
    }
}

bool ml_config_enable(ml_config *c, const char *id_or_name, bool enable, ml_buf *err)
{
    const ml_rule *r = ml_rule_find(id_or_name);
    if (!r) {
        ml_buf_printf(err, "unknown rule '%s' (see meshlint --list-rules)", id_or_name);
        return false;
    }
    ml_rule_cfg *rc = rule_cfg(c, r);
    rc->enabled = enable;
    rc->disabled = !enable;
    return true;
}

ml_level ml_config_rule_level(const ml_config *c, const ml_rule *r)
{
    if (c && c->only.n) {
        bool listed = false;
        for (size_t i = 0; i < c->only.n && !listed; i++)
            listed = ml_rule_find(c->only.items[i]) == r;
        if (!listed)
            return ML_LEVEL_NONE;
    }
    const ml_rule_cfg *rc = c ? ml_map_gets(&c->rules, r->id) : NULL;
    if (rc && rc->disabled)
        return ML_LEVEL_NONE;
    if (rc && rc->level != ML_LEVEL_NONE)
        return rc->level;
    return r->level;
}

const ml_node *ml_config_rule_settings(const ml_config *c, const ml_rule *r)
{
    const ml_rule_cfg *rc = c && r ? ml_map_gets(&c->rules, r->id) : NULL;
    return rc ? rc->settings : NULL;
}
