package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// MarshalYAML renders objects as a multi-document YAML stream that
// `kubectl apply -f -` accepts.
func MarshalYAML(objs []*unstructured.Unstructured) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("marshal %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

// MarshalJSON renders objects as one indented v1 List, which
// `kubectl apply -f -` also accepts.
func MarshalJSON(objs []*unstructured.Unstructured) ([]byte, error) {
	items := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		items = append(items, o.Object)
	}
	b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal object list: %w", err)
	}
	return append(b, '\n'), nil
}
