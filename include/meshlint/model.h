/*
 * model.h - one model of everything the input declares.
 *
 * Kubernetes and Istio documents become typed resources; Connectum server
 * code becomes server records (ts.h); both live in one ml_model with indexes
 * so that rules never loop over pairs of resources. Every field the rules read
 * is kept as the ml_node it came from, so its value and its position travel
 * together; a field that is absent is NULL. Fields whose YAML type is wrong
 * (a scalar where a list belongs, say) are recorded as shape problems, which
 * rule ML002 reports, and are then treated as absent.
 */
#ifndef MESHLINT_MODEL_H
#define MESHLINT_MODEL_H

#include "meshlint/base.h"
#include "meshlint/diag.h"
#include "meshlint/source.h"
#include "meshlint/unit.h"
#include "meshlint/yaml.h"

typedef enum ml_kind {
    ML_K_NAMESPACE,
    ML_K_DEPLOYMENT,
    ML_K_STATEFULSET,
    ML_K_DAEMONSET,
    ML_K_REPLICASET,
    ML_K_JOB,
    ML_K_CRONJOB,
    ML_K_POD,
    ML_K_SERVICE,
    ML_K_SERVICEACCOUNT,
    ML_K_CONFIGMAP,
    ML_K_SECRET,
    ML_K_PEERAUTHENTICATION,
    ML_K_REQUESTAUTHENTICATION,
    ML_K_AUTHORIZATIONPOLICY,
    ML_K_DESTINATIONRULE,
    ML_K_VIRTUALSERVICE,
    ML_K_GATEWAY,
    ML_K_SERVICEENTRY,
    ML_K_SIDECAR,
    ML_K_TELEMETRY,
    /* Kubernetes Gateway API (gateway.networking.k8s.io): the records below, block "Gateway API" */
    ML_K_GW_GATEWAY,      /* Gateway of gateway.networking.k8s.io (key "Gateway.gateway.networking.k8s.io/ns/name") */
    ML_K_HTTPROUTE,
    ML_K_GRPCROUTE,
    ML_K_TCPROUTE,
    ML_K_TLSROUTE,
    ML_K_REFERENCEGRANT,
    ML_K_OTHER, /* any other apiVersion/kind: kept, not typed */
    ML_K__COUNT
} ml_kind;

const char *ml_kind_name(ml_kind k); /* "Deployment", ... */
bool ml_kind_is_workload(ml_kind k);
bool ml_kind_is_istio(ml_kind k);
/* True for the Gateway API kinds (ML_K_GW_GATEWAY .. ML_K_REFERENCEGRANT). */
bool ml_kind_is_gwapi(ml_kind k);
/* True for the Gateway API route kinds (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute). */
bool ml_kind_is_gw_route(ml_kind k);

typedef struct ml_resource ml_resource;
typedef struct ml_workload ml_workload;

/* ---- workloads -------------------------------------------------------- */

typedef struct ml_port {
    const ml_node *node;    /* the list item */
    const ml_node *name;    /* may be NULL */
    const ml_node *number;  /* containerPort */
    long long num;          /* -1 when absent or not an int */
} ml_port;

typedef enum ml_probe_kind { ML_PROBE_NONE, ML_PROBE_HTTP, ML_PROBE_GRPC, ML_PROBE_TCP, ML_PROBE_EXEC } ml_probe_kind;

typedef struct ml_probe {
    ml_probe_kind kind;
    const ml_node *node;   /* the livenessProbe/... mapping */
    const ml_node *key;    /* the key "livenessProbe" (for locations) */
    const ml_node *path;   /* httpGet.path */
    const ml_node *port;   /* httpGet.port / grpc.port / tcpSocket.port: number or name */
    const ml_node *service; /* grpc.service */
} ml_probe;

typedef struct ml_env {
    const ml_node *name;
    const ml_node *value;      /* NULL when valueFrom or absent */
    const ml_node *value_from; /* valueFrom mapping */
} ml_env;

