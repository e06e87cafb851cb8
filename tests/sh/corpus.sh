# What meshlint must find in Connectum's own production-ready example (the
# real manifests, vendored in testdata/corpus): the defects the issues name, each at
# its place, and nothing else. Golden files hold the full text; this test
# states the requirements one by one.
. tests/sh/lib.inc
C=testdata/corpus/connectum-production-ready
[ -d "$C" ] || fail "corpus missing at $C"
"$MESHLINT" --no-config --format gcc --fail-on never "$C" > "$T/out" || fail "meshlint failed"
sed "s|^$C/||" "$T/out" > "$T/rel"
has() { grep -q -- "$1" "$T/rel" || { cat "$T/rel"; fail "missing: $1"; }; }
# ML003: three VirtualService, two Deployment and two Namespace definitions of one name
has '^istio/canary-virtual-service.yaml:5:9: warning: VirtualService connectum/order-service is defined again in .*istio/virtual-service.yaml:5.*\[ML003\]'
has '^istio/header-routing.yaml:4:9: warning: VirtualService connectum/order-service is defined again in .*istio/virtual-service.yaml:5.*\[ML003\]'
has '^istio/sidecar-resources.yaml:5:9: warning: Deployment connectum/order-service is defined again in .*k8s/deployment.yaml:5.*proxyCPU.*\[ML003\]'
has '^istio/namespace.yaml:5:9: warning: Namespace connectum is defined again in .*k8s/namespace.yaml:5.*istio-injection=enabled.*\[ML003\]'
[ "$(grep -c 'ML003' "$T/rel")" = 4 ] || fail "expected 4 ML003 findings"
# ML109: the STRICT policy protects nothing (no sidecar: the winning Namespace lacks the label)
has '^istio/peer-authentication.yaml:9:11: error: .*STRICT.*\[ML109\]'
# ML302: the stable subset selects no pod; error (routes send it traffic); the label is named
has '^istio/destination-rule.yaml:24:13: error: subset stable .*no version label.*\[ML302\]'
# ML401/ML402: the canary has no probes; the stable Deployment has nothing
has '^istio/deployment-canary.yaml:20:17: warning: .*readinessProbe.*\[ML401\]'
has '^istio/deployment-canary.yaml:20:17: warning: .*livenessProbe.*\[ML402\]'
grep -q '^k8s/deployment.yaml' "$T/rel" && { cat "$T/rel"; fail "a finding on the stable Deployment"; }
# ML503: the envoy-gateway principal; ML508: the policy nothing enforces, and why
has '^istio/authorization-policy.yaml:17:17: warning: principal "cluster.local/ns/connectum/sa/envoy-gateway".*\[ML503\]'
has '^istio/authorization-policy.yaml:5:9: error: AuthorizationPolicy connectum/order-service-policy .*no istio-injection label.*\[ML508\]'
# the full notes: ML302 notes each VirtualService definition routing to stable
"$MESHLINT" --no-config --only ML302 --color never --fail-on never "$C" > "$T/ml302"
contains "$T/ml302" "canary-virtual-service.yaml:14:21: note:"
contains "$T/ml302" "header-routing.yaml:23:21: note:"
# nothing else at warning or error than the findings listed here and ML202
# (timeout 30s < 4 tries x perTryTimeout 10s, a true finding)
others=$(grep -E ': (warning|error):' "$T/rel" | grep -vE '\[(ML003|ML109|ML302|ML401|ML402|ML503|ML508|ML202)\]')
[ -z "$others" ] || fail "unexpected findings: $others"
