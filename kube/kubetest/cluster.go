// Package kubetest is an in-memory Kubernetes for unit tests of the
// charm's orchestration; it may import kube, resource and the Kubernetes
// API types, nothing of the planner or the hooks.
//
// Cluster stores what is applied to it, judges writes against a listing
// the way kube.Applier does (new or changed objects are applied, the rest
// left alone; what a listing held and is no longer wanted is deleted once
// every apply succeeded) and refuses the writes a test chooses, with the
// error an API server would give. It logs every write, so a test can say
// a hook wrote nothing.
package kubetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// Write is one write request the cluster was asked to make.
type Write struct {
	Op     string // "apply" or "delete"
	Object resource.ObjectID
	DryRun bool // a server-side dry run: nothing stored
}

func (w Write) String() string {
	s := w.Op + " " + w.Object.String()
	if w.DryRun {
		s += " (dry run)"
	}
	return s
}

// FailFunc decides whether the cluster fails a write: the error it returns
// (nil: the write goes ahead) is the API server's answer.
type FailFunc func(Write) error

// Cluster is an in-memory cluster seen by one charm deployment, which owns
// the objects kube.Applier would list as its own (by the instance and
// deployment labels). It implements the hooks package's Cluster. Safe for
// concurrent use.
type Cluster struct {
	mu      sync.Mutex
	opts    kube.Options
	scopes  map[string][]resource.Kind
	objects map[resource.ObjectID]map[string]any
	// listings maps each Listing handed out to what it held: the content
	// of every owned object at List time, plus what Stage applied.
	listings map[*kube.Listing]map[resource.ObjectID]map[string]any
	fails    map[int]FailFunc
	nextFail int
	missing  map[string]bool // kinds the cluster does not serve
	writes   []Write

	lbAddress string
	gatewayUp bool // the gateway's Service and ready Deployment exist
	// namespaceMarks are the namespaces' annotations (MarkNamespace).
	namespaceMarks map[string]map[string]string
}

// New returns an empty cluster for the charm deployment that applies with
// opts (its labels, model and scopes; the rest is ignored).
func New(opts kube.Options) *Cluster {
	c := &Cluster{
		opts:     opts,
		scopes:   map[string][]resource.Kind{},
		objects:  map[resource.ObjectID]map[string]any{},
		listings: map[*kube.Listing]map[resource.ObjectID]map[string]any{},
		fails:    map[int]FailFunc{},
		missing:  map[string]bool{},

		namespaceMarks: map[string]map[string]string{},
	}
	for _, s := range opts.Scopes {
		c.scopes[s.Name] = s.Kinds
	}
	return c
}

// ServeGateway plays Istio: the gateway's Deployment has ready replicas
// and its Service the load balancer address ("" for none yet).
func (c *Cluster) ServeGateway(address string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gatewayUp, c.lbAddress = true, address
}

// Fail makes the cluster answer the writes f picks with f's error, until
// the returned func is called.
func (c *Cluster) Fail(f FailFunc) (stop func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nextFail
	c.nextFail++
	c.fails[n] = f
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.fails, n)
	}
}

// RefuseNamespace refuses every write into namespace as an API server does
// when the namespace does not exist, until the returned func is called.
func (c *Cluster) RefuseNamespace(namespace string) (stop func()) {
	return c.Fail(func(w Write) error {
		if w.Object.Namespace != namespace {
			return nil
		}
		return apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, namespace)
	})
}

// Unserve makes the cluster serve no objects of kinds, as when their CRDs
// are not installed.
func (c *Cluster) Unserve(kinds ...resource.Kind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range kinds {
		c.missing[k.Kind] = true
	}
}

// Put stores obj as it is, whoever owns it: a test places objects of other
// owners this way.
func (c *Cluster) Put(obj *unstructured.Unstructured) error {
	o, err := plain(obj.Object)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.objects[resource.IDOf(obj)] = o
	return nil
}

// Get returns the stored object id; nil when there is none.
func (c *Cluster) Get(id resource.ObjectID) *unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.objects[id]
	if !ok {
		return nil
	}
	return &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o)}
}

// Objects lists the ids of every stored object, sorted.
func (c *Cluster) Objects() []resource.ObjectID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sortedIDs(c.objects)
}

// TakeWrites returns the writes asked for since the last call.
func (c *Cluster) TakeWrites() []Write {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writes
	c.writes = nil
	return w
}

// List takes a listing of the objects this instance owns.
func (c *Cluster) List(context.Context) *kube.Listing {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listLocked()
}

func (c *Cluster) listLocked() *kube.Listing {
	held := map[resource.ObjectID]map[string]any{}
	for id, o := range c.objects {
		if c.owned(o) && !c.missing[id.Kind] {
			held[id] = o
		}
	}
	l := &kube.Listing{}
	c.listings[l] = held
	return l
}

