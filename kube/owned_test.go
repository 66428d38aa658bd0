package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func gatewayWith(listeners ...map[string]any) *unstructured.Unstructured {
	ls := make([]any, 0, len(listeners))
	for _, l := range listeners {
		ls = append(ls, l)
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": "gw", "namespace": "m", "labels": map[string]any{"a": "1"}},
		"spec":     map[string]any{"gatewayClassName": "istio", "listeners": ls},
	}}
}

func labelled(o *unstructured.Unstructured, key string) *unstructured.Unstructured {
	out := o.DeepCopy()
	labels := out.GetLabels()
	labels[key] = "x"
	out.SetLabels(labels)
	return out
}

func listener(name string, port int64, hostname string) map[string]any {
	l := map[string]any{"name": name, "port": port, "protocol": "HTTP"}
	if hostname != "" {
		l["hostname"] = hostname
	}
	return l
}

// withFields returns live with managed-fields entries made of fields JSON.
func withFields(live *unstructured.Unstructured, entries ...metav1.ManagedFieldsEntry) *unstructured.Unstructured {
	out := live.DeepCopy()
	out.SetManagedFields(entries)
	return out
}

func entry(manager string, op metav1.ManagedFieldsOperationType, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, APIVersion: "gateway.networking.k8s.io/v1",
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
}

const (
	appliedBoth = `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:gatewayClassName":{},"f:listeners":{` +
		`"k:{\"name\":\"http-80\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{},"f:hostname":{}},` +
		`"k:{\"name\":\"http-8080\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}}}}}`
	applied80 = `{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:gatewayClassName":{},"f:listeners":{` +
		`"k:{\"name\":\"http-80\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}}}}}`
	patched8080 = `{"f:spec":{"f:listeners":{"k:{\"name\":\"http-8080\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}}}}}`
)

// A reconcile skips an object only when it would change nothing: every
// wanted value is live, and nothing the charm owns is left out of what it
// wants now (the apply would remove it).
func TestUnchanged(t *testing.T) {
	live := gatewayWith(listener("http-80", 80, "a.example.com"), listener("http-8080", 8080, ""))
	cases := []struct {
		name string
		live *unstructured.Unstructured
		want *unstructured.Unstructured
		same bool
	}{
		{"same content", withFields(live, entry("gw", "Apply", appliedBoth)), live, true},
		{"a listener dropped", withFields(live, entry("gw", "Apply", appliedBoth)),
			gatewayWith(listener("http-80", 80, "a.example.com")), false},
		{"a hostname dropped", withFields(live, entry("gw", "Apply", appliedBoth)),
			gatewayWith(listener("http-80", 80, ""), listener("http-8080", 8080, "")), false},
		{"a label someone else added is not ours to drop", withFields(labelled(live, "team"), entry("gw", "Apply", appliedBoth), entry("kubectl", "Update", `{"f:metadata":{"f:labels":{"f:team":{}}}}`)),
			live, true},
		{"a label our merge patch added is ours to drop", withFields(labelled(live, "team"), entry("gw", "Apply", appliedBoth), entry("gw", "Update", `{"f:metadata":{"f:labels":{"f:team":{}}}}`)),
			live, false},
		{"a listener our merge patch added is ours to drop", withFields(live, entry("gw", "Apply", applied80), entry("gw", "Update", patched8080)),
			gatewayWith(listener("http-80", 80, "a.example.com")), false},
		{"our merge-patched listener, still wanted", withFields(live, entry("gw", "Apply", applied80), entry("gw", "Update", patched8080)),
			live, true},
		{"no managed fields: content decides", live, live, true},
		{"a changed value", withFields(live, entry("gw", "Apply", appliedBoth)),
			gatewayWith(listener("http-80", 81, "a.example.com"), listener("http-8080", 8080, "")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			own, err := ownershipOf(tc.live, "gw")
			require.NoError(t, err)
			assert.Equal(t, tc.same, unchanged(tc.live, tc.want, own))
		})
	}
}

func TestAdoptionPatchOnlyForOurMergePatches(t *testing.T) {
	live := gatewayWith(listener("http-80", 80, ""))
	live.SetResourceVersion("7")
	own, err := ownershipOf(withFields(live, entry("gw", "Apply", applied80), entry("kubectl", "Update", patched8080)), "gw")
	require.NoError(t, err)
	assert.Nil(t, own.adopt, "another manager's fields stay theirs")

	own, err = ownershipOf(withFields(live, entry("gw", "Apply", applied80), entry("gw", "Update", patched8080)), "gw")
	require.NoError(t, err)
	assert.Contains(t, string(own.adopt), `"/metadata/managedFields"`)
	assert.Contains(t, string(own.adopt), `"value":"7"`, "the patch is refused if the object changed since it was read")
}
