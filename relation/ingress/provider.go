package ingress

import (
	"context"
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
	"maps"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// ServedBag is the provider application databag for a relation that is
// served at url: {"ingress": "{\"url\": \"<url>\"}"}, byte-for-byte what the
// Python provider writes. The URL is validated and normalised like the
// library's AnyHttpUrl. When it is not valid, ServedBag returns the wipe bag
// together with an error wrapping ErrBadURL: the Python provider leaves the
// bag empty in that case, and so should the caller (log the error, write the
// bag).
func ServedBag(url string) (map[string]string, error) {
	norm, err := normaliseHTTPURL(url)
	if err != nil {
		return WipedBag(), fmt.Errorf("ingress: not publishing: %w", err)
	}
	return map[string]string{
		KeyIngress: string(wire.PyObject([]wire.PyField{{Key: "url", Value: wire.PyString(norm)}})),
	}, nil
}

// WipedBag is the provider application databag for a relation that is not
// served (requirer not ready, refused in a conflict, or more than one route):
// the ingress key deleted.
func WipedBag() map[string]string {
	return map[string]string{KeyIngress: ""}
}

// isJujuKey reports keys Juju itself sets in unit bags; a writer never
// deletes them.
func isJujuKey(k string) bool {
	switch k {
	case "ingress-address", "private-address", "egress-subnets":
		return true
	}
	return false
}

// Changes returns the relation-set data that turns the bag we hold into want,
// where a "" value in want means "absent". Like the Python library, which
// clears a bag before writing it, keys held but not wanted are deleted
// (except the ones Juju sets itself). When the held bag is not known
// (known == false) every wanted key is written. An empty result means no
// write is needed.
func Changes(held map[string]string, known bool, want map[string]string) map[string]string {
	if !known {
		return maps.Clone(want)
	}
	delta := make(map[string]string)
	for k, v := range want {
		if held[k] != v {
			delta[k] = v
		}
	}
	for k, v := range held {
		if _, wanted := want[k]; !wanted && v != "" && !isJujuKey(k) {
			delta[k] = ""
		}
	}
	return delta
}

// WriteNeeded reports whether writing want over the held bag would change
// anything (see Changes).
func WriteNeeded(held map[string]string, known bool, want map[string]string) bool {
	return len(Changes(held, known, want)) > 0
}

// Publish writes want into this application's databag on rel, skipping the
// hook-tool call when the held bag already matches. Only the leader holds a
// *juju.Leader, so only the leader can publish. It reports whether it wrote.
func Publish(ctx context.Context, l *juju.Leader, rel juju.RelationID, held map[string]string, known bool, want map[string]string) (bool, error) {
	delta := Changes(held, known, want)
	if len(delta) == 0 {
		return false, nil
	}
	if err := l.RelationSetApp(ctx, rel, delta); err != nil {
		return false, fmt.Errorf("ingress: publishing to %s: %w", rel, err)
	}
	return true, nil
}
