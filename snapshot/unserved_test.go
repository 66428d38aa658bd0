package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
)

func TestUnservedEndpointsHoldTheirFeaturesObjects(t *testing.T) {
	s := Snapshot{App: "gw", Model: "m", Config: DefaultConfig(),
		Related: []string{"certificates", "ingress", "istio-request-auth"},
		// charm render lists relations instead of goal-state's endpoints
		Relations: []Relation{{Relation: gateway.Relation{App: "prom", ID: juju.RelationID{Endpoint: "metrics-endpoint", ID: 4}}}},
	}
	d := s.Desired()
	assert.Equal(t, []string{"metrics-endpoint"}, d.Unserved, "certificates and istio-request-auth are served")
	assert.Empty(t, d.Keep)

	s = Snapshot{App: "gw", Model: "m", Config: DefaultConfig(), Related: []string{"ingress", "upstream-ingress", "gateway-metadata", "certificates"}}
	d = s.Desired()
	assert.Empty(t, d.Unserved, "served endpoints are not listed")
	assert.Empty(t, d.Keep)
}
