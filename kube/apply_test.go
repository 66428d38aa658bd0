package kube_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// foreignRoutes creates two HTTPRoutes in c.backend the charm must never
// touch: one without our labels and one owned by another instance (same
// scope label). It returns a check that both are still there, unchanged.
func foreignRoutes(t *testing.T, c charm) func() {
	t.Helper()
	ctx := kubeenv.TestContext(t)
	client := env.Dynamic().Resource(resource.KindHTTPRoute.GroupVersionResource).Namespace(c.backend)
	unlabelled := c.httpRoute("user", "manual", "/manual")
	unlabelled.SetName("user-managed")
	unlabelled.SetLabels(nil)
	other := c.httpRoute("other", "app", "/other")
	other.SetName("other-instance")
	other.SetLabels(map[string]string{resource.LabelInstance: "other-model-istio-ingress", resource.LabelScope: resource.ScopeIngress})
	versions := map[string]string{}
	for _, o := range []*unstructured.Unstructured{unlabelled, other} {
		created, err := client.Create(ctx, o, metav1.CreateOptions{})
		require.NoError(t, err)
		versions[o.GetName()] = created.GetResourceVersion()
	}
	return func() {
		t.Helper()
		for n, rv := range versions {
			got, err := client.Get(ctx, n, metav1.GetOptions{})
			if assert.NoError(t, err, "foreign route %s survives", n) {
				assert.Equal(t, rv, got.GetResourceVersion(), "foreign route %s untouched", n)
			}
		}
	}
}

func TestApplyConvergesToEachPlan(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "converge")
	checkForeign := foreignRoutes(t, c)
	a, _ := newApplier(t, env, c.instance)

	full := func(ports ...int) []*unstructured.Unstructured {
		return []*unstructured.Unstructured{
			c.gateway(ports...), c.secret(), c.hpa(1),
			c.httpRoute("blog", "main", "/blog"), c.httpRoute("shop", "main", "/shop"),
			c.grpcRoute("api", "api.v1.Users"), c.destinationRule("api"),
			c.l4Policy("blog", 8080), c.l4Policy("shop", 8080), c.l4Policy("api", 9090),
			c.externalTrafficPolicy(resource.ScopeExternalTraffic, "0.0.0.0/0"),
			c.requestAuth("blog"),
		}
	}
	steps := []struct {
		name   string
		plan   []*unstructured.Unstructured
		result kube.Result
	}{
		{"first apply creates everything", full(80), kube.Result{Applied: 12}},
		{"route removed", without(full(80), "HTTPRoute", "shop"), kube.Result{Unchanged: 11, Deleted: 1}},
		{"listener added", without(full(80, 8080), "HTTPRoute", "shop"), kube.Result{Applied: 1, Unchanged: 10}},
		{"app gone", without(without(without(without(full(80, 8080), "HTTPRoute", "shop"), "GRPCRoute", "api"), "DestinationRule", "api"), "AuthorizationPolicy", "api-"),
			kube.Result{Unchanged: 8, Deleted: 3}},
		{"listener removed, replicas changed", []*unstructured.Unstructured{c.gateway(8080), c.hpa(3)}, kube.Result{Applied: 2, Deleted: 6}},
		{"nothing desired", nil, kube.Result{Deleted: 2}},
	}
	for _, step := range steps {
		res, err := a.Apply(ctx, step.plan)
		require.NoError(t, err, step.name)
		assert.Equal(t, step.result, res, step.name)
		assert.Equal(t, names(step.plan...), liveObjects(t, env, c.instance), step.name)
		for _, o := range step.plan {
			if o.GetKind() == "Gateway" {
				assert.Equal(t, listenerNames(o), liveListenerNames(t, c), "%s: stale listeners are removed", step.name)
			}
		}
	}
	checkForeign()
}

// without drops the objects of kind whose name starts with prefix.
func without(objs []*unstructured.Unstructured, kind, prefix string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind && len(o.GetName()) >= len(prefix) && o.GetName()[:len(prefix)] == prefix {
			continue
		}
		out = append(out, o)
	}
	return out
}

