package tlscert

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
	"github.com/canonical/istio-ingress-k8s-go/tlscert/tlscerttest"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	ca  *tlscerttest.CA
	key *Key
}

func newFixture(t *testing.T, intermediate bool) *fixture {
	t.Helper()
	ca, err := tlscerttest.NewCA("test CA", now, intermediate)
	require.NoError(t, err)
	key, err := GenerateKey(rand.Reader)
	require.NoError(t, err)
	return &fixture{t: t, ca: ca, key: key}
}

func (f *fixture) csr(names ...string) string {
	csr, err := NewCSR(rand.Reader, f.key, NewSANs(names...), names[0])
	require.NoError(f.t, err)
	return csr
}

// issue signs csr as the provider does and returns its bag entry.
func (f *fixture) issue(csr string, life time.Duration) certificates.Certificate {
	leaf, err := f.ca.Sign(csr, now.Add(-time.Hour), now.Add(life))
	require.NoError(f.t, err)
	return certificates.Certificate{CA: f.ca.CAPEM(), CSR: csr, Certificate: leaf, Chain: f.ca.Chain(leaf)}
}

func (f *fixture) loadKey() (*Key, error) { return f.key, nil }

func TestKeyNeverShowsItself(t *testing.T) {
	f := newFixture(t, false)
	p := f.key.PEM()
	for _, s := range []string{fmt.Sprint(f.key), fmt.Sprintf("%v %+v %#v %s", f.key, f.key, f.key, f.key)} {
		assert.NotContains(t, s, "PRIVATE KEY")
	}
	back, err := ParseKey(p)
	require.NoError(t, err)
	assert.True(t, samePublic(back.Public(), f.key.Public()))

	_, err = ParseKey(strings.Replace(p, "M", "x", 3))
	require.ErrorIs(t, err, ErrBadKey)
	assert.NotContains(t, err.Error(), p[40:60])
}

func TestCSRCarriesTheNamesAndDiffersEachTime(t *testing.T) {
	f := newFixture(t, false)
	a, b := f.csr("gw.example.com", "10.1.2.3", "api.example.com"), f.csr("gw.example.com", "10.1.2.3", "api.example.com")
	assert.NotEqual(t, a, b, "a renewal for the same names must be a new request")
	r, err := ParseCSR(a)
	require.NoError(t, err)
	assert.Equal(t, []string{"api.example.com", "gw.example.com", "10.1.2.3"}, r.SANs.Names())
	assert.True(t, samePublic(r.Public, f.key.Public()))

	_, err = NewCSR(rand.Reader, f.key, SANs{}, "")
	assert.Error(t, err)
}

// The common name is the gateway's own name, not the requirer hostname
// that sorts first; without it, the first name that fits.
func TestCSRIsNamedAfterTheGateway(t *testing.T) {
	f := newFixture(t, false)
	commonName := func(primary string, names ...string) string {
		csr, err := NewCSR(rand.Reader, f.key, NewSANs(names...), primary)
		require.NoError(t, err)
		block, _ := pem.Decode([]byte(csr))
		require.NotNil(t, block)
		req, err := x509.ParseCertificateRequest(block.Bytes)
		require.NoError(t, err)
		return req.Subject.CommonName
	}
	assert.Equal(t, "gw.example.com", commonName("GW.example.com.", "aaa.example.com", "gw.example.com"))
	assert.Equal(t, "10.0.0.1", commonName("10.0.0.1", "aaa.example.com", "10.0.0.1"))
	assert.Equal(t, "aaa.example.com", commonName("", "aaa.example.com", "gw.example.com"))
	assert.Equal(t, "aaa.example.com", commonName("not-requested.example.com", "aaa.example.com"))
}

func TestWantedHonoursCapabilities(t *testing.T) {
	sans, dropped := Wanted("10.0.0.1", []string{"a.example.com", "A.example.com.", "*.w.example.com"}, nil)
	assert.Equal(t, []string{"*.w.example.com", "a.example.com", "10.0.0.1"}, sans.Names())
	assert.Empty(t, dropped)

	caps := &certificates.Capabilities{SupportsIPSANs: new(false), SupportsWildcardDNS: new(false), AllowedDomains: []string{"example.com"}}
	sans, dropped = Wanted("10.0.0.1", []string{"a.example.com", "*.w.example.com", "other.org"}, caps)
	assert.Equal(t, []string{"a.example.com"}, sans.Names())
	assert.Len(t, dropped, 3)

	// Over the cap, the names given first (the address, then the oldest
	// relations' hostnames) are kept: a newcomer cannot push them out.
	var many []string
	for i := range MaxSANs + 5 {
		many = append(many, fmt.Sprintf("n%03d.example.com", MaxSANs+5-i))
	}
	sans, dropped = Wanted("gw.example.com", many, nil)
	assert.Len(t, sans.Names(), MaxSANs)
	assert.Contains(t, sans.Names(), "gw.example.com")
	assert.Contains(t, sans.Names(), many[0])
	assert.NotContains(t, sans.Names(), many[len(many)-1])
	assert.Len(t, dropped, 6)

	sans, _ = Wanted("10.0.0.1", nil, &certificates.Capabilities{})
	assert.Equal(t, []string{"10.0.0.1"}, sans.Names(), "an unsaid capability is no refusal")
}

