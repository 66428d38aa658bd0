package ingressroute

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

var ingressRel = juju.RelationID{Endpoint: "ingress", ID: 12}

func tempoConfig() *Config {
	http := Listener{Port: 3200, Protocol: ProtocolHTTP}
	grpc := Listener{Port: 9096, Protocol: ProtocolGRPC}
	get := MethodGet
	method := "GetData"
	return &Config{
		Model:     "tempo",
		Listeners: []Listener{http, grpc},
		HTTPRoutes: []HTTPRoute{{
			Name: "http-route", Listener: http,
			Matches:  []HTTPRouteMatch{{Path: &HTTPPathMatch{Type: PathMatchPathPrefix, Value: "/api"}, Method: &get}},
			Backends: []BackendRef{{Service: "tempo", Port: 3200}},
		}},
		GRPCRoutes: []GRPCRoute{{
			Name: "grpc-route", Listener: grpc,
			Matches:  []GRPCRouteMatch{{Method: &GRPCMethodMatch{Service: "myapp.MyService", Method: &method}}},
			Backends: []BackendRef{{Service: "tempo", Port: 9096}},
		}},
	}
}

// The library docstring example, as the Python requirer writes it
// (valid.json case http_and_grpc).
const tempoWire = `{"model":"tempo","listeners":[{"port":3200,"protocol":"HTTP"},{"port":9096,"protocol":"GRPC"}],"http_routes":[{"name":"http-route","listener":{"port":3200,"protocol":"HTTP"},"backends":[{"service":"tempo","port":3200,"weight":null}],"hostnames":null,"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/api"},"method":"GET"}]}],"grpc_routes":[{"name":"grpc-route","listener":{"port":9096,"protocol":"GRPC"},"backends":[{"service":"tempo","port":9096,"weight":null}],"hostnames":null,"matches":[{"headers":null,"method":{"service":"myapp.MyService","method":"GetData"}}]}]}`

func TestSubmitConfigWritesPythonBytesToEveryRelation(t *testing.T) {
	ctx := context.Background()
	second := juju.RelationID{Endpoint: "ingress", ID: 13}
	model := newModel()
	model.RelateAs(ingressRel, "istio-ingress", nil)
	model.RelateAs(second, "other-ingress", nil)
	client, leader := connect(t, model)

	q := NewRequirer(client, hookCtx("config-changed", nil, ""), "ingress")
	require.NoError(t, q.SubmitConfig(ctx, leader, tempoConfig()))

	assert.Equal(t, map[string]string{KeyConfig: tempoWire}, model.Local(ingressRel))
	assert.Equal(t, map[string]string{KeyConfig: tempoWire}, model.Local(second))
}

func TestSubmitConfigRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("no relation", func(t *testing.T) {
		client, leader := connect(t, newModel())
		err := NewRequirer(client, juju.Context{}, "ingress").SubmitConfig(ctx, leader, tempoConfig())
		assert.ErrorIs(t, err, ErrNoRelation)
	})
	t.Run("invalid config writes nothing", func(t *testing.T) {
		model := newModel()
		model.RelateAs(ingressRel, "istio-ingress", nil)
		runner := model.Runner()
		client, leader := connectWith(t, runner)
		cfg := tempoConfig()
		cfg.HTTPRoutes[0].Backends[0].Port = 0
		err := NewRequirer(client, juju.Context{}, "ingress").SubmitConfig(ctx, leader, cfg)
		require.ErrorIs(t, err, ErrInvalidConfig)
		assert.Contains(t, err.Error(), "http_routes[0].backends[0].port: must be between 1 and 65535")
		assert.Empty(t, runner.CallsTo("relation-set"))
	})
	t.Run("nil config", func(t *testing.T) {
		model := newModel()
		model.RelateAs(ingressRel, "istio-ingress", nil)
		client, leader := connect(t, model)
		err := NewRequirer(client, juju.Context{}, "ingress").SubmitConfig(ctx, leader, nil)
		assert.ErrorIs(t, err, ErrInvalidConfig)
	})
	t.Run("broken relation is not written", func(t *testing.T) {
		model := newModel()
		model.RelateAs(ingressRel, "istio-ingress", nil)
		runner := model.Runner()
		client, leader := connectWith(t, runner)
		hc := hookCtx("ingress-relation-broken", &ingressRel, "istio-ingress")
		err := NewRequirer(client, hc, "ingress").SubmitConfig(ctx, leader, tempoConfig())
		assert.ErrorIs(t, err, ErrNoRelation)
		assert.Empty(t, runner.CallsTo("relation-set"))
	})
}

