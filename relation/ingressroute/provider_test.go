package ingressroute

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
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

			model := newFakeModel()
			model.relate(routeRel, "requirer", nil)
			require.NoError(t, Publish(ctx, model, routeRel, ing))
			assert.Equal(t, tc.Steps[0].Bag, model.local(routeRel), "after %s", tc.Steps[0].Step)

			for _, step := range tc.Steps[1:] {
				switch step.Step {
				case "wipe_ingress_data":
					require.NoError(t, Wipe(ctx, model, routeRel))
					assert.Equal(t, step.Bag, model.local(routeRel))
				case "relation_changed":
					model.relate(routeRel, "requirer", map[string]string{KeyConfig: tc.Args.Config})
					hc := hookCtx(EndpointAuthenticated+"-relation-changed", &routeRel, "requirer")
					p := NewProvider(model, hc)
					ev, ok := p.Event()
					require.True(t, ok)
					assert.Equal(t, EventChanged, ev.Kind)
					reqs, err := p.Requests(ctx)
					require.NoError(t, err)
					require.Len(t, reqs, 1)
					assert.True(t, reqs[0].HasConfig, "config key present = ready, as in the library")

					require.NoError(t, Publish(ctx, model, routeRel, ing))
					got := model.local(routeRel)
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
	model := newFakeModel()
	model.relate(routeRel, "requirer", map[string]string{KeyConfig: `{"model":"m"}`})
	require.NoError(t, Publish(ctx, model, routeRel, Ingress{ExternalHost: "ingress.example.com", TLSEnabled: true}))
	assert.Equal(t, map[string]string{KeyExternalHost: "ingress.example.com", KeyTLSEnabled: "True"}, model.local(routeRel))
}

func TestProviderRequests(t *testing.T) {
	ctx := context.Background()
	auth := func(id int) juju.RelationID { return juju.RelationID{Endpoint: EndpointAuthenticated, ID: id} }
	unauth := func(id int) juju.RelationID { return juju.RelationID{Endpoint: EndpointUnauthenticated, ID: id} }
	good := `{"model":"m","listeners":[{"port":80,"protocol":"HTTP"}]}`

	model := newFakeModel()
	model.relate(auth(9), "newer", map[string]string{KeyConfig: good})
	model.relate(unauth(4), "public", map[string]string{KeyConfig: good})
	model.relate(auth(2), "older", map[string]string{KeyConfig: good})
	model.relate(auth(5), "broken-json", map[string]string{KeyConfig: "not json"})
	model.relate(auth(6), "waiting", map[string]string{"other": "x"})
	model.relate(auth(3), "twice", map[string]string{KeyConfig: good})
	model.relate(unauth(8), "twice", map[string]string{KeyConfig: good})

	reqs, err := NewProvider(model, hookCtx("update-status", nil, "")).Requests(ctx)
	require.NoError(t, err)

	var order []int
	for _, r := range reqs {
		order = append(order, r.Relation.ID)
	}
	assert.Equal(t, []int{2, 3, 4, 5, 6, 8, 9}, order, "oldest relation first, across both endpoints")

	byID := map[int]Request{}
	for _, r := range reqs {
		byID[r.Relation.ID] = r
	}
	assert.True(t, byID[2].Valid())
	assert.True(t, byID[2].Authenticated())
	assert.False(t, byID[4].Authenticated(), "unauthenticated endpoint")
	assert.Equal(t, "public", byID[4].App)
	assert.Equal(t, "m", byID[4].Config.Model)

	assert.True(t, byID[5].HasConfig)
	assert.False(t, byID[5].Valid())
	require.ErrorIs(t, byID[5].Err, ErrInvalidConfig)
	assert.NotContains(t, byID[5].Err.Error(), "istio-ingress-route:5", "the request names its relation; the error does not repeat it")

	assert.False(t, byID[6].HasConfig, "no config yet: not ready")
	assert.NoError(t, byID[6].Err)

	assert.Equal(t, byID[3].App, byID[8].App, "same app related twice is two requests")
}

func TestProviderLeavesOutBrokenRelation(t *testing.T) {
	ctx := context.Background()
	gone := juju.RelationID{Endpoint: EndpointUnauthenticated, ID: 3}
	model := newFakeModel()
	model.relate(routeRel, "a", map[string]string{KeyConfig: `{"model":"m"}`})
	model.relate(gone, "b", map[string]string{KeyConfig: `{"model":"m"}`})

	p := NewProvider(model, hookCtx(EndpointUnauthenticated+"-relation-broken", &gone, "b"))
	ev, ok := p.Event()
	require.True(t, ok)
	assert.Equal(t, Event{Kind: EventBroken, Relation: gone, RemoteApp: "b"}, ev)

	reqs, err := p.Requests(ctx)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, routeRel, reqs[0].Relation)
}