func listenerNames(gw *unstructured.Unstructured) []string {
	ls, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
	var out []string
	for _, l := range ls {
		out = append(out, l.(map[string]any)["name"].(string))
	}
	return out
}

func liveListenerNames(t *testing.T, c charm) []string {
	t.Helper()
	gw, err := env.Dynamic().Resource(resource.KindGateway.GroupVersionResource).Namespace(c.model).Get(kubeenv.TestContext(t), c.app, metav1.GetOptions{})
	require.NoError(t, err)
	return listenerNames(gw)
}

func TestUnchangedReconcileOnlyLists(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "idempotent")
	plan := []*unstructured.Unstructured{
		c.gateway(80, 443), c.secret(), c.hpa(2),
		c.httpRoute("blog", "main", "/blog"), c.typedHTTPRoute(t, "wiki", "/wiki"),
		c.grpcRoute("api", "api.v1.Users"), c.destinationRule("api"), c.l4Policy("blog", 8080, 80),
		c.externalTrafficPolicy(resource.ScopeExternalTraffic, "10.0.0.0/8", "192.168.0.0/16"),
		c.requestAuth("blog"),
	}
	a, counter := newApplier(t, env, c.instance)
	res, err := a.Apply(ctx, plan)
	require.NoError(t, err)
	require.Equal(t, kube.Result{Applied: len(plan)}, res)
	counter.snapshot()

	for i := range 2 {
		res, err = a.Apply(ctx, plan)
		require.NoError(t, err)
		assert.Equal(t, kube.Result{Unchanged: len(plan)}, res, "reconcile %d", i+2)
		assert.Equal(t, map[string]int{http.MethodGet: distinctKinds()}, counter.snapshot(),
			"reconcile %d: one list per kind, no writes", i+2)
	}
}

func TestDriftInOurFieldsIsRepaired(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "drift")
	route := c.httpRoute("blog", "main", "/blog")
	a, counter := newApplier(t, env, c.instance)
	_, err := a.Apply(ctx, []*unstructured.Unstructured{route})
	require.NoError(t, err)

	client := env.Dynamic().Resource(resource.KindHTTPRoute.GroupVersionResource).Namespace(c.backend)
	edit := func(change func(*unstructured.Unstructured)) {
		live, err := client.Get(ctx, route.GetName(), metav1.GetOptions{})
		require.NoError(t, err)
		change(live)
		_, err = client.Update(ctx, live, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
		require.NoError(t, err)
	}
	livePath := func() string {
		live, err := client.Get(ctx, route.GetName(), metav1.GetOptions{})
		require.NoError(t, err)
		rules, _, _ := unstructured.NestedSlice(live.Object, "spec", "rules")
		matches := rules[0].(map[string]any)["matches"].([]any)
		return matches[0].(map[string]any)["path"].(map[string]any)["value"].(string)
	}

	// Someone adds a label of their own: not ours to judge, no write.
	edit(func(o *unstructured.Unstructured) {
		l := o.GetLabels()
		l["team"] = "web"
		o.SetLabels(l)
	})
	counter.snapshot()
	res, err := a.Apply(ctx, []*unstructured.Unstructured{route})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 1}, res)
	assert.Zero(t, counter.snapshot()[http.MethodPatch])

	// Someone changes a field we set: the next reconcile puts it back.
	edit(func(o *unstructured.Unstructured) {
		rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
		rules[0].(map[string]any)["matches"].([]any)[0].(map[string]any)["path"].(map[string]any)["value"] = "/hijacked"
		require.NoError(t, unstructured.SetNestedSlice(o.Object, rules, "spec", "rules"))
	})
	require.Equal(t, "/hijacked", livePath())
	res, err = a.Apply(ctx, []*unstructured.Unstructured{route})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Applied: 1}, res)
	assert.Equal(t, "/blog", livePath())
}

