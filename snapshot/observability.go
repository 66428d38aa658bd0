package snapshot

import (
	"errors"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/tracing"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Endpoints of the charm's own observability.
const (
	EndpointMetrics = "metrics-endpoint"
	EndpointTracing = "charm-tracing"
)

// Tracing is the charm-tracing relation and the receiver it names.
type Tracing struct {
	ID juju.RelationID
	// URL is the provider's otlp_http receiver; "" while it names none.
	URL string
	// Err says why the provider's answer cannot be used.
	Err error
}

func addMetrics(d *Desired, rel Relation) {
	d.Metrics = append(d.Metrics, rel.ID)
}

func addTracing(d *Desired, rel Relation) {
	d.Tracing = TracingFrom(rel.ID, rel.Bag)
}

// TracingFrom reads the provider's answer on the charm-tracing relation.
func TracingFrom(id juju.RelationID, bag map[string]string) *Tracing {
	t := &Tracing{ID: id}
	url, err := tracing.Endpoint(bag)
	switch {
	case errors.Is(err, tracing.ErrNoReceiver):
	case err != nil:
		t.Err = errors.New(wire.Clip(err.Error(), 200))
	default:
		t.URL = url
	}
	return t
}