typedef struct ml_container {
    const ml_node *node;
    const ml_node *name;
    bool is_init;              /* initContainers */
    bool is_sidecar_proxy;     /* name "istio-proxy" */
    size_t nports;
    ml_port *ports;
    size_t nenv;
    ml_env *env;
    ml_vec env_from_configmaps; /* const ml_node* : envFrom[].configMapRef.name */
    ml_probe liveness, readiness, startup;
    const ml_node *idle;        /* command/args that only idle (sleep, sleep infinity, tail -f /dev/null,
                                 * pause, sh -c "while true; do sleep 5; done"): a client or
                                 * debugging pod that serves nothing; the first such node, else NULL */
    const ml_node *lifecycle;   /* container.lifecycle */
    const ml_node *pre_stop;    /* lifecycle.preStop */
} ml_container;

struct ml_workload {
    ml_resource *res;
    const ml_node *pod_spec;         /* the PodSpec mapping */
    const ml_node *pod_meta;         /* template.metadata (the Pod's metadata for kind Pod) */
    const ml_node *pod_labels;       /* mapping or NULL */
    const ml_node *pod_annotations;  /* mapping or NULL */
    const ml_node *selector;         /* spec.selector.matchLabels (NULL for Pod/Job without it) */
    const ml_node *replicas;         /* spec.replicas */
    const ml_node *service_account;  /* serviceAccountName (or deprecated serviceAccount) */
    const ml_node *grace_period;     /* terminationGracePeriodSeconds */
    size_t ncontainers;
    ml_container *containers;        /* init containers included, is_init set */
    bool long_running;               /* not Job/CronJob */
    /* filled by mesh.c (ml_mesh_compute) */
    struct ml_sidecar_fact *sidecar;
    struct ml_dataplane_fact *dataplane; /* data plane (sidecar, ambient, waypoint, none): mesh.h */
    struct ml_mtls_fact *mtls;       /* inbound mTLS at the workload level (mesh.h; read with ml_mesh_mtls) */
    ml_vec servers;                  /* ml_server* linked to this workload (link.c) */
    ml_vec authz;                    /* ml_authz* (mesh.c): the live AuthorizationPolicies whose selection
                                      * (ml_mesh_authz_workloads) holds it and whose action is valid, load order */
    ml_vec services;                 /* ml_service* (live, that the workload meets) whose selector picks this workload, load order */
};

/* ---- Kubernetes Service, ServiceAccount, ConfigMap --------------------- */

typedef struct ml_svc_port {
    const ml_node *node;
    const ml_node *name;
    const ml_node *port;        /* number */
    long long num;
    const ml_node *target_port; /* number or name; NULL = same as port */
    const ml_node *app_protocol;
    const ml_node *protocol;
} ml_svc_port;

typedef struct ml_service {
    ml_resource *res;
    const ml_node *selector;   /* spec.selector mapping or NULL */
    const ml_node *type;
    size_t nports;
    ml_svc_port *ports;
    const char *fqdn;          /* name.ns.svc.<domain> */
    const ml_node *export_to;  /* annotation networking.istio.io/exportTo (a comma-separated scalar) or NULL */
    ml_vec workloads;          /* ml_workload* in the same namespace whose pod labels match the selector */
} ml_service;

typedef struct ml_configmap {
    ml_resource *res;
    const ml_node *data;       /* mapping or NULL */
} ml_configmap;

/* ---- Istio ------------------------------------------------------------ */

typedef enum ml_mtls_mode {
    ML_MTLS_UNSET = 0,
    ML_MTLS_DISABLE,
    ML_MTLS_PERMISSIVE,
    ML_MTLS_STRICT,
    ML_MTLS_INVALID /* a value that is not one of the four (ML002 reports it) */
} ml_mtls_mode;
const char *ml_mtls_name(ml_mtls_mode m);

typedef struct ml_port_mtls {
    const ml_node *key;   /* the port number key */
    long long port;
    const ml_node *mode_node;
    ml_mtls_mode mode;
} ml_port_mtls;

