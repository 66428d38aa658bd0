package ingress

import (
	"net/netip"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Request is what a requirer of the ingress v2 interface asks for, decoded
// from its application databag.
type Request struct {
	Model, Name   string
	Port          int
	StripPrefix   bool
	RedirectHTTPS bool
	Scheme        string
}

// HealthCheck is the optional healthcheck_params object of a requirer's app
// bag. The charm validates it (an invalid one makes the relation not ready,
// as with the Python library) but does not act on it.
type HealthCheck struct {
	Path     string // required
	Scheme   string // "" = not set
	Hostname string // "" = not set
	Port     int    // 0 = not set
	Interval string // "" = the library default, 30s
	Timeout  string // "" = the library default, 5s
}

// AppData is the whole requirer application databag: the Request plus the
// health check. Go requirers fill it in and call Bag; the provider decodes
// it with ParseRequirerAppData (or just the Request with ParseAppData).
type AppData struct {
	Request
	HealthCheck *HealthCheck
}

// UnitData is a requirer unit's databag: where that unit can be reached.
type UnitData struct {
	Host string
	IP   netip.Addr // the zero Addr means "not known" (JSON null / absent)
}

// Databag keys of the requirer application bag.
const (
	KeyModel         = "model"
	KeyName          = "name"
	KeyPort          = "port"
	KeyStripPrefix   = "strip-prefix"
	KeyRedirectHTTPS = "redirect-https"
	KeyScheme        = "scheme"
	KeyHealthCheck   = "healthcheck_params"
)

// Databag keys of the requirer unit bag and of the provider app bag.
const (
	KeyHost    = "host"
	KeyIP      = "ip"
	KeyIngress = "ingress"
)

// Schemes a requirer may ask for; DefaultScheme applies when none is given.
const (
	SchemeHTTP    = "http"
	SchemeHTTPS   = "https"
	SchemeH2C     = "h2c"
	DefaultScheme = SchemeHTTP
)

// MaxBagBytes is the largest application databag a provider reads: a
// request is a few short values, so anything near this is not one.
const MaxBagBytes = 64 << 10

// ParseAppData decodes and validates a requirer's application databag.
// Every value is JSON; unknown keys are ignored. The error is a *FieldError
// naming the offending key.
func ParseAppData(bag map[string]string) (*Request, error) {
	// Checked before parsing: a huge bag (ignored keys included) is refused
	// for its size, not expanded.
	if err := wire.CheckBagSize(bag, MaxBagBytes); err != nil {
		return nil, err
	}
	d, err := ParseRequirerAppData(bag)
	if err != nil {
		return nil, err
	}
	return &d.Request, nil
}
