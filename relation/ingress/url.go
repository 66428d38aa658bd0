package ingress

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// maxURLLength is pydantic's AnyHttpUrl limit, which the Python provider and
// requirer both enforce.
const maxURLLength = 2083

// URL is the address the provider gives a requirer:
// <scheme>://<address>/<model>-<name>, with every "/" in name replaced by
// "-". address is a host (optionally with a port and a path, as an upstream
// ingress gives it); trailing slashes are dropped so the result never holds
// "//" before the prefix.
func URL(scheme, address, model, name string) string {
	return scheme + "://" + strings.TrimRight(address, "/") + PathPrefix(model, name)
}

// PathPrefix is the route prefix the provider serves a requirer under:
// /<model>-<name>, with "/" in name replaced by "-".
func PathPrefix(model, name string) string {
	return "/" + model + "-" + strings.ReplaceAll(name, "/", "-")
}

// normaliseHTTPURL validates raw the way pydantic's AnyHttpUrl does and
// returns the form pydantic serialises: http or https only, a host required,
// at most 2083 characters; scheme and host lower-cased, the scheme's default
// port dropped, an empty path written as "/". Paths, queries and fragments
// keep Go's percent-encoding, which matches pydantic's for the characters
// Juju allows in model and application names.
func normaliseHTTPURL(raw string) (string, error) {
	bad := func(reason string) error { return fmt.Errorf("%w: %.100q: %s", ErrBadURL, raw, reason) }
	if len(raw) > maxURLLength {
		return "", bad(fmt.Sprintf("longer than %d characters", maxURLLength))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != SchemeHTTP && scheme != SchemeHTTPS {
		return "", bad("scheme must be http or https")
	}
	host := strings.ToLower(u.Hostname())
	if u.Opaque != "" || host == "" {
		return "", bad("has no host")
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	port := u.Port()
	if (scheme == SchemeHTTP && port == "80") || (scheme == SchemeHTTPS && port == "443") {
		port = ""
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if u.User != nil {
		b.WriteString(u.User.String() + "@")
	}
	if port != "" {
		b.WriteString(net.JoinHostPort(strings.Trim(host, "[]"), port))
	} else {
		b.WriteString(host)
	}
	if p := u.EscapedPath(); p != "" {
		b.WriteString(p)
	} else {
		b.WriteString("/")
	}
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteString("?" + u.RawQuery)
	}
	if u.Fragment != "" {
		b.WriteString("#" + u.EscapedFragment())
	}
	return b.String(), nil
}

// ErrBadURL marks a URL that is not an absolute http(s) URL with a host.
var ErrBadURL = errors.New("not a valid http(s) URL")

// SplitURL splits a provider's URL into its scheme and the address that
// follows "scheme://" without trailing slashes (host, optional port, optional
// path). This is how an upstream ingress URL becomes the address this charm
// advertises downstream.
func SplitURL(raw string) (scheme, address string, err error) {
	norm, err := normaliseHTTPURL(raw)
	if err != nil {
		return "", "", err
	}
	scheme, rest, _ := strings.Cut(norm, "://")
	return scheme, strings.TrimRight(rest, "/"), nil
}
