/*
 * gwapi_common.h - helpers shared by the Gateway API rules (ML312-ML315).
 *
 * The Gateway API records (model.h, block "Gateway API") hold parentRefs and
 * backendRefs with the API's defaults applied. These helpers answer, once,
 * the questions several rules ask: which Service definitions a reference
 * may meet, whether the input is evidence that a Service is absent (the
 * same evidence ML306 requires), and whether a ReferenceGrant permits a
 * cross-namespace reference.
 */
#ifndef MESHLINT_GWAPI_COMMON_H
#define MESHLINT_GWAPI_COMMON_H

#include "meshlint/rule.h"

/* Call fn on every backendRef of every rule of every live route definition. */
typedef void (*gw_backend_fn)(ml_ctx *ctx, void *arg, const ml_resource *route, const ml_gw_rule *rule,
                              const ml_gw_ref *ref);
void gw_each_backend(ml_ctx *ctx, gw_backend_fn fn, void *arg);
/* Call fn on every rule of every live route definition (HTTPRoute, GRPCRoute,
 * TCPRoute, TLSRoute). */
void gw_each_rule(ml_ctx *ctx, void (*fn)(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule));

/* True when the input is evidence that no Service ns/name exists for the
 * resource from: the input holds Services of ns (or --assume-complete), no
 * input left unlinted may define objects of ns, and no Service of that name
 * lives in a namespace that may be the same one (unit.h, model.h). */
bool gw_service_absent(ml_ctx *ctx, const ml_resource *from, const char *ns, const char *name);

typedef enum gw_grant { GW_GRANT_NONE, GW_GRANT_PERMITTED, GW_GRANT_UNKNOWN } gw_grant;

/* Whether a ReferenceGrant in to_ns lets objects of (from_group, from_kind)
 * in from_ns refer to the object (to_group, to_kind, to_name) of to_ns
 * (Gateway API spec, ReferenceGrant: the grant lives in the target's
 * namespace; a to entry without a name admits every object of its kind).
 * UNKNOWN when the input cannot be evidence of its absence: an input not
 * linted may define objects of to_ns, or a ReferenceGrant of a version
 * meshlint does not read is there. *grant receives the permitting grant. */
gw_grant gw_refgrant_permits(ml_ctx *ctx, const char *from_group, const char *from_kind, const char *from_ns,
                             const char *to_group, const char *to_kind, const char *to_ns, const char *to_name,
                             const ml_resource **grant);

/* False when Istio certainly refuses the backendRef: a Service in another
 * namespace that no ReferenceGrant permits (ML313's case; the route's
 * requests for it get a 500 and never reach the Service). */
bool gw_backend_permitted(ml_ctx *ctx, const ml_resource *route, const ml_gw_ref *ref);
/* fn(ctx, server, workload, arg) for each Connectum server on a workload
 * behind a Service backendRef of rule that gets traffic (weight not 0) and
 * is permitted (gw_backend_permitted), Services seen through route's view. */
void gw_each_backend_server(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule,
                            void (*fn)(ml_ctx *, const ml_server *, const ml_workload *, void *), void *arg);

/* "HTTPRoute shop/orders rule 2" style name of a route rule. */
const char *gw_rule_name(ml_arena *a, const ml_resource *route, const ml_gw_rule *rule);

#define GW_GROUP "gateway.networking.k8s.io"

typedef enum gw_accept { GW_ACCEPTS, GW_REFUSES, GW_ACCEPT_UNKNOWN } gw_accept;

/* Whether listener l of Gateway gwr accepts route r (Gateway API spec,
 * Listener.AllowedRoutes: namespaces.from, default Same; kinds, default the
 * protocol's: HTTP and HTTPS take HTTPRoute and GRPCRoute, TCP TCPRoute;
 * Listener.Hostname against the route's hostnames, where a leading "*."
 * matches one or more labels). GW_ACCEPTS only when every condition is
 * decided by the input: a Selector, an apply-time namespace that may or
 * may not be the Gateway's, a protocol or kind meshlint does not judge give
 * GW_ACCEPT_UNKNOWN. With GW_REFUSES, *why receives the reason. */
gw_accept gw_listener_accepts(ml_ctx *ctx, const ml_resource *gwr, const ml_gw_listener *l, const ml_resource *r,
                              const char **why);

/* How a route's requests reach their backends: an Istio Gateway, or the
 * waypoint of the Service the route binds to. */
typedef struct gw_route_via {
    const ml_resource *gw;         /* the Istio Gateway or the waypoint's Gateway */
    const ml_resource *parent_svc; /* waypoint: the Service the route binds to */
    const ml_node *label;          /* waypoint: the istio.io/use-waypoint label that names it */
} gw_route_via;

/* The waypoint that applies route, bound to Service parentRef p: every
 * definition of the Service the route may meet has the same waypoint
 * (ml_mesh_service_waypoint), the pods it selects are all ambient, and the
 * route lives in the Service's or the waypoint's namespace
 * (getVirtualServiceForWaypoint in listener_waypoint.go takes no other).
 * Fills out->gw, parent_svc and label. */
bool gw_route_waypoint(const ml_model *m, const ml_resource *route, const ml_gw_ref *p, gw_route_via *out);

/* Call fn on every live HTTPRoute and GRPCRoute definition. */
void gw_each_http_route(ml_ctx *ctx, void (*fn)(ml_ctx *ctx, const ml_resource *route));

#endif