func TestProviderSkipsRelationThatVanishes(t *testing.T) {
	ctx := context.Background()
	rel := juju.RelationID{Endpoint: EndpointAuthenticated, ID: 1}
	runner := jujutest.NewRunner().
		Handle("relation-ids", func(args []string, _ []byte) ([]byte, error) {
			if args[0] == EndpointAuthenticated {
				return []byte(`["istio-ingress-route:1","istio-ingress-route:2"]`), nil
			}
			return []byte(`[]`), nil
		}).
		Handle("relation-list", func(args []string, _ []byte) ([]byte, error) {
			if strings.Contains(strings.Join(args, " "), "istio-ingress-route:2") {
				return nil, &juju.ToolError{Tool: "relation-list", Args: args, ExitCode: 2,
					Stderr: "ERROR relation not found\n"}
			}
			return []byte(`"tempo"`), nil
		}).
		Reply("relation-get", `{"config":"{\"model\":\"cos\"}"}`)

	reqs, err := NewProvider(juju.NewClient(runner), juju.Context{}).Requests(ctx)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, Request{Relation: rel, App: "tempo", HasConfig: true,
		Config: &Config{Model: "cos", Listeners: []Listener{}, HTTPRoutes: []HTTPRoute{}, GRPCRoutes: []GRPCRoute{}}}, reqs[0])
	assert.Equal(t, []string{"relation-get", "--format=json", "-r", "istio-ingress-route:1", "--app", "-", "tempo"},
		runner.CallsTo("relation-get")[0].Argv())
}

func TestProviderReadErrorIsReported(t *testing.T) {
	runner := jujutest.NewRunner().Fail("relation-ids", 1, "ERROR connection refused\n")
	_, err := NewProvider(juju.NewClient(runner), juju.Context{}).Requests(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), EndpointAuthenticated)
}

func TestPublishAndWipeThroughLeader(t *testing.T) {
	ctx := context.Background()
	runner := jujutest.NewRunner().Reply("is-leader", "true").Accept("relation-set")
	leader, err := juju.NewClient(runner).Leader(ctx)
	require.NoError(t, err)

	require.NoError(t, Publish(ctx, leader, routeRel, Ingress{ExternalHost: "10.1.2.3"}))
	require.NoError(t, Wipe(ctx, leader, routeRel))

	calls := runner.CallsTo("relation-set")
	require.Len(t, calls, 2)
	assert.Equal(t, []string{"-r", "istio-ingress-route:7", "--app", "--file", "-"}, calls[0].Args)
	var published, wiped map[string]string
	require.NoError(t, json.Unmarshal(calls[0].Stdin, &published))
	require.NoError(t, json.Unmarshal(calls[1].Stdin, &wiped))
	assert.Equal(t, map[string]string{KeyExternalHost: "10.1.2.3", KeyTLSEnabled: "False"}, published)
	assert.Equal(t, map[string]string{KeyExternalHost: "", KeyTLSEnabled: ""}, wiped)
}

func TestWipeOfGoneRelationIsNotAnError(t *testing.T) {
	model := newFakeModel()
	assert.NoError(t, Wipe(context.Background(), model, routeRel))
	err := Publish(context.Background(), model, routeRel, Ingress{ExternalHost: "h"})
	assert.True(t, errors.Is(err, juju.ErrRelationNotFound), "publishing to a gone relation is reported: %v", err)
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