func TestObjectMovesBetweenScopesWithoutRecreation(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "scopemove")
	a, _ := newApplier(t, env, c.instance)
	before := c.externalTrafficPolicy(resource.ScopeExternalTraffic, "0.0.0.0/0")
	_, err := a.Apply(ctx, []*unstructured.Unstructured{before})
	require.NoError(t, err)
	client := env.Dynamic().Resource(resource.KindAuthorizationPolicy.GroupVersionResource).Namespace(c.model)
	first, err := client.Get(ctx, before.GetName(), metav1.GetOptions{})
	require.NoError(t, err)

	after := c.externalTrafficPolicy(resource.ScopeDenyWithoutJWT, "0.0.0.0/0")
	res, err := a.Apply(ctx, []*unstructured.Unstructured{after})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Applied: 1}, res)
	second, err := client.Get(ctx, after.GetName(), metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, first.GetUID(), second.GetUID(), "same object, relabelled")
	assert.Equal(t, resource.ScopeDenyWithoutJWT, second.GetLabels()[resource.LabelScope])
}

func TestNameTakenByForeignObjectIsLeftAlone(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "foreign")
	checkForeign := foreignRoutes(t, c)
	a, _ := newApplier(t, env, c.instance)

	taken := []*unstructured.Unstructured{
		c.httpRoute("user", "manual", "/mine"), c.httpRoute("other", "app", "/mine-too"), c.httpRoute("blog", "main", "/blog"),
	}
	taken[0].SetName("user-managed")
	taken[1].SetName("other-instance")
	res, err := a.Apply(ctx, taken)
	require.Error(t, err)
	assert.ErrorIs(t, err, kube.ErrForeignObject)
	assert.Contains(t, err.Error(), "HTTPRoute "+c.backend+"/user-managed")
	assert.Contains(t, err.Error(), "HTTPRoute "+c.backend+"/other-instance")
	assert.Equal(t, kube.Result{Applied: 1}, res, "the free name is still applied")
	assert.Equal(t, names(taken[2]), liveObjects(t, env, c.instance))
	checkForeign()
}

func TestInvalidDesiredObjectsAreRejectedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	c := charm{instance: "invalid-istio-ingress", app: "istio-ingress", model: "invalid", backend: "invalid-apps"}
	tests := []struct {
		name   string
		mutate func(*unstructured.Unstructured) *unstructured.Unstructured
		want   string
	}{
		{"no scope label", func(o *unstructured.Unstructured) *unstructured.Unstructured {
			o.SetLabels(map[string]string{resource.LabelInstance: c.instance})
			return o
		}, `label kubernetes-resource-handler-scope is "", not a managed scope`},
		{"another instance", func(o *unstructured.Unstructured) *unstructured.Unstructured {
			o.SetLabels(map[string]string{resource.LabelInstance: "someone-else", resource.LabelScope: resource.ScopeIngress})
			return o
		}, `label app.kubernetes.io/instance is "someone-else"`},
		{"kind outside its scope", func(o *unstructured.Unstructured) *unstructured.Unstructured {
			o.SetLabels(map[string]string{resource.LabelInstance: c.instance, resource.LabelScope: resource.ScopeGateway})
			return o
		}, "scope istio-gateway does not manage gateway.networking.k8s.io/v1, Kind=HTTPRoute"},
		{"no namespace", func(o *unstructured.Unstructured) *unstructured.Unstructured {
			o.SetNamespace("")
			return o
		}, "name and namespace are required"},
		{"value JSON cannot encode", func(o *unstructured.Unstructured) *unstructured.Unstructured {
			o.Object["spec"] = map[string]any{"bad": make(chan int)}
			return o
		}, "encode:"},
		{"nil object", func(*unstructured.Unstructured) *unstructured.Unstructured { return nil }, "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, counter := newApplier(t, env, c.instance)
			bad := tt.mutate(c.httpRoute("blog", "main", "/blog"))
			_, err := a.Apply(kubeenv.TestContext(t), []*unstructured.Unstructured{c.hpa(1), bad})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, counter.snapshot(), "no request made")
		})
	}

	t.Run("duplicate", func(t *testing.T) {
		a, counter := newApplier(t, env, c.instance)
		_, err := a.Apply(kubeenv.TestContext(t), []*unstructured.Unstructured{c.hpa(1), c.hpa(2)})
		var objErr *kube.ObjectError
		require.ErrorAs(t, err, &objErr)
		assert.Equal(t, "validate HorizontalPodAutoscaler invalid/istio-ingress: appears twice in the desired set", objErr.Error())
		assert.Empty(t, counter.snapshot())
	})
}

