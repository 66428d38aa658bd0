package ingressroute

import (
	"fmt"
	"strconv"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// What a provider serves one requirer at most. The gateway is shared, so one
// relation must not take all of it (the Gateway holds 64 listeners) nor
// cost the others their hook's time; the per-route limits are the Gateway
// API schema's, checked here so a relation over them is refused by name
// before anything of it is built.
const (
	// MaxConfigBytes bounds the config value: it is refused unparsed when
	// larger.
	MaxConfigBytes = 256 << 10
	// MaxBagBytes bounds the whole application databag, config included.
	MaxBagBytes = MaxConfigBytes + 16<<10
	// MaxListeners is the listener ports one relation's routes may use.
	MaxListeners = 10
	// MaxRoutes is the HTTP and gRPC routes of one relation together.
	MaxRoutes = 64
	// MaxMatches is the matches of all of one relation's routes.
	MaxMatches = 256
	// MaxMatchesPerRoute, MaxHostnamesPerRoute, MaxBackendsPerRoute and
	// MaxHeadersPerMatch are the Gateway API schema's limits.
	MaxMatchesPerRoute   = 64
	MaxHostnamesPerRoute = 16
	MaxBackendsPerRoute  = 16
	MaxHeadersPerMatch   = 16
)

// CheckServable refuses, with each field's path, what a decoded config asks
// beyond the limits above, and values the API server or the proxy would
// choke on: control characters (CR, LF, NUL) in a header or a path, an
// encoded separator (%2F, %5C, %00) in a path. ParseConfig accepts these,
// as the Python library does; a provider checks them before serving.
func CheckServable(cfg *Config) error {
	c := &checker{}
	ports := map[int]bool{}
	matches := 0
	c.at("listeners", len(cfg.Listeners), MaxListeners)
	c.at("http_routes", len(cfg.HTTPRoutes)+len(cfg.GRPCRoutes), MaxRoutes)
	route := func(p string, l Listener, n int, hostnames []string, backends int) {
		ports[l.Port] = true
		matches += n
		c.at(p+".matches", n, MaxMatchesPerRoute)
		c.at(p+".hostnames", len(hostnames), MaxHostnamesPerRoute)
		c.at(p+".backends", backends, MaxBackendsPerRoute)
	}
	for i, r := range cfg.HTTPRoutes {
		p := "http_routes[" + strconv.Itoa(i) + "]"
		route(p, r.Listener, len(r.Matches), r.Hostnames, len(r.Backends))
		for j, m := range r.Matches {
			mp := fmt.Sprintf("%s.matches[%d]", p, j)
			if m.Path != nil {
				c.path(mp+".path.value", m.Path.Value)
			}
			c.headers(mp+".headers", m.Headers)
		}
		for j, f := range r.Filters {
			fp := fmt.Sprintf("%s.filters[%d]", p, j)
			if f.URLRewrite != nil && f.URLRewrite.Path != nil {
				c.path(fp+".urlRewrite.path", f.URLRewrite.Path.Value)
			}
			if f.RequestRedirect != nil && f.RequestRedirect.Path != nil {
				c.path(fp+".requestRedirect.path", f.RequestRedirect.Path.Value)
			}
		}
	}
	for i, r := range cfg.GRPCRoutes {
		p := "grpc_routes[" + strconv.Itoa(i) + "]"
		route(p, r.Listener, len(r.Matches), r.Hostnames, len(r.Backends))
		for j, m := range r.Matches {
			c.headers(fmt.Sprintf("%s.matches[%d].headers", p, j), m.Headers)
		}
	}
	if len(ports) > MaxListeners {
		c.fail("", fmt.Sprintf("routes use %d listener ports, at most %d", len(ports), MaxListeners))
	}
	if matches > MaxMatches {
		c.fail("", fmt.Sprintf("routes hold %d matches together, at most %d", matches, MaxMatches))
	}
	if len(c.errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, &ValidationError{Fields: c.errs})
	}
	return nil
}

// checker collects field errors; it stops listing after a few, since one is
// enough to refuse and a huge config must not make a huge message.
type checker struct{ errs []FieldError }

const maxListed = 8

func (c *checker) fail(path, msg string) {
	if len(c.errs) < maxListed {
		c.errs = append(c.errs, FieldError{Path: path, Msg: msg, Kind: wire.ErrInvalid})
	}
}

func (c *checker) at(path string, n, limit int) {
	if n > limit {
		c.fail(path, fmt.Sprintf("%d items, at most %d", n, limit))
	}
}

func (c *checker) path(p, value string) {
	if why := wire.CheckPath(value); why != "" {
		c.fail(p, why)
	}
}

func (c *checker) headers(p string, hs Headers) {
	c.at(p, len(hs), MaxHeadersPerMatch)
	for _, h := range hs {
		if wire.HasControl(h.Name) || wire.HasControl(h.Value) {
			c.fail(p+"["+strconv.Quote(wire.Clip(h.Name, maxEcho))+"]", "must not contain control characters (CR, LF, NUL)")
		}
	}
}
