// Package forwardauth is the wire format of the forward_auth interface,
// requirer side (the provider is an identity-aware proxy such as
// oauth2-proxy-k8s); it may import relation/wire and the standard library
// only. Decode reads the provider's application bag into a Config,
// Endpoint splits its decisions address into the service and port an
// ext-authz provider needs, and RequirerBag is what this charm publishes
// back. Values are decoded as the Python library does: JSON when a value
// decodes, the raw string otherwise. It does no I/O.
package forwardauth

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Databag keys.
const (
	KeyDecisionsAddress = "decisions_address"
	KeyAppNames         = "app_names"
	KeyHeaders          = "headers"
	KeyIngressAppNames  = "ingress_app_names"
)

// MaxBagBytes bounds the provider bag the charm reads.
const MaxBagBytes = 64 << 10

// Config is what the provider asks of the gateway.
type Config struct {
	// DecisionsAddress is the URL the gateway asks whether a request may pass.
	DecisionsAddress string
	// AppNames are the applications the provider wants protected (unused by
	// the gateway: it protects every route of its authenticated endpoints).
	AppNames []string
	// Headers are copied from the provider's answer onto the forwarded
	// request; empty means the defaults (see ingressconfig).
	Headers []string
}

// Decode reads the provider's application bag. An empty bag has told
// nothing yet: (nil, nil). A bag the library's schema would refuse
// (decisions_address and app_names are required) is an error naming the key.
func Decode(bag map[string]string) (*Config, error) {
	if len(bag) == 0 {
		return nil, nil
	}
	if err := wire.CheckBagSize(bag, MaxBagBytes); err != nil {
		return nil, err
	}
	var c Config
	addr, ok := bag[KeyDecisionsAddress]
	if !ok {
		return nil, wire.Missing(KeyDecisionsAddress)
	}
	if s, isString := decode(addr).(string); isString {
		c.DecisionsAddress = s
	} else {
		return nil, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("must be a string, got %q", wire.Clip(addr, 64)))
	}
	names, ok := bag[KeyAppNames]
	if !ok {
		return nil, wire.Missing(KeyAppNames)
	}
	var err error
	if c.AppNames, err = stringList(KeyAppNames, names); err != nil {
		return nil, err
	}
	if h, ok := bag[KeyHeaders]; ok {
		if c.Headers, err = stringList(KeyHeaders, h); err != nil {
			return nil, err
		}
		for i, name := range c.Headers {
			if !isHeaderName(name) {
				return nil, wire.Invalid(fmt.Sprintf("%s[%d]", KeyHeaders, i), fmt.Sprintf("%q is not an HTTP header name", wire.Clip(name, 64)))
			}
		}
	}
	return &c, nil
}

// decode is the library's reading of one value: JSON if it decodes, else
// the string itself.
func decode(raw string) any {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return raw
	}
	return v
}

func stringList(key, raw string) ([]string, error) {
	items, ok := decode(raw).([]any)
	if !ok {
		return nil, wire.Invalid(key, fmt.Sprintf("must be a JSON list of strings, got %q", wire.Clip(raw, 64)))
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, wire.Invalid(fmt.Sprintf("%s[%d]", key, i), "must be a string")
		}
		out = append(out, s)
	}
	return out, nil
}

// isHeaderName reports whether s is an RFC 9110 token (what Envoy accepts
// as a header name).
func isHeaderName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// Endpoint splits a decisions address into the Service host and port the
// ext-authz provider is configured with. A URL without a port uses its
// scheme's default (80 for http, 443 for https).
func Endpoint(address string) (host string, port int, err error) {
	u, err := url.Parse(strings.TrimSpace(address))
	if err != nil {
		return "", 0, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("%q is not a URL", wire.Clip(address, 64)))
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		port = 80
	case "https":
		port = 443
	default:
		return "", 0, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("%q must be an http or https URL", wire.Clip(address, 64)))
	}
	host = strings.ToLower(u.Hostname())
	if host == "" || wire.HasControl(host) || strings.ContainsAny(host, " /") {
		return "", 0, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("%q names no host", wire.Clip(address, 64)))
	}
	if p := u.Port(); p != "" {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return "", 0, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("port %q is outside 1-65535", wire.Clip(p, 16)))
		}
		port = n
	}
	if ip := net.ParseIP(host); ip == nil && !validHost(host) {
		return "", 0, wire.Invalid(KeyDecisionsAddress, fmt.Sprintf("host %q is not a DNS name or an IP address", wire.Clip(host, 64)))
	}
	return host, port, nil
}

func validHost(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// RequirerBag is the requirer's application bag: the applications this
// gateway routes for, sorted and without repeats, as the Python library
// writes the list.
func RequirerBag(appNames []string) map[string]string {
	names := slices.Clone(appNames)
	slices.Sort(names)
	names = slices.Compact(names)
	return map[string]string{KeyIngressAppNames: wire.PyStrings(names)}
}