func TestAPIServerRejectionNamesTheObject(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "rejected")
	a, _ := newApplier(t, env, c.instance)
	bad := c.httpRoute("blog", "main", "no-leading-slash")
	good := c.httpRoute("shop", "main", "/shop")
	res, err := a.Apply(ctx, []*unstructured.Unstructured{bad, good})
	var objErr *kube.ObjectError
	require.ErrorAs(t, err, &objErr)
	assert.Equal(t, "apply", objErr.Op)
	assert.Equal(t, fmt.Sprintf("HTTPRoute %s/%s", c.backend, bad.GetName()), objErr.Kind+" "+objErr.Namespace+"/"+objErr.Name)
	assert.Contains(t, err.Error(), "must be an absolute path")
	assert.Equal(t, kube.Result{Applied: 1}, res, "the valid object is applied anyway")
}

// Every object the cluster refuses is reported on its own and marked as
// refused (retrying it cannot help), so the caller can leave out exactly
// the requests behind them.
func TestRefusedObjectsAreReportedOneByOne(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "refused")
	checkForeign := foreignRoutes(t, c)
	a, _ := newApplier(t, env, c.instance)
	invalid := c.httpRoute("blog", "main", "no-leading-slash")
	nowhere := c.httpRoute("ghost", "main", "/ghost")
	nowhere.SetNamespace(c.backend + "-missing")
	taken := c.httpRoute("user", "manual", "/mine")
	taken.SetName("user-managed")
	good := c.httpRoute("shop", "main", "/shop")

	objs := []*unstructured.Unstructured{invalid, nowhere, taken, good}
	refusals := func(err error) map[string]bool {
		got := map[string]bool{}
		for _, oe := range kube.ObjectErrors(err) {
			got[oe.Object().String()] = oe.Refused()
		}
		return got
	}
	want := map[string]bool{
		"HTTPRoute " + c.backend + "/" + invalid.GetName():         true,
		"HTTPRoute " + c.backend + "-missing/" + nowhere.GetName(): true,
		"HTTPRoute " + c.backend + "/user-managed":                 true,
	}

	// A dry run finds the same refusals and changes nothing.
	assert.Equal(t, want, refusals(dryRun(ctx, a, objs)))
	assert.Empty(t, liveObjects(t, env, c.instance))

	res, err := a.Apply(ctx, objs)
	require.Error(t, err)
	assert.Equal(t, kube.Result{Applied: 1}, res)
	assert.Equal(t, want, refusals(err))
	checkForeign()

	require.NoError(t, dryRun(ctx, a, []*unstructured.Unstructured{good}), "an object already live is accepted again")

	// While an apply fails nothing is deleted: the caller re-plans around
	// the refusal and the objects it still wants never leave the cluster.
	res, err = a.Apply(ctx, []*unstructured.Unstructured{invalid})
	require.Error(t, err)
	assert.Equal(t, kube.Result{}, res)
	assert.Equal(t, names(good), liveObjects(t, env, c.instance), "shop's route was deleted by a failed apply")
	res, err = a.Apply(ctx, []*unstructured.Unstructured{c.httpRoute("blog", "main", "/blog")})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Applied: 1, Deleted: 1}, res, "a clean apply deletes what is no longer wanted")
}

