package gateway

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Patterns the Gateway API CRDs enforce; checking them here turns a request
// the API server would reject into a clear per-relation reason instead of a
// failed apply for everyone.
var (
	pathCharsPattern   = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`)
	headerNamePattern  = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$")
	routeHostPattern   = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	grpcServicePattern = regexp.MustCompile(`^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`)
	grpcMethodPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z_0-9]*$`)
	preciseHostPattern = hostnamePattern
)

// Gateway API size limits.
const (
	maxPathValueLength  = 1024
	maxHeaderValueLen   = 4096
	maxHostnameLength   = 253
	maxHeadersPerMatch  = 16
	maxHostnamesPerRule = 16
)

// routeKind separates HTTP and gRPC match spaces: they never collide.
type routeKind int

const (
	kindHTTP routeKind = iota
	kindGRPC
)

// claim is one match a relation asks to own on a listener.
type claim struct {
	kind      routeKind
	port      int
	listener  string
	shape     matchShape
	display   string   // the match as a person would write it, clipped
	hostnames []string // empty: every hostname
}

// validatePath checks a path match value against the rules of its type.
func validatePath(typ gwv1.PathMatchType, value string) error {
	if len(value) > maxPathValueLength {
		return fmt.Errorf("path %q is longer than %d characters", clip(value), maxPathValueLength)
	}
	switch typ {
	case gwv1.PathMatchExact, gwv1.PathMatchPathPrefix:
		switch {
		case !strings.HasPrefix(value, "/"):
			return fmt.Errorf("%s path %q must start with /", typ, clip(value))
		case !pathCharsPattern.MatchString(value):
			return fmt.Errorf("%s path %q has characters not allowed in a URL path", typ, clip(value))
		case strings.Contains(value, "//"), strings.Contains(value, "/./"), strings.Contains(value, "/../"),
			strings.HasSuffix(value, "/."), strings.HasSuffix(value, "/.."):
			return fmt.Errorf(`%s path %q must not contain //, /./ or /../ nor end in "/." or "/.."`, typ, clip(value))
		}
	case gwv1.PathMatchRegularExpression:
		if value == "" {
			return fmt.Errorf("regular expression path is empty")
		}
		if _, err := regexp.Compile(value); err != nil {
			return fmt.Errorf("regular expression path %q: %s", clip(value), clip(err.Error()))
		}
	default:
		return fmt.Errorf("unknown path match type %q", clip(string(typ)))
	}
	return nil
}

// header is one exact header condition, normalised for comparison.
type header struct{ name, value string }

// normaliseHeaders validates headers, drops later repeats of a name (header
// names are case-insensitive; the Gateway API honours only the first) and
// returns them in request order plus a sorted comparison key.
func normaliseHeaders(in [][2]string) ([]header, string, error) {
	if len(in) > maxHeadersPerMatch {
		return nil, "", fmt.Errorf("%d header conditions, at most %d allowed", len(in), maxHeadersPerMatch)
	}
	var out []header
	seen := map[string]bool{}
	for _, h := range in {
		name, value := h[0], h[1]
		if len(name) > 256 || !headerNamePattern.MatchString(name) {
			return nil, "", fmt.Errorf("header name %q is not a valid HTTP header name", clip(name))
		}
		if value == "" || len(value) > maxHeaderValueLen {
			return nil, "", fmt.Errorf("header %q value must be 1 to %d characters", clip(name), maxHeaderValueLen)
		}
		lower := strings.ToLower(name)
		if seen[lower] {
			continue
		}
		seen[lower] = true
		out = append(out, header{name, value})
	}
	keys := make([]string, 0, len(out))
	for _, h := range out {
		keys = append(keys, strings.ToLower(h.name)+"="+h.value)
	}
	slices.Sort(keys)
	return out, strings.Join(keys, "&"), nil
}

// httpMatchShape returns the overlap shape and display form of an HTTP
// match. A missing path is the Gateway API default, PathPrefix "/".
func httpMatchShape(m gwv1.HTTPRouteMatch, headers []header, headerKey string) (matchShape, string) {
	typ, value := gwv1.PathMatchPathPrefix, "/"
	if m.Path != nil {
		if m.Path.Type != nil {
			typ = *m.Path.Type
		}
		if m.Path.Value != nil {
			value = *m.Path.Value
		}
	}
	method := ""
	if m.Method != nil {
		method = string(*m.Method)
	}
	shape := newShape(typ, value, method, headers)
	if typ != gwv1.PathMatchRegularExpression {
		value = shape.path // "/api/" and "/api" are one prefix, shown alike
	}
	display := fmt.Sprintf("%s %s", typ, clip(value))
	if method != "" {
		display += " method " + method
	}
	if headerKey != "" {
		display += " headers " + clip(headerKey)
	}
	return shape, display
}

// grpcMatchShape returns the overlap shape and display form of a gRPC match.
func grpcMatchShape(service, method string, headers []header, headerKey string) (matchShape, string) {
	path := "/" + service + "/" + method
	shape := newShape(gwv1.PathMatchExact, path, "", headers)
	switch {
	case service == "" && method == "":
		path = "any gRPC method"
		shape = newShape(gwv1.PathMatchPathPrefix, "/", "", headers)
	case method == "":
		path = "/" + service + "/*"
		shape = newShape(gwv1.PathMatchPathPrefix, "/"+service, "", headers)
	case service == "":
		// Any service: not a path prefix, so compared as a regular
		// expression would be (it meets every other gRPC match).
		path = "/*/" + method
		shape = newShape(gwv1.PathMatchRegularExpression, "/", "", headers)
	}
	display := "gRPC " + clip(path)
	if headerKey != "" {
		display += " headers " + clip(headerKey)
	}
	return shape, display
}

// clip shortens requirer data echoed in a reason, a status or a log line.
func clip(s string) string { return wire.Clip(s, maxEcho) }

// maxEcho is how much of one requirer value a message repeats, and
// maxReason how long a whole reason (which may list many fields) grows.
const (
	maxEcho   = 64
	maxReason = 1024
)

// hostnamesOverlap reports whether two route hostname lists can match the
// same request (an empty list matches every hostname) and names a hostname
// both would match.
func hostnamesOverlap(a, b []string) (string, bool) {
	switch {
	case len(a) == 0 && len(b) == 0:
		return "*", true
	case len(a) == 0:
		return b[0], true
	case len(b) == 0:
		return a[0], true
	}
	for _, x := range a {
		for _, y := range b {
			if h, ok := hostsIntersect(x, y); ok {
				return h, true
			}
		}
	}
	return "", false
}

// hostsIntersect compares two hostnames that may be wildcards ("*.a.b"
// matches any name with at least one more label ending in ".a.b") and
// returns the narrower one when they overlap.
func hostsIntersect(x, y string) (string, bool) {
	if x == y {
		return x, true
	}
	if s, ok := strings.CutPrefix(x, "*"); ok && strings.HasSuffix(y, s) && len(y) > len(s) {
		return y, true
	}
	if s, ok := strings.CutPrefix(y, "*"); ok && strings.HasSuffix(x, s) && len(x) > len(s) {
		return x, true
	}
	return "", false
}