typedef struct ml_peerauth {
    ml_resource *res;
    const ml_node *selector;   /* selector.matchLabels, NULL = namespace/mesh wide */
    const ml_node *mode_node;  /* mtls.mode */
    ml_mtls_mode mode;         /* UNSET when absent */
    size_t nport_level;
    ml_port_mtls *port_level;
    bool mesh_wide;            /* no selector and namespace == root namespace */
    ml_vec workloads;          /* filled by mesh.c: the workloads it applies to (ml_mesh_pa_workloads) */
} ml_peerauth;

typedef struct ml_dr_subset {
    const ml_node *node;
    const ml_node *name;
    const ml_node *labels;     /* mapping or NULL */
    const ml_node *traffic_policy;
    const ml_node *tls_mode;   /* trafficPolicy.tls.mode */
} ml_dr_subset;

typedef struct ml_dr_port_setting {
    const ml_node *node;
    long long port;            /* port.number, -1 when absent */
    const ml_node *tls_mode;
    const ml_node *tls;
} ml_dr_port_setting;

typedef struct ml_destrule {
    ml_resource *res;
    const ml_node *host;
    const char *fqdn;          /* resolved host */
    const ml_node *traffic_policy;
    const ml_node *tls;        /* trafficPolicy.tls */
    const ml_node *tls_mode;   /* trafficPolicy.tls.mode */
    const ml_node *connection_pool;
    const ml_node *outlier_detection;
    const ml_node *lb_simple;  /* trafficPolicy.loadBalancer.simple */
    const ml_node *h2_upgrade; /* trafficPolicy.connectionPool.http.h2UpgradePolicy */
    size_t nport_settings;
    ml_dr_port_setting *port_settings;
    size_t nsubsets;
    ml_dr_subset *subsets;
    const ml_node *export_to;
    const ml_node *workload_selector;
} ml_destrule;

typedef struct ml_destination {
    const ml_node *node;       /* the destination mapping */
    const ml_node *host;
    const char *fqdn;          /* resolved host */
    const ml_node *subset;
    const ml_node *port;       /* port.number node */
    long long port_num;        /* -1 when absent */
    const ml_node *weight;     /* the sibling weight of the route item */
    long long weight_num;      /* -1 when absent */
} ml_destination;

typedef enum ml_route_proto { ML_ROUTE_HTTP, ML_ROUTE_TCP, ML_ROUTE_TLS } ml_route_proto;

typedef struct ml_route {
    ml_route_proto proto;
    const ml_node *node;       /* the http[i] / tcp[i] / tls[i] item */
    size_t index;
    const ml_node *name;
    const ml_node *match;      /* sequence or NULL */
    size_t ndest;
    ml_destination *dest;      /* route[] destinations */
    ml_destination *mirror;    /* NULL when none */
    const ml_node *retries;    /* retries mapping */
    const ml_node *attempts;   /* retries.attempts */
    const ml_node *per_try_timeout;
    const ml_node *retry_on;
    const ml_node *timeout;
    const ml_node *redirect, *direct_response, *delegate;
} ml_route;

typedef struct ml_virtualservice {
    ml_resource *res;
    size_t nhosts;
    const ml_node **hosts;
    const char **fqdns;        /* resolved hosts, parallel to hosts */
    const ml_node *gateways;   /* sequence or NULL */
    bool mesh_gateway;         /* no gateways, or "mesh" among them */
    size_t nroutes;
    ml_route *routes;          /* http, then tcp, then tls, in document order within each */
    const ml_node *export_to;
} ml_virtualservice;

typedef enum ml_authz_action { ML_AUTHZ_ALLOW, ML_AUTHZ_DENY, ML_AUTHZ_AUDIT, ML_AUTHZ_CUSTOM, ML_AUTHZ_INVALID } ml_authz_action;

typedef struct ml_authz {
    ml_resource *res;
    const ml_node *selector;   /* selector.matchLabels, NULL = namespace/mesh wide */
    const ml_node *action_node;
    ml_authz_action action;    /* ALLOW when absent */
    const ml_node *rules;      /* sequence or NULL (NULL: no rules key) */
    const ml_node *target_refs;
    /* filled by mesh.c (ml_mesh_compute): the workloads its selector picks;
     * read through ml_mesh_authz_workloads */
    ml_vec workloads;
    bool selected;             /* workloads is set */
} ml_authz;