func TestOnlyClientErrorsAreRefusals(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: resource.KindHTTPRoute.Group, Resource: "httproutes"}
	tests := []struct {
		err     error
		refused bool
	}{
		{apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "gone"), true},
		{apierrors.NewInvalid(resource.KindHTTPRoute.GVK().GroupKind(), "r", nil), true},
		{apierrors.NewForbidden(gr, "r", errors.New("namespace is being terminated")), true},
		{fmt.Errorf("checking: %w", kube.ErrForeignObject), true},
		{apierrors.NewNotFound(gr, "r"), false}, // the kind itself is not served
		{apierrors.NewGenericServerResponse(http.StatusNotFound, "patch", gr, "r", "", 0, false), false},
		{apierrors.NewConflict(gr, "r", errors.New("the object has been modified")), false},
		{apierrors.NewUnauthorized("token expired"), false},
		{apierrors.NewInternalError(errors.New("etcd is down")), false},
		{apierrors.NewServerTimeout(gr, "apply", 1), false},
		{apierrors.NewTooManyRequestsError("slow down"), false},
		{context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		oe := &kube.ObjectError{Op: "apply", Kind: "HTTPRoute", Namespace: "m", Name: "r", Err: tc.err}
		assert.Equal(t, tc.refused, oe.Refused(), "%v", tc.err)
		assert.Equal(t, []*kube.ObjectError{oe}, kube.ObjectErrors(errors.Join(errors.New("other"), fmt.Errorf("wrapped: %w", oe))))
	}
	assert.Empty(t, kube.ObjectErrors(nil))
}

func TestLargePlan(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "large")
	plan := largePlan(c, 500, "/v1")
	a, counter := newApplier(t, env, c.instance)

	res, err := a.Apply(ctx, plan)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Applied: 500}, res)
	assert.Len(t, liveObjects(t, env, c.instance), 500)
	counter.snapshot()

	res, err = a.Apply(ctx, plan)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 500}, res)
	assert.Equal(t, map[string]int{http.MethodGet: distinctKinds()}, counter.snapshot())

	res, err = a.Apply(ctx, plan[:250])
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 250, Deleted: 250}, res)
	assert.Equal(t, names(plan[:250]...), liveObjects(t, env, c.instance))
}

// largePlan is a Gateway and n-1 HTTPRoutes.
func largePlan(c charm, n int, pathPrefix string) []*unstructured.Unstructured {
	plan := []*unstructured.Unstructured{c.gateway(80)}
	for i := 1; i < n; i++ {
		plan = append(plan, c.httpRoute(fmt.Sprintf("app%03d", i), "main", fmt.Sprintf("%s/app%03d", pathPrefix, i)))
	}
	return plan
}

func TestDeleteAllRemovesEveryScope(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "deleteall")
	checkForeign := foreignRoutes(t, c)
	a, _ := newApplier(t, env, c.instance)
	plan := []*unstructured.Unstructured{
		c.gateway(80), c.secret(), c.hpa(1), c.httpRoute("blog", "main", "/blog"), c.grpcRoute("api", "api.v1.Users"),
		c.destinationRule("api"), c.l4Policy("api", 9090), c.externalTrafficPolicy(resource.ScopeExternalTraffic, "0.0.0.0/0"),
		c.requestAuth("blog"),
	}
	_, err := a.Apply(ctx, plan)
	require.NoError(t, err)

	res, err := a.DeleteAll(ctx)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Deleted: len(plan)}, res)
	assert.Empty(t, liveObjects(t, env, c.instance), "DestinationRules included")
	checkForeign()

	res, err = a.DeleteAll(ctx)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{}, res)
}

// Not parallel: it restarts the shared API server while the parallel tests wait.
func TestReconcileAfterAPIServerRestart(t *testing.T) {
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "restart")
	a, _ := newApplier(t, env, c.instance)
	_, err := a.Apply(ctx, []*unstructured.Unstructured{c.gateway(80), c.httpRoute("blog", "main", "/blog")})
	require.NoError(t, err)

	require.NoError(t, env.Restart(ctx))

	plan := []*unstructured.Unstructured{c.gateway(80, 8080), c.httpRoute("shop", "main", "/shop")}
	res, err := a.Apply(ctx, plan)
	require.NoError(t, err, "the same Applier (and its pooled connections) recovers")
	assert.Equal(t, kube.Result{Applied: 2, Deleted: 1}, res)
	assert.Equal(t, names(plan...), liveObjects(t, env, c.instance))
}

