package ingressroute

import (
	"context"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Endpoints and databag keys of the interface.
const (
	// EndpointAuthenticated is the provider endpoint whose routes go through
	// the gateway's external authorisation (when configured).
	EndpointAuthenticated = "istio-ingress-route"
	// EndpointUnauthenticated is the provider endpoint whose routes bypass it.
	EndpointUnauthenticated = "istio-ingress-route-unauthenticated"

	// KeyConfig is the requirer app-bag key holding the JSON Config.
	KeyConfig = "config"
	// KeyExternalHost is the provider app-bag key holding the public host
	// (a plain string, possibly with a path when chained behind another ingress).
	KeyExternalHost = "external_host"
	// KeyTLSEnabled is the provider app-bag key: Python's "True" or "False".
	KeyTLSEnabled = "tls_enabled"
)

// ErrNotLeader is juju.ErrNotLeader: only the leader writes app databags.
var ErrNotLeader = juju.ErrNotLeader

// RelationReader is the part of *juju.Client this package reads with.
type RelationReader = juju.RelationReader

// AppBagWriter writes this application's databag of a relation; "" values
// delete keys. *juju.Leader implements it, so only the leader can publish.
type AppBagWriter interface {
	RelationSetApp(ctx context.Context, rel juju.RelationID, data map[string]string) error
}

// LeaderSource hands out the leader capability; *juju.Client implements it
// and returns an error wrapping ErrNotLeader on other units.
type LeaderSource interface {
	Leader(ctx context.Context) (*juju.Leader, error)
}

// FormatBool writes a bool the way the Python library does: "True"/"False".
func FormatBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// ParseBool reads a Python bool string; only "True" is true, as in the library.
func ParseBool(s string) bool { return s == "True" }

// EventKind is the relation hook that is running.
type EventKind int

// Relation hooks, in the order Juju runs them over a relation's life.
const (
	EventNone EventKind = iota
	EventCreated
	EventJoined
	EventChanged
	EventDeparted
	EventBroken
)

func (k EventKind) String() string {
	switch k {
	case EventCreated:
		return "relation-created"
	case EventJoined:
		return "relation-joined"
	case EventChanged:
		return "relation-changed"
	case EventDeparted:
		return "relation-departed"
	case EventBroken:
		return "relation-broken"
	}
	return "none"
}

// Event is a relation hook on one of this package's endpoints.
type Event struct {
	Kind      EventKind
	Relation  juju.RelationID
	RemoteApp string
}

// hookEvent classifies the running hook; ok is false unless it is a relation
// hook of one of endpoints.
func hookEvent(hc juju.Context, endpoints ...string) (Event, bool) {
	if hc.Relation == nil {
		return Event{}, false
	}
	name := hc.HookName
	if name == "" {
		name = strings.TrimPrefix(hc.DispatchPath, "hooks/")
	}
	for _, ep := range endpoints {
		if hc.Relation.Endpoint != ep {
			continue
		}
		kinds := map[string]EventKind{
			"-relation-created": EventCreated, "-relation-joined": EventJoined,
			"-relation-changed": EventChanged, "-relation-departed": EventDeparted,
			"-relation-broken": EventBroken,
		}
		if k, ok := kinds[strings.TrimPrefix(name, ep)]; ok && strings.HasPrefix(name, ep) {
			return Event{Kind: k, Relation: *hc.Relation, RemoteApp: hc.RemoteApp}, true
		}
	}
	return Event{}, false
}
