package snapshot

import (
	"slices"

	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// Unserved is an endpoint the charm declares but whose feature it does not
// serve yet, with the objects that feature owns. While such a relation
// exists those objects are left as they are, never garbage-collected: a
// refresh from the Python charm must not strip a deployment of its TLS
// certificate. An entry goes when its feature lands.
type Unserved struct {
	Endpoint string
	Owns     []resource.Hold
}

// UnservedEndpoints lists them. Every endpoint the charm declares is served
// now, so the list is empty; the rule stays for the next endpoint declared
// before its feature lands.
func UnservedEndpoints() []Unserved { return nil }

// addUnserved records the endpoints of unserved that have a relation, and
// holds the objects of their features.
func (d *Desired) addUnserved(related []string, unserved []Unserved) {
	for _, u := range unserved {
		if slices.Contains(related, u.Endpoint) {
			d.Unserved = append(d.Unserved, u.Endpoint)
			d.Keep = append(d.Keep, u.Owns...)
		}
	}
}
