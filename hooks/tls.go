package hooks

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/tlscert"
)

// The gateway's private key lives in one application-owned Juju secret:
// every unit's leader term uses the same key, so a new leader serves the
// same certificate without a new request.
const (
	keySecretLabel = "istio-ingress-gateway-tls-key"
	keySecretField = "private-key"
)

// certState is the certificates relation as one reconcile finds and
// leaves it: what it reads before planning, and what the request
// publication did.
type certState struct {
	rel       snapshot.Relation
	provider  certificates.Provider
	badBag    error
	requested string
	decision  tlscert.Decision

	client *juju.Client
	key    *tlscert.Key
	// keyRead: the key secret was read this hook (key nil: none, or it
	// did not parse: badKey).
	keyRead bool
	badKey  bool
	// noKey: secret-get said there is no key secret yet.
	noKey bool

	// Set by the request publication.
	requestedNow string // why a new request went out ("" none)
	wanted       tlscert.SANs
	dropped      []string
	noAddress    bool
}

// readCertificate decides, before planning, the certificate the gateway
// serves this hook and puts it in snap. It returns nil when there is no
// certificates relation: the gateway then serves plain HTTP.
func (r *run) readCertificate(ctx context.Context, snap *snapshot.Snapshot, listing *kube.Listing) (*certState, error) {
	var cs *certState
	for _, rel := range snap.Relations {
		if rel.ID.Endpoint == snapshot.EndpointCertificates {
			cs = &certState{rel: rel, client: r.client}
			break
		}
	}
	if cs == nil {
		return nil, nil
	}
	cs.provider, cs.badBag = certificates.ParseProvider(cs.rel.Bag)
	own, err := r.ownBag(ctx, cs.rel.ID)
	if err != nil {
		return nil, err
	}
	if reqs, err := certificates.ParseRequests(own); err == nil && len(reqs) > 0 {
		cs.requested = reqs[0].CSR
	}
	cs.decision, err = tlscert.Decide(tlscert.Situation{
		Now: r.now(), Requested: cs.requested, Provider: cs.provider, ProviderApp: cs.rel.App,
		Live: livePairs(listing, r.hook.ModelName, r.hook.App), Key: func() (*tlscert.Key, error) { return cs.loadKey(ctx) },
	})
	if err != nil {
		return nil, fmt.Errorf("reading the gateway's private key: %w", err)
	}
	snap.Certificate = cs.decision.Serve
	return cs, nil
}

// ownBag is this application's bag on rel: what the cache says it holds,
// else read (once a leader's term: the cache forgets it when leadership moves).
func (r *run) ownBag(ctx context.Context, rel juju.RelationID) (map[string]string, error) {
	if held, known := r.cache.Held[rel.String()]; known {
		return held, nil
	}
	bag, err := r.client.RelationGetApp(ctx, rel, r.hook.App)
	if errors.Is(err, juju.ErrRelationNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading this application's data on %s: %w", rel, err)
	}
	r.cache.Held[rel.String()] = bag
	return bag, nil
}

// livePairs reads back the certificate and key the gateway serves now:
// this charm's Secret, then the Python charm's (so a refresh keeps HTTPS
// until the new certificate arrives).
func livePairs(listing *kube.Listing, model, app string) []tlscert.LivePair {
	var out []tlscert.LivePair
	for _, name := range []string{gateway.TLSSecretName(app), gateway.LegacyTLSSecretName(app)} {
		obj, ok := listing.Get(resource.KindSecret, model, name)
		if !ok {
			continue
		}
		data, _ := obj.Object["data"].(map[string]any)
		crt, crtOK := decodeData(data[corev1.TLSCertKey])
		key, keyOK := decodeData(data[corev1.TLSPrivateKeyKey])
		if crtOK && keyOK {
			out = append(out, tlscert.LivePair{CertPEM: crt, KeyPEM: key})
		}
	}
	return out
}

func decodeData(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err == nil
}

