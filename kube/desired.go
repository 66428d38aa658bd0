package kube

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// HashAnnotation holds a hash of the content last applied to an object. A
// live object with the same hash (and no drift in the fields we set) is not
// applied again, so an unchanged reconcile makes no write requests.
const HashAnnotation = "charms.canonical.com/applied-hash"

// normalise returns a private copy of obj in the shape the API server will
// store, so live objects can be compared with it:
//   - a JSON round trip, so any Go values the caller used become plain JSON
//     types (and unencodable ones are an error, never a panic);
//   - nulls and status dropped (status is never written through apply);
//   - Secret stringData folded into data (the server never stores stringData);
//   - the hash annotation of the resulting content added.
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
	sum, err := contentHash(out.Object)
	if err != nil {
		return nil, err
	}
	annotations := out.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[HashAnnotation] = sum
	out.SetAnnotations(annotations)
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

// contentHash is deterministic: encoding/json sorts map keys.
func contentHash(obj map[string]any) (string, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16]), nil
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
