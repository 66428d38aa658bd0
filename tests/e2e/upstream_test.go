package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/certprovider"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// TestChainedBehindAnotherGateway puts the packed charm behind a second
// deployment of itself (its ingress endpoint is a real ingress v2
// provider), then behind a traefik-like provider: every URL published
// downstream is built on the outer URL, path included, and the charm goes
// back to its own address in the same hook when the outer answer is
// unusable or the relation goes.
func TestChainedBehindAnotherGateway(t *testing.T) {
	const (
		model   = "e2e-upstream"
		apps    = "e2e-upstream-apps"
		outer   = "outer-ingress"
		innerLB = "10.0.7.1"
		outerLB = "10.0.7.2"
	)
	s := newScenario(t, model, apps)
	s.provision(t, innerLB)
	require.NoError(t, env.CreateGatewayWorkload(t.Context(), model, outer, 1, 1, outerLB))
	s.deploy(t, 2)
	s.ok(t, s.Deploy(outer, charm.Packed(t), 1)...)
	web := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(apps, "web", 8080)})
	require.Equal(t, ingressServed(ingress.URL("http", innerLB, apps, "web")), s.RelationData(web, app))

	up, runs := s.RelateApps(app, "upstream-ingress", outer, "ingress")
	s.ok(t, runs...)

	// What this gateway asks, byte for byte as the Python requirer writes it.
	assert.Equal(t, map[string]string{"model": `"` + model + `"`, "name": `"` + app + `"`, "port": "80", "strip-prefix": "true"},
		s.RelationData(up, app))
	for _, u := range s.Units(app) {
		assert.Equal(t, map[string]string{"host": `"` + innerLB + `"`, "ip": `"` + innerLB + `"`}, withoutJujuKeys(s.RelationData(up, u)), u)
	}
	outerURL := ingress.URL("http", outerLB, model, app)
	assert.Equal(t, ingressServed(outerURL), s.RelationData(up, outer), "the outer gateway serves this one")
	assert.Equal(t, ingressServed(ingress.JoinURL("http", outerURL[len("http://"):], "/"+apps+"-web")), s.RelationData(web, app),
		"the requirer is served at the outer URL")
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at " + outerURL}, s.UnitStatus(s.leader))

	// The relation goes: back to this gateway's own address in that hook.
	s.ok(t, s.Unrelate(up)...)
	assert.Equal(t, ingressServed(ingress.URL("http", innerLB, apps, "web")), s.RelationData(web, app))
	assert.Equal(t, servingAt(innerLB), s.UnitStatus(s.leader))

	// A traefik-like provider, with a path and https, as traefik-k8s writes it.
	up = s.relate(t, "upstream-ingress", jujusim.Remote{App: "traefik", Endpoint: "ingress", Units: 1,
		AppData: map[string]string{"ingress": `{"url": "https://traefik.example.com/cos-istio/"}`}})
	assert.Equal(t, ingressServed("https://traefik.example.com/cos-istio/"+apps+"-web"), s.RelationData(web, app))
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at https://traefik.example.com/cos-istio"}, s.UnitStatus(s.leader))

	// An unusable answer is named and ignored: own address again, same hook.
	for _, bad := range []string{`not json`, `{"url": "ftp://x.example.com/"}`, `{"url": 7}`} {
		s.ok(t, s.SetRemoteData(up, "traefik", map[string]string{"ingress": bad})...)
		assert.Equal(t, ingressServed(ingress.URL("http", innerLB, apps, "web")), s.RelationData(web, app), bad)
		st := s.UnitStatus(s.leader)
		assert.Equal(t, "blocked", st.Status, bad)
		assert.Contains(t, st.Message, "Ignoring the upstream-ingress answer of traefik", bad)
	}

	// A good answer again, then the provider withdraws it.
	s.ok(t, s.SetRemoteData(up, "traefik", map[string]string{"ingress": `{"url": "http://traefik.example.com/x"}`})...)
	assert.Equal(t, ingressServed("http://traefik.example.com/x/"+apps+"-web"), s.RelationData(web, app))
	s.ok(t, s.SetRemoteData(up, "traefik", map[string]string{"ingress": ""})...)
	assert.Equal(t, ingressServed(ingress.URL("http", innerLB, apps, "web")), s.RelationData(web, app))
	assert.Equal(t, servingAt(innerLB), s.UnitStatus(s.leader))
}

// withoutJujuKeys drops the keys Juju itself puts in a unit bag.
func withoutJujuKeys(bag map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range bag {
		switch k {
		case "ingress-address", "private-address", "egress-subnets":
		default:
			out[k] = v
		}
	}
	return out
}

// TestUpstreamRequestFollowsTLS: with TLS on, the request to the outer
// ingress asks for port 443 and scheme https, as the Python requirer does;
// once the certificate relation goes, port 80 and no scheme again.
func TestUpstreamRequestFollowsTLS(t *testing.T) {
	const (
		model = "e2e-upstream-tls"
		apps  = "e2e-upstream-tls-apps"
		lb    = "10.0.7.9"
	)
	s := newScenario(t, model, apps)
	s.provision(t, lb)
	s.deploy(t, 1)
	web := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(apps, "web", 8080)})
	up := s.relate(t, "upstream-ingress", jujusim.Remote{App: "traefik", Endpoint: "ingress", Units: 1,
		AppData: map[string]string{"ingress": `{"url": "https://traefik.example.com/outer"}`}})
	plain := map[string]string{"model": `"` + model + `"`, "name": `"` + app + `"`, "port": "80", "strip-prefix": "true"}
	assert.Equal(t, plain, s.RelationData(up, app))

	ca := certprovider.New(t, s.Model, "self-signed", false)
	s.ok(t, ca.Relate(app, "certificates", nil)...)
	s.ok(t, ca.Answer(t)...)
	assert.Equal(t, map[string]string{"model": `"` + model + `"`, "name": `"` + app + `"`, "port": "443", "strip-prefix": "true", "scheme": `"https"`},
		s.RelationData(up, app), "TLS on: the outer ingress is asked for HTTPS on 443")
	assert.Equal(t, ingressServed("https://traefik.example.com/outer/"+apps+"-web"), s.RelationData(web, app),
		"requirers are served at the outer URL either way")

	s.ok(t, s.Unrelate(ca.RelID)...)
	assert.Equal(t, plain, s.RelationData(up, app), "TLS off again")
}
