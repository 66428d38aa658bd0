package kube

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// normalise returns a private copy of obj in the shape the API server will
// store, so live objects can be compared with it:
//   - a JSON round trip, so any Go values the caller used become plain JSON
//     types (and unencodable ones are an error, never a panic);
//   - nulls and status dropped (status is never written through apply);
//   - Secret stringData folded into data (the server never stores stringData).
//
// Nothing is added to the object: Istio copies a Gateway's annotations onto
// its pods, so an annotation of ours would restart them on every change.
// What changed is told by comparing with the live object (see unchanged).
func normalise(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	delete(out.Object, "status")
	resource.PruneNulls(out.Object)
	if out.GetAPIVersion() == "v1" && out.GetKind() == "Secret" {
		if err := foldStringData(out.Object); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func foldStringData(obj map[string]any) error {
	sd, ok := obj["stringData"].(map[string]any)
	if !ok {
		delete(obj, "stringData")
		return nil
	}
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("stringData[%q] is %T, not a string", k, v)
		}
		data[k] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	obj["data"] = data
	delete(obj, "stringData")
	return nil
}

// covers reports whether live holds every value of want. Extra live fields
// (defaults, server metadata, other managers' fields) do not matter; a
// changed or missing field does, so drift in what we set is repaired.
func covers(live, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return len(w) == 0 && live == nil
		}
		for k, wv := range w {
			if !covers(l[k], wv) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok {
			return len(w) == 0 && live == nil
		}
		if len(l) != len(w) {
			return false
		}
		for i := range w {
			if !covers(l[i], w[i]) {
				return false
			}
		}
		return true
	case int64, float64:
		lf, lok := number(live)
		wf, _ := number(want)
		return lok && lf == wf
	default:
		return reflect.DeepEqual(live, want)
	}
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	default:
		return 0, false
	}
}