func TestBuildServesLeafThenIntermediatesOnce(t *testing.T) {
	f := newFixture(t, true)
	csr := f.csr("gw.example.com")
	c := f.issue(csr, 90*24*time.Hour)
	// The intermediate both in the chain and as "ca": served once; the
	// self-signed root never.
	p, err := Build(Issued{Certificate: c.Certificate, CA: c.CA, Chain: c.Chain}, f.key, NewSANs("gw.example.com"), now)
	require.NoError(t, err)
	blocks := pemBlocks(p.CertPEM)
	require.Len(t, blocks, 2)
	assert.Equal(t, p.Leaf.Raw, blocks[0])
	inter, _ := pem.Decode([]byte(f.ca.CAPEM()))
	assert.Equal(t, inter.Bytes, blocks[1])

	// What a client trusting the root sees: a pair that verifies.
	pair, err := tls.X509KeyPair([]byte(p.CertPEM), []byte(p.KeyPEM()))
	require.NoError(t, err)
	assert.Len(t, pair.Certificate, 2)
	assert.NotContains(t, fmt.Sprintf("%v %#v %+v", p, p, &p), "PRIVATE KEY")
}

func pemBlocks(s string) [][]byte {
	var out [][]byte
	rest := []byte(s)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return out
		}
		out = append(out, b.Bytes)
	}
}

