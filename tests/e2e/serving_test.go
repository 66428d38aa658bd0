package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// servingModels are the Juju models (namespaces) of TestServing: the
// charm's own and its requirers'. No other test uses them.
const (
	servingModel = "e2e-serving"
	shopModel    = "serving-shop"
	cosModel     = "serving-cos"
	tempoModel   = "serving-tempo"
	lbAddress    = "10.0.0.7"
)

// pythonIngressRequirers are ingress v2 requirers' bags exactly as the Python
// traefik ingress v2 library writes them: every value through json.dumps,
// fields at their default left out.
var pythonIngressRequirers = []struct {
	endpoint string
	remote   jujusim.Remote
}{
	{"ingress", jujusim.Remote{
		App: "web", Units: 1,
		AppData: map[string]string{"model": `"` + shopModel + `"`, "name": `"web"`, "port": `8080`},
		UnitData: map[string]map[string]string{"web/0": {
			"host": `"web-0.web-endpoints.` + shopModel + `.svc.cluster.local"`, "ip": `"10.1.0.10"`,
		}},
	}},
	{"ingress", jujusim.Remote{
		App: "api", Units: 2,
		AppData: map[string]string{"model": `"` + shopModel + `"`, "name": `"api"`, "port": `9000`, "strip-prefix": `true`},
		UnitData: map[string]map[string]string{
			"api/0": {"host": `"api-0.api-endpoints.` + shopModel + `.svc.cluster.local"`, "ip": `"10.1.0.11"`},
			"api/1": {"host": `"api-1.api-endpoints.` + shopModel + `.svc.cluster.local"`, "ip": `"10.1.0.12"`},
		},
	}},
	{"ingress-unauthenticated", jujusim.Remote{
		App: "grafana", Units: 1,
		AppData: map[string]string{"model": `"` + cosModel + `"`, "name": `"grafana"`, "port": `3000`},
		UnitData: map[string]map[string]string{"grafana/0": {
			"host": `"grafana-0.grafana-endpoints.` + cosModel + `.svc.cluster.local"`, "ip": `"10.1.0.13"`,
		}},
	}},
}

// suffix is what every route and policy name of this charm ends with.
const suffix = "-" + app

// servingObjects is everything the charm must hold in the cluster for the
// requirers of TestServing, keyed like owned().
func servingObjects() []string {
	l4 := func(service, ns string) string {
		return objectKey("AuthorizationPolicy", ns, service+suffix+"-"+ns+"-l4")
	}
	return []string{
		// The gateway itself, its autoscaler and who may reach it.
		objectKey("Gateway", servingModel, app),
		objectKey("HorizontalPodAutoscaler", servingModel, app),
		objectKey("AuthorizationPolicy", servingModel, app+"-"+servingModel+"-external-traffic"),
		// ingress v2: one route on the default listener and one L4 policy each.
		objectKey("HTTPRoute", shopModel, "web-httproute-http-80"+suffix),
		objectKey("HTTPRoute", shopModel, "api-httproute-http-80"+suffix),
		objectKey("HTTPRoute", cosModel, "grafana-httproute-http-80"+suffix),
		l4("web", shopModel), l4("api", shopModel), l4("grafana", cosModel),
		// tempo: HTTP 3200 and gRPC 9096.
		objectKey("HTTPRoute", tempoModel, "tempo-http-route-httproute-http-3200"+suffix),
		objectKey("GRPCRoute", tempoModel, "tempo-grpc-route-grpcroute-http-9096"+suffix),
		objectKey("DestinationRule", tempoModel, "tempo-grpc-dest-rule"+suffix),
		l4("tempo", tempoModel),
		// otel: two HTTP routes (80, 8080) and two gRPC routes (4317).
		objectKey("HTTPRoute", cosModel, "otel-ui-httproute-http-80"+suffix),
		objectKey("HTTPRoute", cosModel, "otel-api-httproute-http-8080"+suffix),
		objectKey("GRPCRoute", cosModel, "otel-otlp-grpcroute-http-4317"+suffix),
		objectKey("GRPCRoute", cosModel, "otel-otlp-all-grpcroute-http-4317"+suffix),
		objectKey("DestinationRule", cosModel, "otel-grpc-dest-rule"+suffix),
		l4("ui", cosModel), l4("api-v1", cosModel), l4("api-v2", cosModel), l4("otel", cosModel),
	}
}

func without(all []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(k string) bool { return slices.Contains(drop, k) })
}

