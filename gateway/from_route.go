package gateway

import (
	"errors"
	"fmt"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Gateway API limits on a route.
const (
	maxRulesPerRoute   = 16
	maxMatchesPerRule  = 64
	maxBackendWeight   = 1000000
	maxRedirectPortNum = 65535
)

// fromRoute normalises one istio-ingress-route relation. Every field of the
// interface is honoured; anything the Gateway API would reject makes the
// whole relation invalid, with the reason, so nothing half-applies.
func fromRoute(in *Input, tls bool, hostListener string, r RouteRequest) *request {
	switch {
	case r.Err != nil:
		return invalid(r.Relation, "cannot decode the relation data: "+r.Err.Error())
	case r.Config == nil:
		return pending(r.Relation, "waiting for the requirer to publish its config")
	}
	req := &request{result: Result{Relation: r.Relation, State: StateServed}}
	if err := req.addRouteConfig(in, tls, hostListener, r.Config); err != nil {
		return invalid(r.Relation, err.Error())
	}
	return req
}

func (req *request) addRouteConfig(in *Input, tls bool, hostListener string, cfg *ingressroute.Config) error {
	if !isDNSLabel(cfg.Model) {
		return fmt.Errorf("model %q is not a valid namespace name", clip(cfg.Model))
	}
	// Only the listeners routes use are opened: a declared port no route
	// uses would take a place on the shared Gateway and serve nothing.
	for _, l := range cfg.Listeners {
		if err := validatePort("listener", l.Port); err != nil {
			return err
		}
	}
	names := map[string]string{}
	claimName := func(kind, name, route string) error {
		if other, ok := names[kind+"/"+name]; ok {
			return fmt.Errorf("routes %q and %q both become %s %s; give them distinct names", clip(other), clip(route), kind, clip(name))
		}
		names[kind+"/"+name] = route
		return nil
	}
	for _, hr := range cfg.HTTPRoutes {
		route, err := req.httpRoute(in, tls, cfg.Model, hr)
		if err != nil {
			return fmt.Errorf("http route %q: %w", clip(hr.Name), err)
		}
		if err := claimName("HTTPRoute", route.name, hr.Name); err != nil {
			return err
		}
		req.warnIfUnattached(hr.Name, route.hostnames, hostListener)
		req.routes = append(req.routes, route)
	}
	for _, gr := range cfg.GRPCRoutes {
		route, err := req.grpcRoute(in, tls, cfg.Model, gr)
		if err != nil {
			return fmt.Errorf("grpc route %q: %w", clip(gr.Name), err)
		}
		if err := claimName("GRPCRoute", route.name, gr.Name); err != nil {
			return err
		}
		req.warnIfUnattached(gr.Name, route.hostnames, hostListener)
		req.routes = append(req.routes, route)
	}
	return nil
}

func validatePort(what string, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("%s port %d is outside 1-65535", what, port)
	}
	return nil
}

// warnIfUnattached flags a route whose hostnames exclude the listeners'
// hostname: the Gateway would accept the route but never send it traffic.
func (req *request) warnIfUnattached(route string, hosts []gwv1.Hostname, hostListener string) {
	if hostListener == "" || len(hosts) == 0 {
		return
	}
	for _, h := range hosts {
		if _, ok := hostsIntersect(string(h), hostListener); ok {
			return
		}
	}
	req.result.Warnings = append(req.result.Warnings, fmt.Sprintf(
		"route %q: none of its hostnames matches the gateway hostname %q, so it receives no traffic", clip(route), hostListener))
}

// routeListener validates a route's listener and records it: a route may name
// a listener the config did not declare, and gets it rather than a dangling
// section reference.
func (req *request) routeListener(tls bool, l ingressroute.Listener) (listener, error) {
	if err := validatePort("listener", l.Port); err != nil {
		return listener{}, err
	}
	gl := listenerFor(l.Port, tls)
	req.addListener(gl)
	return gl, nil
}

func routeHostnames(in []string) ([]gwv1.Hostname, []string, error) {
	if len(in) > maxHostnamesPerRule {
		return nil, nil, fmt.Errorf("%d hostnames, at most %d allowed", len(in), maxHostnamesPerRule)
	}
	var out []gwv1.Hostname
	var plain []string
	for _, h := range in {
		h = strings.ToLower(h)
		if len(h) > maxHostnameLength || !routeHostPattern.MatchString(h) || isIP(h) {
			return nil, nil, fmt.Errorf("hostname %q is not a valid (optionally wildcard) DNS name", clip(h))
		}
		out = append(out, gwv1.Hostname(h))
		plain = append(plain, h)
	}
	return out, plain, nil
}

