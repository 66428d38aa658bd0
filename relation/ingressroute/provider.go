package ingressroute

import (
	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Request is what one related application asks for over one relation.
// Requests are keyed by relation, never by endpoint or application name: an
// application may be related several times.
type Request struct {
	Relation juju.RelationID
	App      string // remote application; empty if Juju no longer names one
	// HasConfig is the library's "ready": the remote app bag holds a config.
	HasConfig bool
	// Config is the decoded config; nil when absent or invalid.
	Config *Config
	// Err says why a present config was rejected (wraps ErrInvalidConfig).
	// It does not repeat Relation and App: callers report it next to them.
	Err error
}

// Authenticated reports whether the request came over the authenticated
// endpoint; routes from the other endpoint bypass external authorisation.
func (r Request) Authenticated() bool { return r.Relation.Endpoint == EndpointAuthenticated }

// Valid reports whether the request carries a config that decoded.
func (r Request) Valid() bool { return r.Config != nil }

// RequestFromBag builds the Request of one relation from the remote app bag
// the caller has already read. It does no I/O.
func RequestFromBag(rel juju.RelationID, app string, bag map[string]string) Request {
	req := Request{Relation: rel, App: app}
	raw, ok := bag[KeyConfig]
	if !ok || raw == "" || app == "" {
		return req
	}
	req.HasConfig = true
	req.Config, req.Err = ParseConfig([]byte(raw))
	return req
}
