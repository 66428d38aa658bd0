package hooks

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/tlscert"
	"github.com/canonical/istio-ingress-k8s-go/tlscert/tlscerttest"
)

// While the provider leaves a request for new names unanswered, nothing
// renews the certificate served: once it is due the unit says so, with
// the date HTTPS would stop, long before it does.
func TestUnansweredRequestWarnsBeforeTheServedCertificateExpires(t *testing.T) {
	t.Parallel()
	issuedAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := tlscerttest.NewCA("test CA", issuedAt, false)
	require.NoError(t, err)
	key, err := tlscert.GenerateKey(rand.Reader)
	require.NoError(t, err)
	old := tlscert.NewSANs("gw.example.com")
	csr, err := tlscert.NewCSR(rand.Reader, key, old, "gw.example.com")
	require.NoError(t, err)
	leaf, err := ca.Sign(csr, issuedAt, issuedAt.Add(90*24*time.Hour))
	require.NoError(t, err)
	served, err := tlscert.Build(tlscert.Issued{Certificate: leaf, CA: ca.CAPEM()}, key, old, issuedAt)
	require.NoError(t, err)
	wanted := tlscert.NewSANs("gw.example.com", "new.example.com")
	newCSR, err := tlscert.NewCSR(rand.Reader, key, wanted, "gw.example.com")
	require.NoError(t, err)

	status := func(now time.Time) juju.Status {
		d, err := tlscert.Decide(tlscert.Situation{Now: now, Requested: newCSR, ProviderApp: "lego",
			Live: []tlscert.LivePair{{CertPEM: served.CertPEM, KeyPEM: served.KeyPEM()}}})
		require.NoError(t, err)
		cs := &certState{rel: snapshot.Relation{}, decision: d, wanted: wanted}
		cs.rel.App = "lego"
		return outcome{cert: cs, gw: gatewayState{localAddress: "gw.example.com"}}.status()
	}
	assert.Equal(t, juju.StatusActive, status(issuedAt.Add(30*24*time.Hour)).Name, "not due yet: still serving")
	st := status(issuedAt.Add(85 * 24 * time.Hour))
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked,
		Message: "The certificate served expires on 2026-04-01 and lego has not answered the request for gw.example.com, new.example.com"}, st)
}
