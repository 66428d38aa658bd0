package ingress

import (
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
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
