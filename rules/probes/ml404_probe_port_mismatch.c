/*
 * ML404 probe-port-mismatch: a probe whose port cannot be the server's.
 *
 * Two questions, each answered only as far as the input allows. First, in
 * the container alone: a named probe port must be the name of one of that
 * container's ports (the kubelet resolves names in the probe's own container
 * and fails the probe otherwise), and a numeric one should be among the
 * ports the container declares when it declares any (only a note without a
 * linked server: containerPort is informational). Second, with a linked
 * Connectum server: the resolved port must be the one the server listens on
 * (port option, PORT env, default 5000). Near misses kept silent: a number
 * the container does not declare but the server listens on (the probe
 * works), a number another container of the pod declares (shared network
 * namespace), a declared port other than the server's in a container that
 * also declares the server's port (a second listener such as metrics), a
 * container that declares no ports and has no linked server, and any port
 * that is unknown.
 */
#include <string.h>

#include "probes_common.h"

static const char *ports_text(ml_arena *a, const ml_container *c)
{
    if (!c->nports)
        return "it declares no ports";
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, "its ports: ");
    for (size_t i = 0; i < c->nports; i++) {
        const ml_port *p = &c->ports[i];
        const char *nm = ml_str(p->name);
        ml_buf_printf(&b, "%s%s%s", i ? ", " : "", nm ? nm : "", nm && p->num >= 0 ? " " : "");
        if (p->num >= 0)
            ml_buf_printf(&b, "%lld", p->num);
    }
    const char *r = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return r;
}

/* The only port name of c within edit distance 2 of s, or NULL. */
static const char *near_name(const ml_container *c, const char *s)
{
    const char *best = NULL;
    unsigned best_d = 3;
    bool tie = false;
    for (size_t i = 0; i < c->nports; i++) {
        const char *nm = ml_str(c->ports[i].name);
        if (!nm)
            continue;
        unsigned d = ml_edit_distance(s, nm, 2);
        if (d < best_d) {
            best_d = d;
            best = nm;
            tie = false;
        } else if (d == best_d) {
            tie = true;
        }
    }
    return tie ? NULL : best;
}

/* Another application container of the pod declares this port number. */
static bool other_container_declares(const ml_workload *w, const ml_container *c, long long num)
{
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *o = &w->containers[i];
        if (o != c && ml_probes_app_container(o) && ml_probes_find_port_num(o, num))
            return true;
    }
    return false;
}

/* A region that covers the scalar's text without surrounding quotes. */
static bool plain_region(const ml_node *n, ml_loc *out)
{
    if (!n || !ml_node_file(n) || n->style != ML_SCALAR_PLAIN || n->end_off <= n->off)
        return false;
    *out = ml_node_loc(n);
    return true;
}

