package snapshot

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// EndpointUpstream is the upstream-ingress endpoint: an outer ingress this
// gateway sits behind.
const EndpointUpstream = "upstream-ingress"

// Upstream is what the outer ingress has answered.
type Upstream struct {
	Relation
	// Scheme and Address (host, port and path, no trailing "/") make up the
	// URL the outer ingress serves this gateway at; empty until it answers.
	Scheme, Address string
	// Err says why its answer cannot be used; the answer is then ignored.
	Err error
}

// Answered reports whether u is an outer ingress with a usable answer.
func (u *Upstream) Answered() bool { return u != nil && u.Address != "" && u.Err == nil }

// URL is the outer ingress's URL for this gateway.
func (u Upstream) URL() string { return ingress.JoinURL(u.Scheme, u.Address, "") }

func addUpstream(d *Desired, rel Relation) {
	u := &Upstream{Relation: rel}
	url, err := ingress.ReadURL(rel.Bag)
	switch {
	case errors.Is(err, ingress.ErrNoURL):
	case err != nil:
		u.Err = err
	default:
		u.Scheme, u.Address, u.Err = ingress.SplitURL(url)
	}
	if u.Err != nil {
		u.Err = fmt.Errorf("%s", wire.Clip(u.Err.Error(), 200))
	}
	d.Upstream = u
}

// Served is where requirers are told they are served: the outer ingress's
// URL once it has answered, else the gateway's own address; "" while
// neither is known.
func (d Desired) Served() (scheme, address string) {
	if d.Upstream.Answered() {
		return d.Upstream.Scheme, d.Upstream.Address
	}
	scheme = "http"
	if d.Input.TLS.Enabled {
		scheme = "https"
	}
	return scheme, d.Address
}

// UpstreamRequest is what this gateway asks of the outer ingress: its
// application bag (the leader writes it) and each unit's bag. localIP is
// the load balancer's address, when it is an IP.
func (d Desired) UpstreamRequest(localIP string) (app, unit map[string]string, err error) {
	port, scheme := 80, ""
	if d.Input.TLS.Enabled {
		port, scheme = 443, "https"
	}
	app, err = ingress.AppData{Request: ingress.Request{Model: d.Input.Model, Name: d.Input.App, Port: port, StripPrefix: true, Scheme: scheme}}.Bag()
	if err != nil || d.Address == "" {
		return app, nil, err
	}
	u := ingress.UnitData{Host: d.Address}
	if ip, perr := netip.ParseAddr(localIP); perr == nil {
		u.IP = ip
	}
	unit, err = u.Bag()
	return app, unit, err
}