// ApplyListed makes the cluster hold exactly desired among the objects
// listing held: it applies what is new or changed and, once every apply
// succeeded, deletes the rest.
func (c *Cluster) ApplyListed(_ context.Context, listing *kube.Listing, desired []*unstructured.Unstructured, keep ...resource.Hold) (kube.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want, err := c.validate(desired)
	if err != nil {
		return kube.Result{}, err
	}
	held := c.held(listing)
	var res kube.Result
	errs := c.apply(held, want, nil, &res)
	if len(errs) == 0 {
		for _, id := range sortedIDs(held) {
			if _, wanted := want[id]; wanted || c.holds(keep, id) {
				continue
			}
			w := Write{Op: "delete", Object: id}
			if err := c.write(w); err != nil {
				errs = append(errs, err)
				continue
			}
			if _, ok := c.objects[id]; ok {
				delete(c.objects, id)
				res.Deleted++
			}
		}
	}
	return res, c.join(want, errs)
}

// Stage applies, deleting nothing, the objects new or changed against
// listing, and records them in it; those dryRun picks are only judged.
func (c *Cluster) Stage(_ context.Context, listing *kube.Listing, objs []*unstructured.Unstructured, dryRun func(resource.ObjectID) bool) (kube.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want, err := c.validate(objs)
	if err != nil {
		return kube.Result{}, err
	}
	if dryRun == nil {
		dryRun = func(resource.ObjectID) bool { return false }
	}
	var res kube.Result
	errs := c.apply(c.held(listing), want, dryRun, &res)
	return res, c.join(nil, errs)
}

// DeleteAll deletes every object this instance owns.
func (c *Cluster) DeleteAll(context.Context) (kube.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var res kube.Result
	var errs []error
	for _, id := range sortedIDs(c.objects) {
		if !c.owned(c.objects[id]) || c.missing[id.Kind] {
			continue
		}
		if err := c.write(Write{Op: "delete", Object: id}); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(c.objects, id)
		res.Deleted++
	}
	// As kube.Applier: what is still there is named, so no clean-up is
	// reported that did not happen.
	remaining := &kube.RemainingError{}
	for _, id := range sortedIDs(c.objects) {
		if c.owned(c.objects[id]) && !c.missing[id.Kind] {
			remaining.Objects = append(remaining.Objects, id)
		}
	}
	if len(remaining.Objects) > 0 {
		errs = append(errs, remaining)
	}
	return res, errors.Join(errs...)
}

// LoadBalancerAddress answers as kube.Applier does, from ServeGateway.
func (c *Cluster) LoadBalancerAddress(_ context.Context, namespace, name string) (address, reason string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.gatewayUp:
		return "", fmt.Sprintf("Service %s/%s not found", namespace, name), nil
	case c.lbAddress == "":
		return "", fmt.Sprintf("Service %s/%s has no load balancer address yet", namespace, name), nil
	}
	return c.lbAddress, "", nil
}

// NamespaceValues answers as kube.Applier does, from MarkNamespace.
func (c *Cluster) NamespaceValues(_ context.Context, key string) (map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]string{}
	for ns, marks := range c.namespaceMarks {
		if v, ok := marks[key]; ok {
			out[ns] = v
		}
	}
	return out, nil
}

// MarkNamespace gives namespace the annotation key=value.
func (c *Cluster) MarkNamespace(namespace, key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.namespaceMarks[namespace] == nil {
		c.namespaceMarks[namespace] = map[string]string{}
	}
	c.namespaceMarks[namespace][key] = value
}

// DeploymentReady answers as kube.Applier does, from ServeGateway.
func (c *Cluster) DeploymentReady(_ context.Context, namespace, name string) (ready bool, reason string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.gatewayUp {
		return false, fmt.Sprintf("Deployment %s/%s not found", namespace, name), nil
	}
	return true, "", nil
}

// held is what listing held; a nil listing is taken now.
func (c *Cluster) held(listing *kube.Listing) map[resource.ObjectID]map[string]any {
	if listing == nil {
		listing = c.listLocked()
	}
	held, ok := c.listings[listing]
	if !ok {
		// A listing from elsewhere holds nothing this cluster knows of.
		held = map[resource.ObjectID]map[string]any{}
		c.listings[listing] = held
	}
	return held
}

// apply writes each wanted object held does not hold as wanted. With
// dryRun set (Stage), what is applied is recorded in held.
func (c *Cluster) apply(held, want map[resource.ObjectID]map[string]any, dryRun func(resource.ObjectID) bool, res *kube.Result) []error {
	var errs []error
	for _, id := range sortedIDs(want) {
		obj := want[id]
		if c.missing[id.Kind] {
			continue
		}
		live, exists := held[id]
		if exists && reflect.DeepEqual(live, obj) {
			res.Unchanged++
			continue
		}
		// Creating: a name another owner holds is not taken over.
		if cur, taken := c.objects[id]; !exists && taken && !c.owned(cur) {
			errs = append(errs, &kube.ObjectError{Op: "apply", Kind: id.Kind, Namespace: id.Namespace, Name: id.Name,
				Err: fmt.Errorf("%w (its labels are %v)", kube.ErrForeignObject, labelsOf(cur))})
			continue
		}
		w := Write{Op: "apply", Object: id, DryRun: dryRun != nil && dryRun(id)}
		if err := c.write(w); err != nil {
			errs = append(errs, err)
			continue
		}
		if w.DryRun {
			continue
		}
		c.objects[id] = obj
		res.Applied++
		if dryRun != nil {
			held[id] = obj
		}
	}
	return errs
}

