package ingressroute

import (
	"net/netip"
	"strconv"
	"strings"
)

// Ingress is what the provider tells a requirer: where the gateway is
// reachable and whether it terminates TLS. It is the provider's app bag.
type Ingress struct {
	// ExternalHost is the gateway's public host: a name or IP, or
	// "host/path" when the gateway is itself behind another ingress.
	// Empty means not (or no longer) served.
	ExternalHost string
	TLSEnabled   bool
}

// IngressFromBag reads a provider app bag. Missing keys read as not served
// and TLS off, as in the Python library.
func IngressFromBag(bag map[string]string) Ingress {
	return Ingress{ExternalHost: bag[KeyExternalHost], TLSEnabled: ParseBool(bag[KeyTLSEnabled])}
}

// Bag is the provider app-bag update publishing i. An empty ExternalHost is
// written as "" so the key is deleted (the library never writes an empty host).
func (i Ingress) Bag() map[string]string {
	return map[string]string{KeyExternalHost: i.ExternalHost, KeyTLSEnabled: FormatBool(i.TLSEnabled)}
}

// WipedBag is the provider app-bag update that withdraws ingress: both keys
// deleted.
func WipedBag() map[string]string {
	return map[string]string{KeyExternalHost: "", KeyTLSEnabled: ""}
}

// Ready reports whether the provider has published an external host.
func (i Ingress) Ready() bool { return i.ExternalHost != "" }

// Scheme is "https" when the gateway terminates TLS, else "http".
func (i Ingress) Scheme() string {
	if i.TLSEnabled {
		return "https"
	}
	return "http"
}

// URL is the base URL of the gateway, e.g. "https://ingress.example.com"
// (an IPv6 address is bracketed); empty when not Ready.
func (i Ingress) URL() string {
	if !i.Ready() {
		return ""
	}
	host, path, hasPath := strings.Cut(i.ExternalHost, "/")
	u := i.Scheme() + "://" + urlHost(host)
	if hasPath {
		u += "/" + path
	}
	return u
}

// urlHost brackets an IPv6 address for use in a URL.
func urlHost(host string) string {
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		return "[" + host + "]"
	}
	return host
}

// ListenerURL is the URL of one of the requirer's listeners: the base URL
// with the listener's port, left out when it is the scheme's default (80 for
// http, 443 for https) or when ExternalHost already names a port (the gateway
// is behind another ingress). A path part of ExternalHost is kept after the port.
// gRPC clients use the host:port part. Empty when not Ready.
func (i Ingress) ListenerURL(l Listener) string {
	if !i.Ready() {
		return ""
	}
	host, path, hasPath := strings.Cut(i.ExternalHost, "/")
	hasPort := strings.Contains(host, ":") && urlHost(host) == host // "name:port", not a bare IPv6
	host = urlHost(host)
	if !hasPort && !(l.Port == 80 && !i.TLSEnabled) && !(l.Port == 443 && i.TLSEnabled) {
		host += ":" + strconv.Itoa(l.Port)
	}
	u := i.Scheme() + "://" + host
	if hasPath {
		u += "/" + path
	}
	return u
}
