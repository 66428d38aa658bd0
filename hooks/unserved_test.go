package hooks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// pythonObject creates an object the way the Python charm left it: server-
// side applied under the application's name, with its instance and scope
// labels.
func (h *harness) pythonObject(k resource.Kind, scope, name string, spec map[string]any) string {
	h.t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": k.GroupVersion().String(), "kind": k.Kind,
		"metadata": map[string]any{"name": name, "namespace": h.ns,
			"labels": map[string]any{resource.LabelInstance: h.instance(), resource.LabelScope: scope}},
	}}
	for key, v := range spec {
		obj.Object[key] = v
	}
	_, err := h.env.Dynamic().Resource(k.GroupVersionResource).Namespace(h.ns).
		Apply(h.ctx, name, obj, metav1.ApplyOptions{FieldManager: h.app, Force: true})
	require.NoError(h.t, err)
	return k.Kind + " " + h.ns + "/" + name
}

// While a relation exists on an endpoint whose feature the charm does not
// serve, the objects that feature set up stay as they are and the status
// names the endpoint; every requirer is still served. Once the relation
// goes, so do its feature's objects.
func TestUnservedFeaturesKeepTheirObjects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "unserved")
	h.serveGateway("10.16.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	gatewayRef := []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": h.app}}
	extAuthz := h.pythonObject(resource.KindAuthorizationPolicy, resource.ScopeExtAuthzPolicy, "ext-authz-"+h.app, map[string]any{
		"spec": map[string]any{"action": "CUSTOM", "provider": map[string]any{"name": "ext_authz-" + h.app}, "targetRefs": gatewayRef,
			"rules": []any{map[string]any{"to": []any{map[string]any{"operation": map[string]any{"notPaths": []any{"/public"}}}}}}},
	})
	requestAuth := h.pythonObject(resource.KindRequestAuthentication, resource.ScopeRequestAuth, "request-auth-idp-"+h.app, map[string]any{
		"spec": map[string]any{"targetRefs": gatewayRef, "jwtRules": []any{map[string]any{"issuer": "https://idp.example.com"}}},
	})
	deny := h.pythonObject(resource.KindAuthorizationPolicy, resource.ScopeDenyWithoutJWT, "deny-without-jwt-"+h.app, map[string]any{
		"spec": map[string]any{"action": "DENY", "targetRefs": gatewayRef,
			"rules": []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"notRequestPrincipals": []any{"*"}}}}}}},
	})
	forwardAuth := h.juju.Relate("forward-auth", "oauth2-proxy", map[string]string{
		"decisions_address": "http://oauth2-proxy.iam.svc.cluster.local:4180", "app_names": `["blog"]`,
	})
	idp := h.juju.Relate("istio-request-auth", "idp", map[string]string{"jwt_rules": `[{"issuer":"https://idp.example.com"}]`})

	r := h.dispatch("upgrade-charm")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked,
		Message: "Not served yet, objects kept as they are: forward-auth, istio-request-auth"}, lastStatus(t, r))
	assert.Subset(t, h.objects(), []string{extAuthz, requestAuth, deny})
	assert.Equal(t, "http://10.16.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)), "requirers are served meanwhile")

	// forward-auth goes: its policy with it; request auth's objects stay.
	h.juju.Remove(forwardAuth)
	r = h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked,
		Message: "Not served yet, objects kept as they are: istio-request-auth"}, lastStatus(t, r))
	assert.NotContains(t, h.objects(), extAuthz)
	assert.Subset(t, h.objects(), []string{requestAuth, deny})

	h.juju.Remove(idp)
	r = h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.16.0.1"}, lastStatus(t, r))
	assert.NotContains(t, h.objects(), requestAuth)
	assert.NotContains(t, h.objects(), deny)
}
