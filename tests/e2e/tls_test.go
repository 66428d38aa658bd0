package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/state"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/certprovider"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tlscert"
)

var secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

const tlsSecret = app + "-gateway-tls"

// tlsScenario is a served gateway with a certificates provider related.
type tlsScenario struct {
	*scenario
	ca       *certprovider.Provider
	web, api int
	apps     string
	keysSeen map[string]bool // every private key the Secret held
}

// newTLSScenario deploys units of the charm in model, its gateway served at
// lb, with an ingress v2 app "web" and an istio-ingress-route app "api"
// served at apiHost, both in apps; no certificates provider yet.
func newTLSScenario(t *testing.T, model, apps, lb string, units int, apiHost string) *tlsScenario {
	t.Helper()
	s := &tlsScenario{scenario: newScenario(t, model, apps), apps: apps, keysSeen: map[string]bool{}}
	s.provision(t, lb)
	s.deploy(t, units)
	s.web = s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(apps, "web", 8080)})
	s.api = s.relate(t, "istio-ingress-route", jujusim.Remote{App: "api", Units: 1, AppData: routeWithHostname(apps, apiHost)})
	return s
}

// secret returns the gateway's TLS Secret, nil when there is none.
func (s *tlsScenario) secret(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	obj, err := env.Dynamic().Resource(secretsGVR).Namespace(s.model).Get(t.Context(), tlsSecret, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	key := secretData(t, obj, "tls.key")
	s.keysSeen[key] = true
	return obj
}

func secretData(t *testing.T, obj *unstructured.Unstructured, key string) string {
	t.Helper()
	v, ok := nested(t, obj, "data", key).(string)
	require.True(t, ok)
	b, err := base64.StdEncoding.DecodeString(v)
	require.NoError(t, err)
	return string(b)
}

// request is the one CSR the charm has in its application bag.
func (s *tlsScenario) request(t *testing.T) (string, tlscert.Request) {
	t.Helper()
	reqs := s.ca.Requests(t)
	require.Len(t, reqs, 1, "one request, in the application bag only")
	require.NotEmpty(t, s.RelationData(s.ca.RelID, app)[certificates.KeyRequests])
	r, err := tlscert.ParseCSR(reqs[0])
	require.NoError(t, err)
	return reqs[0], r
}

// assertHTTPS checks the gateway serves HTTPS with the Secret, and that a
// Go TLS server using its tls.crt and tls.key completes a handshake, for
// every name, with a client trusting only the provider's root CA.
func (s *tlsScenario) assertHTTPS(t *testing.T, address string, names ...string) {
	t.Helper()
	sec := s.secret(t)
	require.NotNil(t, sec, "the TLS Secret exists")
	assert.Equal(t, "kubernetes.io/tls", sec.Object["type"])
	handshake(t, secretData(t, sec, "tls.crt"), secretData(t, sec, "tls.key"), s.ca.CA.Pool(), names...)

	gw, err := env.Dynamic().Resource(gatewaysGVR).Namespace(s.model).Get(t.Context(), app, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Contains(t, listeners(t, gw), "https-443")
	assert.Equal(t, ingressServed(ingress.URL("https", address, s.apps, "web")), s.RelationData(s.web, app))
	assert.Equal(t, map[string]string{"external_host": address, "tls_enabled": "True"}, s.RelationData(s.api, app))
}

// assertHTTP checks the gateway is back to plain HTTP, its Secret gone.
func (s *tlsScenario) assertHTTP(t *testing.T, address string) {
	t.Helper()
	assert.Nil(t, s.secret(t), "no TLS Secret")
	gw, err := env.Dynamic().Resource(gatewaysGVR).Namespace(s.model).Get(t.Context(), app, metav1.GetOptions{})
	require.NoError(t, err)
	assert.NotContains(t, listeners(t, gw), "https-443")
	assert.Equal(t, ingressServed(ingress.URL("http", address, s.apps, "web")), s.RelationData(s.web, app))
	assert.Equal(t, routeServed(address), s.RelationData(s.api, app))
}

// handshake serves crt/key from a Go TLS server on loopback and dials it
// once per name with a client trusting only pool.
func handshake(t *testing.T, crt, key string, pool *x509.CertPool, names ...string) {
	t.Helper()
	pair, err := tls.X509KeyPair([]byte(crt), []byte(key))
	require.NoError(t, err)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_ = c.(*tls.Conn).Handshake()
			_ = c.Close()
		}
	}()
	for _, name := range names {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: name, MinVersion: tls.VersionTLS12})
		if assert.NoError(t, err, "handshake for %s", name) {
			_ = c.Close()
		}
	}
}

