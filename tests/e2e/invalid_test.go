package e2e

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// TestInvalidRouteRequests feeds every request the Python istio_ingress_route
// provider rejects (relation/ingressroute/testdata/invalid.json) to the
// packed charm as a requirer's databag. Each time every hook must exit 0,
// the bad requirer must lose what it was served (its published data wiped,
// its objects deleted) and every other requirer must keep being served with
// its objects untouched.
func TestInvalidRouteRequests(t *testing.T) {
	const (
		model   = "e2e-invalid"
		good    = "invalid-good"
		bad     = "invalid-bad"
		address = "10.0.0.8"
	)
	ctx := t.Context()
	for _, ns := range []string{model, good, bad} {
		require.NoError(t, env.CreateNamespace(ctx, ns))
	}
	require.NoError(t, env.CreateGatewayWorkload(ctx, model, app, 1, 1, address))
	m := jujusim.NewModel(t, jujusim.WithModelName(model),
		jujusim.WithHookEnv(map[string]string{"KUBECONFIG": env.KubeconfigPath()}))
	var all []jujusim.HookRun
	ok := func(runs ...jujusim.HookRun) {
		t.Helper()
		jujusim.RequireOK(t, runs)
		all = append(all, runs...)
	}
	defer func() { logHookCosts(t, all) }()
	leader := app + "/0"
	ok(m.Deploy(app, charm.Packed(t), 1)...)

	web, runs := m.Relate(app, "ingress", jujusim.Remote{
		App: "web", Units: 1, AppData: map[string]string{"model": `"` + good + `"`, "name": `"web"`, "port": `8080`},
	})
	ok(runs...)
	tempo, runs := m.Relate(app, "istio-ingress-route", jujusim.Remote{
		App: "tempo", Units: 1, AppData: map[string]string{"config": validRouteConfig(t, "http_and_grpc", good)},
	})
	ok(runs...)
	// The bad requirer's valid request shares tempo's listener, so the
	// Gateway itself does not change when it turns bad.
	valid := map[string]string{"config": `{"model":"` + bad + `","listeners":[{"port":3200,"protocol":"HTTP"}],` +
		`"http_routes":[{"name":"r","listener":{"port":3200,"protocol":"HTTP"},"backends":[{"service":"bad","port":8080,"weight":null}],` +
		`"hostnames":null,"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/bad"},"method":null}]}],"grpc_routes":[]}`}
	badRel, runs := m.Relate(app, "istio-ingress-route-unauthenticated", jujusim.Remote{App: "bad", Units: 1, AppData: valid})
	ok(runs...)

	serving := simstate.Status{Status: "active", Message: "Serving at " + address}
	served := map[string]string{"external_host": address, "tls_enabled": "False"}
	require.Equal(t, serving, m.UnitStatus(leader))
	require.Equal(t, served, m.RelationData(badRel, app))
	wantWeb := map[string]string{"ingress": `{"url": "` + ingress.URL("http", address, good, "web") + `"}`}
	others := func() map[string]string {
		v := versions(owned(t, model))
		maps.DeleteFunc(v, func(k, _ string) bool { return strings.Contains(k, " "+bad+"/") })
		return v
	}
	baseline := others()
	require.NotEmpty(t, baseline)
	badObjects := func() []string {
		var out []string
		for _, k := range keys(owned(t, model)) {
			if strings.Contains(k, " "+bad+"/") {
				out = append(out, k)
			}
		}
		return out
	}
	require.NotEmpty(t, badObjects(), "the bad requirer is served while its request is valid")

	for _, c := range routeVectors(t, "invalid.json") {
		t.Run(c.Name, func(t *testing.T) {
			ok(m.SetRemoteData(badRel, "bad", map[string]string{"config": c.Input})...)
			assert.Empty(t, m.RelationData(badRel, app), "its published data is wiped")
			assert.Empty(t, badObjects(), "its objects are deleted")
			if c.Input != "" { // an empty value deletes the key: nothing asked, not invalid
				st := m.UnitStatus(leader)
				assert.Equal(t, "blocked", st.Status)
				assert.Contains(t, st.Message, "bad")
			}
			assert.Equal(t, baseline, others(), "every other requirer's objects are untouched")
			assert.Equal(t, wantWeb, m.RelationData(web, app))
			assert.Equal(t, served, m.RelationData(tempo, app))

			// Fixed again: served again.
			ok(m.SetRemoteData(badRel, "bad", valid)...)
			assert.Equal(t, served, m.RelationData(badRel, app))
			assert.NotEmpty(t, badObjects())
			assert.Equal(t, serving, m.UnitStatus(leader))
		})
	}
}
