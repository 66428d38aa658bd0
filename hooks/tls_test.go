package hooks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
	"github.com/canonical/istio-ingress-k8s-go/state"
	"github.com/canonical/istio-ingress-k8s-go/tlscert/tlscerttest"
)

// TestTLSKeyStaysInItsSecret follows the key from its making to the
// served Secret: it reaches Juju only as a 0600 file named on secret-add's
// command line, never as an argument, on a tool's stdin, in a bag, the
// state file or the log; and a hook where nothing changed reads no secret.
func TestTLSKeyStaysInItsSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "tls-key")
	h.serveGateway("10.7.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	var runs []*jujutest.Runner
	rel := h.juju.Relate("certificates", "ca", nil)
	runs = append(runs, h.relationHook("changed", rel))

	reqs, err := certificates.ParseRequests(h.juju.Local(rel))
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	require.Len(t, runs[0].CallsTo("secret-add"), 1)
	assert.Empty(t, runs[0].CallsTo("secret-info-get"), "secret-get has just said there is no key")
	assert.Equal(t, []os.FileMode{0o600}, h.juju.SecretFileModes())

	ca, err := tlscerttest.NewCA("ca", time.Now(), true)
	require.NoError(t, err)
	leaf, err := ca.Sign(reqs[0].CSR, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	require.NoError(t, err)
	h.juju.SetRemote(rel, certificates.Provider{Certificates: []certificates.Certificate{
		{CA: ca.CAPEM(), CSR: reqs[0].CSR, Certificate: leaf, Chain: ca.Chain(leaf)},
	}}.Bag())
	runs = append(runs, h.relationHook("changed", rel))
	require.NotEmpty(t, runs[1].CallsTo("secret-get"), "a new pair needs the key")

	secret, err := h.env.Dynamic().Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).
		Namespace(h.ns).Get(h.ctx, h.app+"-gateway-tls", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "kubernetes.io/tls", secret.Object["type"])

	quiet := h.dispatch("update-status")
	runs = append(runs, quiet)
	assert.Empty(t, quiet.CallsTo("secret-get"), "nothing changed: no secret read")
	assert.Empty(t, quiet.CallsTo("relation-set"))

	key := h.juju.SecretContent("istio-ingress-gateway-tls-key")["private-key"]
	require.Contains(t, key, "PRIVATE KEY")
	// A line from the end of the key: its start holds the modulus, which
	// the request carries too.
	lines := strings.Split(strings.TrimSpace(key), "\n")
	body := lines[len(lines)-3]
	stateFile, err := os.ReadFile(filepath.Join(h.juju.CharmDir(), state.FileName))
	require.NoError(t, err)
	places := []string{h.logs.String(), string(stateFile)}
	for _, r := range runs {
		for _, c := range r.Calls() {
			places = append(places, strings.Join(c.Argv(), " "), string(c.Stdin))
		}
	}
	for _, id := range []juju.RelationID{rel, blog} {
		for k, v := range h.juju.Local(id) {
			places = append(places, k+"="+v)
		}
	}
	for _, p := range places {
		assert.NotContains(t, p, "PRIVATE KEY")
		assert.NotContains(t, p, body)
	}
	var adds []string
	for _, c := range runs[0].CallsTo("secret-add") {
		adds = append(adds, c.Args...)
	}
	assert.Contains(t, strings.Join(adds, " "), "private-key#file=")
}
