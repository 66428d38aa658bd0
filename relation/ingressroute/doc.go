// Package ingressroute implements the istio_ingress_route relation interface,
// both sides, wire-compatible with the Python library
// (charms.istio_ingress_k8s.v0.istio_ingress_route and its successor
// charmlibs.interfaces.istio_ingress_route); it may import juju,
// relation/wire and the standard library, as a requirer charm can.
//
// A requirer asks the istio-ingress-k8s gateway for listeners (port +
// HTTP/GRPC) and for HTTP and gRPC routes to its Services; the gateway
// answers with where it is reachable and whether it terminates TLS.
//
// # Wire format
//
// The requirer's application databag holds one key, "config": the JSON of
// a Config. The provider's application databag holds "external_host" (a
// plain string) and "tls_enabled" ("True" or "False").
//
// ParseConfig accepts exactly what the Python provider accepts (pydantic's
// lax rules: an integer field also takes 8080.0, true or "8080"; omitted
// lists are empty; a path match type defaults to PathPrefix; unknown fields
// are ignored) and names every bad field in its error, e.g.
// "http_routes[0].backends[1].weight: must be between 1 and 100".
// Config.Encode writes what the Python requirer writes, byte for byte.
// Route filters, which only newer library versions define, are written only
// when set, so a config without filters is identical for every version.
// Header match values must be strings, as in the current library.
//
// # Requirer (a Go charm asking for ingress)
//
// Build a Requirer on the charm's endpoint with NewRequirer, then, as the
// leader, SubmitConfig (or SubmitConfigAsLeader with the *juju.Client; other
// units get ErrNotLeader). Any unit reads the answer with Ingress, whose URL
// and ListenerURL give the public addresses. Handle runs callbacks on the
// endpoint's relation-created, -changed and -broken hooks. See Example.
//
// # Provider (the gateway)
//
// NewProvider reads both endpoints, EndpointAuthenticated and
// EndpointUnauthenticated. Requests returns one Request per live relation,
// keyed by relation id and ordered oldest first, with the decoded Config or
// the reason it was rejected. Publish and Wipe write one relation's answer
// and need the *juju.Leader. Unlike the Python library, Publish always
// writes the gateway's real TLS state, and only to the relation it is given.
//
// RequestFromBag, ParseConfig, Config.Encode, Ingress.Bag and
// IngressFromBag do no I/O, for callers that read and write databags
// themselves.
package ingressroute