// A cluster without the CRDs, installed one set at a time. Its own API
// server: the shared one must keep its CRDs for the parallel tests.
func TestMissingCRDs(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	bare, err := kubeenv.Start(ctx, kubeenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, bare.Stop()) })

	c := charm{instance: "bare-istio-ingress", app: "istio-ingress", model: "bare", backend: "bare-apps"}
	require.NoError(t, bare.CreateNamespace(ctx, c.model))
	require.NoError(t, bare.CreateNamespace(ctx, c.backend))
	plan := []*unstructured.Unstructured{
		c.gateway(80), c.hpa(1), c.secret(), c.httpRoute("blog", "main", "/blog"),
		c.destinationRule("blog"), c.l4Policy("blog", 8080),
	}
	a, _ := newApplier(t, bare, c.instance)

	// A kind the server does not serve is nobody's request at fault:
	// staging skips it, and the apply reports the missing CRDs.
	_, err = a.Stage(ctx, nil, plan[3:4], nil)
	require.NoError(t, err)

	steps := []struct {
		name    string
		install kubeenv.CRDSet
		missing []string
		result  kube.Result
		live    []string
	}{
		{
			name:    "no CRDs: built-in kinds still applied",
			missing: []string{"the Gateway API CRDs", "the Istio CRDs"},
			result:  kube.Result{Applied: 2},
			live:    names(plan[1], plan[2]),
		},
		{
			name: "Gateway API installed", install: kubeenv.GatewayAPICRDs,
			missing: []string{"the Istio CRDs"},
			result:  kube.Result{Applied: 2, Unchanged: 2},
			live:    names(plan[:4]...),
		},
		{
			name: "Istio installed", install: kubeenv.IstioCRDs,
			result: kube.Result{Applied: 2, Unchanged: 4},
			live:   names(plan...),
		},
	}
	for _, step := range steps {
		if step.install != "" {
			require.NoError(t, bare.InstallCRDs(ctx, step.install), step.name)
		}
		res, err := a.Apply(ctx, plan)
		if step.missing == nil {
			require.NoError(t, err, step.name)
		} else {
			var missing *kube.MissingCRDError
			require.ErrorAs(t, err, &missing, step.name)
			assert.Equal(t, step.missing, missing.Install(), step.name)
			for _, m := range step.missing {
				assert.Contains(t, err.Error(), "install "+m, step.name)
			}
			assert.NotContains(t, err.Error(), "goroutine", step.name)
		}
		assert.Equal(t, step.result, res, step.name)
		assert.Equal(t, step.live, liveObjects(t, bare, c.instance), step.name)
	}

	t.Run("deleting one CRD", func(t *testing.T) {
		listed := a.List(ctx) // taken while DestinationRule is still served
		require.NoError(t, bare.DeleteCRD(ctx, "destinationrules.networking.istio.io"))
		// A new object of the kind gone since the listing: applying and
		// staging it both say what to install, like a kind never served.
		fresh := append(slices.Clone(plan), c.destinationRule("shop"))
		for name, apply := range map[string]func() error{
			"apply": func() error { _, err := a.ApplyListed(ctx, listed, fresh); return err },
			"stage": func() error { _, err := a.Stage(ctx, listed, fresh[len(fresh)-1:], nil); return err },
		} {
			var gone *kube.MissingCRDError
			require.ErrorAs(t, apply(), &gone, name)
			assert.Equal(t, "cluster lacks required CRDs: install the Istio CRDs (missing DestinationRule)", gone.Error(), name)
		}
		_, err := a.Apply(ctx, plan)
		var missing *kube.MissingCRDError
		require.ErrorAs(t, err, &missing)
		assert.Equal(t, "cluster lacks required CRDs: install the Istio CRDs (missing DestinationRule)", missing.Error())
	})

	t.Run("DeleteAll on a cluster missing CRDs", func(t *testing.T) {
		res, err := a.DeleteAll(ctx)
		require.NoError(t, err, "a kind the cluster does not serve has nothing to delete")
		assert.Equal(t, kube.Result{Deleted: 5}, res)
		assert.Empty(t, liveObjects(t, bare, c.instance))
	})
}