// TestServing runs the packed charm through a realistic life: three ingress
// v2 requirers and two istio-ingress-route requirers (one Tempo-like with
// HTTP and gRPC), Istio provisioning the gateway, a conflicting newcomer,
// unrelating, external_hostname valid and invalid, scaling with a leader
// change, and removal. Everything is checked in the API server and the
// databags; every hook must exit 0.
func TestServing(t *testing.T) {
	s := newScenario(t, servingModel, shopModel, cosModel, tempoModel)
	m := s.Model
	serving := servingAt(lbAddress)

	s.deploy(t, 1)

	// Relate every requirer before Istio has provisioned the gateway.
	rels := map[string]int{}
	for _, r := range pythonIngressRequirers {
		rels[r.remote.App] = s.relate(t, r.endpoint, r.remote)
	}
	tempoConfig := validRouteConfig(t, "http_and_grpc", tempoModel)
	rels["tempo"] = s.relate(t, "istio-ingress-route", jujusim.Remote{
		App: "tempo", Units: 1, AppData: map[string]string{"config": tempoConfig},
	})
	rels["otel"] = s.relate(t, "istio-ingress-route-unauthenticated", jujusim.Remote{
		App: "otel", Units: 1, AppData: map[string]string{"config": validRouteConfig(t, "multi_listeners_multi_routes", cosModel)},
	})
	// A service mesh asking which gateway serves the model.
	mesh := s.relate(t, "gateway-metadata", jujusim.Remote{App: "mesh", Units: 1})

	st := s.status()
	assert.Equal(t, "waiting", st.Status)
	assert.Contains(t, st.Message, "Waiting for the gateway")
	for name, rel := range rels {
		assert.Empty(t, m.RelationData(rel, app), "%s: nothing published before the gateway has an address", name)
	}
	assert.Empty(t, m.RelationData(mesh, app), "no gateway metadata before the gateway serves")

	// Istio provisions the gateway: the Service gets its address and the
	// Deployment is ready. The next hook serves everyone.
	s.provision(t, lbAddress)
	s.ok(t, m.RunHook(s.leader, "update-status"))
	require.Equal(t, serving, s.status())
	assertPublished(t, m, rels, lbAddress, "web", "api", "grafana", "tempo", "otel")
	wantMetadata := map[string]string{"metadata": `{"namespace":"` + servingModel + `","gateway_name":"` + app + `",` +
		`"deployment_name":"` + app + `-istio","service_account":"` + app + `-istio"}`}
	assertMetadata(t, wantMetadata, m.RelationData(mesh, app))
	objs := owned(t, servingModel)
	require.ElementsMatch(t, servingObjects(), keys(objs))

	gw := objs[objectKey("Gateway", servingModel, app)]
	assert.Equal(t, map[string]string{"http-80": "", "http-3200": "", "http-9096": "", "http-8080": "", "http-4317": ""},
		listeners(t, gw), "one listener per requested port; no hostname while external_hostname is unset")
	assertHPA(t, objs, 1)
	assert.Equal(t, []string{"web:8080"}, backendPorts(t, objs[objectKey("HTTPRoute", shopModel, "web-httproute-http-80"+suffix)]))
	assert.Equal(t, []string{"tempo:3200"}, backendPorts(t, objs[objectKey("HTTPRoute", tempoModel, "tempo-http-route-httproute-http-3200"+suffix)]))
	assert.Equal(t, []string{"tempo:9096"}, backendPorts(t, objs[objectKey("GRPCRoute", tempoModel, "tempo-grpc-route-grpcroute-http-9096"+suffix)]))
	assert.Equal(t, "tempo."+tempoModel+".svc.cluster.local",
		nested(t, objs[objectKey("DestinationRule", tempoModel, "tempo-grpc-dest-rule"+suffix)], "spec", "host"))
	assert.Equal(t, []string{"api-v1:8080", "api-v2:8080"}, backendPorts(t, objs[objectKey("HTTPRoute", cosModel, "otel-api-httproute-http-8080"+suffix)]))

	t.Run("a conflicting newcomer is refused while the incumbent keeps serving", func(t *testing.T) {
		tempoObjects := tempoVersions(t)
		// First a newcomer on tempo's listeners with its own matches: served.
		own := strings.NewReplacer(`"/api"`, `"/next"`, `"GetData"`, `"GetNext"`, `"service":"tempo"`, `"service":"tempo-next"`)
		clash := strings.NewReplacer(`"service":"tempo"`, `"service":"tempo-next"`)
		newcomer := s.relate(t, "istio-ingress-route", jujusim.Remote{
			App: "tempo-next", Units: 1, AppData: map[string]string{"config": own.Replace(tempoConfig)},
		})
		assert.Equal(t, routeServed(lbAddress), m.RelationData(newcomer, app))
		assert.Contains(t, keys(owned(t, servingModel)), objectKey("HTTPRoute", tempoModel, "tempo-next-http-route-httproute-http-3200"+suffix))
		assert.Equal(t, serving, s.status())

		// Then it asks for exactly tempo's matches: refused, its data
		// wiped, its objects gone, and the status names it and the listener.
		s.ok(t, m.SetRemoteData(newcomer, "tempo-next", map[string]string{"config": clash.Replace(tempoConfig)})...)
		assert.Empty(t, m.RelationData(newcomer, app), "the refused newcomer's published data is wiped")
		assert.ElementsMatch(t, servingObjects(), keys(owned(t, servingModel)), "nothing of the newcomer is left")
		st := s.status()
		assert.Equal(t, "blocked", st.Status)
		assert.Contains(t, st.Message, "tempo-next")
		assert.Contains(t, st.Message, "http-3200")
		assert.Equal(t, tempoObjects, tempoVersions(t), "the incumbent's objects are untouched")
		assertPublished(t, m, rels, lbAddress, "tempo")

		// Unrelating the newcomer clears the status.
		s.ok(t, m.Unrelate(newcomer)...)
		assert.Equal(t, serving, s.status())
		assert.Equal(t, tempoObjects, tempoVersions(t))
	})

	t.Run("unrelate removes the app's objects", func(t *testing.T) {
		s.ok(t, m.Unrelate(rels["grafana"])...)
		delete(rels, "grafana")
		grafana := []string{
			objectKey("HTTPRoute", cosModel, "grafana-httproute-http-80"+suffix),
			objectKey("AuthorizationPolicy", cosModel, "grafana"+suffix+"-"+cosModel+"-l4"),
		}
		assert.ElementsMatch(t, without(servingObjects(), grafana...), keys(owned(t, servingModel)))
		assertPublished(t, m, rels, lbAddress, "web", "api", "tempo", "otel")
		assert.Equal(t, serving, s.status())
	})
	expected := without(servingObjects(),
		objectKey("HTTPRoute", cosModel, "grafana-httproute-http-80"+suffix),
		objectKey("AuthorizationPolicy", cosModel, "grafana"+suffix+"-"+cosModel+"-l4"))

	t.Run("external_hostname", func(t *testing.T) {
		const host = "apps.example.com"
		s.ok(t, m.ConfigSet(app, map[string]any{"external_hostname": host})...)
		assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at " + host}, s.status())
		assertPublished(t, m, rels, host, "web", "api", "tempo", "otel")
		objs := owned(t, servingModel)
		assert.Equal(t, host, listeners(t, objs[objectKey("Gateway", servingModel, app)])["http-80"],
			"the default listener is bound to the hostname")

		const invalid = "-not_a.valid-hostname-"
		s.ok(t, m.ConfigSet(app, map[string]any{"external_hostname": invalid})...)
		assert.Equal(t, simstate.Status{Status: "blocked", Message: "Invalid hostname provided, Please ensure this adheres to RFC 1123."},
			s.status())
		objs = owned(t, servingModel)
		assert.ElementsMatch(t, expected, keys(objs), "routes stay in place")
		// With no valid address the charm has nothing new to publish; it
		// keeps the last URLs rather than take every requirer down.
		assertPublished(t, m, rels, host, "web", "api", "tempo", "otel")
		assertMetadata(t, wantMetadata, m.RelationData(mesh, app))
		gw := listeners(t, objs[objectKey("Gateway", servingModel, app)])
		assert.Equal(t, map[string]string{"http-80": "", "http-3200": "", "http-9096": "", "http-8080": "", "http-4317": ""}, gw,
			"no listener is bound to a hostname, least of all the invalid one")
		assert.NotContains(t, slices.Collect(maps.Values(gw)), invalid)

		s.ok(t, m.ConfigSet(app, map[string]any{"external_hostname": nil})...)
		assert.Equal(t, serving, s.status())
		assertPublished(t, m, rels, lbAddress, "web", "api", "tempo", "otel")
		assert.Empty(t, listeners(t, owned(t, servingModel)[objectKey("Gateway", servingModel, app)])["http-80"])
	})

	t.Run("scale 1 to 3 to 1 with a leader change", func(t *testing.T) {
		old := s.leader
		standbyStatus := simstate.Status{Status: "active", Message: standby}
		u1, runs := m.AddUnit(app)
		s.ok(t, runs...)
		u2, runs := m.AddUnit(app)
		s.ok(t, runs...)
		assertHPA(t, owned(t, servingModel), 3)
		assert.Equal(t, standbyStatus, m.UnitStatus(u1))
		assert.Equal(t, standbyStatus, m.UnitStatus(u2))

		// Leadership moves to u1: it serves, the old leader stands by.
		s.ok(t, m.SetLeader(u1)...)
		assert.Equal(t, serving, m.UnitStatus(u1))
		s.ok(t, m.RunHook(old, "update-status"))
		assert.Equal(t, standbyStatus, m.UnitStatus(old))
		assertPublished(t, m, rels, lbAddress, "web", "api", "tempo", "otel")
		assertMetadata(t, wantMetadata, m.RelationData(mesh, app))

		// The new leader acts on a requirer's change.
		s.ok(t, m.SetRemoteData(rels["web"], "web", map[string]string{"port": `8081`})...)
		assert.Equal(t, []string{"web:8081"},
			backendPorts(t, owned(t, servingModel)[objectKey("HTTPRoute", shopModel, "web-httproute-http-80"+suffix)]))

		s.ok(t, m.RemoveUnit(old)...)
		s.ok(t, m.RemoveUnit(u2)...)
		assertHPA(t, owned(t, servingModel), 1)
		assert.Equal(t, serving, m.UnitStatus(u1))
		assert.ElementsMatch(t, expected, keys(owned(t, servingModel)))
		s.leader = u1
	})

	t.Run("remove leaves nothing of ours in the cluster", func(t *testing.T) {
		s.ok(t, m.RemoveApp(app)...)
		assert.Empty(t, keys(owned(t, servingModel)))
	})
}

