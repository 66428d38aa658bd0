package gateway

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// FuzzBuild plans whatever config a requirer can get past the provider's
// decoder, next to an incumbent app: Build must never panic, every object
// must carry a valid name, and the incumbent must stay served.
func FuzzBuild(f *testing.F) {
	raw, err := os.ReadFile("../relation/ingressroute/testdata/valid.json")
	require.NoError(f, err)
	var vectors struct {
		Cases []struct {
			Config string `json:"config"`
		} `json:"cases"`
	}
	require.NoError(f, json.Unmarshal(raw, &vectors))
	require.NotEmpty(f, vectors.Cases)
	for _, v := range vectors.Cases {
		f.Add([]byte(v.Config), false, "10.0.0.1")
	}
	for _, cfg := range []*ir.Config{everyMatchConfig("m"), tempoConfig("m")} {
		data, err := cfg.Encode()
		require.NoError(f, err)
		f.Add(data, true, "gw.example.com")
	}
	f.Fuzz(func(t *testing.T, data []byte, tls bool, address string) {
		cfg, err := ir.ParseConfig(data)
		if err != nil {
			return
		}
		incumbent := ingressReq("web", 1, "web-model", 8080, true)
		newcomer := RouteRequest{Relation: rel("fuzz", ir.EndpointAuthenticated, 2), Config: cfg}
		plan := Build(Input{
			App: "gw", Model: "m", Address: address, TLS: TLS{Enabled: tls}, Units: 2,
			ExternalTrafficCIDRs: "0.0.0.0/0", Ingresses: []IngressRequest{incumbent}, Routes: []RouteRequest{newcomer},
		})
		if len(plan.Results) != 2 {
			t.Fatalf("want 2 results, got %d", len(plan.Results))
		}
		if plan.Results[0].State != StateServed {
			t.Fatalf("the incumbent lost its route to a newer relation: %+v", plan.Results[0])
		}
		for _, o := range plan.Objects {
			if !isObjectName(o.GetName()) {
				t.Fatalf("%s name %q is not a DNS-1123 subdomain", o.GetKind(), o.GetName())
			}
			if !isDNSLabel(o.GetNamespace()) {
				t.Fatalf("%s %s namespace %q is not a DNS-1123 label", o.GetKind(), o.GetName(), o.GetNamespace())
			}
		}
		if _, err := MarshalYAML(plan.Objects); err != nil {
			t.Fatal(err)
		}
	})
}
