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
	secret := h.pythonObject(resource.KindSecret, resource.ScopeGateway, h.app+"-tls-certificate", map[string]any{
		"type": "Opaque", "stringData": map[string]any{"tls.crt": "certificate", "tls.key": "key"},
	})
	certs := h.juju.Relate("certificates", "self-signed-certificates", nil)

	r := h.dispatch("upgrade-charm")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked,
		Message: "Not served yet, objects kept as they are: certificates"}, lastStatus(t, r))
	assert.Contains(t, h.objects(), secret)
	assert.Equal(t, "http://10.16.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)), "requirers are served meanwhile")

	// certificates goes: its Secret with it.
	h.juju.Remove(certs)
	r = h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.16.0.1"}, lastStatus(t, r))
	assert.NotContains(t, h.objects(), secret)
}