func TestErrorsCanBeTold(t *testing.T) {
	err := errors.Join(&kube.MissingCRDError{Kinds: []resource.Kind{resource.KindGRPCRoute, resource.KindAuthorizationPolicy, resource.KindHTTPRoute}})
	var missing *kube.MissingCRDError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, "cluster lacks required CRDs: install the Gateway API CRDs (missing GRPCRoute, HTTPRoute); install the Istio CRDs (missing AuthorizationPolicy)", missing.Error())
	assert.Equal(t, []string{"the Gateway API CRDs", "the Istio CRDs"}, missing.Install())
}

// dryRun stages objs as dry runs only: the cluster judges, nothing is stored.
func dryRun(ctx context.Context, a *kube.Applier, objs []*unstructured.Unstructured) error {
	_, err := a.Stage(ctx, nil, objs, func(resource.ObjectID) bool { return true })
	return err
}

// Staged objects are in place for the apply that follows on the same
// listing: it writes none of them again and deletes nothing they replace
// until it runs.
func TestStagedObjectsAreNotWrittenTwice(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "staged")
	a, _ := newApplier(t, env, c.instance)
	old := c.httpRoute("blog", "old", "/old")
	_, err := a.Apply(ctx, []*unstructured.Unstructured{c.gateway(80), old})
	require.NoError(t, err)

	listing := a.List(ctx)
	route := c.httpRoute("blog", "main", "/blog")
	res, err := a.Stage(ctx, listing, []*unstructured.Unstructured{route}, nil)
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Applied: 1}, res)
	assert.Equal(t, names(c.gateway(80), old, route), liveObjects(t, env, c.instance), "staging deletes nothing")

	res, err = a.ApplyListed(ctx, listing, []*unstructured.Unstructured{c.gateway(80), route})
	require.NoError(t, err)
	assert.Equal(t, kube.Result{Unchanged: 2, Deleted: 1}, res, "the staged route is not written again")
	assert.Equal(t, names(c.gateway(80), route), liveObjects(t, env, c.instance))
}

// Two deployments whose model and application names join to the same
// instance label ("a-b"/"c" and "a"/"b-c") never collect or take over each
// other's objects: the deployment label tells them apart.
func TestDeploymentsSharingAnInstanceLabel(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	c := newCharm(t, "twins")
	applier := func(deployment string) *kube.Applier {
		a, err := kube.NewApplier(env.RESTConfig(), kube.Options{FieldManager: "istio-ingress", Instance: c.instance, Deployment: deployment, Model: c.model, Scopes: resource.Scopes()})
		require.NoError(t, err)
		return a
	}
	route := func(deployment, name string) *unstructured.Unstructured {
		r := c.httpRoute(name, "main", "/"+name)
		labels := r.GetLabels()
		labels[resource.LabelDeployment] = deployment
		r.SetLabels(labels)
		return r
	}
	first, second := applier("first"), applier("second")
	_, err := first.Apply(ctx, []*unstructured.Unstructured{route("first", "blog")})
	require.NoError(t, err)
	_, err = second.Apply(ctx, []*unstructured.Unstructured{route("second", "shop")})
	require.NoError(t, err)

	_, err = second.Apply(ctx, []*unstructured.Unstructured{route("second", "blog")})
	require.Error(t, err, "the first deployment's route is not taken over")
	assert.ErrorIs(t, err, kube.ErrForeignObject)

	res, err := second.Apply(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Deleted, "only its own route goes")
	routes, err := env.Dynamic().Resource(resource.KindHTTPRoute.GroupVersionResource).Namespace(c.backend).List(ctx, metav1.ListOptions{LabelSelector: resource.LabelInstance + "=" + c.instance})
	require.NoError(t, err)
	require.Len(t, routes.Items, 1)
	assert.Equal(t, "first", routes.Items[0].GetLabels()[resource.LabelDeployment])

	_, err = first.DeleteAll(ctx)
	require.NoError(t, err)
}
