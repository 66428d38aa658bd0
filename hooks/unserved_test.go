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
// serve, the status names the endpoint; every requirer is still served.
func TestUnservedFeaturesAreNamed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "unserved")
	h.serveGateway("10.16.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	prom := h.juju.Relate("metrics-endpoint", "prometheus", nil)

	r := h.dispatch("upgrade-charm")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked,
		Message: "Not served yet, objects kept as they are: metrics-endpoint"}, lastStatus(t, r))
	assert.Equal(t, "http://10.16.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)), "requirers are served meanwhile")

	h.juju.Remove(prom)
	r = h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.16.0.1"}, lastStatus(t, r))
}

// After a refresh, the Python charm's Opaque Secret serves on only while it
// holds a pair the charm would serve; one that does not (here, no PEM at
// all) goes, and the gateway serves HTTP while it asks for its own
// certificate.
func TestRefreshDropsAnUnservablePythonSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "tls-legacy")
	h.serveGateway("10.16.1.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	secret := h.pythonObject(resource.KindSecret, resource.ScopeGateway, h.app+"-tls-certificate", map[string]any{
		"type": "Opaque", "stringData": map[string]any{"tls.crt": "certificate", "tls.key": "key"},
	})
	certs := h.juju.Relate("certificates", "self-signed-certificates", nil)

	r := h.dispatch("upgrade-charm")
	assert.Equal(t, juju.Status{Name: juju.StatusWaiting, Message: "Waiting for a certificate from self-signed-certificates"}, lastStatus(t, r))
	assert.NotContains(t, h.objects(), secret)
	assert.NotEmpty(t, h.juju.Local(certs)["certificate_signing_requests"])
	assert.Equal(t, "http://10.16.1.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
}
