package hooks

import (
	"maps"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/state"
)

// cacheKey is the state-file key of the reconcile cache.
const cacheKey = "reconcile"

// cache remembers what this unit already knows so a reconcile where nothing
// changed makes as few hook-tool calls as possible. It is only a cache: when
// it is lost (pod churn, a new leader) the next reconcile reads and writes
// everything once and rebuilds it.
type cache struct {
	// Apps maps "endpoint:id" to the remote application: it never changes
	// for the life of a relation, so relation-list --app runs once.
	Apps map[string]string `json:"apps,omitempty"`
	// Models maps "endpoint:id" to the remote application's model UUID:
	// relation-model-get runs once per relation too.
	Models map[string]string `json:"models,omitempty"`
	// Held maps "endpoint:id" to the keys this application last wrote to
	// its own bag there, so databags already right are not rewritten.
	Held map[string]map[string]string `json:"held,omitempty"`
	// Unit maps "endpoint:id" to the keys this unit last wrote to its own
	// bag there.
	Unit map[string]map[string]string `json:"unit,omitempty"`
	// Status is the last unit status set.
	Status *juju.Status `json:"status,omitempty"`
	// Refused maps "endpoint:id" to why the cluster last refused that
	// relation's objects: the next reconcile asks again in a dry run
	// before writing anything for it.
	Refused map[string]string `json:"refused,omitempty"`
	// VerifiedAt is when the bags were last read back (see verifyWrites).
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	// Warned are the warnings last logged, so a standing one is not
	// logged again on every hook.
	Warned []string `json:"warned,omitempty"`
}

// loadCache reads the cache from st; an entry it cannot decode gives an
// empty cache (ready to fill) and the error to log.
func loadCache(st *state.State) (*cache, error) {
	c := &cache{}
	var err error
	if st != nil {
		_, err = st.Get(cacheKey, c)
	}
	if err != nil {
		c = &cache{}
	}
	if c.Apps == nil {
		c.Apps = map[string]string{}
	}
	if c.Models == nil {
		c.Models = map[string]string{}
	}
	if c.Held == nil {
		c.Held = map[string]map[string]string{}
	}
	if c.Unit == nil {
		c.Unit = map[string]map[string]string{}
	}
	return c, err
}

// prune drops everything about relations that no longer exist.
func (c *cache) prune(live map[string]bool) {
	maps.DeleteFunc(c.Apps, func(k, _ string) bool { return !live[k] })
	maps.DeleteFunc(c.Models, func(k, _ string) bool { return !live[k] })
	maps.DeleteFunc(c.Held, func(k string, _ map[string]string) bool { return !live[k] })
	maps.DeleteFunc(c.Unit, func(k string, _ map[string]string) bool { return !live[k] })
	maps.DeleteFunc(c.Refused, func(k, _ string) bool { return !live[k] })
}

// refused returns the relations the cluster refused last time, with why.
func (c *cache) refused() map[juju.RelationID]string {
	out := map[juju.RelationID]string{}
	for k, reason := range c.Refused {
		if rel, err := juju.ParseRelationID(k); err == nil {
			out[rel] = reason
		}
	}
	return out
}

// setRefused remembers the relations the cluster refused this time.
func (c *cache) setRefused(rejected []gateway.Result) {
	c.Refused = nil
	for _, r := range rejected {
		if c.Refused == nil {
			c.Refused = map[string]string{}
		}
		c.Refused[r.ID.String()] = r.Reason
	}
}

// forgetWrites drops what the cache says this unit wrote, so the next
// publish writes every bag in full: used when another unit may have written
// since (leadership moved).
func (c *cache) forgetWrites() {
	c.Held = map[string]map[string]string{}
}
