/*
 * authz_common.h - helpers the authorization rules (ML5xx) share.
 *
 * Several ML5xx rules ask the same questions: which AuthorizationPolicies
 * apply to a workload, does the workload's sidecar exist to enforce them,
 * which service account does it run as, and does an Istio string pattern
 * ("*", "prefix*", "*suffix", exact) match a value. They are answered here
 * once, on top of the shared mesh facts (mesh.h); nothing here recomputes
 * injection or mTLS.
 */
#ifndef MESHLINT_RULES_AUTHZ_COMMON_H
#define MESHLINT_RULES_AUTHZ_COMMON_H

#include "meshlint/rule.h"

/* Workload -> the winning AuthorizationPolicies (ml_authz*) that apply to it,
 * in load order. Policies whose action Istio rejects are left out. The
 * mesh facts hold it (ml_workload.authz, ml_mesh_compute); this reads them. */
typedef struct ml_authz_index {
    const ml_model *model;
} ml_authz_index;

void ml_authz_index_build(ml_ctx *ctx, ml_authz_index *ix);
/* The policies that apply to w (never NULL; empty when none). */
const ml_vec *ml_authz_index_get(const ml_authz_index *ix, const ml_workload *w);
void ml_authz_index_free(ml_authz_index *ix);

/* The sidecar facts, read from the shared mesh facts. Unknown is neither. */
bool ml_authz_has_sidecar(const ml_model *m, const ml_workload *w);
bool ml_authz_lacks_sidecar(const ml_model *m, const ml_workload *w);

/* Does the workload receive requests through its sidecar? True when an app
 * container declares a port that the sidecar intercepts, or a Connectum
 * server runs in it. The pod annotations
 * traffic.sidecar.istio.io/includeInboundPorts ("*" by default, "" for none)
 * and excludeInboundPorts decide which ports the sidecar intercepts: traffic
 * to the others reaches the application directly, and no policy sees it. */
bool ml_authz_serves_traffic(const ml_workload *w);
/* Does the sidecar intercept inbound traffic to port (by those annotations;
 * port < 0: unknown, any interception counts)? */
bool ml_authz_inbound_captured(const ml_workload *w, long long port);

/* The service account the workload's pods run as ("default" when unset),
 * and whether that was the default. */
const char *ml_authz_service_account(const ml_workload *w, bool *is_default);

/* The configured trust domain ("cluster.local" by default). */
const char *ml_authz_trust_domain(const ml_ctx *ctx);

/* Istio's string match for principals, namespaces, paths: "*" matches any
 * non-empty value, "abc*" a prefix, "*abc" a suffix, anything else exactly. */
bool ml_authz_str_match(const char *pattern, const char *value);

/* "Deployment connectum/a, Deployment connectum/b and 3 more" */
const char *ml_authz_workload_list(ml_arena *a, const ml_vec *ws, size_t max);

/* Location of a policy's name, or of its kind line. */
ml_loc ml_authz_res_name_loc(const ml_resource *r);

/* Call fn for every rules[].to[].operation of policy r that lists paths or
 * notPaths, with the workloads the policy selects (looked up once, on the
 * first such operation); fn is not called when it selects none. */
typedef void (*ml_authz_paths_fn)(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_node *paths,
                                  const ml_node *not_paths, const ml_node *op, const ml_vec *ws);
void ml_authz_each_path_operation(ml_ctx *ctx, const ml_resource *r, ml_authz_paths_fn fn, void *arg);

#endif
