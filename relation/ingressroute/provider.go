package ingressroute

import (
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
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
	// Sizes are checked before parsing, so a huge bag is never expanded.
	if err := wire.CheckBagSize(bag, MaxBagBytes); err != nil {
		req.Err = fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		return req
	}
	if len(raw) > MaxConfigBytes {
		req.Err = fmt.Errorf("%w: %w", ErrInvalidConfig, wire.Invalid(KeyConfig, fmt.Sprintf("%d bytes, at most %d are read", len(raw), MaxConfigBytes)))
		return req
	}
	cfg, err := ParseConfig([]byte(raw))
	if err == nil {
		err = CheckServable(cfg)
	}
	if err != nil {
		req.Err = err
		return req
	}
	req.Config = cfg
	return req
}