static void check_probe(ml_ctx *ctx, const ml_workload *w, const ml_container *c, const ml_probe *p)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (!p->node || (p->kind != ML_PROBE_HTTP && p->kind != ML_PROBE_GRPC && p->kind != ML_PROBE_TCP))
        return;
    ml_probe_port pp = ml_probes_port(c, p);
    if (!pp.present)
        return;
    const char *pname = ml_probes_name(p);
    const char *cname = ml_str(c->name) ? ml_str(c->name) : "(unnamed)";
    /* the location is made only for a finding: every probe is read */
    ml_loc at;

    if (pp.is_name && !pp.decl) {
        at = ml_node_loc(p->port);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s port '%s' names no port of container %s (%s): the kubelet cannot "
                               "resolve it and the probe fails; %s",
                               pname, pp.text, cname, ports_text(a, c), ml_probes_consequence(p));
        const char *near = near_name(c, pp.text);
        ml_loc region;
        if (near) {
            ml_help(ctx, d, "did you mean '%s'? A probe port names a port of its own container", near);
            if (plain_region(p->port, &region))
                ml_add_fix(ctx, d, ml_printf(a, "use the port name '%s'", near), region, near);
        } else {
            ml_help(ctx, d, "name one of the ports of container %s, or give the port number", cname);
        }
        return;
    }
    if (pp.num < 0)
        return; /* a named port without a usable number: unknown */

    const ml_link *l = ml_probes_container_link(w, c);
    ml_probes_sport sp = {0};
    if (l)
        sp = ml_probes_server_port(a, m, l);

    if (sp.known && pp.num != sp.num) {
        /* A declared port in a container that also declares the server's
         * port is taken as a second listener (metrics, admin). */
        if (pp.decl && ml_probes_find_port_num(c, sp.num))
            return;
        if (!pp.decl && other_container_declares(w, c, pp.num))
            return;
        const char *stext = ml_probes_server_text(a, l->server);
        const char *ptext = ml_probes_port_text(a, &pp);
        at = ml_node_loc(p->port);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s port %s is not the port %s listens on (%lld, %s)%s; %s", pname, ptext,
                               stext, sp.num, ml_probes_sport_origin(a, &sp),
                               pp.decl ? "" : ml_printf(a, ", and container %s declares no port %lld", cname, pp.num),
                               ml_probes_consequence(p));
        if (ml_probes_setting_has_loc(&sp.s))
            ml_note(ctx, d, sp.s.loc, "the server's port: %lld (%s)", sp.num,
                    ml_probes_sport_origin(a, &sp));
        else
            ml_note(ctx, d, l->server->call, "the server, listening on %lld (%s)", sp.num,
                    ml_probes_sport_origin(a, &sp));
        if (pp.decl && pp.is_name)
            ml_note(ctx, d, ml_node_loc(pp.decl->number ? pp.decl->number : pp.decl->node),
                    "container port '%s' is %lld", pp.text, pp.num);
        ml_help(ctx, d, "probe port %lld, the server's port (and declare it as a container port), or make "
                        "the server listen on %lld",
                sp.num, pp.num);
        return;
    }
    if (sp.known)
        return; /* the server listens on the probe's port */
    if (pp.decl || !c->nports || other_container_declares(w, c, pp.num))
        return;
    /* Without a server to compare with, an undeclared number proves
     * nothing: containerPort is informational, and an application may
     * listen on ports it does not list (a management port, say). Worth a
     * note, in case it is a typo; not an error. */
    at = ml_node_loc(p->port);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NOTE, at,
                           "%s port %lld matches no port of container %s (%s); if nothing listens on "
                           "%lld, %s",
                           pname, pp.num, cname, ports_text(a, c), pp.num, ml_probes_consequence(p));
    ml_help(ctx, d, "probe the port the server listens on, by number or by the name of a container port");
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(const ml_workload *, w, &ctx->model->workloads) {
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (!ml_probes_app_container(c))
                continue;
            check_probe(ctx, w, c, &c->startup);
            check_probe(ctx, w, c, &c->liveness);
            check_probe(ctx, w, c, &c->readiness);
        }
    }
}

const ml_rule ml_rule_ML404 = {
    .id = "ML404",
    .name = "probe-port-mismatch",
    .level = ML_LEVEL_ERROR,
    .summary = "A probe's port matches no port of its container, or not the server's port",
    .description = "Checks the port of every httpGet, grpc and tcpSocket probe of an application "
                   "container (init containers and istio-proxy are skipped). A port given by name "
                   "must be the name of one of that container's own ports: the kubelet resolves "
                   "names only there and fails the probe otherwise. A port given by number should "
                   "be one the container declares, when it declares any; without a linked server "
                   "this is only a note, since containerPort is informational and an application may "
                   "listen on ports it does not list (a management port). When a Connectum server is "
                   "linked to the container, the resolved port must also be the one the server "
                   "listens on: its port option (read from the container's environment when the "
                   "code takes it from process.env); when the code leaves it unset, PORT from the "
                   "container's env or envFrom ConfigMaps; else 5000, the Connectum default.\n"
                   "\n"
                   "A probe on the wrong port never reaches the server: a readiness probe keeps the "
                   "pod out of its Services, a liveness or startup probe restarts the container "
                   "over and over. Kept silent: a probe on a number the container does not declare "
                   "but the server listens on, a number another container of the pod declares, a "
                   "second declared port next to the server's (a metrics or admin listener), a "
                   "numeric port in a container that declares none when no server is linked, and "
                   "any port whose value is unknown.",
    .remediation = "Point the probe at the server's port, by number or by the name of the container "
                   "port that declares it, and keep containerPort, the probe and the server's port "
                   "(code or PORT) in agreement.",
    .tags = "probes,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "ports:\n"
                   "  - name: grpc\n"
                   "    containerPort: 5000\n"
                   "readinessProbe:\n"
                   "  grpc:\n"
                   "    port: 8080",
    .example_good = "ports:\n"
                    "  - name: grpc\n"
                    "    containerPort: 5000\n"
                    "readinessProbe:\n"
                    "  grpc:\n"
                    "    port: 5000",
    .settings = NULL,
    .check = check,
};
