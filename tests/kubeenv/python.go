package kubeenv

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// WriteAsPythonCharm writes objs as the Python istio-ingress-k8s charm's
// resource managers do, under fieldManager (its application name): objects
// of the istio-gateway scope (Gateway, Secret, autoscaler) by JSON merge
// patch, or by server-side apply when there is nothing to patch yet; those
// of every other scope by server-side apply with force. Fields its merge
// patches add are recorded in an Update entry of that manager.
func (e *Env) WriteAsPythonCharm(ctx context.Context, fieldManager string, objs ...*unstructured.Unstructured) error {
	for _, obj := range objs {
		kind, ok := kindOf(obj)
		if !ok {
			return fmt.Errorf("write %s: not a kind the charm manages", obj.GroupVersionKind())
		}
		client := e.Dynamic().Resource(kind.GroupVersionResource).Namespace(obj.GetNamespace())
		if obj.GetLabels()[resource.LabelScope] == resource.ScopeGateway {
			patch, err := json.Marshal(obj.Object)
			if err != nil {
				return err
			}
			_, err = client.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager})
			if err == nil {
				continue
			}
			if !apierrors.IsNotFound(err) {
				return fmt.Errorf("merge patch %s %s: %w", obj.GetKind(), obj.GetName(), err)
			}
		}
		if _, err := client.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true}); err != nil {
			return fmt.Errorf("apply %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	return nil
}

func kindOf(obj *unstructured.Unstructured) (resource.Kind, bool) {
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if k.GVK() == obj.GroupVersionKind() {
				return k, true
			}
		}
	}
	return resource.Kind{}, false
}
