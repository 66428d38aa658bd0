package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// An endpoint declared before its feature is served holds that feature's
// objects while it has a relation, and is named; served endpoints are not.
func TestUnservedEndpointsHoldTheirFeaturesObjects(t *testing.T) {
	unserved := []Unserved{
		{Endpoint: "future-feature", Owns: []resource.Hold{{Scope: resource.ScopeGateway, Kind: resource.KindSecret.Kind}}},
		{Endpoint: "future-data"},
	}
	var d Desired
	d.addUnserved([]string{"ingress", "future-feature", "future-data"}, unserved)
	assert.Equal(t, []string{"future-feature", "future-data"}, d.Unserved)
	assert.Equal(t, []resource.Hold{{Scope: resource.ScopeGateway, Kind: "Secret"}}, d.Keep)

	d = Desired{}
	d.addUnserved([]string{"ingress", "certificates"}, unserved)
	assert.Empty(t, d.Unserved, "served endpoints are not listed")
	assert.Empty(t, d.Keep)

	s := Snapshot{App: "gw", Model: "m", Config: DefaultConfig(),
		Related: []string{"certificates", "forward-auth", "istio-ingress-config", "istio-request-auth", "metrics-endpoint", "charm-tracing", "upstream-ingress"}}
	assert.Empty(t, s.Desired().Unserved, "every declared endpoint is served")
}
