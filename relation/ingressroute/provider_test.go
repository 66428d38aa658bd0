package ingressroute

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

type providerCase struct {
	Name string `json:"name"`
	Args struct {
		ExternalHost    string `json:"external_host"`
		TLSEnabled      bool   `json:"tls_enabled"`
		Leader          *bool  `json:"leader"`
		Wipe            bool   `json:"wipe"`
		RelationChanged bool   `json:"relation_changed"`
		Config          string `json:"config"`
	} `json:"args"`
	Steps []struct {
		Step string            `json:"step"`
		Bag  map[string]string `json:"bag"`
	} `json:"steps"`
}

var routeRel = juju.RelationID{Endpoint: EndpointAuthenticated, ID: 7}

// TestProviderVectors replays provider.json: what the provider's app bag
// holds after each step, given the gateway's host and TLS state.
func TestProviderVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/provider.json")
	require.NoError(t, err)
	var doc struct{ Cases []providerCase }
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Len(t, doc.Cases, 9)

	for _, tc := range doc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			ctx := context.Background()
			ing := Ingress{ExternalHost: tc.Args.ExternalHost, TLSEnabled: tc.Args.TLSEnabled}

			if tc.Args.Leader != nil && !*tc.Args.Leader {
				// A non-leader never obtains the writer, so it cannot publish.
				runner := jujutest.NewRunner().Reply("is-leader", "false").Accept("relation-set")
				_, err := juju.NewClient(runner).Leader(ctx)
				require.ErrorIs(t, err, ErrNotLeader)
				assert.Empty(t, runner.CallsTo("relation-set"))
				assert.Empty(t, tc.Steps[0].Bag)
				return
			}

			model := newModel()
			model.RelateAs(routeRel, "requirer", nil)
			client, leader := connect(t, model)
			require.NoError(t, publish(ctx, leader, routeRel, ing))
			assert.Equal(t, tc.Steps[0].Bag, model.Local(routeRel), "after %s", tc.Steps[0].Step)

			for _, step := range tc.Steps[1:] {
				switch step.Step {
				case "wipe_ingress_data":
					require.NoError(t, wipe(ctx, leader, routeRel))
					assert.Equal(t, step.Bag, model.Local(routeRel))
				case "relation_changed":
					model.SetRemote(routeRel, map[string]string{KeyConfig: tc.Args.Config})
					hc := hookCtx(EndpointAuthenticated+"-relation-changed", &routeRel, "requirer")
					app, bag, ok, err := juju.Relations{Reader: client, Hook: hc}.AppBag(ctx, routeRel)
					require.NoError(t, err)
					require.True(t, ok)
					assert.True(t, RequestFromBag(routeRel, app, bag).HasConfig, "config key present = ready, as in the library")

					require.NoError(t, publish(ctx, leader, routeRel, ing))
					got := model.Local(routeRel)
					// Same host as the library; tls_enabled is our real state,
					// not the library's re-read of the wrong bag.
					assert.Equal(t, step.Bag[KeyExternalHost], got[KeyExternalHost])
					assert.Equal(t, FormatBool(tc.Args.TLSEnabled), got[KeyTLSEnabled])
				default:
					t.Fatalf("unknown step %q", step.Step)
				}
			}
		})
	}
}

func TestProviderPublishesRealTLSStateNotTheLibraryBug(t *testing.T) {
	ctx := context.Background()
	model := newModel()
	model.RelateAs(routeRel, "requirer", map[string]string{KeyConfig: `{"model":"m"}`})
	_, leader := connect(t, model)
	require.NoError(t, publish(ctx, leader, routeRel, Ingress{ExternalHost: "ingress.example.com", TLSEnabled: true}))
	assert.Equal(t, map[string]string{KeyExternalHost: "ingress.example.com", KeyTLSEnabled: "True"}, model.Local(routeRel))
}

func TestPublishAndWipeThroughLeader(t *testing.T) {
	ctx := context.Background()
	runner := jujutest.NewRunner().Reply("is-leader", "true").Accept("relation-set")
	leader, err := juju.NewClient(runner).Leader(ctx)
	require.NoError(t, err)

	require.NoError(t, publish(ctx, leader, routeRel, Ingress{ExternalHost: "10.1.2.3"}))
	require.NoError(t, wipe(ctx, leader, routeRel))

	calls := runner.CallsTo("relation-set")
	require.Len(t, calls, 2)
	assert.Equal(t, []string{"-r", "istio-ingress-route:7", "--app", "--file", "-"}, calls[0].Args)
	var published, wiped map[string]string
	require.NoError(t, json.Unmarshal(calls[0].Stdin, &published))
	require.NoError(t, json.Unmarshal(calls[1].Stdin, &wiped))
	assert.Equal(t, map[string]string{KeyExternalHost: "10.1.2.3", KeyTLSEnabled: "False"}, published)
	assert.Equal(t, map[string]string{KeyExternalHost: "", KeyTLSEnabled: ""}, wiped)
}

func TestRequestFromBag(t *testing.T) {
	tests := []struct {
		name      string
		app       string
		bag       map[string]string
		hasConfig bool
		valid     bool
	}{
		{"no bag", "a", map[string]string{}, false, false},
		{"nil bag", "a", nil, false, false},
		{"no remote app", "", map[string]string{KeyConfig: `{"model":"m"}`}, false, false},
		{"empty config", "a", map[string]string{KeyConfig: ""}, false, false},
		{"valid", "a", map[string]string{KeyConfig: `{"model":"m"}`}, true, true},
		{"invalid", "a", map[string]string{KeyConfig: `{"model":1}`}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := RequestFromBag(routeRel, tt.app, tt.bag)
			assert.Equal(t, tt.hasConfig, r.HasConfig)
			assert.Equal(t, tt.valid, r.Valid())
			assert.Equal(t, tt.hasConfig && !tt.valid, r.Err != nil)
		})
	}
}

// publish and wipe write what the charm's publisher writes for a served and
// a refused relation.
func publish(ctx context.Context, w AppBagWriter, rel juju.RelationID, ing Ingress) error {
	return w.RelationSetApp(ctx, rel, ing.Bag())
}

func wipe(ctx context.Context, w AppBagWriter, rel juju.RelationID) error {
	return w.RelationSetApp(ctx, rel, WipedBag())
}