// backendRefs validates and converts backends. The caller records the uses
// (for policies) only for backends it renders.
func backendRefs(namespace string, grpc bool, in []ingressroute.BackendRef) ([]gwv1.BackendRef, []backendUse, error) {
	if len(in) > ingressroute.MaxBackendsPerRoute {
		return nil, nil, fmt.Errorf("%d backends, at most %d allowed", len(in), ingressroute.MaxBackendsPerRoute)
	}
	out := make([]gwv1.BackendRef, 0, len(in))
	uses := make([]backendUse, 0, len(in))
	for _, b := range in {
		if !isDNSLabel(b.Service) {
			return nil, nil, fmt.Errorf("backend service %q is not a valid Service name", clip(b.Service))
		}
		if err := validatePort("backend", b.Port); err != nil {
			return nil, nil, err
		}
		ref := gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
			Name:      gwv1.ObjectName(b.Service),
			Namespace: ptr(gwv1.Namespace(namespace)),
			Port:      ptr(gwv1.PortNumber(b.Port)),
		}}
		if b.Weight != nil {
			if *b.Weight < 0 || *b.Weight > maxBackendWeight {
				return nil, nil, fmt.Errorf("backend %s weight %d is outside 0-%d", b.Service, *b.Weight, maxBackendWeight)
			}
			ref.Weight = ptr(int32(*b.Weight))
		}
		out = append(out, ref)
		uses = append(uses, backendUse{service: b.Service, namespace: namespace, port: b.Port, grpc: grpc})
	}
	return out, uses, nil
}

func headerPairs(hs ingressroute.Headers) [][2]string {
	out := make([][2]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, [2]string{h.Name, h.Value})
	}
	return out
}

func (req *request) httpRoute(in *Input, tls bool, namespace string, hr ingressroute.HTTPRoute) (plannedRoute, error) {
	l, err := req.routeListener(tls, hr.Listener)
	if err != nil {
		return plannedRoute{}, err
	}
	hosts, plainHosts, err := routeHostnames(hr.Hostnames)
	if err != nil {
		return plannedRoute{}, err
	}
	matches := make([]gwv1.HTTPRouteMatch, 0, len(hr.Matches))
	for _, m := range hr.Matches {
		gm, shape, display, err := httpMatch(m)
		if err != nil {
			return plannedRoute{}, err
		}
		matches = append(matches, gm)
		req.claims = append(req.claims, claim{kind: kindHTTP, port: l.port, listener: l.name(), shape: shape, display: display, hostnames: plainHosts})
	}
	if len(matches) == 0 {
		// No match means every request: claim the default PathPrefix "/".
		shape, display := httpMatchShape(gwv1.HTTPRouteMatch{}, nil, "")
		req.claims = append(req.claims, claim{kind: kindHTTP, port: l.port, listener: l.name(), shape: shape, display: display, hostnames: plainHosts})
	}
	filters, redirect, prefixRewrite, err := httpFilters(hr.Filters)
	if err != nil {
		return plannedRoute{}, err
	}
	refs, uses, err := backendRefs(namespace, false, hr.Backends)
	if err != nil {
		return plannedRoute{}, err
	}
	backends := make([]gwv1.HTTPBackendRef, 0, len(refs))
	for _, ref := range refs {
		backends = append(backends, gwv1.HTTPBackendRef{BackendRef: ref})
	}
	if redirect && len(backends) > 0 {
		// A redirect answers the request itself; the Gateway API forbids
		// backends next to it.
		backends, uses = nil, nil
		req.result.Warnings = append(req.result.Warnings, fmt.Sprintf(
			"http route %q: backends are ignored because the route redirects", clip(hr.Name)))
	}
	req.backends = append(req.backends, uses...)
	rules, err := httpRules(matches, filters, backends, prefixRewrite)
	if err != nil {
		return plannedRoute{}, err
	}
	return plannedRoute{
		kind: kindHTTP, name: objectName(req.result.App, hr.Name, "httproute", l.name(), in.App),
		namespace: namespace, listener: l, hostnames: hosts, httpRules: rules,
	}, nil
}

// httpRules puts the matches in one rule, or, when a filter replaces the
// matched prefix, one rule per match: the Gateway API allows prefix
// replacement only in a rule with exactly one PathPrefix match.
func httpRules(matches []gwv1.HTTPRouteMatch, filters []gwv1.HTTPRouteFilter, backends []gwv1.HTTPBackendRef, prefixRewrite bool) ([]gwv1.HTTPRouteRule, error) {
	if !prefixRewrite {
		if len(matches) > maxMatchesPerRule {
			return nil, fmt.Errorf("%d matches, at most %d allowed", len(matches), maxMatchesPerRule)
		}
		return []gwv1.HTTPRouteRule{{Matches: matches, Filters: filters, BackendRefs: backends}}, nil
	}
	if len(matches) == 0 {
		matches = []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr(gwv1.PathMatchPathPrefix), Value: ptr("/")}}}
	}
	if len(matches) > maxRulesPerRoute {
		return nil, fmt.Errorf("ReplacePrefixMatch with %d matches, at most %d allowed", len(matches), maxRulesPerRoute)
	}
	rules := make([]gwv1.HTTPRouteRule, 0, len(matches))
	for _, m := range matches {
		if m.Path == nil || *m.Path.Type != gwv1.PathMatchPathPrefix {
			return nil, errors.New("ReplacePrefixMatch needs every match to be a PathPrefix path match")
		}
		rules = append(rules, gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{m}, Filters: filters, BackendRefs: backends})
	}
	return rules, nil
}

