package ingressroute

import (
	"fmt"
	"strings"
)

// Protocol is the application-level protocol a requirer asks for on a
// listener. The gateway upgrades either one to TLS when it has a certificate.
type Protocol string

// Protocols of the interface; the wire values are case-sensitive.
const (
	ProtocolHTTP Protocol = "HTTP"
	ProtocolGRPC Protocol = "GRPC"
)

// Valid reports whether p is one of the protocols the interface defines.
func (p Protocol) Valid() bool { return p == ProtocolHTTP || p == ProtocolGRPC }

// GatewayProtocol maps an application protocol to the Gateway API listener
// protocol. The Gateway API has no gRPC protocol: gRPC is HTTP/2, so both map
// to HTTP, or HTTPS when the gateway terminates TLS.
func GatewayProtocol(_ Protocol, tlsEnabled bool) string {
	if tlsEnabled {
		return "HTTPS"
	}
	return "HTTP"
}

// Listener is a port the requirer wants the gateway to listen on.
type Listener struct {
	Port     int // 1–65535
	Protocol Protocol
}

// Name is the listener name derived from protocol and port, e.g. "http-8080"
// or "grpc-9090". Requirers do not choose listener names.
func (l Listener) Name() string {
	return fmt.Sprintf("%s-%d", strings.ToLower(string(l.Protocol)), l.Port)
}

// GatewayProtocol is the cleartext Gateway API protocol of the listener.
func (l Listener) GatewayProtocol() string { return GatewayProtocol(l.Protocol, false) }

// BackendRef is a Service (in the config's model) that receives traffic.
type BackendRef struct {
	Service string
	Port    int  // 1–65535
	Weight  *int // 1–100; nil is written as null (no weight)
}

// HTTPPathMatchType is how an HTTP path is compared.
type HTTPPathMatchType string

// Path match types; PathPrefix is the default when the type is omitted.
const (
	PathMatchExact             HTTPPathMatchType = "Exact"
	PathMatchPathPrefix        HTTPPathMatchType = "PathPrefix"
	PathMatchRegularExpression HTTPPathMatchType = "RegularExpression"
)

// Valid reports whether t is one of the defined path match types.
func (t HTTPPathMatchType) Valid() bool {
	switch t {
	case PathMatchExact, PathMatchPathPrefix, PathMatchRegularExpression:
		return true
	}
	return false
}

// HTTPPathMatch matches a request path. An empty Type is encoded as PathPrefix,
// the library's default.
type HTTPPathMatch struct {
	Type  HTTPPathMatchType
	Value string
}

// HTTPMethod is an HTTP request method to match.
type HTTPMethod string

// The nine HTTP methods the interface allows (case-sensitive).
const (
	MethodGet     HTTPMethod = "GET"
	MethodPost    HTTPMethod = "POST"
	MethodPut     HTTPMethod = "PUT"
	MethodDelete  HTTPMethod = "DELETE"
	MethodPatch   HTTPMethod = "PATCH"
	MethodHead    HTTPMethod = "HEAD"
	MethodOptions HTTPMethod = "OPTIONS"
	MethodConnect HTTPMethod = "CONNECT"
	MethodTrace   HTTPMethod = "TRACE"
)

// HTTPMethods lists every valid method in the library's declaration order.
func HTTPMethods() []HTTPMethod {
	return []HTTPMethod{MethodGet, MethodPost, MethodPut, MethodDelete, MethodPatch,
		MethodHead, MethodOptions, MethodConnect, MethodTrace}
}

// Valid reports whether m is one of the nine defined methods.
func (m HTTPMethod) Valid() bool {
	for _, v := range HTTPMethods() {
		if m == v {
			return true
		}
	}
	return false
}

// Header is one exact-match header condition.
type Header struct {
	Name  string
	Value string
}

// Headers are header conditions in the order the requirer wrote them (the
// wire format is a JSON object whose key order is preserved). A nil Headers
// is written as null, an empty non-nil one as {}.
type Headers []Header

// HTTPRouteMatch is one match of an HTTP route; all set conditions must hold.
// Nil fields are written as null.
type HTTPRouteMatch struct {
	Headers Headers
	Path    *HTTPPathMatch
	Method  *HTTPMethod
}

// GRPCMethodMatch matches /Service/Method; a nil Method matches every method
// of the service.
type GRPCMethodMatch struct {
	Service string
	Method  *string
}

// GRPCRouteMatch is one match of a gRPC route. Nil fields are written as null.
type GRPCRouteMatch struct {
	Headers Headers
	Method  *GRPCMethodMatch
}

// FilterType names an HTTP route filter.
type FilterType string

// Filter types of the interface (newer library versions).
const (
	FilterURLRewrite      FilterType = "URLRewrite"
	FilterRequestRedirect FilterType = "RequestRedirect"
)

// PathModifierType is how a rewrite or redirect changes the path.
type PathModifierType string

// Path modifier types, as in the Gateway API.
const (
	ReplaceFullPath    PathModifierType = "ReplaceFullPath"
	ReplacePrefixMatch PathModifierType = "ReplacePrefixMatch"
)

// Valid reports whether t is a defined path modifier type.
func (t PathModifierType) Valid() bool { return t == ReplaceFullPath || t == ReplacePrefixMatch }

// PathModifier replaces the full path or the matched prefix with Value. On the
// wire it is {"type":"ReplacePrefixMatch","replacePrefixMatch":Value} (or the
// ReplaceFullPath equivalent), as in the Gateway API.
type PathModifier struct {
	Type  PathModifierType
	Value string
}

// URLRewrite rewrites the request before it is proxied upstream. Nil fields are
// written as null.
type URLRewrite struct {
	Hostname *string
	Path     *PathModifier
}

// DefaultRedirectStatusCode is the status code of a redirect that does not set one.
const DefaultRedirectStatusCode = 301

// RequestRedirect answers the request with a redirect. Nil fields are written
// as null; a zero StatusCode is written as DefaultRedirectStatusCode.
type RequestRedirect struct {
	Scheme     *string
	Hostname   *string
	Path       *PathModifier
	Port       *int // 1–65535
	StatusCode int
}

// HTTPRouteFilter is one filter of an HTTP route: exactly one of URLRewrite
// or RequestRedirect is set, matching Type.
type HTTPRouteFilter struct {
	Type            FilterType
	URLRewrite      *URLRewrite
	RequestRedirect *RequestRedirect
}

// GRPCRouteFilter is one filter of a gRPC route; only redirects are defined.
type GRPCRouteFilter struct {
	RequestRedirect RequestRedirect
}

// HTTPRoute routes HTTP traffic arriving on Listener to Backends.
//
// Nil Hostnames and Matches are written as null, non-nil empty ones as [].
// Backends is always a list. Nil Filters are omitted from the wire format so
// that a config without filters is byte-identical to what every library
// version writes.
type HTTPRoute struct {
	Name      string
	Listener  Listener
	Backends  []BackendRef
	Hostnames []string
	Matches   []HTTPRouteMatch
	Filters   []HTTPRouteFilter
}

// GRPCRoute routes gRPC traffic arriving on Listener to Backends. Nil handling
// is as for HTTPRoute.
type GRPCRoute struct {
	Name      string
	Listener  Listener
	Backends  []BackendRef
	Hostnames []string
	Matches   []GRPCRouteMatch
	Filters   []GRPCRouteFilter
}

// Config is everything a requirer asks for: the app databag key "config".
// Model is the namespace the backends live in. The three lists are always
// written (nil as []).
type Config struct {
	Model      string
	Listeners  []Listener
	HTTPRoutes []HTTPRoute
	GRPCRoutes []GRPCRoute
}
