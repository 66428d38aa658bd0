package e2e

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
)

// Bags as the Python libraries write them: the forward_auth provider
// (oauth2-proxy-k8s) writes the address as a plain string and lists as
// JSON; istio-k8s answers with the provider name it registered; a JWT
// requirer saves jwt_rules with ops' Relation.save (null for unset fields).
func oauth2ProxyBag(ns string) map[string]string {
	return map[string]string{
		"decisions_address": "http://oauth2-proxy." + ns + ".svc.cluster.local/oauth2/auth",
		"app_names":         `["grafana"]`,
		"headers":           `["X-Auth-Request-User"]`,
	}
}

const jwtRulesBag = `[{"issuer": "https://hydra.example.com", "jwks_uri": "https://hydra.example.com/.well-known/jwks.json", "audiences": null, "forward_original_token": true, "claim_to_headers": [{"header": "x-user", "claim": "sub"}], "from_headers": null}]`

// extAuthz is the ext-authz policy the charm holds, nil when none.
func extAuthz(t testing.TB, ns string) *unstructured.Unstructured {
	t.Helper()
	return owned(t, ns)[objectKey("AuthorizationPolicy", ns, "ext-authz"+suffix)]
}

func policyAction(t testing.TB, p *unstructured.Unstructured) string {
	t.Helper()
	require.NotNil(t, p, "the ext-authz policy exists")
	return nested(t, p, "spec", "action").(string)
}

// TestForwardAuth walks forward auth through its halves with an
// oauth2-proxy-like app and an istio-k8s-like app: closed (denied) while
// either is missing or its data is bad, the proxy asked once both answer,
// open again when forward-auth is removed. Unauthenticated routes keep
// serving throughout, and every hook exits 0.
func TestForwardAuth(t *testing.T) {
	ns := "e2e-auth"
	s := newScenario(t, ns)
	m := s.Model
	s.deploy(t, 1)
	s.provision(t, "10.0.30.1")
	s.ok(t, m.RunHook(s.leader, "update-status"))

	grafana := s.relate(t, "ingress", jujusim.Remote{App: "grafana", Units: 1, AppData: ingressApp(ns, "grafana", 3000)})
	catalogue := s.relate(t, "ingress-unauthenticated", jujusim.Remote{App: "catalogue", Units: 1, AppData: ingressApp(ns, "catalogue", 80)})
	docs := s.relate(t, "istio-ingress-route-unauthenticated", jujusim.Remote{App: "docs", Units: 1,
		AppData: httpRouteConfig(ns, "docs", "docs", 8080, "/docs")})
	assert.Nil(t, extAuthz(t, ns), "no forward-auth: no policy")

	served := func(t *testing.T) {
		t.Helper()
		assert.Equal(t, ingressServed("http://10.0.30.1/"+ns+"-grafana"), m.RelationData(grafana, app))
		assert.Equal(t, ingressServed("http://10.0.30.1/"+ns+"-catalogue"), m.RelationData(catalogue, app))
		assert.Equal(t, routeServed("10.0.30.1"), m.RelationData(docs, app))
	}

	// The proxy relates but has said nothing: authenticated routes closed.
	proxy := s.relate(t, "forward-auth", jujusim.Remote{App: "oauth2-proxy", Units: 1})
	assert.Equal(t, "DENY", policyAction(t, extAuthz(t, ns)))
	assert.Equal(t, "waiting", s.status().Status)
	assert.Contains(t, s.status().Message, "Authenticated routes closed: waiting for oauth2-proxy to publish its decisions address")
	assert.Equal(t, map[string]string{"ingress_app_names": `["catalogue", "docs", "grafana"]`}, m.RelationData(proxy, app))
	served(t)

	// It publishes (no port in its address: the scheme's default), but
	// istio-ingress-config is not related.
	s.ok(t, m.SetRemoteData(proxy, "oauth2-proxy", oauth2ProxyBag(ns))...)
	assert.Equal(t, "DENY", policyAction(t, extAuthz(t, ns)))
	assert.Equal(t, "blocked", s.status().Status)
	assert.Contains(t, s.status().Message, "relate istio-ingress-config")

	// istio-k8s relates: it is told the provider, the charm waits for its name.
	istio := s.relate(t, "istio-ingress-config", jujusim.Remote{App: "istio", Units: 1})
	bag := m.RelationData(istio, app)
	assert.Equal(t, "oauth2-proxy."+ns+".svc.cluster.local", bag["ext_authz_service_name"])
	assert.Equal(t, "80", bag["ext_authz_port"])
	assert.Equal(t, `["X-Auth-Request-User"]`, bag["headers_to_upstream_on_allow"])
	assert.Equal(t, `["content-type", "set-cookie"]`, bag["headers_to_downstream_on_deny"])
	assert.Contains(t, s.status().Message, "waiting for istio to register the forward-auth provider")

	// istio-k8s answers: the proxy is asked, the bypass is per listener.
	s.ok(t, m.SetRemoteData(istio, "istio", map[string]string{"ext_authz_provider_name": "ext_authz-" + app})...)
	p := extAuthz(t, ns)
	assert.Equal(t, "CUSTOM", policyAction(t, p))
	assert.Equal(t, "ext_authz-"+app, nested(t, p, "spec", "provider", "name"))
	rules, _ := json.Marshal(nested(t, p, "spec", "rules"))
	assert.JSONEq(t, `[
		{"to":[{"operation":{"notPorts":["80","8080"]}}]},
		{"to":[{"operation":{"ports":["80"],"notPaths":["/`+ns+`-catalogue","/`+ns+`-catalogue/*"]}}]},
		{"to":[{"operation":{"ports":["8080"],"notPaths":["/docs","/docs/*"]}}]}
	]`, string(rules), "/docs is let through on 8080 only")
	assert.Equal(t, servingAt("10.0.30.1"), s.status())
	served(t)

	t.Run("a malformed proxy bag closes the authenticated routes", func(t *testing.T) {
		for _, bad := range []map[string]string{
			{"decisions_address": "", "app_names": ""},                        // wrong types
			{"decisions_address": "http://x:1", "app_names": "{garbage json"}, // garbage
			{"decisions_address": "ftp://x", "app_names": "[]"},               // not http
		} {
			s.ok(t, m.SetRemoteData(proxy, "oauth2-proxy", bad)...)
			assert.Equal(t, "DENY", policyAction(t, extAuthz(t, ns)), "%v", bad)
			assert.Equal(t, "blocked", s.status().Status)
			assert.Contains(t, s.status().Message, "invalid forward-auth data from oauth2-proxy")
			assert.Equal(t, map[string]string{"ext_authz_service_name": "fake_host", "ext_authz_port": "5432"}, m.RelationData(istio, app),
				"istio-k8s is told to drop the provider")
			served(t)
		}
		s.ok(t, m.SetRemoteData(proxy, "oauth2-proxy", oauth2ProxyBag(ns))...)
		assert.Equal(t, "CUSTOM", policyAction(t, extAuthz(t, ns)))
		assert.Equal(t, servingAt("10.0.30.1"), s.status())
	})

	t.Run("an istio-k8s answer withdrawn closes them again", func(t *testing.T) {
		s.ok(t, m.SetRemoteData(istio, "istio", map[string]string{"ext_authz_provider_name": ""})...)
		assert.Equal(t, "DENY", policyAction(t, extAuthz(t, ns)))
		s.ok(t, m.SetRemoteData(istio, "istio", map[string]string{"ext_authz_provider_name": "ext_authz-" + app})...)
		assert.Equal(t, "CUSTOM", policyAction(t, extAuthz(t, ns)))
	})

	// Removing forward-auth is the operator's choice: routes open again.
	s.ok(t, m.Unrelate(proxy)...)
	assert.Nil(t, extAuthz(t, ns))
	assert.Equal(t, servingAt("10.0.30.1"), s.status())
	assert.Equal(t, map[string]string{"ext_authz_service_name": "fake_host", "ext_authz_port": "5432"}, m.RelationData(istio, app))
	served(t)
	s.assertNoErrorLogs(t)
}