func routeWithHostname(model, host string) map[string]string {
	listener := `{"port":8443,"protocol":"HTTP"}`
	return map[string]string{"config": `{"model":"` + model + `","listeners":[` + listener + `],` +
		`"http_routes":[{"name":"api","listener":` + listener + `,` +
		`"backends":[{"service":"api","port":8080,"weight":null}],"hostnames":["` + host + `"],` +
		`"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/api"},"method":null}]}],"grpc_routes":[]}`}
}

// TestTLS takes the gateway through its certificate's life with a provider
// writing its bag as the v4 library does: request, issue and HTTPS; an
// unchanged hook; a leader change; new names (renewal with the old
// certificate serving meanwhile); a garbage certificate; renewal at the
// recommended time; an expired certificate; a refusal; revocation; and the
// relation's removal. The private key is never anywhere but the Juju
// secret and the Secret.
func TestTLS(t *testing.T) {
	const (
		model  = "e2e-tls"
		apps   = "e2e-tls-apps"
		lb     = "10.0.9.1"
		api    = "api.example.com"
		gwName = "gw.example.com"
	)
	s := newTLSScenario(t, model, apps, lb, 2, api)
	s.assertHTTP(t, lb)

	// Request → issue → HTTPS for the load balancer's address and the
	// route's hostname.
	s.ca = certprovider.New(t, s.Model, "self-signed", true)
	s.ok(t, s.ca.Relate(app, "certificates", nil)...)
	csr, req := s.request(t)
	assert.Equal(t, []string{api, lb}, req.SANs.Names())
	assert.Equal(t, simstate.Status{Status: "waiting", Message: "Waiting for a certificate from self-signed"}, s.status())
	s.assertHTTP(t, lb)
	s.ok(t, s.ca.Answer(t)...)
	s.assertHTTPS(t, lb, lb, api)
	assert.Equal(t, servingAt(lb), s.status())
	sec := s.secret(t)
	tlsCrt := secretData(t, sec, "tls.crt")
	assert.Equal(t, 2, strings.Count(tlsCrt, "BEGIN CERTIFICATE"), "leaf and intermediate, no root")

	// An unchanged hook writes nothing and asks nothing.
	s.ok(t, s.RunHook(s.leader, "update-status"))
	assert.Equal(t, sec.GetResourceVersion(), s.secret(t).GetResourceVersion())
	again, _ := s.request(t)
	assert.Equal(t, csr, again)

	// Leader change: the same key, request and Secret.
	s.ok(t, s.SetLeader(app+"/1")...)
	s.leader = app + "/1"
	again, _ = s.request(t)
	assert.Equal(t, csr, again, "no new request")
	assert.Equal(t, sec.GetResourceVersion(), s.secret(t).GetResourceVersion(), "no Secret rewrite")
	assert.Equal(t, servingAt(lb), s.status())

	// New names: a new request; the old certificate serves meanwhile.
	s.ok(t, s.ConfigSet(app, map[string]any{"external_hostname": gwName})...)
	csr2, req2 := s.request(t)
	assert.NotEqual(t, csr, csr2)
	assert.Equal(t, []string{api, gwName}, req2.SANs.Names())
	assert.Equal(t, tlsCrt, secretData(t, s.secret(t), "tls.crt"), "the old certificate still serves")
	s.ok(t, s.ca.Answer(t)...)
	assert.Len(t, s.ca.Bag(t).Certificates, 1, "the provider dropped the old certificate")
	s.assertHTTPS(t, gwName, gwName, api)
	good := secretData(t, s.secret(t), "tls.crt")

	// Garbage for our request: not served, the last good one keeps serving.
	bad := s.ca.Issue(t, csr2)
	bad.Certificate = "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"
	s.ok(t, s.ca.Put(t, bad)...)
	st := s.status()
	assert.Equal(t, "blocked", st.Status)
	assert.Contains(t, st.Message, "Not serving the certificate from self-signed: it does not parse")
	assert.Equal(t, good, secretData(t, s.secret(t), "tls.crt"))
	s.assertHTTPS(t, gwName, gwName, api)

	// Due for renewal by the provider's recommended time: served, and a
	// new request goes out in the same hook.
	s.ca.Life, s.ca.Notify = 2*time.Hour, new(int64(9000))
	s.ok(t, s.ca.Put(t, s.ca.Issue(t, csr2))...)
	short := secretData(t, s.secret(t), "tls.crt")
	assert.NotEqual(t, good, short, "the renewed-soon certificate serves")
	csr3, _ := s.request(t)
	assert.NotEqual(t, csr2, csr3, "renewal asked for")
	s.ca.Life, s.ca.Notify = 90*24*time.Hour, nil
	s.ok(t, s.ca.Answer(t)...)
	s.assertHTTPS(t, gwName, gwName, api)
	assert.Equal(t, servingAt(gwName), s.status())

	// An expired certificate for our request: never served; the good one
	// stays and a new request goes out.
	serving := secretData(t, s.secret(t), "tls.crt")
	s.ca.Now = func() time.Time { return time.Now().Add(-30 * 24 * time.Hour) }
	s.ca.Life = 24 * time.Hour
	s.ok(t, s.ca.Put(t, s.ca.Issue(t, csr3))...)
	assert.Equal(t, serving, secretData(t, s.secret(t), "tls.crt"))
	csr4, _ := s.request(t)
	assert.NotEqual(t, csr3, csr4)
	s.ca.Now, s.ca.Life = time.Now, 90*24*time.Hour

	// The provider refuses: said in the status; the good one stays.
	s.ok(t, s.ca.Refuse(t, certificates.ProviderError{Code: 102, Name: "domain_not_allowed", Message: "Domain not allowed", Reason: "policy"})...)
	assert.Equal(t, simstate.Status{Status: "blocked", Message: "self-signed refused the certificate request: Domain not allowed (policy)"}, s.status())
	assert.Equal(t, serving, secretData(t, s.secret(t), "tls.crt"))
	s.ok(t, s.ca.Answer(t)...)
	s.assertHTTPS(t, gwName, gwName, api)
	keyBefore := secretData(t, s.secret(t), "tls.key")

	// Revoked: never served (back to HTTP), a new key and request.
	_, reqBefore := s.request(t)
	s.ok(t, s.ca.RevokeAll(t)...)
	s.assertHTTP(t, gwName)
	_, reqAfter := s.request(t)
	assert.False(t, reqAfter.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(reqBefore.Public), "a new key after revocation")
	s.ok(t, s.ca.Answer(t)...)
	s.assertHTTPS(t, gwName, gwName, api)
	assert.NotEqual(t, keyBefore, secretData(t, s.secret(t), "tls.key"))

	// Relation removed: back to HTTP, the Secret deleted.
	s.ok(t, s.Unrelate(s.ca.RelID)...)
	s.assertHTTP(t, gwName)
	assert.Equal(t, servingAt(gwName), s.status())

	s.assertNoErrorLogs(t)
	s.assertKeysNowhere(t)
}

