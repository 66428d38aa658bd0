package ingress

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
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
	return JoinURL(scheme, address, PathPrefix(model, name))
}

// JoinURL is scheme://address+path for a gateway address (a hostname, an IP
// or an upstream host with a path). A bare IPv6 address, as a load balancer
// on an IPv6 cluster reports it, is bracketed: "http://fd00::1/m-a" is not a
// URL and would never be published.
func JoinURL(scheme, address, path string) string {
	address = strings.TrimRight(address, "/")
	host, rest, hasRest := strings.Cut(address, "/")
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		address = "[" + host + "]"
		if hasRest {
			address += "/" + rest
		}
	}
	return scheme + "://" + address + path
}

// PathPrefix is the route prefix the provider serves a requirer under:
// /<model>-<name>, with "/" in name replaced by "-".
func PathPrefix(model, name string) string {
	return "/" + model + "-" + strings.ReplaceAll(name, "/", "-")
}

// normaliseHTTPURL validates raw the way pydantic's AnyHttpUrl does and
// returns the string pydantic serialises, so a URL we publish reads the same
// as one the Python provider publishes: http or https only, a host required,
// at most 2083 characters; scheme and host lower-cased; the scheme's default
// port dropped; "\" in the path read as "/"; an empty path written as "/";
// path, query and fragment percent-encoded with the WHATWG URL encode sets
// (existing %XX escapes kept); tabs and newlines dropped. Not reproduced:
// dot-segment removal, and the WHATWG parser's other repairs of malformed
// input (such as "http:///x"), which we refuse instead.
func normaliseHTTPURL(raw string) (string, error) {
	bad := func(reason string) error { return fmt.Errorf("%w: %.100q: %s", ErrBadURL, raw, reason) }
	if len(raw) > maxURLLength {
		return "", bad(fmt.Sprintf("longer than %d characters", maxURLLength))
	}
	// As the WHATWG parser does: drop surrounding spaces and controls, and
	// every tab and newline.
	raw = strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	raw = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(raw)
	// Go's url package decodes and re-encodes the path with other rules, so
	// it only checks the authority; the rest is kept as typed.
	rawScheme, rest, found := strings.Cut(raw, "://")
	scheme := strings.ToLower(rawScheme)
	if !found || (scheme != SchemeHTTP && scheme != SchemeHTTPS) {
		return "", bad("scheme must be http or https")
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#\\"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || strings.ContainsAny(host, " %") {
		return "", bad("has no valid host")
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return "", bad("port out of range")
		}
		if !(scheme == SchemeHTTP && n == 80) && !(scheme == SchemeHTTPS && n == 443) {
			host += ":" + strconv.Itoa(n)
		}
	}

	path, fragment, hasFragment := strings.Cut(tail, "#")
	path, query, hasQuery := strings.Cut(path, "?")
	path = strings.ReplaceAll(path, `\`, "/")
	if path == "" {
		path = "/"
	}

	var b strings.Builder
	b.WriteString(scheme + "://")
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		b.WriteString(authority[:at+1])
	}
	b.WriteString(host)
	b.WriteString(percentEncode(path, pathEncodeSet))
	if hasQuery {
		b.WriteString("?" + percentEncode(query, queryEncodeSet))
	}
	if hasFragment {
		b.WriteString("#" + percentEncode(fragment, fragmentEncodeSet))
	}
	return b.String(), nil
}

// WHATWG URL percent-encode sets (beyond C0 controls and non-ASCII, which
// are always encoded) for the path, the query of a special scheme, and the
// fragment.
const (
	pathEncodeSet     = " \"#<>?`{}"
	queryEncodeSet    = " \"#<>'"
	fragmentEncodeSet = " \"<>`"
)

func percentEncode(s, set string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || strings.IndexByte(set, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
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
