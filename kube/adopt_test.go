package kube_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// kindOf finds obj's kind in the scope table.
func kindOf(t testing.TB, obj *unstructured.Unstructured) resource.Kind {
	t.Helper()
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if k.GVK() == obj.GroupVersionKind() {
				return k
			}
		}
	}
	t.Fatalf("no kind for %s", obj.GroupVersionKind())
	return resource.Kind{}
}

// pythonWrites writes objs as the Python charm does, under its
// application's name.
func pythonWrites(t testing.TB, c charm, objs ...*unstructured.Unstructured) {
	t.Helper()
	require.NoError(t, env.WriteAsPythonCharm(kubeenv.TestContext(t), c.app, objs...))
}

// updateManagers lists the managers holding fields by update on the live
// object.
func updateManagers(t testing.TB, obj *unstructured.Unstructured) []string {
	t.Helper()
	live, err := env.Dynamic().Resource(kindOf(t, obj).GroupVersionResource).Namespace(obj.GetNamespace()).
		Get(kubeenv.TestContext(t), obj.GetName(), metav1.GetOptions{})
	require.NoError(t, err)
	var out []string
	for _, e := range live.GetManagedFields() {
		if e.Operation == metav1.ManagedFieldsOperationUpdate {
			out = append(out, e.Manager)
		}
	}
	return out
}

// The Python charm merge-patched the Gateway, its Secret and its
// autoscaler: the fields it added later sit in an Update entry of the
// application's name, which a server-side apply under that name never
// removes. The applier adopts them before its first apply, so a listener
// the charm drops is dropped; an unchanged object is neither adopted nor
// applied.
func TestAdoptsWhatThePythonCharmMergePatched(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "adopt")
	oldSecret := c.secret()
	oldSecret.Object["stringData"] = map[string]any{"tls.crt": "old certificate", "tls.key": "old key"}

	// Deploy, then relations and a certificate arrive: each a Python sync.
	pythonWrites(t, c, c.gateway(80), oldSecret, c.hpa(1))
	plan := []*unstructured.Unstructured{
		c.gateway(80, 8080, 9000), c.secret(), c.hpa(2),
		c.httpRoute("blog", "main", "/blog"), c.grpcRoute("api", "api.v1.Users"), c.destinationRule("api"),
		c.l4Policy("blog", 8080), c.l4Policy("api", 9090), c.externalTrafficPolicy(resource.ScopeExternalTraffic, "0.0.0.0/0"),
	}
	pythonWrites(t, c, plan...)
	for _, o := range plan[:3] {
		require.Equal(t, []string{c.app}, updateManagers(t, o), "%s: the Python charm's merge patch owns fields", o.GetKind())
	}

	a, counter := newApplier(t, env, c.instance)
	counter.snapshot()
	res, err := a.Apply(ctx, plan)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: len(plan)}, res, "what the Python charm wrote is what the charm wants")
	assert.Equal(t, map[string]int{http.MethodGet: distinctKinds()}, counter.snapshot(), "no writes")

	// Two listeners go, the gateway scales: both objects are adopted, then applied.
	next := append([]*unstructured.Unstructured{c.gateway(80), c.secret(), c.hpa(3)}, plan[3:]...)
	res, err = a.Apply(ctx, next)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Adopted: 2, Applied: 2, Unchanged: len(plan) - 2}, res)
	assert.Equal(t, []string{"http-80"}, liveListenerNames(t, c), "the listeners the Python charm added are removed")
	for _, o := range next[:3:3] {
		if o.GetKind() != "Secret" {
			assert.Empty(t, updateManagers(t, o), "%s: nothing is left to the merge patches", o.GetKind())
		}
	}

	res, err = a.Apply(ctx, next)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: len(next)}, res)
}

// The charm adds nothing to what it applies: Istio copies a Gateway's
// annotations onto the gateway pods, so one of ours would restart them.
func TestGatewayCarriesNoAnnotations(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "annotations")
	a, _ := newApplier(t, env, c.instance)
	client := env.Dynamic().Resource(resource.KindGateway.GroupVersionResource).Namespace(c.model)
	for _, step := range []struct {
		name string
		gw   *unstructured.Unstructured
		res  kube.Result
	}{
		{"created", c.gateway(80), kube.Result{Applied: 1}},
		{"unchanged", c.gateway(80), kube.Result{Unchanged: 1}},
		{"listener added", c.gateway(80, 8080), kube.Result{Applied: 1}},
		{"listener removed", c.gateway(8080), kube.Result{Applied: 1}},
	} {
		res, err := a.Apply(ctx, []*unstructured.Unstructured{step.gw})
		require.NoError(t, err, step.name)
		assert.Equal(t, step.res, res, step.name)
		live, err := client.Get(ctx, c.app, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Empty(t, live.GetAnnotations(), step.name)
	}
}

// Held objects are neither applied nor deleted; once nothing holds them
// they are garbage-collected as usual.
func TestHeldObjectsAreNotDeleted(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "held")
	a, _ := newApplier(t, env, c.instance)
	traffic := c.externalTrafficPolicy(resource.ScopeExternalTraffic, "10.0.0.0/8")
	all := []*unstructured.Unstructured{c.gateway(80), c.secret(), c.hpa(1), traffic, c.requestAuth("blog")}
	_, err := a.Apply(ctx, all)
	require.NoError(t, err)

	res, err := a.Apply(ctx, []*unstructured.Unstructured{c.gateway(80)},
		resource.Hold{Scope: resource.ScopeExternalTraffic}, resource.Hold{Scope: resource.ScopeGateway, Kind: "Secret"})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 1, Deleted: 2}, res, "the autoscaler and request authentication go")
	assert.Equal(t, names(c.gateway(80), c.secret(), traffic), liveObjects(t, env, c.instance))

	res, err = a.Apply(ctx, []*unstructured.Unstructured{c.gateway(80)})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 1, Deleted: 2}, res)
	assert.Equal(t, names(c.gateway(80)), liveObjects(t, env, c.instance))
}