// assertKeysNowhere scans every relation bag, log line, status, hook
// output and unit state file for the private keys the Secret held.
func (s *tlsScenario) assertKeysNowhere(t *testing.T) {
	t.Helper()
	require.NotEmpty(t, s.keysSeen)
	var places []string
	snap := s.Snapshot()
	for _, rel := range snap.Relations {
		for bag, data := range rel.Bags {
			for k, v := range data {
				places = append(places, "bag "+bag+" "+k+"="+v)
			}
		}
	}
	for _, l := range s.Logs() {
		places = append(places, "log "+l.Message)
	}
	for _, u := range snap.Units {
		places = append(places, "status "+u.Status.Message)
	}
	for _, r := range s.runs {
		places = append(places, "output "+r.Stdout+r.Stderr)
	}
	require.NoError(t, filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == state.FileName {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			places = append(places, "state file "+string(b))
		}
		return err
	}))
	for key := range s.keysSeen {
		body := keyBody(key)
		require.NotEmpty(t, body)
		for _, p := range places {
			if strings.Contains(p, body) || strings.Contains(p, "PRIVATE KEY") {
				t.Errorf("a private key in %.80s…", p)
			}
		}
	}
}

// keyBody is a line from the end of a PEM key: its start holds the
// modulus, which the requests and certificates carry too.
func keyBody(pemKey string) string {
	lines := strings.Split(strings.TrimSpace(pemKey), "\n")
	if len(lines) < 4 {
		return ""
	}
	return lines[len(lines)-3]
}