func httpMatch(m ingressroute.HTTPRouteMatch) (gwv1.HTTPRouteMatch, matchShape, string, error) {
	var gm gwv1.HTTPRouteMatch
	if m.Path != nil {
		typ := gwv1.PathMatchType(m.Path.Type)
		if typ == "" {
			typ = gwv1.PathMatchPathPrefix
		}
		if err := validatePath(typ, m.Path.Value); err != nil {
			return gm, matchShape{}, "", err
		}
		gm.Path = &gwv1.HTTPPathMatch{Type: ptr(typ), Value: ptr(m.Path.Value)}
	}
	if m.Method != nil {
		if !m.Method.Valid() {
			return gm, matchShape{}, "", fmt.Errorf("unknown method %q", clip(string(*m.Method)))
		}
		gm.Method = ptr(gwv1.HTTPMethod(*m.Method))
	}
	headers, headerKey, err := normaliseHeaders(headerPairs(m.Headers))
	if err != nil {
		return gm, matchShape{}, "", err
	}
	for _, h := range headers {
		gm.Headers = append(gm.Headers, gwv1.HTTPHeaderMatch{
			Type: ptr(gwv1.HeaderMatchExact), Name: gwv1.HTTPHeaderName(h.name), Value: h.value,
		})
	}
	shape, display := httpMatchShape(gm, headers, headerKey)
	return gm, shape, display, nil
}

// httpFilters converts the interface's filters and reports whether one
// redirects and whether one replaces the matched prefix.
func httpFilters(in []ingressroute.HTTPRouteFilter) (out []gwv1.HTTPRouteFilter, redirect, prefixRewrite bool, err error) {
	var rewrites, redirects int
	for _, f := range in {
		switch f.Type {
		case ingressroute.FilterURLRewrite:
			if f.URLRewrite == nil {
				return nil, false, false, errors.New("URLRewrite filter without urlRewrite")
			}
			rewrites++
			rw := &gwv1.HTTPURLRewriteFilter{}
			if f.URLRewrite.Hostname != nil {
				if !preciseHostPattern.MatchString(*f.URLRewrite.Hostname) {
					return nil, false, false, fmt.Errorf("URLRewrite hostname %q is not a valid DNS name", clip(*f.URLRewrite.Hostname))
				}
				rw.Hostname = ptr(gwv1.PreciseHostname(*f.URLRewrite.Hostname))
			}
			if f.URLRewrite.Path != nil {
				pm, prefix, err := pathModifier(f.URLRewrite.Path)
				if err != nil {
					return nil, false, false, fmt.Errorf("URLRewrite: %w", err)
				}
				rw.Path, prefixRewrite = pm, prefixRewrite || prefix
			}
			out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: rw})
		case ingressroute.FilterRequestRedirect:
			if f.RequestRedirect == nil {
				return nil, false, false, errors.New("RequestRedirect filter without requestRedirect")
			}
			redirects++
			rr, prefix, err := requestRedirect(f.RequestRedirect)
			if err != nil {
				return nil, false, false, fmt.Errorf("RequestRedirect: %w", err)
			}
			prefixRewrite = prefixRewrite || prefix
			out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: rr})
		default:
			return nil, false, false, fmt.Errorf("unknown filter type %q", clip(string(f.Type)))
		}
	}
	switch {
	case rewrites > 1, redirects > 1:
		return nil, false, false, errors.New("at most one URLRewrite and one RequestRedirect filter allowed")
	case rewrites > 0 && redirects > 0:
		return nil, false, false, errors.New("a route cannot both rewrite and redirect")
	}
	return out, redirects > 0, prefixRewrite, nil
}

func pathModifier(p *ingressroute.PathModifier) (*gwv1.HTTPPathModifier, bool, error) {
	if len(p.Value) > maxPathValueLength {
		return nil, false, fmt.Errorf("path %q is longer than %d characters", clip(p.Value), maxPathValueLength)
	}
	switch p.Type {
	case ingressroute.ReplaceFullPath:
		return &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr(p.Value)}, false, nil
	case ingressroute.ReplacePrefixMatch:
		return &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr(p.Value)}, true, nil
	}
	return nil, false, fmt.Errorf("unknown path modifier type %q", clip(string(p.Type)))
}

