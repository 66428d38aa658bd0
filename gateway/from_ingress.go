package gateway

import (
	"fmt"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
)

// Ports of the listeners that ingress v2 apps are served on.
const (
	ingressHTTPPort  = 80
	ingressHTTPSPort = 443
)

// fromIngress normalises one ingress v2 relation: a PathPrefix route on
// http-80, or with TLS a 301 redirect on http-80 and the route on https-443.
func fromIngress(in *Input, tls bool, r IngressRequest) *request {
	switch {
	case r.Err != nil:
		return invalid(r.Relation, "cannot decode the relation data: "+r.Err.Error())
	case r.Request == nil:
		return pending(r.Relation, "waiting for the requirer to publish its request")
	}
	q := r.Request
	if !isDNSLabel(q.Model) {
		return invalid(r.Relation, fmt.Sprintf("model %q is not a valid namespace name", clip(q.Model)))
	}
	if !isDNSLabel(q.Name) {
		return invalid(r.Relation, fmt.Sprintf("name %q is not a valid Service name", clip(q.Name)))
	}
	if q.Port < 1 || q.Port > 65535 {
		return invalid(r.Relation, fmt.Sprintf("port %d is outside 1-65535", q.Port))
	}
	prefix := ingress.PathPrefix(q.Model, q.Name)
	if err := validatePath(gwv1.PathMatchPathPrefix, prefix); err != nil {
		return invalid(r.Relation, err.Error())
	}

	req := &request{result: Result{Relation: r.Relation, State: StateServed, PathPrefix: prefix, Scheme: "http"}}
	match := gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr(gwv1.PathMatchPathPrefix), Value: ptr(prefix)}}
	backend := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
		Name:      gwv1.ObjectName(q.Name),
		Namespace: ptr(gwv1.Namespace(q.Model)),
		Port:      ptr(gwv1.PortNumber(q.Port)),
	}}}
	serve := gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{match}, BackendRefs: []gwv1.HTTPBackendRef{backend}}
	if q.StripPrefix {
		serve.Filters = []gwv1.HTTPRouteFilter{{
			Type: gwv1.HTTPRouteFilterURLRewrite,
			URLRewrite: &gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{
				Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr("/"),
			}},
		}}
	}
	shape, display := httpMatchShape(match, nil, "")

	plain := listenerFor(ingressHTTPPort, false)
	req.addListener(plain)
	req.backends = append(req.backends, backendUse{service: q.Name, namespace: q.Model, port: q.Port})
	route := func(l listener, rule gwv1.HTTPRouteRule) {
		req.routes = append(req.routes, plannedRoute{
			kind: kindHTTP, name: objectName(q.Name, "httproute", l.name(), in.App), namespace: q.Model,
			listener: l, httpRules: []gwv1.HTTPRouteRule{rule},
		})
		req.claims = append(req.claims, claim{kind: kindHTTP, port: l.port, listener: l.name(), shape: shape, display: display})
	}
	if !tls {
		route(plain, serve)
		return req
	}
	req.result.Scheme = "https"
	secure := listenerFor(ingressHTTPSPort, true)
	req.addListener(secure)
	route(plain, gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{match},
		Filters: []gwv1.HTTPRouteFilter{{
			Type:            gwv1.HTTPRouteFilterRequestRedirect,
			RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Scheme: ptr("https"), StatusCode: ptr(301)},
		}},
	})
	route(secure, serve)
	return req
}
