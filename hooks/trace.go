package hooks

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// resourceAttrs describe who sends the hook's trace: the application as
// the service, and the unit's Juju topology, as the Python charms' traces
// do.
func resourceAttrs(hook juju.Context) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("service.name", hook.App),
		attribute.String("juju_unit", hook.Unit),
		attribute.String("juju_application", hook.App),
		attribute.String("juju_model", hook.ModelName),
		attribute.String("juju_model_uuid", hook.ModelUUID),
		attribute.String("charm", charmName),
	}
}

// endSpan ends span, marking it failed with err's first line when err is
// not nil.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, brief(err))
	}
	span.End()
}
