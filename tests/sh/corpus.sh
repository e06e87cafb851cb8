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
# ML003: the three VirtualService and two Deployment definitions of one name
# are alternatives (files of different stages, not applied together) and
# agree on what decides security: not reported. The two Namespace
# definitions disagree on istio-injection: which is applied last decides.
has '^k8s/namespace.yaml:5:9: warning: Namespace connectum is also defined in .*istio/namespace.yaml:5, and the two disagree on label istio-injection .*applied last \[ML003\]'
[ "$(grep -c 'ML003' "$T/rel")" = 1 ] || fail "expected 1 ML003 finding"
# ML109 and ML508 (nothing enforces the STRICT policy / the authorization
# policy) were artefacts of path order (k8s/namespace.yaml, without the
# label, sorted after istio/namespace.yaml): whether the pods get a sidecar
# depends on which Namespace definition is applied last, so neither is
# concluded.
grep -qE '\[(ML109|ML508)\]' "$T/rel" && { cat "$T/rel"; fail "ML109/ML508 concluded from one Namespace alternative"; }
# ML102: the workload-level PERMISSIVE policy weakens the namespace's STRICT
# one wherever the pods get a sidecar (once reported as moot: no sidecar)
has '^istio/peer-authentication-permissive.yaml:11:11: warning: .*PERMISSIVE.*\[ML102\]'
# ML302: the stable subset selects no pod; error (routes send it traffic); the label is named
has '^istio/destination-rule.yaml:24:13: error: subset stable .*no version label.*\[ML302\]'
# ML401/ML402: the canary has no probes; the stable Deployment has nothing
has '^istio/deployment-canary.yaml:20:17: warning: .*readinessProbe.*\[ML401\]'
has '^istio/deployment-canary.yaml:20:17: warning: .*livenessProbe.*\[ML402\]'
grep -q '^k8s/deployment.yaml' "$T/rel" && { cat "$T/rel"; fail "a finding on the stable Deployment"; }
# ML503: the envoy-gateway principal
has '^istio/authorization-policy.yaml:17:17: warning: principal "cluster.local/ns/connectum/sa/envoy-gateway".*\[ML503\]'
# the full notes: ML302 notes each VirtualService definition routing to stable
"$MESHLINT" --no-config --only ML302 --color never --fail-on never "$C" > "$T/ml302"
contains "$T/ml302" "canary-virtual-service.yaml:14:21: note:"
contains "$T/ml302" "header-routing.yaml:23:21: note:"
# nothing else at warning or error than the findings listed here and ML202
# (timeout 30s < 4 tries x perTryTimeout 10s, a true finding)
others=$(grep -E ': (warning|error):' "$T/rel" | grep -vE '\[(ML003|ML102|ML302|ML401|ML402|ML503|ML202)\]')
[ -z "$others" ] || fail "unexpected findings: $others"