func requestRedirect(r *ingressroute.RequestRedirect) (*gwv1.HTTPRequestRedirectFilter, bool, error) {
	out := &gwv1.HTTPRequestRedirectFilter{}
	if r.Scheme != nil {
		if *r.Scheme != "http" && *r.Scheme != "https" {
			return nil, false, fmt.Errorf("scheme %q is not http or https", clip(*r.Scheme))
		}
		out.Scheme = ptr(*r.Scheme)
	}
	if r.Hostname != nil {
		if !preciseHostPattern.MatchString(*r.Hostname) {
			return nil, false, fmt.Errorf("hostname %q is not a valid DNS name", clip(*r.Hostname))
		}
		out.Hostname = ptr(gwv1.PreciseHostname(*r.Hostname))
	}
	prefix := false
	if r.Path != nil {
		pm, p, err := pathModifier(r.Path)
		if err != nil {
			return nil, false, err
		}
		out.Path, prefix = pm, p
	}
	if r.Port != nil {
		if *r.Port < 1 || *r.Port > maxRedirectPortNum {
			return nil, false, fmt.Errorf("port %d is outside 1-65535", *r.Port)
		}
		out.Port = ptr(gwv1.PortNumber(*r.Port))
	}
	code := r.StatusCode
	if code == 0 {
		code = ingressroute.DefaultRedirectStatusCode
	}
	if code != 301 && code != 302 {
		return nil, false, fmt.Errorf("status code %d is not 301 or 302", code)
	}
	out.StatusCode = ptr(code)
	return out, prefix, nil
}

func (req *request) grpcRoute(in *Input, tls bool, namespace string, gr ingressroute.GRPCRoute) (plannedRoute, error) {
	l, err := req.routeListener(tls, gr.Listener)
	if err != nil {
		return plannedRoute{}, err
	}
	hosts, plainHosts, err := routeHostnames(gr.Hostnames)
	if err != nil {
		return plannedRoute{}, err
	}
	if len(gr.Matches) > maxMatchesPerRule {
		return plannedRoute{}, fmt.Errorf("%d matches, at most %d allowed", len(gr.Matches), maxMatchesPerRule)
	}
	matches := make([]gwv1.GRPCRouteMatch, 0, len(gr.Matches))
	for _, m := range gr.Matches {
		var gm gwv1.GRPCRouteMatch
		service, method := "", ""
		if m.Method != nil {
			service = m.Method.Service
			if !grpcServicePattern.MatchString(service) {
				return plannedRoute{}, fmt.Errorf("gRPC service %q is not a valid service name", clip(service))
			}
			gm.Method = &gwv1.GRPCMethodMatch{Service: ptr(service)}
			if m.Method.Method != nil {
				method = *m.Method.Method
				if !grpcMethodPattern.MatchString(method) {
					return plannedRoute{}, fmt.Errorf("gRPC method %q is not a valid method name", clip(method))
				}
				gm.Method.Method = ptr(method)
			}
		}
		headers, headerKey, err := normaliseHeaders(headerPairs(m.Headers))
		if err != nil {
			return plannedRoute{}, err
		}
		for _, h := range headers {
			gm.Headers = append(gm.Headers, gwv1.GRPCHeaderMatch{
				Type: ptr(gwv1.GRPCHeaderMatchExact), Name: gwv1.GRPCHeaderName(h.name), Value: h.value,
			})
		}
		matches = append(matches, gm)
		shape, display := grpcMatchShape(service, method, headers, headerKey)
		req.claims = append(req.claims, claim{kind: kindGRPC, port: l.port, listener: l.name(), shape: shape, display: display, hostnames: plainHosts})
	}
	if len(matches) == 0 {
		shape, display := grpcMatchShape("", "", nil, "")
		req.claims = append(req.claims, claim{kind: kindGRPC, port: l.port, listener: l.name(), shape: shape, display: display, hostnames: plainHosts})
	}
	if len(gr.Filters) > 0 {
		req.result.Warnings = append(req.result.Warnings, fmt.Sprintf(
			"grpc route %q: redirect filters are ignored because GRPCRoute cannot redirect", clip(gr.Name)))
	}
	refs, uses, err := backendRefs(namespace, true, gr.Backends)
	if err != nil {
		return plannedRoute{}, err
	}
	req.backends = append(req.backends, uses...)
	backends := make([]gwv1.GRPCBackendRef, 0, len(refs))
	for _, ref := range refs {
		backends = append(backends, gwv1.GRPCBackendRef{BackendRef: ref})
	}
	return plannedRoute{
		kind: kindGRPC, name: objectName(req.result.App, gr.Name, "grpcroute", l.name(), in.App),
		namespace: namespace, listener: l, hostnames: hosts,
		grpcRules: []gwv1.GRPCRouteRule{{Matches: matches, BackendRefs: backends}},
	}, nil
}