func TestSubmitConfigAsLeader(t *testing.T) {
	ctx := context.Background()
	newRunner := func(leader string) *jujutest.Runner {
		return jujutest.NewRunner().
			Reply("is-leader", leader).
			Reply("relation-ids", `["ingress:12"]`).
			Accept("relation-set")
	}

	t.Run("non-leader gets ErrNotLeader and writes nothing", func(t *testing.T) {
		runner := newRunner("false")
		client := juju.NewClient(runner)
		err := NewRequirer(client, juju.Context{}, "ingress").SubmitConfigAsLeader(ctx, client, tempoConfig())
		require.ErrorIs(t, err, ErrNotLeader)
		assert.Empty(t, runner.CallsTo("relation-set"))
	})
	t.Run("leader writes the app bag", func(t *testing.T) {
		runner := newRunner("true")
		client := juju.NewClient(runner)
		require.NoError(t, NewRequirer(client, juju.Context{}, "ingress").SubmitConfigAsLeader(ctx, client, tempoConfig()))
		calls := runner.CallsTo("relation-set")
		require.Len(t, calls, 1)
		assert.Equal(t, []string{"-r", "ingress:12", "--app", "--file", "-"}, calls[0].Args)
		var bag map[string]string
		require.NoError(t, json.Unmarshal(calls[0].Stdin, &bag))
		assert.Equal(t, tempoWire, bag[KeyConfig])
	})
}

