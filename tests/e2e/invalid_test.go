package e2e

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
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
	s := newScenario(t, model, good, bad)
	s.provision(t, address)
	s.deploy(t, 1)
	neighbours := s.relateNeighbours(t, good)
	// The bad requirer's valid request shares tempo's listener, so the
	// Gateway's listeners do not change when it turns bad (only the
	// namespaces they admit routes from).
	valid := httpRouteConfig(bad, "r", "bad", 3200, "/bad")
	badRel := s.relate(t, "istio-ingress-route-unauthenticated", jujusim.Remote{App: "bad", Units: 1, AppData: valid})

	served := routeServed(address)
	require.Equal(t, servingAt(address), s.status())
	require.Equal(t, served, s.RelationData(badRel, app))
	gatewayKey := objectKey("Gateway", model, app)
	gatewayListeners := func() map[string]string { return listeners(t, owned(t, model)[gatewayKey]) }
	baseListeners := gatewayListeners()
	others := func() map[string]string {
		v := versions(owned(t, model))
		maps.DeleteFunc(v, func(k, _ string) bool { return strings.Contains(k, " "+bad+"/") || k == gatewayKey })
		return v
	}
	baseline := others()
	require.NotEmpty(t, baseline)
	badObjects := func() []string { return inNamespace(keys(owned(t, model)), bad) }
	require.NotEmpty(t, badObjects(), "the bad requirer is served while its request is valid")

	for _, c := range routeVectors(t, "invalid.json") {
		t.Run(c.Name, func(t *testing.T) {
			s.ok(t, s.SetRemoteData(badRel, "bad", map[string]string{"config": c.Input})...)
			assert.Empty(t, s.RelationData(badRel, app), "its published data is wiped")
			assert.Empty(t, badObjects(), "its objects are deleted")
			if c.Input != "" { // an empty value deletes the key: nothing asked, not invalid
				st := s.status()
				assert.Equal(t, "blocked", st.Status)
				assert.Contains(t, st.Message, "bad")
			}
			assert.Equal(t, baseline, others(), "every other requirer's objects are untouched")
			assert.Equal(t, baseListeners, gatewayListeners())
			neighbours.assertServed(t, s, address)

			// Fixed again: served again.
			s.ok(t, s.SetRemoteData(badRel, "bad", valid)...)
			assert.Equal(t, served, s.RelationData(badRel, app))
			assert.NotEmpty(t, badObjects())
			assert.Equal(t, servingAt(address), s.status())
		})
	}
}

// deleteKey in a bag change removes the key from the requirer's bag.
const deleteKey = "<delete>"