typedef struct ml_serviceentry {
    ml_resource *res;
    size_t nhosts;
    const ml_node **hosts;
    const ml_node *export_to;  /* spec.exportTo sequence or NULL */
} ml_serviceentry;

/* ---- Kubernetes Gateway API (gateway.networking.k8s.io) ----------------
 * Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute and ReferenceGrant in
 * the versions Istio reads (pkg/config/schema/gvk/resources.gen.go:
 * Gateway and HTTPRoute v1, v1beta1, v1alpha2; GRPCRoute v1, v1alpha2;
 * TCPRoute and TLSRoute v1alpha2; ReferenceGrant v1beta1, v1alpha2).
 * Defaults are those of the Gateway API types (gateway-api apis/v1):
 * a parentRef is group gateway.networking.k8s.io kind Gateway, a backendRef
 * group "" (core) kind Service, a backendRef weight 1, a namespace the
 * route's own. */

typedef struct ml_gw_listener {
    const ml_node *node;
    const ml_node *name;
    const ml_node *port;           /* port number node */
    long long port_num;            /* -1 when absent */
    const ml_node *protocol;       /* HTTP, HTTPS, TLS, TCP, UDP, or a domain-prefixed one */
    const ml_node *hostname;       /* NULL: any host */
    const ml_node *allowed_from;   /* allowedRoutes.namespaces.from (All, Same, Selector); NULL: Same */
    const ml_node *allowed_selector; /* allowedRoutes.namespaces.selector */
    const ml_node *allowed_kinds;  /* allowedRoutes.kinds: a sequence, or NULL (the protocol's kinds) */
    const ml_node *tls;            /* tls mapping */
    const ml_node *tls_mode;       /* tls.mode (Terminate when absent) */
    const ml_node *cert_refs;      /* tls.certificateRefs sequence */
} ml_gw_listener;

typedef struct ml_k8s_gateway {
    ml_resource *res;
    const ml_node *class_name;     /* spec.gatewayClassName */
    bool waypoint;                 /* gatewayClassName istio-waypoint: an ambient waypoint */
    size_t nlisteners;
    ml_gw_listener *listeners;
} ml_k8s_gateway;

/* A parentRef or a backendRef, with the Gateway API defaults applied. */
typedef struct ml_gw_ref {
    const ml_node *node;           /* the list item */
    const ml_node *group, *kind, *name, *namespace_, *port, *section_name, *weight;
    const char *group_s;           /* group, defaulted ("" = core) */
    const char *kind_s;            /* kind, defaulted */
    const char *ns;                /* namespace, defaulted to the route's */
    long long port_num;            /* -1 when absent */
    long long weight_num;          /* backendRefs: 1 when absent; -1 when not an integer */
    bool is_service;               /* group "" and kind Service */
    bool is_gateway;               /* group gateway.networking.k8s.io and kind Gateway */
} ml_gw_ref;

typedef struct ml_gw_rule {
    const ml_node *node;           /* rules[i] */
    size_t index;
    const ml_node *matches;        /* sequence or NULL */
    const ml_node *filters;        /* sequence or NULL */
    const ml_node *timeouts;       /* HTTPRoute timeouts mapping */
    const ml_node *timeout_request, *timeout_backend; /* timeouts.request / .backendRequest */
    const ml_node *retry;          /* HTTPRoute retry mapping (Gateway API v1.2+) or NULL */
    const ml_node *retry_attempts; /* retry.attempts (NULL: the implementation's default) */
    size_t nbackends;
    ml_gw_ref *backends;
} ml_gw_rule;

typedef struct ml_gw_route {
    ml_resource *res;              /* kind ML_K_HTTPROUTE .. ML_K_TLSROUTE */
    size_t nparents;
    ml_gw_ref *parents;
    size_t nhostnames;
    const ml_node **hostnames;
    size_t nrules;
    ml_gw_rule *rules;
} ml_gw_route;

