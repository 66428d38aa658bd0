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

	reg := newRegistry(in.App, tls)
	var plan Plan
	var served []*request
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
			if c := reg.collide(r); c != nil {
				r.refuse(StateRefused, c.Collision())
				r.result.Conflict = c
				plan.Status.Conflicts = append(plan.Status.Conflicts, *c)
			} else if n := reg.newPorts(r); len(reg.listeners)+n > MaxListeners {
				r.refuse(StateRefused, fmt.Sprintf("no room on the Gateway: it holds at most %d listener ports, %d are taken and this request adds %d",
					MaxListeners, len(reg.listeners), n))
				plan.Status.NoRoom = append(plan.Status.NoRoom, r.result)
			} else {
				reg.admit(r)
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
	plan.Objects, plan.Owners = render(&in, hostListener, reg.gatewayListeners(), served, cidrs, !plan.Status.NoCIDRs)
	return plan
}

// holder is who owns a claimed listener port, route object or match.
type holder struct {
	rel       Relation
	hostnames []string
}

type claimKey struct {
	kind routeKind
	port int
	key  string
}

// registry holds what admitted relations own.
type registry struct {
	listeners map[int]listenerOwner
	objects   map[string]Relation
	claims    map[claimKey][]holder
}

type listenerOwner struct {
	l   listener
	rel Relation // App == "" for the charm's own ingress listeners
}

// newRegistry starts with the ingress v2 listeners, which the Gateway always
// has: http-80, plus https-443 with TLS.
func newRegistry(app string, tls bool) *registry {
	reg := &registry{listeners: map[int]listenerOwner{}, objects: map[string]Relation{}, claims: map[claimKey][]holder{}}
	reg.listeners[ingressHTTPPort] = listenerOwner{l: listenerFor(ingressHTTPPort, false)}
	if tls {
		reg.listeners[ingressHTTPSPort] = listenerOwner{l: listenerFor(ingressHTTPSPort, true)}
	}
	return reg
}

func objectKey(r plannedRoute) string {
	return fmt.Sprintf("%d/%s/%s", r.kind, r.namespace, r.name)
}

// collide returns the first collision between r and what is already admitted.
func (reg *registry) collide(r *request) *Conflict {
	for _, l := range r.listeners {
		if owner, ok := reg.listeners[l.port]; ok && owner.l.protocol != l.protocol {
			return &Conflict{
				Refused: r.result.Relation, Incumbent: owner.rel, Listener: l.name(), Hostname: "*",
				Match: fmt.Sprintf("port %d asked as %s but served as %s", l.port, l.protocol, owner.l.protocol),
			}
		}
	}
	for _, c := range r.claims {
		for _, h := range reg.claims[claimKey{c.kind, c.port, c.key}] {
			if host, ok := hostnamesOverlap(c.hostnames, h.hostnames); ok {
				return &Conflict{
					Refused: r.result.Relation, Incumbent: h.rel, Listener: c.listener, Hostname: host, Match: c.display,
				}
			}
		}
	}
	// Distinct requests can still render to the same object name (app
	// "a-b" route "c" and app "a" route "b-c"); the older keeps it.
	for _, rt := range r.routes {
		if owner, ok := reg.objects[objectKey(rt)]; ok {
			return &Conflict{
				Refused: r.result.Relation, Incumbent: owner, Listener: rt.listener.name(), Hostname: "*",
				Match: fmt.Sprintf("route object %s/%s", rt.namespace, rt.name),
			}
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

func (reg *registry) admit(r *request) {
	for _, l := range r.listeners {
		if _, ok := reg.listeners[l.port]; !ok {
			reg.listeners[l.port] = listenerOwner{l: l, rel: r.result.Relation}
		}
	}
	for _, rt := range r.routes {
		reg.objects[objectKey(rt)] = r.result.Relation
	}
	for _, c := range r.claims {
		k := claimKey{c.kind, c.port, c.key}
		reg.claims[k] = append(reg.claims[k], holder{rel: r.result.Relation, hostnames: c.hostnames})
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
		if _, err := netip.ParsePrefix(part); err == nil {
			good = append(good, part)
		} else if _, err := netip.ParseAddr(part); err == nil {
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