// TestRequestAuth relates a JWT-rules app and a malformed one: a
// RequestAuthentication for the valid rules, requests without a valid JWT
// denied whatever the data, the malformed app named, everyone served.
func TestRequestAuth(t *testing.T) {
	ns := "e2e-jwt"
	s := newScenario(t, ns)
	m := s.Model
	s.deploy(t, 1)
	s.provision(t, "10.0.31.1")
	web := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(ns, "web", 8080)})

	deny := func() *unstructured.Unstructured {
		return owned(t, ns)[objectKey("AuthorizationPolicy", ns, "deny-without-jwt"+suffix)]
	}
	ra := func(remote string) *unstructured.Unstructured {
		return owned(t, ns)[objectKey("RequestAuthentication", ns, "request-auth-"+remote+suffix)]
	}

	// Related with nothing published: fail closed, nothing to name yet.
	hydra := s.relate(t, "istio-request-auth", jujusim.Remote{App: "hydra-client", Units: 1})
	require.NotNil(t, deny(), "requests without a JWT are denied")
	assert.Nil(t, ra("hydra-client"))
	assert.Equal(t, servingAt("10.0.31.1"), s.status())

	s.ok(t, m.SetRemoteData(hydra, "hydra-client", map[string]string{"jwt_rules": jwtRulesBag})...)
	r := ra("hydra-client")
	require.NotNil(t, r)
	assert.Equal(t, "https://hydra.example.com", nested(t, r, "spec", "jwtRules").([]any)[0].(map[string]any)["issuer"])
	assert.Equal(t, []any{map[string]any{"header": "x-user", "claim": "sub"}}, nested(t, r, "spec", "jwtRules").([]any)[0].(map[string]any)["outputClaimToHeaders"])

	for _, bad := range []string{`{garbage`, `[{"jwks_uri": null}]`, `[{"issuer": 42}]`, `"a string"`} {
		broken := s.relate(t, "istio-request-auth", jujusim.Remote{App: "broken-client", Units: 1, AppData: map[string]string{"jwt_rules": bad}})
		assert.Equal(t, "blocked", s.status().Status, bad)
		assert.Contains(t, s.status().Message, "Invalid istio-request-auth data from: broken-client", bad)
		assert.NotNil(t, deny(), bad)
		assert.NotNil(t, ra("hydra-client"), "the valid app keeps its rules")
		assert.Nil(t, ra("broken-client"))
		assert.Equal(t, ingressServed("http://10.0.31.1/"+ns+"-web"), m.RelationData(web, app))
		s.ok(t, m.Unrelate(broken)...)
	}
	assert.Equal(t, servingAt("10.0.31.1"), s.status())

	// Cleared rules: no RequestAuthentication, still denied.
	s.ok(t, m.SetRemoteData(hydra, "hydra-client", map[string]string{"jwt_rules": ""})...)
	assert.Nil(t, ra("hydra-client"))
	assert.NotNil(t, deny())

	s.ok(t, m.Unrelate(hydra)...)
	assert.Nil(t, deny(), "no relation: requests pass again")
	s.assertNoErrorLogs(t)
}