typedef struct ml_refgrant_from {
    const ml_node *node;
    const char *group, *kind, *ns; /* as written ("" when absent) */
} ml_refgrant_from;

typedef struct ml_refgrant_to {
    const ml_node *node;
    const char *group, *kind;
    const char *name;              /* NULL: every object of the kind */
} ml_refgrant_to;

typedef struct ml_refgrant {
    ml_resource *res;
    size_t nfrom, nto;
    ml_refgrant_from *from;
    ml_refgrant_to *to;
} ml_refgrant;

/* ---- end of Gateway API ------------------------------------------------ */

/* ---- the common resource ---------------------------------------------- */

struct ml_resource {
    ml_kind kind;
    const char *api_version;
    const char *kind_str;
    const char *name;          /* "" when missing */
    const char *ns;            /* effective namespace ("default" or configured when absent); for Namespace: its own name */
    bool ns_explicit;
    ml_doc *doc;
    const ml_node *root, *metadata, *spec;
    const ml_node *kind_node, *name_node, *ns_node;
    const ml_node *labels, *annotations; /* metadata.labels / .annotations */
    unsigned order;            /* global load order (path order, then document order) */
    const char *key;           /* "Kind/ns/name" */
    /* Meeting groups (unit.h): definitions of one key meet for certain only
     * inside one group: the same apply unit (doc->unit: a kustomize build or
     * an apply set of .meshlint.yaml) or, for a loose file, the same file.
     * Inside a group the last definition replaces the earlier ones; across
     * groups the surviving definitions are alternatives, all of them live. */
    const void *group;         /* the ml_unit, or the ml_file of a loose file */
    unsigned rank;             /* apply order inside an apply set: index of the glob that took the file */
    ml_resource *prev_def;     /* an earlier definition of the same key (any group), or NULL */
    ml_resource *replaced_by;  /* the later definition of its group that replaces it when applied, or NULL */
    bool live;                 /* survives its group (replaced_by == NULL): one of the key's alternatives */
    unsigned nalts;            /* live definitions of the key (its alternatives, itself included) */
    /* exactly one of these is set according to kind (NULL for ML_K_OTHER and
     * kinds without a typed record: Namespace, ServiceAccount, Secret,
     * RequestAuthentication, Gateway, Sidecar, Telemetry use root/spec) */
    union {
        ml_workload *workload;
        ml_service *service;
        ml_configmap *configmap;
        ml_peerauth *peerauth;
        ml_destrule *destrule;
        ml_virtualservice *vs;
        ml_authz *authz;
        ml_serviceentry *se;
        ml_k8s_gateway *gw;          /* ML_K_GW_GATEWAY */
        ml_gw_route *route;          /* ML_K_HTTPROUTE .. ML_K_TLSROUTE */
        ml_refgrant *refgrant;       /* ML_K_REFERENCEGRANT */
        void *typed;
    } u;
};

/* A shape problem found while typing documents (reported by ML002). */
typedef struct ml_shape_problem {
    ml_loc loc;
    const char *message;
    ml_resource *res;
} ml_shape_problem;

struct ml_config;
struct ml_server;

