// Package certprovider plays a tls-certificates provider application
// (self-signed-certificates, say) in a simulated model: it reads the
// requests the requirer's application and unit bags hold, signs them with
// a real CA the test made, and writes its application bag exactly as the
// v4 provider library does (certificates with ca and chain, request_errors,
// capabilities). Like the simulator's other remote applications it runs
// no hooks of its own: each method is one pass of the provider's
// relation-changed handling, run when the test says, and returns the
// requirer's hooks it causes.
package certprovider

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tlscert/tlscerttest"
)

// Provider is one provider application related to a requirer.
type Provider struct {
	m        *jujusim.Model
	App      string
	Requirer string // the requirer application
	RelID    int
	CA       *tlscerttest.CA
	// Life is how long issued certificates are valid (from an hour ago).
	Life time.Duration
	// Notify, when set, is the recommended_expiry_notification_time
	// written with each certificate (seconds).
	Notify *int64
	// Now is the provider's clock.
	Now func() time.Time
}

// New makes a provider whose CA is made now; relate it with Relate.
func New(t testing.TB, m *jujusim.Model, app string, intermediate bool) *Provider {
	t.Helper()
	ca, err := tlscerttest.NewCA(app+" CA", time.Now(), intermediate)
	require.NoError(t, err)
	return &Provider{m: m, App: app, CA: ca, Life: 90 * 24 * time.Hour, Now: time.Now}
}

// Relate relates requirer's endpoint to the provider, its bag holding caps
// when given, and returns the hooks run.
func (p *Provider) Relate(requirer, endpoint string, caps *certificates.Capabilities) []jujusim.HookRun {
	p.Requirer = requirer
	bag := certificates.Provider{Capabilities: caps}.Bag()
	id, runs := p.m.Relate(requirer, endpoint, jujusim.Remote{App: p.App, Units: 1, AppData: bag})
	p.RelID = id
	return runs
}

// Bag is the provider's bag, decoded.
func (p *Provider) Bag(t testing.TB) certificates.Provider {
	t.Helper()
	got, err := certificates.ParseProvider(p.m.RelationData(p.RelID, p.App))
	require.NoError(t, err)
	return got
}

// Requests are the CSRs the requirer's application and unit bags hold.
func (p *Provider) Requests(t testing.TB) []string {
	t.Helper()
	var out []string
	bags := []string{p.Requirer}
	bags = append(bags, p.m.Units(p.Requirer)...)
	for _, b := range bags {
		reqs, err := certificates.ParseRequests(p.m.RelationData(p.RelID, b))
		require.NoError(t, err, "requirer bag %s", b)
		for _, r := range reqs {
			out = append(out, r.CSR)
		}
	}
	return out
}

// Answer is the provider's pass over the relation: certificates whose
// request is gone are dropped (as _remove_certificates_for_which_no_csr_exists
// does) and every outstanding request is signed, replacing a revoked
// certificate or an error for it.
func (p *Provider) Answer(t testing.TB) []jujusim.HookRun {
	t.Helper()
	return p.update(t, func(b *certificates.Provider, reqs []string) {
		for _, csr := range reqs {
			if c, ok := b.CertificateFor(csr); ok && !c.IsRevoked() {
				continue
			}
			p.forget(b, csr)
			b.Certificates = append(b.Certificates, p.Issue(t, csr))
		}
	})
}

// Issue signs csr as the provider's bag entry.
func (p *Provider) Issue(t testing.TB, csr string) certificates.Certificate {
	t.Helper()
	now := p.Now()
	leaf, err := p.CA.Sign(csr, now.Add(-time.Hour), now.Add(p.Life))
	require.NoError(t, err)
	return certificates.Certificate{CA: p.CA.CAPEM(), CSR: csr, Certificate: leaf, Chain: p.CA.Chain(leaf),
		RecommendedExpiryNotificationTime: p.Notify}
}

// Put writes c for its request in place of whatever was there (a
// provider sending garbage, say).
func (p *Provider) Put(t testing.TB, c certificates.Certificate) []jujusim.HookRun {
	t.Helper()
	return p.update(t, func(b *certificates.Provider, _ []string) {
		p.forget(b, c.CSR)
		b.Certificates = append(b.Certificates, c)
	})
}

// Refuse answers every outstanding request with err, as set_relation_error does.
func (p *Provider) Refuse(t testing.TB, err certificates.ProviderError) []jujusim.HookRun {
	t.Helper()
	return p.update(t, func(b *certificates.Provider, reqs []string) {
		for _, csr := range reqs {
			p.forget(b, csr)
			b.RequestErrors = append(b.RequestErrors, certificates.RequestError{CSR: csr, Error: err})
		}
	})
}

// RevokeAll marks every certificate revoked, as revoke_all_certificates
// does when the CA changes.
func (p *Provider) RevokeAll(t testing.TB) []jujusim.HookRun {
	t.Helper()
	return p.update(t, func(b *certificates.Provider, _ []string) {
		for i := range b.Certificates {
			b.Certificates[i].Revoked = new(true)
		}
	})
}

func (p *Provider) forget(b *certificates.Provider, csr string) {
	b.Certificates = slices.DeleteFunc(b.Certificates, func(c certificates.Certificate) bool { return certificates.SameCSR(c.CSR, csr) })
	b.RequestErrors = slices.DeleteFunc(b.RequestErrors, func(e certificates.RequestError) bool { return certificates.SameCSR(e.CSR, csr) })
}

// update applies fn to the bag, dropping certificates whose request is
// gone, and writes what changed (nothing changed: no hook runs).
func (p *Provider) update(t testing.TB, fn func(b *certificates.Provider, reqs []string)) []jujusim.HookRun {
	t.Helper()
	old := p.m.RelationData(p.RelID, p.App)
	b := p.Bag(t)
	reqs := p.Requests(t)
	requested := func(csr string) bool {
		return slices.ContainsFunc(reqs, func(r string) bool { return certificates.SameCSR(r, csr) })
	}
	b.Certificates = slices.DeleteFunc(b.Certificates, func(c certificates.Certificate) bool { return !requested(c.CSR) })
	fn(&b, reqs)
	want := b.Bag()
	delta := map[string]string{}
	for k, v := range want {
		if old[k] != v {
			delta[k] = v
		}
	}
	for k := range old {
		if _, ok := want[k]; !ok {
			delta[k] = ""
		}
	}
	if len(delta) == 0 {
		return nil
	}
	return p.m.SetRemoteData(p.RelID, p.App, maps.Clone(delta))
}