// assertPublished checks each named requirer's relation holds this charm's
// published address: an ingress v2 URL or an istio-ingress-route host.
func assertPublished(t *testing.T, m *jujusim.Model, rels map[string]int, address string, apps ...string) {
	t.Helper()
	urls := map[string]string{
		"web": ingress.URL("http", address, shopModel, "web"),
		"api": ingress.URL("http", address, shopModel, "api"),
		// grafana relates on ingress-unauthenticated: same URL shape.
		"grafana": ingress.URL("http", address, cosModel, "grafana"),
	}
	for _, a := range apps {
		bag := m.RelationData(rels[a], app)
		if want, isIngress := urls[a]; isIngress {
			got, err := ingress.ReadURL(bag)
			if assert.NoError(t, err, a) {
				assert.Equal(t, want, got, a)
			}
			assert.Equal(t, fmt.Sprintf(`{"url": "%s"}`, want), bag["ingress"], "%s: written as the Python provider does", a)
			continue
		}
		assert.Equal(t, map[string]string{"external_host": address, "tls_enabled": "False"}, bag, a)
	}
}

// assertMetadata checks a gateway-metadata relation holds exactly want,
// comparing the metadata value as JSON.
func assertMetadata(t *testing.T, want, got map[string]string) {
	t.Helper()
	if assert.Equal(t, slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got))) {
		assert.JSONEq(t, want["metadata"], got["metadata"])
	}
}

// assertHPA checks the gateway's autoscaler pins the replicas to units.
func assertHPA(t *testing.T, objs map[string]*unstructured.Unstructured, units int64) {
	t.Helper()
	hpa := objs[objectKey("HorizontalPodAutoscaler", servingModel, app)]
	require.NotNil(t, hpa, "no HPA among %v", keys(objs))
	assert.Equal(t, units, nested(t, hpa, "spec", "minReplicas"), "minReplicas")
	assert.Equal(t, units, nested(t, hpa, "spec", "maxReplicas"), "maxReplicas")
}

// tempoVersions are the resourceVersions of tempo's objects.
func tempoVersions(t *testing.T) map[string]string {
	t.Helper()
	out := versions(owned(t, servingModel))
	maps.DeleteFunc(out, func(k string, _ string) bool { return !strings.Contains(k, tempoModel+"/tempo-") })
	require.Len(t, out, 4)
	return out
}
