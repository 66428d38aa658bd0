package jujusim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// DefaultSettleLimit bounds the relation-changed hooks one operation
// delivers between related charms. Real exchanges settle in a handful of
// hooks; reaching the limit means two charms keep rewriting their data.
const DefaultSettleLimit = 100

// owedChange is a relation-changed hook a unit is owed because bag (a
// remote unit or the remote application) changed on relation relID.
type owedChange struct {
	unit  string
	relID int
	bag   string
}

func (c owedChange) String() string {
	return fmt.Sprintf("%s sees %s change on relation %d", c.unit, c.bag, c.relID)
}

// commit applies a hook context's pending changes and records which
// relation bags actually changed, so that a related charm is told.
func (m *Model) commit(unit, pendingPath string) {
	m.t.Helper()
	p, err := simstate.LoadPending(pendingPath)
	if err != nil {
		m.fatalf("%v", err)
	}
	type bagRef struct {
		relID int
		bag   string
	}
	var changed []bagRef
	m.update(func(md *simstate.Model) {
		before := map[bagRef]map[string]string{}
		for relID, bags := range p.Relations {
			if rel, ok := md.Relations[relID]; ok {
				for bag := range bags {
					before[bagRef{relID, bag}] = maps.Clone(rel.Bags[bag])
				}
			}
		}
		md.Apply(unit, p)
		for ref, old := range before {
			if !maps.Equal(old, md.Relations[ref.relID].Bags[ref.bag]) {
				changed = append(changed, ref)
			}
		}
	})
	slices.SortFunc(changed, func(a, b bagRef) int {
		if a.relID != b.relID {
			return a.relID - b.relID
		}
		return strings.Compare(a.bag, b.bag)
	})
	for _, c := range changed {
		m.owe(c.relID, c.bag)
	}
}

// owe queues relation-changed for every unit of the charm on the other side
// of relID that can see bag: it has entered the relation and, for a unit
// bag, has seen that unit join. Juju tells nobody of changes on peer
// relations here (the simulator does not cascade them), on dying relations,
// or to simulated remote applications, which run no charm.
func (m *Model) owe(relID int, bag string) {
	md := m.load()
	rel, ok := md.Relations[relID]
	if !ok || rel.Dying || rel.Peer() {
		return
	}
	writer := simstate.AppOf(bag)
	remote := rel.RemoteApp(writer)
	if a, ok := md.Apps[remote]; !ok || !a.Local {
		return
	}
	for _, u := range md.UnitsOf(remote) {
		if md.Units[u].Dying || !m.entered[relID][u] {
			continue
		}
		if strings.Contains(bag, "/") && !slices.Contains(rel.Seen[u], bag) {
			continue
		}
		c := owedChange{unit: u, relID: relID, bag: bag}
		if !slices.Contains(m.owed, c) {
			m.owed = append(m.owed, c)
		}
	}
}

// delivered notes that a relation-changed hook is about to show its unit
// the current contents of one remote bag: a change owed for that bag is
// paid, as Juju runs relation-changed once per settings version.
func (m *Model) delivered(s hookSpec) {
	bag := s.remoteUnit
	if bag == "" {
		bag = s.rel.RemoteApp(simstate.AppOf(s.unit))
	}
	want := owedChange{unit: s.unit, relID: s.rel.ID, bag: bag}
	m.owed = slices.DeleteFunc(m.owed, func(c owedChange) bool { return c == want })
}

func (m *Model) enter(relID int, unit string) {
	if m.entered[relID] == nil {
		m.entered[relID] = map[string]bool{}
	}
	m.entered[relID][unit] = true
}

func (m *Model) leave(relID int, unit string) {
	delete(m.entered[relID], unit)
	if len(m.entered[relID]) == 0 {
		delete(m.entered, relID)
	}
	m.owed = slices.DeleteFunc(m.owed, func(c owedChange) bool { return c.relID == relID && c.unit == unit })
}

// Settle runs the relation-changed hooks that committed relation data owes
// to related charms, and those their hooks cause in turn, until no change
// is owed. Every operation that returns []HookRun settles before it
// returns; RunHook, RunAction and UnitContext do not, so call Settle after
// them to let the other charm react. It fails the test when more than the
// settle limit of hooks run (see WithSettleLimit).
func (m *Model) Settle() []HookRun {
	m.t.Helper()
	var runs []HookRun
	for len(m.owed) > 0 {
		if len(runs) >= m.settleLimit {
			m.fatalf("relation data did not settle after %d relation-changed hooks (a ping-pong between related charms?); last hooks: %s; still owed: %v",
				len(runs), lastHooks(runs, 6), m.owed)
		}
		c := m.owed[0]
		m.owed = m.owed[1:]
		md := m.load()
		rel, ok := md.Relations[c.relID]
		u, live := md.Units[c.unit]
		if !ok || rel.Dying || !live || u.Dying || !m.entered[c.relID][c.unit] {
			continue
		}
		spec := hookSpec{unit: c.unit, hook: m.endpointOf(rel, c.unit) + "-relation-changed", rel: rel}
		if strings.Contains(c.bag, "/") {
			if !slices.Contains(rel.Seen[c.unit], c.bag) {
				continue
			}
			spec.remoteUnit = c.bag
		}
		runs = append(runs, m.run(spec))
	}
	return runs
}

