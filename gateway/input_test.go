package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

func TestIngressRequestFrom(t *testing.T) {
	t.Parallel()
	r := rel("web", "ingress", 3)
	cases := []struct {
		name  string
		bag   map[string]string
		state State
	}{
		{"nothing published", nil, StatePending},
		{"only optional keys", map[string]string{"scheme": `"https"`, "strip-prefix": "true"}, StatePending},
		{"required keys deleted", map[string]string{"model": "", "name": ""}, StatePending},
		{"a required key missing", map[string]string{"model": `"m"`, "port": "8080"}, StateInvalid},
		{"malformed port", map[string]string{"model": `"m"`, "name": `"web"`, "port": `"8080"`}, StateInvalid},
		{"complete", map[string]string{"model": `"m"`, "name": `"web"`, "port": "8080"}, StateServed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := IngressRequestFrom(r, tc.bag)
			assert.Equal(t, r, req.Relation)
			if tc.state == StateInvalid {
				require.Error(t, req.Err)
				assert.Nil(t, req.Request)
			}
			if tc.state == StateServed {
				require.NoError(t, req.Err)
				assert.Equal(t, &ingress.Request{Model: "m", Name: "web", Port: 8080, Scheme: "http"}, req.Request)
			}
			plan := Build(Input{App: "gw", Model: "m", Ingresses: []IngressRequest{req}})
			require.Len(t, plan.Results, 1)
			assert.Equal(t, tc.state, plan.Results[0].State, plan.Results[0].Reason)
		})
	}
}

// A bad config's reason is reported next to the relation, so it must not
// name the relation again.
func TestRouteRequestFromReasonNamesRelationOnce(t *testing.T) {
	t.Parallel()
	id := juju.RelationID{Endpoint: ir.EndpointAuthenticated, ID: 2}
	req := RouteRequestFrom(ir.RequestFromBag(id, "garbled", map[string]string{ir.KeyConfig: `{"model":"m","listeners":[{"port":0,"protocol":"HTTP"}]}`}))
	plan := Build(Input{App: "gw", Model: "m", Routes: []RouteRequest{req}})
	require.Len(t, plan.Results, 1)
	res := plan.Results[0]
	assert.Equal(t, StateInvalid, res.State)
	assert.Contains(t, res.Reason, "listeners[0].port")
	assert.NotContains(t, res.Reason, id.String())
	assert.NotContains(t, res.Reason, "garbled")
}
