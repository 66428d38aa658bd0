package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
)

// ownedKinds lists every kind of every scope the charm manages, once each.
func ownedKinds() []resource.Kind {
	var kinds []resource.Kind
	seen := map[string]bool{}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if key := k.GVK().String(); !seen[key] {
				seen[key] = true
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// owned returns every object in the cluster, in any namespace, that carries
// the instance label of app in model, keyed "Kind namespace/name".
func owned(t testing.TB, model string) map[string]*unstructured.Unstructured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	selector := resource.LabelInstance + "=" + gateway.InstanceLabel(model, app)
	out := map[string]*unstructured.Unstructured{}
	for _, k := range ownedKinds() {
		list, err := env.Dynamic().Resource(k.GroupVersionResource).List(ctx, metav1.ListOptions{LabelSelector: selector})
		require.NoError(t, err, "list %s", k.Kind)
		for i := range list.Items {
			item := &list.Items[i]
			out[objectKey(k.Kind, item.GetNamespace(), item.GetName())] = item
		}
	}
	return out
}

func objectKey(kind, namespace, name string) string {
	return kind + " " + namespace + "/" + name
}

// keys returns the sorted keys of objs, for readable diffs.
func keys(objs map[string]*unstructured.Unstructured) []string {
	out := make([]string, 0, len(objs))
	for k := range objs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// versions maps each object to its resourceVersion: equal maps mean nothing
// was written in between.
func versions(objs map[string]*unstructured.Unstructured) map[string]string {
	out := make(map[string]string, len(objs))
	for k, o := range objs {
		out[k] = o.GetResourceVersion()
	}
	return out
}

// nested reads a field of an object, failing the test when it is missing.
func nested(t testing.TB, obj *unstructured.Unstructured, fields ...string) any {
	t.Helper()
	require.NotNil(t, obj)
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, fields...)
	require.NoError(t, err)
	require.True(t, found, "%s %s has no %s", obj.GetKind(), obj.GetName(), strings.Join(fields, "."))
	return v
}

// listeners returns the Gateway's listeners as name → hostname ("" = any).
func listeners(t testing.TB, gw *unstructured.Unstructured) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range nested(t, gw, "spec", "listeners").([]any) {
		lm := l.(map[string]any)
		host, _ := lm["hostname"].(string)
		out[lm["name"].(string)] = host
	}
	return out
}

// backendPorts returns "service:port" for every backend of a route.
func backendPorts(t testing.TB, route *unstructured.Unstructured) []string {
	t.Helper()
	var out []string
	for _, r := range nested(t, route, "spec", "rules").([]any) {
		refs, _ := r.(map[string]any)["backendRefs"].([]any)
		for _, b := range refs {
			bm := b.(map[string]any)
			out = append(out, fmt.Sprintf("%v:%v", bm["name"], bm["port"]))
		}
	}
	sort.Strings(out)
	return out
}

// routeVector is one case of relation/ingressroute/testdata.
type routeVector struct {
	Name   string `json:"name"`
	Config string `json:"config"` // valid.json
	Input  string `json:"input"`  // invalid.json
}

// routeVectors reads the Python library's wire-format cases.
func routeVectors(t testing.TB, file string) []routeVector {
	t.Helper()
	root, err := charm.RepoRoot()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(root, "relation", "ingressroute", "testdata", file))
	require.NoError(t, err)
	var doc struct {
		Cases []routeVector `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Cases)
	return doc.Cases
}

// validRouteConfig returns the config of a valid.json case with its model
// (the requirer's namespace) replaced, so tests sharing the API server do not
// collide on object names.
func validRouteConfig(t testing.TB, name, model string) string {
	t.Helper()
	for _, c := range routeVectors(t, "valid.json") {
		if c.Name != name {
			continue
		}
		var doc map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(c.Config), &doc))
		old := `"model":` + string(doc["model"])
		require.Contains(t, c.Config, old)
		return strings.Replace(c.Config, old, `"model":"`+model+`"`, 1)
	}
	t.Fatalf("no valid.json case %q", name)
	return ""
}