// TestInvalidIngressRequests relates every invalid ingress v2 bag through
// the packed charm's ingress endpoint, one application each, next to a valid
// ingress v2 requirer and a valid istio-ingress-route requirer. Every hook
// must exit 0; the invalid requirers get no URL and no objects and the
// status names each of them; the valid ones stay served with their objects
// untouched. A bad requirer that fixes its bag is served.
func TestInvalidIngressRequests(t *testing.T) {
	const (
		model   = "e2e-invalid-v2"
		good    = "invalid-v2-good"
		bad     = "invalid-v2-bad"
		address = "10.0.0.9"
	)
	// invalidBags are ingress v2 app bags the charm must not serve: every
	// bag relation/ingress's parser rejects, plus names Kubernetes could not
	// hold. Each is a change to a valid bag (model bad, name = the app, port
	// 8080), so a bag the charm wrongly accepted would be served in a
	// namespace that exists and show up in the cluster.
	invalidBags := []struct {
		app    string
		change map[string]string
		// pending: the bag holds none of model, name and port, so the requirer
		// has not asked yet; it is not served but not reported as invalid.
		pending bool
	}{
		{app: "empty-bag", change: map[string]string{"model": deleteKey, "name": deleteKey, "port": deleteKey}, pending: true},
		{app: "no-model", change: map[string]string{"model": deleteKey}},
		{app: "no-name", change: map[string]string{"name": deleteKey}},
		{app: "no-port", change: map[string]string{"port": deleteKey}},
		{app: "model-raw", change: map[string]string{"model": bad}}, // not JSON
		{app: "model-number", change: map[string]string{"model": "42"}},
		{app: "model-null", change: map[string]string{"model": "null"}},
		{app: "name-empty", change: map[string]string{"name": `""`}},
		{app: "port-zero", change: map[string]string{"port": "0"}},
		{app: "port-negative", change: map[string]string{"port": "-80"}},
		{app: "port-high", change: map[string]string{"port": "65536"}},
		{app: "port-huge", change: map[string]string{"port": "99999999999999999999999"}},
		{app: "port-float", change: map[string]string{"port": "8080.0"}},
		{app: "port-exponent", change: map[string]string{"port": "8e3"}},
		{app: "port-string", change: map[string]string{"port": `"8080"`}},
		{app: "port-bool", change: map[string]string{"port": "true"}},
		{app: "port-garbage", change: map[string]string{"port": "8080 8081"}},
		{app: "scheme-ftp", change: map[string]string{"scheme": `"ftp"`}},
		{app: "scheme-upper", change: map[string]string{"scheme": `"HTTPS"`}},
		{app: "scheme-null", change: map[string]string{"scheme": "null"}},
		{app: "strip-maybe", change: map[string]string{"strip-prefix": `"maybe"`}},
		{app: "strip-two", change: map[string]string{"strip-prefix": "2"}},
		{app: "redirect-list", change: map[string]string{"redirect-https": "[]"}},
		{app: "check-string", change: map[string]string{"healthcheck_params": `"/health"`}},
		{app: "check-no-path", change: map[string]string{"healthcheck_params": `{"interval": "10s"}`}},
		{app: "check-path-number", change: map[string]string{"healthcheck_params": `{"path": 1}`}},
		{app: "check-null-interval", change: map[string]string{"healthcheck_params": `{"path": "/", "interval": null}`}},
		{app: "check-port-float", change: map[string]string{"healthcheck_params": `{"path": "/", "port": 1.5}`}},
		{app: "check-port-word", change: map[string]string{"healthcheck_params": `{"path": "/", "port": "http"}`}},
		{app: "model-bad-name", change: map[string]string{"model": `"Not_A_Namespace"`}},
		{app: "name-bad-name", change: map[string]string{"name": `"Not_A_Service"`}},
	}
	s := newScenario(t, model, good, bad)
	s.provision(t, address)
	s.deploy(t, 1)
	neighbours := s.relateNeighbours(t, good)
	require.Equal(t, servingAt(address), s.status())
	neighbours.assertServed(t, s, address)
	baseline := versions(owned(t, model))
	require.ElementsMatch(t, neighbours.objects(), inNamespace(keys(owned(t, model)), good))

	rels := map[string]int{}
	var invalid []string
	for _, c := range invalidBags {
		t.Run(c.app, func(t *testing.T) {
			bag := ingressApp(bad, c.app, 8080)
			for k, v := range c.change {
				if v == deleteKey {
					delete(bag, k)
				} else {
					bag[k] = v
				}
			}
			rels[c.app] = s.relate(t, "ingress", jujusim.Remote{App: c.app, Units: 1, AppData: bag})
			if !c.pending {
				invalid = append(invalid, c.app)
			}

			assert.Empty(t, s.RelationData(rels[c.app], app), "no URL published")
			assert.Equal(t, baseline, versions(owned(t, model)), "no object created for it, none rewritten")
			neighbours.assertServed(t, s, address)
			if len(invalid) == 0 {
				assert.Equal(t, servingAt(address), s.status(), "a requirer that has not asked is not a problem")
				return
			}
			st := s.status()
			assert.Equal(t, "blocked", st.Status)
			assert.ElementsMatch(t, invalid, invalidApps(t, st.Message), "the status names every invalid requirer")
		})
	}
	require.Len(t, invalid, len(invalidBags)-1)

	t.Run("a fixed bag is served", func(t *testing.T) {
		s.ok(t, s.SetRemoteData(rels["port-zero"], "port-zero", map[string]string{"port": "8081"})...)
		assert.Equal(t, ingressServed(ingress.URL("http", address, bad, "port-zero")), s.RelationData(rels["port-zero"], app))
		route := owned(t, model)[objectKey("HTTPRoute", bad, "port-zero-httproute-http-80"+suffix)]
		require.NotNil(t, route, "its route is applied")
		assert.Equal(t, []string{"port-zero:8081"}, backendPorts(t, route))
		assert.ElementsMatch(t, without(invalid, "port-zero"), invalidApps(t, s.status().Message))
		neighbours.assertServed(t, s, address)
	})
	s.assertNoErrorLogs(t)
}

// invalidApps returns the applications a status message reports as having
// sent an invalid request.
func invalidApps(t testing.TB, msg string) []string {
	t.Helper()
	list, found := strings.CutPrefix(msg, "Invalid request from: ")
	require.True(t, found, "status %q does not report invalid requests", msg)
	return strings.Split(list, ", ")
}