typedef struct ml_model {
    ml_arena *arena;
    const struct ml_config *cfg;
    ml_vec files;               /* ml_file*, in path order */
    ml_vec docs;                /* ml_doc*, all documents */
    ml_vec yaml_errors;         /* ml_yaml_error* (ML001) */
    ml_vec shape_problems;      /* ml_shape_problem* (ML002) */
    ml_vec units;               /* ml_unit* (unit.h), in path order */
    ml_vec unlinted;            /* ml_unlinted* (unit.h): inputs not linted (ML010) */
    ml_vec resources;           /* ml_resource*, load order */
    ml_vec by_kind[ML_K__COUNT];/* ml_resource*, load order, every definition */
    ml_vec workloads;           /* ml_workload*, live definitions (every alternative) */
    ml_map by_key;              /* "Kind/ns/name" -> ml_vec of live ml_resource* (its alternatives), load order */
    ml_map ns_workloads;        /* ns -> ml_vec of ml_workload* (live) */
    ml_map label_index;         /* "ns\x1fkey\x1fvalue" -> ml_vec of ml_workload* */
    ml_map svc_by_host;         /* fqdn -> ml_vec of ml_service* (live) */
    ml_map dr_by_host;          /* fqdn -> ml_vec of ml_destrule* (live) */
    ml_map vs_by_host;          /* fqdn -> ml_vec of ml_virtualservice* (live) */
    ml_map se_by_host;          /* host as written -> ml_vec of ml_serviceentry* */
    ml_map namespaces;          /* ns name -> ml_vec of live Namespace ml_resource* (alternatives) */
    ml_map ns_present;          /* ns name -> (void*)1 for every namespace any resource uses */
    ml_map unread_workload_ns;  /* ns name -> (void*)1: a workload kind there in an apiVersion meshlint does not read */
    bool is_mesh_repo;          /* any Istio resource, or an injected namespace */
    ml_vec servers;             /* struct ml_server* (ts.h) */
    ml_vec ts_files;            /* ml_file* of TypeScript/JavaScript */
    ml_vec proto_services;      /* struct ml_proto_service* of every .proto file (proto.h) */
    ml_map proto_by_name;       /* service simple name -> ml_vec of struct ml_proto_service* */
    struct ml_mesh *mesh;       /* sidecar and mTLS facts (mesh.h) */
    /* internal to model.c: winning DRs/VSs with a wildcard host ("*",
     * "*.example.com"), so that host lookups are one probe plus this list */
    ml_vec dr_wildcards, vs_wildcards;
    /* internal to model.c: the apply-set rank of the document being added */
    unsigned doc_rank;
    /* internal to ts_extract.c: files read through relative imports and
     * their tokens, shared by every file's extraction (ml_link_servers
     * releases it) */
    void *ts_imports;
    /* internal to ts_extract.c: the package of each directory and the
     * facts each extracted file yielded, so that linking neither looks for
     * package.json again nor tokenizes a file twice (ml_ts_release frees it) */
    void *ts_memo;
} ml_model;

/* The namespace of manifests without metadata.namespace (outside a unit
 * that sets one) while -n/--namespace and default-namespace leave it
 * unbound: one namespace, chosen at apply time. It is never a real
 * namespace name (it has spaces), and while it is unbound no rule concludes
 * absence from it: a resource in it may be in any namespace, and one of
 * another namespace may share its namespace. */
#define ML_NS_APPLY_TIME "(apply-time namespace)"
/* True when ns is the unbound apply-time namespace. */
bool ml_ns_is_apply_time(const char *ns);
/* True when namespaces a and b may turn out to be the same namespace: equal,
 * or one of them is the unbound apply-time namespace. */
bool ml_ns_may_equal(const ml_model *m, const char *a, const char *b);
/* Workloads (live) whose pod labels match sel and that may be in ns
 * (ml_ns_may_equal): the absence rules' question. Result in arena. */
ml_vec ml_model_select_may(const ml_model *m, const char *ns, const ml_node *sel);
/* True when an input meshlint did not lint (model->unlinted: a Helm chart,
 * a template, a kustomize feature not rendered) may define objects in ns
 * (its namespace unknown, or one that may equal ns): then no rule
 * concludes that an object of ns is missing. */
bool ml_model_unlinted_may_define(const ml_model *m, const char *ns);
/* The first live Namespace (load order) whose name ns looks like a
 * misspelling of: at most two edits away, at least four characters long,
 * and not a sibling name (team-a and team-b, ns1 and ns2, which differ only
 * in their last dash-separated part or their digits). NULL when none. The
 * rules that judge a namespace name the input lacks (ML503, ML323) report
 * it only then, or with --assume-complete. Linear in the Namespaces: callers
 * bound how often they ask. */
const char *ml_model_ns_misspelled(const ml_model *m, const char *ns);
/* True when the input has a resource in the unbound apply-time namespace. */
bool ml_model_has_apply_time(const ml_model *m);

