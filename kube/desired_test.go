package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestCovers(t *testing.T) {
	tests := []struct {
		name       string
		live, want any
		covered    bool
	}{
		{"equal scalars", "a", "a", true},
		{"changed scalar", "a", "b", false},
		{"int and float of the same number", int64(80), float64(80), true},
		{"different numbers", int64(80), int64(81), false},
		{"number vs string", "80", int64(80), false},
		{"extra live field", map[string]any{"a": "1", "b": "2"}, map[string]any{"a": "1"}, true},
		{"missing live field", map[string]any{"b": "2"}, map[string]any{"a": "1"}, false},
		{"list element with defaults", []any{map[string]any{"name": "x", "kind": "Service"}}, []any{map[string]any{"name": "x"}}, true},
		{"list grew", []any{"a", "b"}, []any{"a"}, false},
		{"list shrank", []any{"a"}, []any{"a", "b"}, false},
		{"list reordered", []any{"b", "a"}, []any{"a", "b"}, false},
		{"empty list vs absent", nil, []any{}, true},
		{"empty map vs absent", nil, map[string]any{}, true},
		{"map vs scalar", "x", map[string]any{"a": "1"}, false},
		{"bool", true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.covered, covers(tt.live, tt.want))
		})
	}
}

func TestNormalise(t *testing.T) {
	secret := func(data map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": "s", "namespace": "n", "creationTimestamp": nil},
			"stringData": data,
			"status":     map[string]any{},
		}}
	}
	in := secret(map[string]any{"tls.crt": "cert"})
	out, err := normalise(in)
	require.NoError(t, err)

	assert.Equal(t, map[string]any{"tls.crt": "Y2VydA=="}, out.Object["data"], "stringData is stored as data")
	assert.NotContains(t, out.Object, "stringData")
	assert.NotContains(t, out.Object, "status")
	assert.NotContains(t, out.Object["metadata"], "creationTimestamp")
	assert.Contains(t, in.Object, "stringData", "the caller's object is not modified")

	assert.Empty(t, out.GetAnnotations(), "nothing is added: Istio copies a Gateway's annotations onto its pods")

	_, err = normalise(secret(map[string]any{"tls.crt": int64(1)}))
	assert.ErrorContains(t, err, `stringData["tls.crt"] is int64, not a string`)
}
