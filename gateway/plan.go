package gateway

import (
	"cmp"
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Plan is everything one reconcile should make true.
type Plan struct {
	// Objects are the desired Kubernetes objects, each labelled with
	// LabelInstance and LabelScope and with an explicit namespace, in
	// apply order (scope order of Scopes(), then kind, namespace, name).
	Objects []*unstructured.Unstructured
	// Results has one entry per relation, ordered by relation id.
	Results []Result
	Status  Status
	// Owners names, for each object rendered for relations, the relations
	// it serves (several for a policy on a backend they share). The
	// gateway's own objects have none.
	Owners map[resource.ObjectID][]Relation
	// Keep holds live objects the plan does not render but must not be
	// deleted (the last good external traffic policy while the option
	// lists no CIDR).
	Keep []resource.Hold
	// Standby are the objects of the relations refused only because an
	// admitted one holds what they ask for (a route conflict, no room for
	// listeners). When the cluster refuses an admitted relation, one of
	// these may take its place in the rebuilt plan, so the apply step has
	// the cluster judge them (in a dry run) first.
	Standby Standby
	// Auth is what the plan does for authentication.
	Auth AuthOutcome
}

// Standby are objects rendered for relations the plan does not serve.
type Standby struct {
	Objects []*unstructured.Unstructured
	// Owners names the relations each object would serve.
	Owners map[resource.ObjectID][]Relation
}

// Result returns the outcome for the relation with the given id.
func (p Plan) Result(id juju.RelationID) (Result, bool) {
	for _, r := range p.Results {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// Build computes the plan for in. It does no I/O and returns the same plan
// for the same input.
//
// Conflicts are settled by age: relations are admitted in relation-id order
// and a relation that collides with one already admitted (same listener port
// asked with another protocol, or the same listener, an overlapping hostname
// and an identical normalised match) is refused as a whole. Refused and
// invalid relations get nothing rendered; every other relation is served in
// full, so a newcomer can never take down a working route.
func Build(in Input) Plan {
	tls := in.TLS.Enabled
	hostListener := ""
	if IsValidHostname(in.Address) {
		hostListener = in.Address
	}

	reqs := make([]*request, 0, len(in.Routes)+len(in.Ingresses))
	for _, r := range in.Ingresses {
		reqs = append(reqs, fromIngress(&in, tls, r))
	}
	for _, r := range in.Routes {
		reqs = append(reqs, fromRoute(&in, tls, hostListener, r))
	}
	slices.SortStableFunc(reqs, func(a, b *request) int {
		return cmp.Or(
			cmp.Compare(a.result.ID.ID, b.result.ID.ID),
			cmp.Compare(a.result.ID.Endpoint, b.result.ID.Endpoint),
			cmp.Compare(a.result.App, b.result.App),
		)
	})

	reg := newRegistry(&in, tls)
	var plan Plan
	var served, standby []*request
	for _, r := range reqs {
		if reason, ok := in.Rejected[r.result.ID]; ok && r.result.State == StateServed {
			r.refuse(StateRejected, reason)
			plan.Status.Rejected = append(plan.Status.Rejected, r.result)
		}
		if why := r.deniedBy(&in); why != "" && r.result.State == StateServed {
			r.refuse(StateRefused, why)
			plan.Status.Denied = append(plan.Status.Denied, r.result)
		}
		if r.result.State == StateServed {
			if c := reg.collide(&in, r); c != nil {
				r.refuse(StateRefused, c.Collision())
				r.result.Conflict = c
				plan.Status.Conflicts = append(plan.Status.Conflicts, *c)
				standby = append(standby, r)
			} else if n := reg.newPorts(r); len(reg.listeners)+n > MaxListeners {
				r.refuse(StateRefused, fmt.Sprintf("no room on the Gateway: it holds at most %d listener ports, %d are taken and this request adds %d",
					MaxListeners, len(reg.listeners), n))
				plan.Status.NoRoom = append(plan.Status.NoRoom, r.result)
				standby = append(standby, r)
			} else {
				reg.admit(&in, r)
				served = append(served, r)
			}
		}
		if r.result.State != StateServed {
			r.result.PathPrefix, r.result.Scheme = "", ""
		}
		if r.result.State == StateInvalid {
			plan.Status.Invalid = append(plan.Status.Invalid, r.result)
		}
		plan.Results = append(plan.Results, r.result)
	}

	cidrs, bad := parseCIDRs(in.ExternalTrafficCIDRs)
	plan.Status.BadCIDRs = bad
	// An option listing nothing is a mistake, not a policy: rendering it
	// would deny all external traffic, deleting it would allow all.
	plan.Status.NoCIDRs = len(cidrs) == 0 && len(bad) == 0
	if plan.Status.NoCIDRs {
		plan.Keep = append(plan.Keep, resource.Hold{Scope: resource.ScopeExternalTraffic})
	}
	plan.Objects, plan.Owners, plan.Auth = render(&in, hostListener, reg.gatewayListeners(), served, cidrs, !plan.Status.NoCIDRs, true)
	plan.Status.Rejected = append(plan.Status.Rejected, plan.Auth.rejected...)
	plan.Standby = standbyObjects(&in, hostListener, reg.gatewayListeners(), standby, cidrs, plan.Owners)
	return plan
}

// standbyObjects renders the relations of standby alone, keeping the
// objects they own that the plan does not already hold (a policy on a
// Service a served relation shares is judged as part of the plan).
func standbyObjects(in *Input, hostListener string, listeners []listener, standby []*request, cidrs []string, held map[resource.ObjectID][]Relation) Standby {
	if len(standby) == 0 {
		return Standby{}
	}
	objs, owners, _ := render(in, hostListener, listeners, standby, cidrs, false, false) // only relations' objects are kept
	out := Standby{Owners: map[resource.ObjectID][]Relation{}}
	for _, obj := range objs {
		id := resource.IDOf(obj)
		if _, isHeld := held[id]; isHeld || len(owners[id]) == 0 {
			continue
		}
		out.Objects = append(out.Objects, obj)
		out.Owners[id] = owners[id]
	}
	return out
}

// objectOwner is who renders an object: a relation's route, or a policy for
// a backend Service (shared by every relation that routes to it).
type objectOwner struct {
	rel     Relation
	backend serviceKey // set for a policy
}

// registry holds what admitted relations own.
type registry struct {
	listeners map[int]listenerOwner
	objects   map[resource.ObjectID]objectOwner
	matches   *overlapIndex
}

type listenerOwner struct {
	l   listener
	rel Relation // App == "" for the charm's own ingress listeners
}

// newRegistry starts with the ingress v2 listeners, which the Gateway always
// has: http-80, plus https-443 with TLS, and the charm's own objects a
// relation's object could be named like.
func newRegistry(in *Input, tls bool) *registry {
	reg := &registry{listeners: map[int]listenerOwner{}, objects: map[resource.ObjectID]objectOwner{}, matches: newOverlapIndex()}
	reg.listeners[ingressHTTPPort] = listenerOwner{l: listenerFor(ingressHTTPPort, false)}
	if tls {
		reg.listeners[ingressHTTPSPort] = listenerOwner{l: listenerFor(ingressHTTPSPort, true)}
	}
	reg.objects[externalTrafficID(in)] = objectOwner{}
	return reg
}

// ownedObject is one object a request renders.
type ownedObject struct {
	id       resource.ObjectID
	owner    objectOwner
	listener string // a route's listener, "*" for a policy
}

// objectIDs lists every object r renders, with who owns it.
func (r *request) objectIDs(in *Input) []ownedObject {
	type owned = ownedObject
	out := make([]owned, 0, len(r.routes)+2*len(r.backends))
	for _, rt := range r.routes {
		kind := resource.KindHTTPRoute
		if rt.kind == kindGRPC {
			kind = resource.KindGRPCRoute
		}
		out = append(out, owned{resource.ObjectID{Kind: kind.Kind, Namespace: rt.namespace, Name: rt.name}, objectOwner{rel: r.result.Relation}, rt.listener.name()})
	}
	for _, b := range r.backends {
		k := serviceKey{b.service, b.namespace}
		out = append(out, owned{l4PolicyID(in, k), objectOwner{rel: r.result.Relation, backend: k}, "*"})
		if b.grpc {
			out = append(out, owned{destinationRuleID(in, k), objectOwner{rel: r.result.Relation, backend: k}, "*"})
		}
	}
	return out
}

// collide returns the first collision between r and what is already admitted.
func (reg *registry) collide(in *Input, r *request) *Conflict {
	for _, l := range r.listeners {
		if owner, ok := reg.listeners[l.port]; ok && owner.l.protocol != l.protocol {
			return &Conflict{
				Refused: r.result.Relation, Incumbent: owner.rel, Listener: l.name(), Hostname: "*",
				Match: fmt.Sprintf("port %d asked as %s but served as %s", l.port, l.protocol, owner.l.protocol),
			}
		}
	}
	for _, c := range r.claims {
		if hit := reg.matches.find(c, r.result.App); hit != nil {
			match := c.display
			if hit.entry.display != c.display {
				match = fmt.Sprintf("%s (overlaps %s)", c.display, hit.entry.display)
			}
			return &Conflict{
				Refused: r.result.Relation, Incumbent: hit.entry.holder, Listener: c.listener, Hostname: hit.hostname, Match: match,
			}
		}
	}
	// Distinct requests can still render to the same object name (app
	// "a-b" route "c" and app "a" route "b-c"); the older keeps it. A policy
	// is shared only by relations routing to the same Service.
	for _, o := range r.objectIDs(in) {
		owner, ok := reg.objects[o.id]
		if !ok || (o.owner.backend != serviceKey{} && owner.backend == o.owner.backend) {
			continue
		}
		return &Conflict{
			Refused: r.result.Relation, Incumbent: owner.rel, Listener: o.listener, Hostname: "*",
			Match: fmt.Sprintf("%s object %s/%s", o.id.Kind, o.id.Namespace, clip(o.id.Name)),
		}
	}
	return nil
}

// MaxListeners is how many listeners a Gateway may have (the Gateway API
// schema's limit); the charm renders one per port.
const MaxListeners = 64

// newPorts counts the listener ports r asks for that no admitted relation
// holds yet.
func (reg *registry) newPorts(r *request) int {
	n := 0
	for _, l := range r.listeners {
		if _, ok := reg.listeners[l.port]; !ok {
			n++
		}
	}
	return n
}

func (reg *registry) admit(in *Input, r *request) {
	for _, l := range r.listeners {
		if _, ok := reg.listeners[l.port]; !ok {
			reg.listeners[l.port] = listenerOwner{l: l, rel: r.result.Relation}
		}
	}
	for _, o := range r.objectIDs(in) {
		if _, ok := reg.objects[o.id]; !ok {
			reg.objects[o.id] = o.owner
		}
	}
	for _, c := range r.claims {
		reg.matches.insert(c, &entry{holder: r.result.Relation, shape: c.shape, display: c.display})
	}
}

// gatewayListeners returns every admitted listener ordered by port.
func (reg *registry) gatewayListeners() []listener {
	out := make([]listener, 0, len(reg.listeners))
	for _, o := range reg.listeners {
		out = append(out, o.l)
	}
	slices.SortFunc(out, func(a, b listener) int { return cmp.Compare(a.port, b.port) })
	return out
}

// parseCIDRs splits the external-traffic-policy-cidrs option on commas and
// keeps the entries that are CIDRs or single addresses; the rest are returned
// as bad so they are reported, never rendered (Istio would reject the policy).
func parseCIDRs(s string) (good, bad []string) {
	for _, part := range splitTrim(s) {
		// netip accepts an IPv6 zone ("fe80::1%eth0"); Istio does not.
		if p, err := netip.ParsePrefix(part); err == nil && p.Addr().Zone() == "" {
			good = append(good, part)
		} else if a, err := netip.ParseAddr(part); err == nil && a.Zone() == "" {
			good = append(good, part)
		} else {
			bad = append(bad, part)
		}
	}
	return good, bad
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