/* exportTo: which namespaces' proxies see a VirtualService, a
 * DestinationRule, a ServiceEntry or a Service (its annotation
 * networking.istio.io/exportTo, comma-separated). Istio's semantics
 * (pilot/pkg/model/push_context.go: initServiceRegistry, setDestinationRules,
 * getExportedDestinationRuleFromNamespace; pilot/pkg/serviceregistry/kube/
 * conversion.go ConvertService): no exportTo means the MeshConfig default,
 * "*" unless the mesh changes it (meshlint assumes "*": every namespace);
 * "*" is every namespace; "." and the object's own namespace are that
 * namespace; another name is that namespace; "~" is none (for a Service or
 * ServiceEntry "~" hides it even beside other names, unless "*" is there);
 * a DestinationRule with a workloadSelector is never exported beyond its own
 * namespace. An entry that is not a string, or a namespace that may be the
 * unbound apply-time namespace, makes the answer unknown. */
typedef enum ml_export_answer { ML_EXPORT_NO, ML_EXPORT_YES, ML_EXPORT_UNKNOWN } ml_export_answer;
ml_export_answer ml_export_visible(const ml_model *m, const ml_resource *r, const char *ns);
/* The MeshConfig default exportTo for r's kind from the configuration
 * (default-service-export-to for Services and ServiceEntries,
 * default-virtual-service-export-to, default-destination-rule-export-to;
 * const char* entries), or NULL when not configured: "*". */
const ml_vec *ml_export_default(const ml_model *m, const ml_resource *r);
/* "[\".\"] (the mesh default: <key> in the configuration)" for messages, or NULL
 * when no default is configured. */
const char *ml_export_default_text(ml_arena *a, const ml_model *m, const ml_resource *r);
/* The exportTo node of r (sequence, or the Service annotation's scalar), or NULL. */
const ml_node *ml_export_to_node(const ml_resource *r);
/* Call fn on each namespace entry of r's exportTo as written (an arena
 * string, trimmed; "." "*" "~" included), with the node it came from. */
typedef void (*ml_export_fn)(void *arg, const ml_resource *r, const char *entry, const ml_node *node);
void ml_export_each(ml_arena *a, const ml_resource *r, ml_export_fn fn, void *arg);

/* Build typed resources and indexes from loaded documents. */
void ml_model_init(ml_model *m, ml_arena *a, const struct ml_config *cfg);
void ml_model_add_doc(ml_model *m, ml_doc *doc);   /* call in load order */
void ml_model_finish(ml_model *m);                 /* groups, live definitions, indexes, host maps */
void ml_model_free(ml_model *m);

/* Lookups.
 *
 * Alternatives: every live definition of a key is in the indexes. A
 * resource `from` meets a definition `to` of key K when `to` is live and
 * either both are in one group, or from's group defines no K at all (a
 * group that defines K sees only its own definition; groups that share no
 * key are complementary). A reference is satisfied when any definition it
 * may meet satisfies it; a defect is reported only when it holds for every
 * definition it may meet. */
bool ml_model_meets(const ml_model *m, const ml_resource *from, const ml_resource *to);
/* The live definition of key in group, or NULL. */
ml_resource *ml_model_group_def(const ml_model *m, const void *group, const char *key);
/* Every live definition ("alternative") of Kind/ns/name, load order (NULL: none). */
const ml_vec *ml_model_alternatives(const ml_model *m, ml_kind k, const char *ns, const char *name);
/* The definitions from may meet of Kind/ns/name (the view of from's group),
 * in load order, in the arena. from NULL: every alternative. */
ml_vec ml_model_view(const ml_model *m, const ml_resource *from, ml_kind k, const char *ns, const char *name);
/* Keep the items of a vector of typed records (ml_workload*, ml_service*,
 * ml_destrule*, ...: each starts with its ml_resource *res) that from may
 * meet. from NULL: a copy. Result in the arena. */
ml_vec ml_model_seen_by(const ml_model *m, const ml_resource *from, const ml_vec *typed);
/* The one definition from resolves Kind/ns/name to: its group's own, or the
 * only alternative; NULL when none or when several alternatives remain
 * (the value then depends on which one is applied: unknown). */
