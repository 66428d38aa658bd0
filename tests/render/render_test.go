package render

import (
	"bytes"
	"context"
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/snapshot/inputfile"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// env is the API server every test in this package shares.
var env *kubeenv.Env

func TestMain(m *testing.M) { kubeenv.Main(m, &env) }

// fieldManager is the manager name the charm applies with.
const fieldManager = "istio-ingress-k8s"

// goldenFiles are the planner's golden scenarios and the rendered examples.
func goldenFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{
		"../../gateway/testdata/objects/*.yaml",
		"../../snapshot/inputfile/testdata/*.yaml",
	} {
		found, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, found...)
	}
	require.NotEmpty(t, files)
	return files
}

func readObjects(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if err == io.EOF {
			break
		}
		require.NoError(t, err, path)
		if m != nil {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
	require.NotEmpty(t, objs, path)
	return objs
}

func kindsByGVK() map[schema.GroupVersionKind]resource.Kind {
	out := map[schema.GroupVersionKind]resource.Kind{}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			out[k.GVK()] = k
		}
	}
	return out
}

// TestGoldenObjectsAreAccepted applies every object of every golden file
// server-side and checks that what the server stored contains every field
// we sent: a misspelt field would be silently pruned by a structural schema.
func TestGoldenObjectsAreAccepted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	kinds := kindsByGVK()
	client := env.Dynamic()
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			objs := readObjects(t, path)
			for _, ns := range namespaces(objs) {
				require.NoError(t, env.CreateNamespace(ctx, ns))
			}
			for _, obj := range objs {
				id := fmt.Sprintf("%s %s/%s", obj.GetKind(), obj.GetNamespace(), obj.GetName())
				kind, ok := kinds[obj.GroupVersionKind()]
				require.True(t, ok, "%s: kind not in resource.Scopes()", id)
				require.NotEmpty(t, obj.GetNamespace(), "%s: no namespace", id)
				live, err := client.Resource(kind.GroupVersionResource).Namespace(obj.GetNamespace()).
					Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
				if !assert.NoError(t, err, "%s rejected", id) {
					continue
				}
				assertContains(t, id, "", obj.Object["spec"], live.Object["spec"])
				assert.Equal(t, obj.GetLabels(), live.GetLabels(), "%s: labels", id)
			}
		})
	}
}

// TestRenderedInputIsAccepted renders every example through the same path
// as `charm render` and applies the result, so the examples stay deployable
// even before their golden files are regenerated.
func TestRenderedInputIsAccepted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	kinds := kindsByGVK()
	files, err := filepath.Glob("../../examples/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			parsed, err := inputfile.Parse(data)
			require.NoError(t, err)
			plan := gateway.Build(parsed.Desired().Input)
			for _, ns := range namespaces(plan.Objects) {
				require.NoError(t, env.CreateNamespace(ctx, ns))
			}
			for _, obj := range plan.Objects {
				kind := kinds[obj.GroupVersionKind()]
				// Dry run: the golden test above already stores them.
				_, err := env.Dynamic().Resource(kind.GroupVersionResource).Namespace(obj.GetNamespace()).
					Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true, DryRun: []string{metav1.DryRunAll}})
				assert.NoError(t, err, "%s %s/%s rejected", obj.GetKind(), obj.GetNamespace(), obj.GetName())
			}
		})
	}
}

// TestInvalidObjectIsRejected proves the environment enforces the CRD
// rules the planner relies on, so the tests above can fail.
func TestInvalidObjectIsRejected(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, env.CreateNamespace(ctx, "reject"))
	route := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "bad", "namespace": "reject"},
		"spec": map[string]any{"rules": []any{map[string]any{
			"matches": []any{map[string]any{"path": map[string]any{"type": "Exact", "value": "/x"}}},
			"filters": []any{map[string]any{"type": "URLRewrite", "urlRewrite": map[string]any{
				"path": map[string]any{"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}},
		}}},
	}}
	_, err := env.Dynamic().Resource(resource.KindHTTPRoute.GroupVersionResource).Namespace("reject").
		Apply(ctx, "bad", route, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	require.Error(t, err, "ReplacePrefixMatch with an Exact match must be rejected")
}

func namespaces(objs []*unstructured.Unstructured) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}

// assertContains checks that every value in want is present, equal, in got
// (got may hold more: server-side defaults).
func assertContains(t *testing.T, id, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !assert.True(t, ok, "%s: %s is %T on the server, want an object", id, path, got) {
			return
		}
		for k, v := range w {
			gv, present := g[k]
			if !assert.True(t, present, "%s: %s.%s was dropped by the server", id, path, k) {
				continue
			}
			assertContains(t, id, path+"."+k, v, gv)
		}
	case []any:
		g, ok := got.([]any)
		if !assert.True(t, ok, "%s: %s is %T on the server, want a list", id, path, got) ||
			!assert.Len(t, g, len(w), "%s: %s length", id, path) {
			return
		}
		for i := range w {
			assertContains(t, id, fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	default:
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got), "%s: %s", id, path)
	}
}

// TestFullGatewayIsAccepted plans for more listener ports than a Gateway
// may hold: the planner stops at gateway.MaxListeners, which the Gateway
// CRD accepts, and one listener more is what the CRD rejects.
func TestFullGatewayIsAccepted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, env.CreateNamespace(ctx, "full"))
	in := gateway.Input{App: "full-gw", Model: "full", Units: 1, ExternalTrafficCIDRs: "0.0.0.0/0"}
	for i := range gateway.MaxListeners + 2 {
		// A listener is opened only for a route that uses it.
		l := ingressroute.Listener{Port: 9000 + i, Protocol: ingressroute.ProtocolHTTP}
		in.Routes = append(in.Routes, gateway.RouteRequest{
			Relation: gateway.Relation{App: fmt.Sprintf("app%d", i), ID: juju.RelationID{Endpoint: "istio-ingress-route", ID: i + 1}},
			Config: &ingressroute.Config{Model: "full", Listeners: []ingressroute.Listener{l}, HTTPRoutes: []ingressroute.HTTPRoute{{
				Name: "r", Listener: l, Backends: []ingressroute.BackendRef{{Service: fmt.Sprintf("app%d", i), Port: 80}},
			}}},
		})
	}
	plan := gateway.Build(in)
	require.Len(t, plan.Status.NoRoom, 3, "http-80 and 63 requested ports fill the Gateway")
	var gw *unstructured.Unstructured
	for _, obj := range plan.Objects {
		if obj.GetKind() == resource.KindGateway.Kind {
			gw = obj
		}
	}
	require.NotNil(t, gw)
	gateways := env.Dynamic().Resource(resource.KindGateway.GroupVersionResource).Namespace("full")
	dryRun := metav1.ApplyOptions{FieldManager: fieldManager, Force: true, DryRun: []string{metav1.DryRunAll}}
	_, err := gateways.Apply(ctx, gw.GetName(), gw, dryRun)
	require.NoError(t, err, "a Gateway with %d listeners", gateway.MaxListeners)

	listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
	extra := map[string]any{"name": "http-65000", "port": int64(65000), "protocol": "HTTP",
		"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}}}
	require.NoError(t, unstructured.SetNestedSlice(gw.Object, append(listeners, extra), "spec", "listeners"))
	_, err = gateways.Apply(ctx, gw.GetName(), gw, dryRun)
	require.Error(t, err, "the CRD must refuse listener %d", gateway.MaxListeners+1)
}
