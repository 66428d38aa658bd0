package hooks

import (
	"context"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
)

// verifyInterval bounds how long a relation write Juju did not commit can
// go unnoticed: at the first hook after it, the bags are read back.
const verifyInterval = 30 * time.Minute

// verifyDue says whether this hook reads back what the cache believes was
// published: after a refresh (the cache may predate this charm), after a
// leadership change (another leader may have written meanwhile), and once
// per verifyInterval.
func (r *run) verifyDue() bool {
	switch r.ev.Kind {
	case UpgradeCharm, LeaderElected:
		return true
	}
	return r.cache.VerifiedAt.IsZero() || r.now().Sub(r.cache.VerifiedAt) >= verifyInterval
}

// verifyWrites replaces what the cache says this application and unit
// wrote with what their bags hold, so the publish that follows rewrites
// exactly what is missing or stale. The application bags of live relations
// the cache does not know are read too: after a refresh or a leadership
// change they may hold keys another writer left, which only a known bag
// lets the publish delete. A bag that cannot be read is forgotten
// instead: it is then written in full.
func (r *run) verifyWrites(ctx context.Context, live []snapshot.Relation) {
	if !r.verifyDue() {
		return
	}
	for _, rel := range live {
		if _, known := r.cache.Held[rel.ID.String()]; !known {
			r.cache.Held[rel.ID.String()] = nil // read below
		}
	}
	refresh := func(held map[string]map[string]string, read func(juju.RelationID) (map[string]string, error)) {
		for key := range held {
			rel, err := juju.ParseRelationID(key)
			if err != nil {
				delete(held, key)
				continue
			}
			bag, err := read(rel)
			if err != nil {
				delete(held, key)
				continue
			}
			held[key] = bag
		}
	}
	refresh(r.cache.Held, func(rel juju.RelationID) (map[string]string, error) {
		return r.client.RelationGetApp(ctx, rel, r.hook.App)
	})
	refresh(r.cache.Unit, func(rel juju.RelationID) (map[string]string, error) {
		return r.client.RelationGet(ctx, rel, r.hook.Unit)
	})
	r.cache.VerifiedAt = r.now()
}
