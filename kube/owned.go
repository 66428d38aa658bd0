package kube

import (
	"bytes"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/csaupgrade"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// ownership is what a live object's managed fields say about our part in it.
type ownership struct {
	// fields are the fields the charm's manager owns, counting those it
	// wrote by update (a merge patch) as owned by its apply, which is what
	// adoption makes them.
	fields *fieldpath.Set
	// apiVersion is the version those fields are recorded in.
	apiVersion string
	// adopt is the JSON patch that moves the manager's update-owned fields
	// to its apply entry; nil when there are none.
	adopt []byte
}

// ownershipOf reads manager's fields in live. The Python charm wrote the
// Gateway, its Secret and its autoscaler with merge patches under the same
// manager name: those fields sit in an Update entry, which a server-side
// apply never removes. csaupgrade folds them into the Apply entry.
func ownershipOf(live *unstructured.Unstructured, manager string) (ownership, error) {
	entries := live.GetManagedFields()
	own := ownership{fields: &fieldpath.Set{}}
	if slices.ContainsFunc(entries, func(e metav1.ManagedFieldsEntry) bool {
		return e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationUpdate
	}) {
		// Only then is there anything to adopt (once adopted, never again).
		// csaupgrade reads only the managed fields and the resourceVersion:
		// working on those alone spares copying the object.
		meta := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{}}}
		meta.SetManagedFields(entries)
		meta.SetResourceVersion(live.GetResourceVersion())
		names := sets.New(manager)
		var err error
		if own.adopt, err = csaupgrade.UpgradeManagedFieldsPatch(meta, names, manager); err != nil {
			return ownership{}, fmt.Errorf("reading managed fields: %w", err)
		}
		if err := csaupgrade.UpgradeManagedFields(meta, names, manager); err != nil {
			return ownership{}, fmt.Errorf("reading managed fields: %w", err)
		}
		entries = meta.GetManagedFields()
	}
	for _, e := range entries {
		if e.Manager != manager || e.Operation != metav1.ManagedFieldsOperationApply || e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		if err := own.fields.FromJSON(bytes.NewReader(e.FieldsV1.Raw)); err != nil {
			return ownership{}, fmt.Errorf("reading managed fields: %w", err)
		}
		own.apiVersion = e.APIVersion
	}
	return own, nil
}

// unchanged reports whether applying want to live would change nothing:
// live holds every value of want, and the charm owns no field want no
// longer sets (an apply would remove it: a dropped listener or hostname).
// This is what lets a quiet reconcile skip the write without marking the
// object with a hash of its content.
func unchanged(live, want *unstructured.Unstructured, own ownership) bool {
	if !covers(live.Object, want.Object) {
		return false
	}
	if own.fields.Empty() {
		return true
	}
	if own.apiVersion != want.GetAPIVersion() {
		return false // recorded in another version: let the server judge
	}
	same := true
	// Iterate, not All: All's iterator panics when the loop stops early.
	own.fields.Iterate(func(p fieldpath.Path) {
		if same && !pathIn(storedPath(want, p), want.Object) {
			same = false
		}
	})
	return same
}

// storedPath is where the field at p is stored: a Secret's stringData
// (which the Python charm applied) is stored, and compared, as data.
func storedPath(obj *unstructured.Unstructured, p fieldpath.Path) fieldpath.Path {
	if len(p) == 0 || p[0].FieldName == nil || *p[0].FieldName != "stringData" ||
		obj.GetAPIVersion() != "v1" || obj.GetKind() != "Secret" {
		return p
	}
	data := "data"
	return append(fieldpath.Path{{FieldName: &data}}, p[1:]...)
}

// pathIn reports whether the managed-fields path p exists in obj.
func pathIn(p fieldpath.Path, obj any) bool {
	v := obj
	for _, pe := range p {
		switch {
		case pe.FieldName != nil:
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if v, ok = m[*pe.FieldName]; !ok {
				return false
			}
		case pe.Index != nil:
			l, ok := v.([]any)
			if !ok || *pe.Index < 0 || *pe.Index >= len(l) {
				return false
			}
			v = l[*pe.Index]
		case pe.Key != nil:
			item, ok := find(v, func(e any) bool { return keyMatches(*pe.Key, e) })
			if !ok {
				return false
			}
			v = item
		case pe.Value != nil:
			item, ok := find(v, func(e any) bool { return sameValue(e, (*pe.Value).Unstructured()) })
			if !ok {
				return false
			}
			v = item
		default:
			return false
		}
	}
	return true
}

func find(list any, match func(any) bool) (any, bool) {
	l, ok := list.([]any)
	if !ok {
		return nil, false
	}
	for _, e := range l {
		if match(e) {
			return e, true
		}
	}
	return nil, false
}

// keyMatches reports whether the list item e has every key field of key
// (a map-list item such as a listener, keyed by name).
func keyMatches(key value.FieldList, e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return false
	}
	for _, f := range key {
		if !sameValue(m[f.Name], f.Value.Unstructured()) {
			return false
		}
	}
	return true
}

// sameValue is JSON equality, numbers compared by value.
func sameValue(a, b any) bool { return covers(a, b) && covers(b, a) }