// loadKey reads the gateway's key from its secret, once a hook. No secret
// is no key; a secret that does not parse is reported and replaced when a
// request needs the key.
func (cs *certState) loadKey(ctx context.Context) (*tlscert.Key, error) {
	if cs.keyRead {
		return cs.key, nil
	}
	content, err := cs.client.SecretGet(ctx, juju.SecretGetOptions{Label: keySecretLabel})
	if errors.Is(err, juju.ErrSecretNotFound) {
		cs.keyRead, cs.noKey = true, true
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cs.keyRead = true
	if cs.key, err = tlscert.ParseKey(content[keySecretField]); err != nil {
		cs.key, cs.badKey = nil, true
	}
	return cs.key, nil
}

// keyForRequest is the key a new request is signed with: the one in the
// secret, or a new one (none yet, it does not parse, or the provider
// revoked the certificate: a revocation may mean the key leaked). A new
// key reaches Juju through a 0600 file, never argv.
func (cs *certState) keyForRequest(ctx context.Context, leader *juju.Leader, rand io.Reader) (*tlscert.Key, error) {
	if !cs.decision.Revoked {
		key, err := cs.loadKey(ctx)
		if err != nil || key != nil {
			return key, err
		}
	}
	key, err := tlscert.GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	content := map[string]string{keySecretField: key.PEM()}
	var id string
	if !cs.noKey { // else secret-get has just said there is none
		id, err = cs.client.SecretIDByLabel(ctx, keySecretLabel)
	}
	switch {
	case cs.noKey || errors.Is(err, juju.ErrSecretNotFound):
		_, err = leader.SecretAdd(ctx, content, juju.SecretOptions{Label: keySecretLabel, Description: "private key of the gateway's TLS certificate"})
	case err == nil:
		err = leader.SecretSet(ctx, id, content, juju.SecretOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("storing the gateway's new private key: %w", err)
	}
	cs.key, cs.keyRead, cs.badKey, cs.noKey = key, true, false, false
	return key, nil
}

// publishCertificateRequest asks the provider for a certificate for the
// names the gateway is reached at, when the request in the relation is
// not for them (or is revoked, or due for renewal). The request goes in
// this application's bag: one certificate for the gateway, whichever unit
// leads.
func publishCertificateRequest(ctx context.Context, p publisher, s served) error {
	cs := s.cert
	if cs == nil {
		return nil
	}
	address := s.desired.Address
	cs.wanted, cs.dropped = tlscert.Wanted(address, s.plan.ServedHostnames(), cs.provider.Capabilities)
	if address == "" {
		// As the Python charm: no request before the gateway's own name
		// is known (an invalid external_hostname is its own status).
		cs.noAddress = true
		return nil
	}
	reason := cs.decision.RequestReason(cs.wanted)
	if reason == "" {
		return nil
	}
	key, err := cs.keyForRequest(ctx, p.leader, p.rand)
	if err != nil {
		return err
	}
	csr, err := tlscert.NewCSR(p.rand, key, cs.wanted, address)
	if err != nil {
		return err
	}
	if err := p.set(ctx, cs.rel.ID, certificates.RequestBag(csr)); err != nil {
		return err
	}
	cs.requestedNow = reason
	p.log.printf(ctx, juju.LogInfo, "Requested a certificate from %s for %s: %s", cs.rel.App, cs.wanted, reason)
	return nil
}

// certStatus says what stands between the gateway and HTTPS.
func certStatus(o outcome) (blocked, waiting []string) {
	cs := o.cert
	if cs == nil {
		return nil, nil
	}
	from := cs.rel.App
	d := cs.decision
	switch {
	case cs.badBag != nil:
		blocked = append(blocked, fmt.Sprintf("Cannot read the certificates %s sends: %s", from, wire.Clip(cs.badBag.Error(), 200)))
	case d.Refused != nil && cs.requestedNow == "":
		blocked = append(blocked, fmt.Sprintf("%s refused the certificate request: %s", from, d.Refused))
	case d.Problem != "" && cs.requestedNow == "":
		blocked = append(blocked, "Not serving "+d.Problem)
	case cs.wanted.Empty() && len(cs.dropped) > 0:
		blocked = append(blocked, "No name to request a certificate for: "+strings.Join(cs.dropped, "; "))
	}
	if d.Expiring && d.Requested != nil && cs.requestedNow == "" {
		// Renewal follows the request in the relation; while that one is
		// unanswered the certificate served is not renewed.
		blocked = append(blocked, fmt.Sprintf("The certificate served expires on %s and %s has not answered the request for %s",
			d.Serve.Leaf.NotAfter.UTC().Format(time.DateOnly), from, d.Requested.SANs))
	}
	if cs.badKey {
		blocked = append(blocked, "The gateway's private key in its Juju secret does not parse")
	}
	if d.Serve == nil && len(blocked) == 0 && !cs.noAddress {
		waiting = append(waiting, "Waiting for a certificate from "+from)
	}
	return blocked, waiting
}

// certWarnings are the lines for the operator the status does not carry.
func certWarnings(cs *certState) []string {
	if cs == nil || cs.wanted.Empty() {
		return nil
	}
	var lines []string
	for _, d := range cs.dropped {
		lines = append(lines, "Not in the certificate request: "+d)
	}
	return lines
}

// dropUnitRequest removes a request from this unit's bag on the
// certificates relation: the Python charm asked per unit, and after a
// refresh those requests would keep the provider issuing certificates no
// one uses. Run on upgrade-charm only (by every unit: each writes only its
// own bag); removing a key that is not there is harmless.
func (r *run) dropUnitRequest(ctx context.Context) error {
	rels := juju.Relations{Reader: r.client, Hook: r.hook}
	ids, err := rels.Live(ctx, snapshot.EndpointCertificates)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := r.client.RelationSet(ctx, id, map[string]string{certificates.KeyRequests: ""})
		if err != nil && !errors.Is(err, juju.ErrRelationNotFound) {
			return fmt.Errorf("clearing this unit's certificate request on %s: %w", id, err)
		}
	}
	return nil
}
