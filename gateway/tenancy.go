package gateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// SystemNamespaces are never served unless the operator lists them: a
// requirer must not get routes or policies written next to the cluster's
// own components with the charm's cluster-wide rights.
func SystemNamespaces() []string {
	return []string{"kube-system", "kube-public", "kube-node-lease", "istio-system"}
}

// Tenancy says in which namespaces requirers may be served: a requirer is
// a tenant, and its bag must not reach a namespace it has no business in.
type Tenancy struct {
	// Allowed are the namespaces the operator allows; empty allows every
	// namespace but SystemNamespaces. Input.Model is always allowed.
	Allowed []string
	// ModelUUID is this charm's model: a requirer living in it may only be
	// served in this model's namespace, whatever its bag says.
	ModelUUID string
	// RequirerModels are the UUIDs of the Juju models the requirers live
	// in, where Juju says (relation-model-get).
	RequirerModels map[juju.RelationID]string
	// NamespaceModels are the UUIDs of the Juju models the cluster's
	// namespaces belong to (see NamespaceModelKey). A namespace that
	// belongs to one Juju model is served only to requirers from it.
	NamespaceModels map[string]string
}

// NamespaceModelKey is the annotation (and, on newer Juju, label) Juju puts
// on a model's namespace, holding the model's UUID.
const NamespaceModelKey = "model.juju.is/id"

// ParseNamespaces splits the allowed-namespaces option.
func ParseNamespaces(s string) []string {
	var out []string
	for _, part := range splitTrim(s) {
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// refusal says why rel may not be served in namespace, or "".
func (t Tenancy) refusal(model string, rel juju.RelationID, namespace string) string {
	switch {
	case t.sameModel(rel) && namespace != model:
		return fmt.Sprintf("namespace %q is not this model's (%q), where the requirer lives", clip(namespace), model)
	case t.ownedByAnother(rel, namespace):
		return fmt.Sprintf("namespace %q belongs to another Juju model than the requirer's", clip(namespace))
	case namespace == model:
		return ""
	case len(t.Allowed) > 0 && !slices.Contains(t.Allowed, namespace):
		return fmt.Sprintf("namespace %q is not in allowed-namespaces", clip(namespace))
	case len(t.Allowed) == 0 && slices.Contains(SystemNamespaces(), namespace):
		return fmt.Sprintf("namespace %q is a system namespace (list it in allowed-namespaces to serve it)", namespace)
	}
	return ""
}

// sameModel says whether rel's requirer lives in this charm's model.
func (t Tenancy) sameModel(rel juju.RelationID) bool {
	m := t.RequirerModels[rel]
	return m != "" && m == t.ModelUUID
}

// ownedByAnother says whether namespace belongs to a Juju model other than
// the one rel's requirer lives in: a requirer from one model must not be
// served in another model's namespace, this charm's own included.
func (t Tenancy) ownedByAnother(rel juju.RelationID, namespace string) bool {
	owner, requirer := t.NamespaceModels[namespace], t.RequirerModels[rel]
	return owner != "" && requirer != "" && owner != requirer
}

// namespaces lists every namespace r would write an object in or send
// traffic to.
func (r *request) namespaces() []string {
	var out []string
	add := func(ns string) {
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	for _, rt := range r.routes {
		add(rt.namespace)
	}
	for _, b := range r.backends {
		add(b.namespace)
	}
	return out
}

// deniedBy returns why the tenancy rules refuse r, or "".
func (r *request) deniedBy(in *Input) string {
	var reasons []string
	for _, ns := range r.namespaces() {
		if why := in.Tenancy.refusal(in.Model, r.result.ID, ns); why != "" {
			reasons = append(reasons, why)
		}
	}
	return strings.Join(reasons, "; ")
}
