package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
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