// TestTLSRefreshFromPython: the Python charm served its certificate from
// the Opaque Secret APP-tls-certificate. On the refresh's first hook the
// gateway keeps serving that pair (from the new kubernetes.io/tls Secret,
// written before the Gateway points at it) until its own certificate
// arrives, and the old Secret goes.
func TestTLSRefreshFromPython(t *testing.T) {
	const (
		model = "e2e-tls-refresh"
		apps  = "e2e-tls-refresh-apps"
		lb    = "10.0.9.2"
	)
	s := newTLSScenario(t, model, apps, lb, 1, "api.example.com")
	s.ca = certprovider.New(t, s.Model, "self-signed", false)
	s.ok(t, s.ca.Relate(app, "certificates", nil)...)

	// What the Python leader left: its own key and a certificate for the
	// load balancer's address, leaf only, in an Opaque Secret.
	oldKey, err := tlscert.GenerateKey(rand.Reader)
	require.NoError(t, err)
	oldCSR, err := tlscert.NewCSR(rand.Reader, oldKey, tlscert.NewSANs(lb), lb)
	require.NoError(t, err)
	oldCert := s.ca.Issue(t, oldCSR).Certificate
	legacy := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": app + "-tls-certificate", "namespace": model, "labels": map[string]any{
			resource.LabelInstance: gateway.InstanceLabel(model, app), resource.LabelScope: resource.ScopeGateway}},
		"stringData": map[string]any{"tls.crt": oldCert, "tls.key": oldKey.PEM()},
	}}
	_, err = env.Dynamic().Resource(secretsGVR).Namespace(model).Create(t.Context(), legacy, metav1.CreateOptions{})
	require.NoError(t, err)

	// ... and its units' requests (the Python charm asked per unit).
	uc := s.OpenContext(s.leader)
	require.NoError(t, juju.NewClient(uc).RelationSet(t.Context(), juju.RelationID{Endpoint: "certificates", ID: s.ca.RelID},
		certificates.RequestBag(oldCSR)))
	uc.Close(true)
	require.Len(t, s.ca.Requests(t), 2)

	s.ok(t, s.RunHook(s.leader, "upgrade-charm"))
	s.assertHTTPS(t, lb, lb)
	assert.Empty(t, s.RelationData(s.ca.RelID, s.leader)[certificates.KeyRequests], "the unit's request is withdrawn")
	s.request(t)
	assert.Equal(t, oldCert, secretData(t, s.secret(t), "tls.crt"), "the Python charm's certificate serves until ours arrives")
	_, err = env.Dynamic().Resource(secretsGVR).Namespace(model).Get(t.Context(), app+"-tls-certificate", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the Opaque Secret is gone")

	s.ok(t, s.ca.Answer(t)...)
	s.assertHTTPS(t, lb, lb, "api.example.com")
	assert.NotEqual(t, oldCert, secretData(t, s.secret(t), "tls.crt"))
}