// write logs w and returns the failure a FailFunc gives it, as an
// *kube.ObjectError.
func (c *Cluster) write(w Write) error {
	c.writes = append(c.writes, w)
	for _, n := range slices.Sorted(maps.Keys(c.fails)) {
		if err := c.fails[n](w); err != nil {
			return &kube.ObjectError{Op: w.Op, Kind: w.Object.Kind, Namespace: w.Object.Namespace, Name: w.Object.Name, Err: err}
		}
	}
	return nil
}

// validate checks, as kube.Applier does before any request, that every
// object is ours and in a scope that manages its kind.
func (c *Cluster) validate(objs []*unstructured.Unstructured) (map[resource.ObjectID]map[string]any, error) {
	out := map[resource.ObjectID]map[string]any{}
	var errs []error
	for _, obj := range objs {
		id := resource.IDOf(obj)
		invalid := func(err error) {
			errs = append(errs, &kube.ObjectError{Op: "validate", Kind: id.Kind, Namespace: id.Namespace, Name: id.Name, Err: err})
		}
		labels := obj.GetLabels()
		switch {
		case id.Name == "" || id.Namespace == "":
			invalid(errors.New("name and namespace are required"))
		case labels[resource.LabelInstance] != c.opts.Instance:
			invalid(fmt.Errorf("label %s is %q, want %q", resource.LabelInstance, labels[resource.LabelInstance], c.opts.Instance))
		case !c.ours(labels, id.Namespace):
			invalid(fmt.Errorf("label %s is %q, want %q", resource.LabelDeployment, labels[resource.LabelDeployment], c.opts.Deployment))
		case !slices.ContainsFunc(c.scopes[labels[resource.LabelScope]], func(k resource.Kind) bool { return k.GVK() == obj.GroupVersionKind() }):
			invalid(fmt.Errorf("scope %q does not manage %s", labels[resource.LabelScope], obj.GroupVersionKind()))
		default:
			o, err := plain(obj.Object)
			switch _, dup := out[id]; {
			case err != nil:
				invalid(err)
			case dup:
				invalid(errors.New("appears twice in the desired set"))
			default:
				out[id] = o
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// join reports the kinds the cluster does not serve first, as
// kube.Applier does, then the failures by message.
func (c *Cluster) join(want map[resource.ObjectID]map[string]any, errs []error) error {
	var out []error
	var missing []resource.Kind
	for _, s := range c.opts.Scopes {
		for _, k := range s.Kinds {
			if c.missing[k.Kind] && !slices.Contains(missing, k) {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 && want != nil {
		out = append(out, &kube.MissingCRDError{Kinds: missing})
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(append(out, errs...)...)
}

// owned tells the objects of this deployment, as kube.Applier lists them.
func (c *Cluster) owned(obj map[string]any) bool {
	labels := labelsOf(obj)
	ns, _, _ := unstructured.NestedString(obj, "metadata", "namespace")
	return labels[resource.LabelInstance] == c.opts.Instance && c.ours(labels, ns)
}

// ours is kube.Applier's rule for the deployment label: an object without
// one is ours unless it is a gateway-scope object outside our model.
func (c *Cluster) ours(labels map[string]string, namespace string) bool {
	if d, ok := labels[resource.LabelDeployment]; ok {
		return d == c.opts.Deployment
	}
	return labels[resource.LabelScope] != resource.ScopeGateway || namespace == c.opts.Model
}

func labelsOf(obj map[string]any) map[string]string {
	labels, _, _ := unstructured.NestedStringMap(obj, "metadata", "labels")
	return labels
}

// plain is a private copy of obj in plain JSON types without nulls, as a
// server stores it.
func plain(obj map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	resource.PruneNulls(out)
	return out, nil
}

func sortedIDs[V any](m map[resource.ObjectID]V) []resource.ObjectID {
	return slices.SortedFunc(maps.Keys(m), func(a, b resource.ObjectID) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
}

// holds reports whether any of keep holds the stored object id.
func (c *Cluster) holds(keep []resource.Hold, id resource.ObjectID) bool {
	obj, ok := c.objects[id]
	if !ok {
		return false
	}
	scope := labelsOf(obj)[resource.LabelScope]
	return slices.ContainsFunc(keep, func(h resource.Hold) bool { return h.Holds(scope, id.Kind) })
}