ml_resource *ml_model_find_for(const ml_model *m, const ml_resource *from, ml_kind k, const char *ns,
                               const char *name);
/* ml_model_find_for(m, NULL, ...): the only live definition, or NULL. */
ml_resource *ml_model_find(const ml_model *m, ml_kind k, const char *ns, const char *name);
/* Live Namespace definitions of ns (alternatives), or NULL. */
const ml_vec *ml_model_namespace_defs(const ml_model *m, const char *ns);
const ml_vec *ml_model_ns_workloads(const ml_model *m, const char *ns);
/* Workloads (live definitions, every alternative) in ns whose pod labels match every label of sel
 * (a mapping). sel NULL or empty: every workload in ns. Result in arena. */
ml_vec ml_model_select(const ml_model *m, const char *ns, const ml_node *sel);
/* True when every key/value of sel is in labels. NULL/empty sel matches all. */
bool ml_selector_matches(const ml_node *sel, const ml_node *labels);
/* The same for the pods of w, which also carry the labels their controller
 * adds and the template does not show: statefulset.kubernetes.io/pod-name
 * (<name>-<ordinal>), apps.kubernetes.io/pod-index, pod-template-hash,
 * controller-revision-hash, job-name... A hash whose value cannot be known
 * statically is taken as matching. ml_model_select matches this way. */
bool ml_selector_matches_workload(const ml_node *sel, const ml_workload *w);
/* Resolve a host as Istio does, relative to namespace ns. Returns an arena
 * string: "reviews" -> "reviews.ns.svc.cluster.local"; a host with a dot is
 * taken as written ("reviews.bar", "google.com"). */
const char *ml_resolve_host(ml_model *m, const char *host, const char *ns);
/* Resolve a name an application dials, as the pod's DNS search path does
 * (<ns>.svc.<domain>, svc.<domain>): "orders" -> "orders.ns.svc.cluster.local",
 * "orders.shop" -> "orders.shop.svc.cluster.local". Not Istio's host rule:
 * for VirtualService and DestinationRule hosts use ml_resolve_host. */
const char *ml_resolve_dns_name(ml_model *m, const char *host, const char *ns);
/* Services/DRs/VSs whose host equals fqdn (wildcards in VS/DR hosts match). */
const ml_vec *ml_model_services_for(const ml_model *m, const char *fqdn);
ml_vec ml_model_destrules_for(const ml_model *m, const char *fqdn);
/* True when two resolved hosts may turn out to be the same host: equal, or
 * both <name>.<ns>.svc.<domain> with the same name and domain and
 * namespaces that may be equal (ml_ns_may_equal: one is the unbound
 * apply-time namespace). */
bool ml_fqdn_may_equal(const ml_model *m, const char *a, const char *b);
/* DestinationRules (every definition, load order) whose host is not fqdn
 * as written but may be once the apply-time namespace is bound
 * (ml_fqdn_may_equal); empty when the input has no apply-time namespace.
 * For the absence questions ("no rule defines subset X"): a rule here may
 * be the one that applies. Linear in the DestinationRules. */
ml_vec ml_model_destrules_may(const ml_model *m, const char *fqdn);
ml_vec ml_model_vs_for(const ml_model *m, const char *fqdn);
/* True when the input contains any resource in namespace ns. */
bool ml_model_has_ns(const ml_model *m, const char *ns);
/* True when labels hold every label of sel but one, whose value is within
 * max_edits of sel's (a likely typo); *key and *have receive that label and
 * the value the labels hold. */
bool ml_selector_one_value_off(const ml_node *sel, const ml_node *labels, unsigned max_edits, const char **key,
                               const char **have);
/* Value of a label in a mapping of labels, or NULL. */
const char *ml_label(const ml_node *labels, const char *key);
/* "Deployment order-service" style display name. */
const char *ml_res_display(ml_arena *a, const ml_resource *r);
/* Location helpers: a node's location, or the resource's kind line when n is NULL. */
ml_loc ml_node_loc(const ml_node *n);
ml_loc ml_res_loc(const ml_resource *r);

#endif