func TestBuildRefusesWhatMustNotBeServed(t *testing.T) {
	f := newFixture(t, false)
	other := newFixture(t, false)
	good := f.issue(f.csr("gw.example.com"), 24*time.Hour)
	issued := func(c certificates.Certificate) Issued {
		return Issued{Certificate: c.Certificate, CA: c.CA, Chain: c.Chain}
	}
	cases := map[string]struct {
		in   Issued
		sans SANs
		at   time.Time
		want string
	}{
		"garbage":      {Issued{Certificate: "not a certificate"}, NewSANs("gw.example.com"), now, "holds no PEM certificate"},
		"not ours":     {issued(other.issue(other.csr("gw.example.com"), 24*time.Hour)), NewSANs("gw.example.com"), now, "not for the gateway's private key"},
		"expired":      {issued(good), NewSANs("gw.example.com"), now.Add(48 * time.Hour), "expired"},
		"other names":  {issued(good), NewSANs("gw.example.com", "api.example.com"), now, "not for api.example.com"},
		"garbage tail": {Issued{Certificate: good.Certificate, Chain: []string{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}}, NewSANs("gw.example.com"), now, "chain"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Build(tc.in, f.key, tc.sans, tc.at)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDecide(t *testing.T) {
	f := newFixture(t, true)
	csr := f.csr("gw.example.com")
	issued := f.issue(csr, 90*24*time.Hour)
	good, err := Build(Issued{Certificate: issued.Certificate, CA: issued.CA, Chain: issued.Chain}, f.key, NewSANs("gw.example.com"), now)
	require.NoError(t, err)
	live := []LivePair{{CertPEM: good.CertPEM, KeyPEM: good.KeyPEM()}}
	noKey := func() (*Key, error) { t.Fatal("the key was read though the served pair is unchanged"); return nil, nil }

	t.Run("nothing requested", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Key: f.loadKey})
		require.NoError(t, err)
		assert.Nil(t, d.Serve)
		assert.Equal(t, "no certificate requested yet", d.RequestReason(NewSANs("gw.example.com")))
		assert.Empty(t, d.RequestReason(SANs{}), "nothing to ask for without a name")
	})
	t.Run("pending", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Requested: csr, Key: f.loadKey})
		require.NoError(t, err)
		assert.True(t, d.Pending)
		assert.Nil(t, d.Serve)
		assert.Empty(t, d.RequestReason(NewSANs("gw.example.com")))
		assert.Equal(t, "the names changed", d.RequestReason(NewSANs("gw.example.com", "b.example.com")))
	})
	t.Run("issued", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Key: f.loadKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve)
		assert.True(t, d.FromProvider)
		assert.Equal(t, good.CertPEM, d.Serve.CertPEM)
		assert.Equal(t, f.key.PEM(), d.Serve.KeyPEM())
	})
	t.Run("unchanged: no key read", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Live: live, Key: noKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve)
		assert.True(t, d.Serve.Same(good))
	})
	t.Run("new names: the old certificate serves meanwhile", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Requested: f.csr("gw.example.com", "b.example.com"), Live: live, Key: noKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve)
		assert.False(t, d.FromProvider)
		assert.True(t, d.Pending)
	})
	t.Run("new names unanswered until the old certificate is due", func(t *testing.T) {
		requested := f.csr("gw.example.com", "b.example.com")
		d, err := Decide(Situation{Now: now.Add(85 * 24 * time.Hour), Requested: requested, Live: live, Key: noKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve, "still in date")
		assert.True(t, d.Pending)
		assert.True(t, d.Expiring, "past 90% of its life, nothing renews it")
		d, err = Decide(Situation{Now: now.Add(30 * 24 * time.Hour), Requested: requested, Live: live, Key: noKey})
		require.NoError(t, err)
		assert.False(t, d.Expiring, "not due yet")
		d, err = Decide(Situation{Now: now.Add(85 * 24 * time.Hour), Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Live: live, Key: noKey})
		require.NoError(t, err)
		assert.False(t, d.Expiring, "the provider's answer is renewed as usual")
		assert.True(t, d.Renew)
	})
	t.Run("revoked is never served", func(t *testing.T) {
		r := issued
		r.Revoked = new(true)
		d, err := Decide(Situation{Now: now, Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{r}}, Live: live, Key: noKey})
		require.NoError(t, err)
		assert.Nil(t, d.Serve)
		assert.Equal(t, "the certificate was revoked", d.RequestReason(NewSANs("gw.example.com")))
	})
	t.Run("garbage keeps the last good one", func(t *testing.T) {
		g := issued
		g.Certificate = "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----"
		d, err := Decide(Situation{Now: now, Requested: csr, ProviderApp: "ca", Provider: certificates.Provider{Certificates: []certificates.Certificate{g}}, Live: live, Key: noKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve)
		assert.True(t, d.Serve.Same(good))
		assert.Contains(t, d.Problem, "the certificate from ca: it does not parse")
		assert.Empty(t, d.RequestReason(NewSANs("gw.example.com")), "garbage asks for no new request")
	})
	t.Run("due for renewal", func(t *testing.T) {
		notify := int64(30 * 24 * 3600)
		c := issued
		c.RecommendedExpiryNotificationTime = &notify
		d, err := Decide(Situation{Now: now.Add(61 * 24 * time.Hour), Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{c}}, Live: live, Key: noKey})
		require.NoError(t, err)
		require.NotNil(t, d.Serve, "still in date: served while renewing")
		assert.Equal(t, "the certificate is due for renewal", d.RequestReason(NewSANs("gw.example.com")))
	})
	t.Run("expired", func(t *testing.T) {
		d, err := Decide(Situation{Now: now.Add(91 * 24 * time.Hour), Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Live: live, Key: noKey})
		require.NoError(t, err)
		assert.Nil(t, d.Serve)
		assert.Contains(t, d.Problem, "expired")
		assert.Equal(t, "the certificate is due for renewal", d.RequestReason(NewSANs("gw.example.com")))
	})
	t.Run("refused", func(t *testing.T) {
		p := certificates.Provider{RequestErrors: []certificates.RequestError{{CSR: csr, Error: certificates.ProviderError{Code: 102, Name: "domain_not_allowed", Message: "domain not allowed"}}}}
		d, err := Decide(Situation{Now: now, Requested: csr, Provider: p, Key: f.loadKey})
		require.NoError(t, err)
		require.NotNil(t, d.Refused)
		assert.False(t, d.Pending)
		assert.Empty(t, d.RequestReason(NewSANs("gw.example.com")), "the same request is not sent again")
	})
	t.Run("key lost", func(t *testing.T) {
		d, err := Decide(Situation{Now: now, Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Key: func() (*Key, error) { return nil, nil }})
		require.NoError(t, err)
		assert.Nil(t, d.Serve)
		assert.Equal(t, "the key of the request is gone", d.RequestReason(NewSANs("gw.example.com")))
	})
	t.Run("key read fails", func(t *testing.T) {
		_, err := Decide(Situation{Now: now, Requested: csr, Provider: certificates.Provider{Certificates: []certificates.Certificate{issued}}, Key: func() (*Key, error) { return nil, errors.New("boom") }})
		assert.Error(t, err)
	})
}