func lastHooks(runs []HookRun, n int) string {
	var parts []string
	for _, r := range runs[max(0, len(runs)-n):] {
		parts = append(parts, r.Hook+" on "+r.Unit)
	}
	return strings.Join(parts, ", ")
}

// RelateApps relates two deployed charms, endpoint aEndpoint of app a with
// bEndpoint of app b, and runs what Juju runs: relation-created on every
// unit of both, then on each unit relation-joined and relation-changed per
// remote unit and an application-level relation-changed; then, until
// quiescent, relation-changed on the other side for every application or
// unit bag a hook changed (see Settle). It returns the relation id.
func (m *Model) RelateApps(a, aEndpoint, b, bEndpoint string) (int, []HookRun) {
	m.t.Helper()
	var rel *simstate.Relation
	m.update(func(md *simstate.Model) {
		if a == b {
			m.fatalf("relate: %s cannot be related to itself; peer relations come with deploy", a)
		}
		ea := m.relatableEndpoint(md, a, aEndpoint)
		eb := m.relatableEndpoint(md, b, bEndpoint)
		if ea.Interface != eb.Interface {
			m.fatalf("relate: %s:%s (%s) and %s:%s (%s) have different interfaces", a, aEndpoint, ea.Interface, b, bEndpoint, eb.Interface)
		}
		if !compatibleRoles(ea.Role, eb.Role) {
			m.fatalf("relate: %s:%s (%s) cannot be related to %s:%s (%s)", a, aEndpoint, ea.Role, b, bEndpoint, eb.Role)
		}
		for _, r := range md.RelationsOf(a) {
			sa, _ := r.Side(a)
			if sb, ok := r.Side(b); ok && sa.Endpoint == aEndpoint && sb.Endpoint == bEndpoint && !r.Dying {
				m.fatalf("relate: %s:%s and %s:%s are already related (relation %d)", a, aEndpoint, b, bEndpoint, r.ID)
			}
		}
		id := md.NextRelationID
		md.NextRelationID++
		rel = &simstate.Relation{ID: id, Sides: []simstate.RelationEndpoint{
			{App: a, Endpoint: aEndpoint}, {App: b, Endpoint: bEndpoint},
		}}
		md.Relations[id] = rel
	})
	unitsA, unitsB := m.liveUnits(a), m.liveUnits(b)
	var runs []HookRun
	for _, u := range slices.Concat(unitsA, unitsB) {
		runs = append(runs, m.created(rel.ID, u))
	}
	for _, u := range unitsA {
		runs = append(runs, m.joinAll(rel.ID, u, unitsB)...)
	}
	for _, u := range unitsB {
		runs = append(runs, m.joinAll(rel.ID, u, unitsA)...)
	}
	return rel.ID, append(runs, m.Settle()...)
}

// relatableEndpoint checks that app is a deployed charm with a non-peer
// endpoint that has room for one more relation.
func (m *Model) relatableEndpoint(md *simstate.Model, app, endpoint string) simstate.Endpoint {
	m.t.Helper()
	local, ok := md.Apps[app]
	if !ok || !local.Local {
		m.fatalf("relate: %q is not a deployed charm", app)
	}
	ep, ok := local.Endpoints[endpoint]
	if !ok || ep.Role == "peers" {
		m.fatalf("relate: %s has no endpoint %q to relate", app, endpoint)
	}
	if ep.Limit > 0 && len(liveRelations(md, app, endpoint)) >= ep.Limit {
		m.fatalf("relate: establishing a new relation for %s:%s would exceed its maximum relation limit of %d", app, endpoint, ep.Limit)
	}
	return ep
}

func compatibleRoles(a, b string) bool {
	return (a == "provides" && b == "requires") || (a == "requires" && b == "provides")
}

// isLocal reports whether app is a deployed charm (not a simulated remote).
func (m *Model) isLocal(app string) bool {
	a, ok := m.load().Apps[app]
	return ok && a.Local
}
