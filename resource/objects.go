package resource

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// ObjectID names one Kubernetes object of a plan.
type ObjectID struct {
	Kind, Namespace, Name string
}

func (id ObjectID) String() string { return id.Kind + " " + id.Namespace + "/" + id.Name }

// IDOf returns the ObjectID of obj.
func IDOf(obj *unstructured.Unstructured) ObjectID {
	return ObjectID{Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// PruneNulls removes null values from a decoded JSON object, in place
// (unset optional fields the converter keeps, such as a certificate
// reference's group): in an apply patch a null means "delete this field",
// which is never what the charm wants to say.
func PruneNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			PruneNulls(e)
		}
	case []any:
		for _, e := range t {
			PruneNulls(e)
		}
	}
}