func TestRequirerIngress(t *testing.T) {
	ctx := context.Background()
	other := juju.RelationID{Endpoint: "ingress", ID: 3}
	tests := []struct {
		name string
		bags map[juju.RelationID]map[string]string
		want Ingress
	}{
		{"not related", nil, Ingress{}},
		{"not served yet", map[juju.RelationID]map[string]string{ingressRel: {}}, Ingress{}},
		{"served with TLS", map[juju.RelationID]map[string]string{
			ingressRel: {KeyExternalHost: "foo.bar", KeyTLSEnabled: "True"},
		}, Ingress{ExternalHost: "foo.bar", TLSEnabled: true}},
		{"only True is true", map[juju.RelationID]map[string]string{
			ingressRel: {KeyExternalHost: "foo.bar", KeyTLSEnabled: "true"},
		}, Ingress{ExternalHost: "foo.bar"}},
		{"first served relation wins", map[juju.RelationID]map[string]string{
			other:      {KeyTLSEnabled: "True"},
			ingressRel: {KeyExternalHost: "10.0.0.1", KeyTLSEnabled: "False"},
		}, Ingress{ExternalHost: "10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := newModel()
			for rel, bag := range tt.bags {
				model.RelateAs(rel, "istio-ingress", bag)
			}
			client, _ := connect(t, model)
			got, err := NewRequirer(client, juju.Context{}, "ingress").Ingress(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRequirerHandle(t *testing.T) {
	ctx := context.Background()
	served := map[string]string{KeyExternalHost: "foo.bar", KeyTLSEnabled: "True"}
	tests := []struct {
		name    string
		hook    string
		rel     *juju.RelationID
		handled bool
		want    string
	}{
		{"created", "ingress-relation-created", &ingressRel, true, "created ingress:12"},
		{"changed", "ingress-relation-changed", &ingressRel, true, "changed ingress:12 https://foo.bar"},
		{"broken", "ingress-relation-broken", &ingressRel, true, "broken ingress:12"},
		{"joined has no handler", "ingress-relation-joined", &ingressRel, true, ""},
		{"other endpoint", "metrics-relation-changed", &juju.RelationID{Endpoint: "metrics", ID: 1}, false, ""},
		{"not a relation hook", "update-status", nil, false, ""},
		{"endpoint prefix is not enough", "ingress-extra-relation-changed",
			&juju.RelationID{Endpoint: "ingress-extra", ID: 2}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := newModel()
			model.RelateAs(ingressRel, "istio-ingress", served)
			client, _ := connect(t, model)
			var got string
			h := Handlers{
				Created: func(_ context.Context, ev Event) error { got = "created " + ev.Relation.String(); return nil },
				Changed: func(_ context.Context, ev Event, ing Ingress) error {
					got = "changed " + ev.Relation.String() + " " + ing.URL()
					return nil
				},
				Broken: func(_ context.Context, ev Event) error { got = "broken " + ev.Relation.String(); return nil },
			}
			handled, err := NewRequirer(client, hookCtx(tt.hook, tt.rel, "istio-ingress"), "ingress").Handle(ctx, h)
			require.NoError(t, err)
			assert.Equal(t, tt.handled, handled)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRequirerHandleReturnsHandlerError(t *testing.T) {
	model := newModel()
	model.RelateAs(ingressRel, "istio-ingress", nil)
	client, _ := connect(t, model)
	boom := errors.New("boom")
	q := NewRequirer(client, hookCtx("ingress-relation-created", &ingressRel, "istio-ingress"), "ingress")
	_, err := q.Handle(context.Background(), Handlers{Created: func(context.Context, Event) error { return boom }})
	assert.ErrorIs(t, err, boom)
}

func TestRequirerIgnoresBrokenRelation(t *testing.T) {
	model := newModel()
	model.RelateAs(ingressRel, "istio-ingress", map[string]string{KeyExternalHost: "foo.bar"})
	client, _ := connect(t, model)
	q := NewRequirer(client, hookCtx("ingress-relation-broken", &ingressRel, "istio-ingress"), "ingress")
	ing, err := q.Ingress(context.Background())
	require.NoError(t, err)
	assert.False(t, ing.Ready())
	related, err := q.IsRelated(context.Background())
	require.NoError(t, err)
	assert.False(t, related)
}

func TestEventFromDispatchPathWhenHookNameUnset(t *testing.T) {
	hc := juju.Context{DispatchPath: "hooks/ingress-relation-changed", Relation: &ingressRel}
	client, _ := connect(t, newModel())
	ev, ok := NewRequirer(client, hc, "ingress").Event()
	require.True(t, ok)
	assert.Equal(t, EventChanged, ev.Kind)
	assert.Equal(t, "relation-changed", ev.Kind.String())
}

// newModel is the in-memory Juju model of unit app/0 of application app,
// its leader.
func newModel() *jujutest.Model { return jujutest.NewModel("app", "m", "") }

// connect returns the hook-tool client and the leader's writer of model.
func connect(t testing.TB, model *jujutest.Model) (*juju.Client, *juju.Leader) {
	t.Helper()
	return connectWith(t, model.Runner())
}

func connectWith(t testing.TB, runner *jujutest.Runner) (*juju.Client, *juju.Leader) {
	t.Helper()
	client := juju.NewClient(runner)
	leader, err := client.Leader(context.Background())
	require.NoError(t, err)
	return client, leader
}

func hookCtx(hook string, rel *juju.RelationID, remoteApp string) juju.Context {
	return juju.Context{Unit: "app/0", App: "app", HookName: hook, DispatchPath: "hooks/" + hook,
		Relation: rel, RemoteApp: remoteApp}
}
