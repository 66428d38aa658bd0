package gateway

import (
	"strconv"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// listener is one Gateway listener: a port and the protocol served on it.
type listener struct {
	port     int
	protocol gwv1.ProtocolType // HTTP or HTTPS
}

// name is the listener (section) name, e.g. "http-80" or "https-8443".
func (l listener) name() string {
	return strings.ToLower(string(l.protocol)) + "-" + strconv.Itoa(l.port)
}

// listenerFor is the listener a request for port gets: HTTPS whenever the
// gateway has a certificate.
func listenerFor(port int, tls bool) listener {
	if tls {
		return listener{port, gwv1.HTTPSProtocolType}
	}
	return listener{port, gwv1.HTTPProtocolType}
}

// backendUse is one backend Service port a served route sends traffic to.
type backendUse struct {
	service, namespace string
	port               int
	grpc               bool
}

// plannedRoute is one HTTPRoute or GRPCRoute to render.
type plannedRoute struct {
	kind      routeKind
	name      string
	namespace string
	listener  listener
	hostnames []gwv1.Hostname
	httpRules []gwv1.HTTPRouteRule
	grpcRules []gwv1.GRPCRouteRule
}

// request is one relation's ask, normalised: the listeners, routes, backends
// and match claims it needs, all-or-nothing.
type request struct {
	result    Result
	listeners []listener
	routes    []plannedRoute
	claims    []claim
	backends  []backendUse
}

// addListener records a listener the request needs, once.
func (r *request) addListener(l listener) {
	for _, have := range r.listeners {
		if have == l {
			return
		}
	}
	r.listeners = append(r.listeners, l)
}

// refuse takes back a request that was to be served: nothing of it is
// rendered, so it has nothing to warn about either.
func (r *request) refuse(state State, reason string) {
	r.result.State, r.result.Reason, r.result.Warnings = state, reason, nil
}

func pending(rel Relation, reason string) *request {
	return &request{result: Result{Relation: rel, State: StatePending, Reason: reason}}
}

func invalid(rel Relation, reason string) *request {
	return &request{result: Result{Relation: rel, State: StateInvalid, Reason: wire.Clip(reason, maxReason)}}
}

func ptr[T any](v T) *T { return &v }
