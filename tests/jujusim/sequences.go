package jujusim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

// Deploy deploys the charm archive as app with the given number of units
// and runs what Juju runs on each unit: install, <peer>-relation-created,
// leader-elected (first unit) or leader-settings-changed, config-changed,
// start, <container>-pebble-ready; then the peers join each other.
func (m *Model) Deploy(app, charmArchive string, units int) []HookRun {
	m.t.Helper()
	if units < 1 {
		m.fatalf("deploy %s: need at least one unit", app)
	}
	probe := filepath.Join(m.dir, "charms", app)
	if err := charmarchive.Extract(charmArchive, probe); err != nil {
		m.fatalf("deploy %s: %v", app, err)
	}
	meta, err := readCharmMeta(probe)
	if err != nil {
		m.fatalf("deploy %s: %v", app, err)
	}
	m.charms[app] = charmArchive
	var names []string
	m.update(func(md *simstate.Model) {
		if _, exists := md.Apps[app]; exists {
			m.fatalf("deploy %s: application already exists", app)
		}
		md.Apps[app] = &simstate.App{
			Name: app, Local: true, Options: meta.options, Endpoints: meta.endpoints, Containers: meta.containers,
			Status: simstate.Status{Status: "unknown"},
		}
		for range units {
			names = append(names, m.addUnit(md, app))
		}
		md.Apps[app].Leader = names[0]
		for _, ep := range sortedEndpoints(meta.endpoints, "peers") {
			id := md.NextRelationID
			md.NextRelationID++
			md.Relations[id] = &simstate.Relation{ID: id, Sides: []simstate.RelationEndpoint{{App: app, Endpoint: ep}}}
		}
	})
	var runs []HookRun
	for _, u := range names {
		runs = append(runs, m.startUnit(u)...)
	}
	for i, u := range names {
		runs = append(runs, m.joinPeers(u, names[:i])...)
	}
	return append(runs, m.Settle()...)
}

// addUnit adds the next unit of app to the model and unpacks its charm.
func (m *Model) addUnit(md *simstate.Model, app string) string {
	a := md.Apps[app]
	n := a.NextUnit
	a.NextUnit++
	name := app + "/" + strconv.Itoa(n)
	md.Units[name] = &simstate.Unit{
		Name: name, App: app, Status: simstate.Status{Status: "waiting", Message: "installing agent"},
		Address: fmt.Sprintf("10.1.%d.%d", len(md.Apps), n+10),
	}
	if err := charmarchive.Extract(m.charms[app], m.charmDir(name)); err != nil {
		m.fatalf("unpack charm for %s: %v", name, err)
	}
	return name
}

// startUnit runs a new unit's first hooks.
func (m *Model) startUnit(unit string) []HookRun {
	md := m.load()
	app := md.Apps[simstate.AppOf(unit)]
	runs := []HookRun{m.run(hookSpec{unit: unit, hook: "install"})}
	for _, rel := range md.RelationsOf(app.Name) {
		if rel.Peer() {
			side, _ := rel.Side(app.Name)
			runs = append(runs, m.run(hookSpec{unit: unit, hook: side.Endpoint + "-relation-created", rel: rel}))
		}
	}
	if app.Leader == unit {
		runs = append(runs, m.run(hookSpec{unit: unit, hook: "leader-elected"}))
	} else {
		runs = append(runs, m.run(hookSpec{unit: unit, hook: "leader-settings-changed"}))
	}
	runs = append(runs, m.run(hookSpec{unit: unit, hook: "config-changed"}), m.run(hookSpec{unit: unit, hook: "start"}))
	for _, c := range app.Containers {
		runs = append(runs, m.run(hookSpec{unit: unit, hook: c + "-pebble-ready", workload: c}))
	}
	return runs
}

// joinPeers makes unit and each of others see each other on every peer
// relation: joined and changed on both sides.
func (m *Model) joinPeers(unit string, others []string) []HookRun {
	var runs []HookRun
	for _, rel := range m.load().RelationsOf(simstate.AppOf(unit)) {
		if !rel.Peer() {
			continue
		}
		for _, other := range others {
			runs = append(runs, m.join(rel.ID, other, unit)...)
			runs = append(runs, m.join(rel.ID, unit, other)...)
		}
	}
	return runs
}

// join makes local unit see remote join relation relID: relation-joined
// then relation-changed, with remote listed by relation-list.
func (m *Model) join(relID int, local, remote string) []HookRun {
	var rel *simstate.Relation
	m.update(func(md *simstate.Model) {
		rel = md.Relations[relID]
		if rel.Seen == nil {
			rel.Seen = map[string][]string{}
		}
		if !slices.Contains(rel.Seen[local], remote) {
			rel.Seen[local] = append(rel.Seen[local], remote)
		}
	})
	ep := m.endpointOf(rel, local)
	return []HookRun{
		m.run(hookSpec{unit: local, hook: ep + "-relation-joined", rel: rel, remoteUnit: remote}),
		m.run(hookSpec{unit: local, hook: ep + "-relation-changed", rel: rel, remoteUnit: remote}),
	}
}

// depart removes remote from local's view and runs relation-departed.
func (m *Model) depart(relID int, local, remote, departing string) HookRun {
	var rel *simstate.Relation
	m.update(func(md *simstate.Model) {
		rel = md.Relations[relID]
		rel.Seen[local] = slices.DeleteFunc(rel.Seen[local], func(u string) bool { return u == remote })
	})
	return m.run(hookSpec{unit: local, hook: m.endpointOf(rel, local) + "-relation-departed", rel: rel, remoteUnit: remote, departing: departing})
}

func (m *Model) endpointOf(rel *simstate.Relation, unit string) string {
	side, ok := rel.Side(simstate.AppOf(unit))
	if !ok {
		m.fatalf("%s is not in relation %d", unit, rel.ID)
	}
	return side.Endpoint
}

// Remote describes the application at the other end of Relate. It runs no
// charm: the test writes its data.
type Remote struct {
	App      string                       // remote application name
	Endpoint string                       // its endpoint name; defaults to the local endpoint's
	Units    int                          // number of units, named <App>/0, <App>/1, ...
	AppData  map[string]string            // its application bag
	UnitData map[string]map[string]string // its unit bags, by unit name
	// Model names the model the application lives in when it is not this
	// one: the relation is then a cross-model relation, and
	// relation-model-get reports that model's UUID.
	Model string
}

// Relate relates app's endpoint to a simulated remote application and runs,
// on each local unit: relation-created, then joined and changed per remote
// unit, then an application-level relation-changed. It returns the relation
// id. RelateApps relates two deployed charms.
func (m *Model) Relate(app, endpoint string, remote Remote) (int, []HookRun) {
	m.t.Helper()
	if remote.Endpoint == "" {
		remote.Endpoint = endpoint
	}
	var (
		rel         *simstate.Relation
		remoteUnits []string
	)
	m.update(func(md *simstate.Model) {
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
		ra, ok := md.Apps[remote.App]
		if ok && ra.Local {
			m.fatalf("relate: %q is a deployed charm; relate it with RelateApps", remote.App)
		}
		if !ok {
			md.Apps[remote.App] = &simstate.App{Name: remote.App, Status: simstate.Status{Status: "active"}}
			for range remote.Units {
				name := remote.App + "/" + strconv.Itoa(md.Apps[remote.App].NextUnit)
				md.Apps[remote.App].NextUnit++
				md.Units[name] = &simstate.Unit{Name: name, App: remote.App, Status: simstate.Status{Status: "active"}}
			}
		}
		remoteUnits = md.UnitsOf(remote.App)
		id := md.NextRelationID
		md.NextRelationID++
		rel = &simstate.Relation{ID: id, Sides: []simstate.RelationEndpoint{
			{App: app, Endpoint: endpoint}, {App: remote.App, Endpoint: remote.Endpoint},
		}, Bags: map[string]map[string]string{remote.App: maps.Clone(remote.AppData)}}
		if remote.Model != "" && remote.Model != md.Name {
			rel.Models = map[string]string{remote.App: ModelUUID(remote.Model)}
		}
		for u, data := range remote.UnitData {
			if !slices.Contains(remoteUnits, u) {
				m.fatalf("relate: unit data for %s, which is not a unit of %s", u, remote.App)
			}
			rel.Bags[u] = maps.Clone(data)
		}
		md.Relations[id] = rel
	})
	var runs []HookRun
	for _, u := range m.liveUnits(app) {
		runs = append(runs, m.enterRelation(rel.ID, u, remoteUnits)...)
	}
	return rel.ID, append(runs, m.Settle()...)
}

// AddRemoteUnit adds a unit to a simulated remote application (one made by
// Relate) and returns its name. Each local unit related to it sees the unit
// join (relation-joined, then relation-changed) on every live relation,
// with data, when given, in the new unit's bag.
func (m *Model) AddRemoteUnit(app string, data map[string]string) (string, []HookRun) {
	m.t.Helper()
	var unit string
	m.update(func(md *simstate.Model) {
		a, ok := md.Apps[app]
		if !ok || a.Local {
			m.fatalf("add remote unit: %q is not a simulated remote application", app)
		}
		unit = app + "/" + strconv.Itoa(a.NextUnit)
		a.NextUnit++
		md.Units[unit] = &simstate.Unit{Name: unit, App: app, Status: simstate.Status{Status: "active"}}
		for _, rel := range md.RelationsOf(app) {
			if !rel.Dying && len(data) > 0 {
				rel.Bags[unit] = maps.Clone(data)
			}
		}
	})
	var runs []HookRun
	for _, rel := range m.load().RelationsOf(app) {
		if rel.Dying {
			continue
		}
		local := rel.RemoteApp(app)
		for _, u := range m.liveUnits(local) {
			runs = append(runs, m.join(rel.ID, u, unit)...)
		}
	}
	return unit, append(runs, m.Settle()...)
}

// RemoveRemoteUnit removes a unit of a simulated remote application: each
// local unit that sees it runs relation-departed (the unit is the departing
// one), then the unit and its bags are gone.
func (m *Model) RemoveRemoteUnit(unit string) []HookRun {
	m.t.Helper()
	app := simstate.AppOf(unit)
	md := m.load()
	if a, ok := md.Apps[app]; !ok || a.Local || md.Units[unit] == nil {
		m.fatalf("remove remote unit: %q is not a unit of a simulated remote application", unit)
	}
	var runs []HookRun
	for _, rel := range md.RelationsOf(app) {
		for _, local := range m.liveUnits(rel.RemoteApp(app)) {
			if slices.Contains(rel.Seen[local], unit) {
				runs = append(runs, m.depart(rel.ID, local, unit, unit))
			}
		}
	}
	m.update(func(md *simstate.Model) {
		delete(md.Units, unit)
		for _, rel := range md.RelationsOf(app) {
			delete(rel.Bags, unit)
		}
	})
	return append(runs, m.Settle()...)
}

// enterRelation runs what a local unit sees when it enters a relation.
func (m *Model) enterRelation(relID int, unit string, remoteUnits []string) []HookRun {
	return append([]HookRun{m.created(relID, unit)}, m.joinAll(relID, unit, remoteUnits)...)
}

// created runs relation-created on unit; from then on it is told of
// changes on the relation.
func (m *Model) created(relID int, unit string) HookRun {
	m.enter(relID, unit)
	rel := m.load().Relations[relID]
	return m.run(hookSpec{unit: unit, hook: m.endpointOf(rel, unit) + "-relation-created", rel: rel})
}

// joinAll makes unit see each remote unit join (joined, changed), then runs
// an application-level relation-changed.
func (m *Model) joinAll(relID int, unit string, remoteUnits []string) []HookRun {
	var runs []HookRun
	for _, r := range remoteUnits {
		runs = append(runs, m.join(relID, unit, r)...)
	}
	rel := m.load().Relations[relID]
	return append(runs, m.run(hookSpec{unit: unit, hook: m.endpointOf(rel, unit) + "-relation-changed", rel: rel}))
}

func liveRelations(md *simstate.Model, app, endpoint string) []*simstate.Relation {
	var out []*simstate.Relation
	for _, rel := range md.RelationsOf(app) {
		if side, _ := rel.Side(app); side.Endpoint == endpoint && !rel.Dying {
			out = append(out, rel)
		}
	}
	return out
}

// liveUnits returns app's units that are not being removed.
func (m *Model) liveUnits(app string) []string {
	md := m.load()
	var out []string
	for _, u := range md.UnitsOf(app) {
		if !md.Units[u].Dying {
			out = append(out, u)
		}
	}
	return out
}

// SetRemoteData updates a remote application's bag (bag = its app name) or
// one of its units' bags, "" deleting a key, and runs relation-changed on
// every local unit that sees it.
func (m *Model) SetRemoteData(relID int, bag string, data map[string]string) []HookRun {
	m.t.Helper()
	var rel *simstate.Relation
	m.update(func(md *simstate.Model) {
		var ok bool
		if rel, ok = md.Relations[relID]; !ok {
			m.fatalf("set remote data: relation %d not found", relID)
		}
		owner := simstate.AppOf(bag)
		if a, ok := md.Apps[owner]; !ok || a.Local {
			m.fatalf("set remote data: %q is not a remote application or unit", bag)
		}
		if _, ok := rel.Side(owner); !ok {
			m.fatalf("set remote data: %q is not in relation %d", bag, relID)
		}
		simstate.MergeBag(rel, bag, data)
	})
	isUnit := bag != simstate.AppOf(bag)
	var runs []HookRun
	local := rel.RemoteApp(simstate.AppOf(bag))
	for _, u := range m.liveUnits(local) {
		spec := hookSpec{unit: u, hook: m.endpointOf(rel, u) + "-relation-changed", rel: rel}
		if isUnit {
			if !slices.Contains(rel.Seen[u], bag) {
				continue
			}
			spec.remoteUnit = bag
		}
		runs = append(runs, m.run(spec))
	}
	return append(runs, m.Settle()...)
}

// Unrelate removes a relation: on each unit of each deployed charm in it,
// relation-departed for every remote unit it sees, then relation-broken
// (during which the relation is still listed by relation-ids, as in Juju).
func (m *Model) Unrelate(relID int) []HookRun {
	m.t.Helper()
	var rel *simstate.Relation
	m.update(func(md *simstate.Model) {
		var ok bool
		if rel, ok = md.Relations[relID]; !ok || rel.Peer() {
			m.fatalf("unrelate: no removable relation %d", relID)
		}
		rel.Dying = true
	})
	var runs []HookRun
	for _, side := range rel.Sides {
		if !m.isLocal(side.App) {
			continue
		}
		for _, u := range m.liveUnits(side.App) {
			runs = append(runs, m.leaveRelation(relID, u, false)...)
		}
	}
	m.update(func(md *simstate.Model) { delete(md.Relations, relID) })
	return append(runs, m.Settle()...)
}

// leaveRelation runs departed for each unit local sees, then broken. When
// self is true the local unit itself is departing.
func (m *Model) leaveRelation(relID int, local string, self bool) []HookRun {
	rel := m.load().Relations[relID]
	var runs []HookRun
	seen := slices.Clone(rel.Seen[local])
	simstate.SortUnits(seen)
	for _, r := range seen {
		departing := r
		if self {
			departing = local
		}
		runs = append(runs, m.depart(relID, local, r, departing))
	}
	rel = m.load().Relations[relID]
	runs = append(runs, m.run(hookSpec{unit: local, hook: m.endpointOf(rel, local) + "-relation-broken", rel: rel}))
	m.leave(relID, local)
	return runs
}

// SetLeader makes unit its application's leader and runs leader-elected on
// it.
func (m *Model) SetLeader(unit string) []HookRun {
	m.t.Helper()
	changed := false
	m.update(func(md *simstate.Model) {
		u, ok := md.Units[unit]
		if !ok {
			m.fatalf("set leader: unit %s not found", unit)
		}
		app := md.Apps[u.App]
		changed = app.Leader != unit
		app.Leader = unit
	})
	if !changed {
		return nil
	}
	return append([]HookRun{m.run(hookSpec{unit: unit, hook: "leader-elected"})}, m.Settle()...)
}

// AddUnit adds a unit to app: its first hooks, then it enters every
// relation of the application (and the units of a related charm see it
// join), and joins its peers.
func (m *Model) AddUnit(app string) (string, []HookRun) {
	m.t.Helper()
	var unit string
	m.update(func(md *simstate.Model) {
		if a, ok := md.Apps[app]; !ok || !a.Local {
			m.fatalf("add unit: %q is not a deployed charm", app)
		}
		unit = m.addUnit(md, app)
	})
	others := slices.DeleteFunc(m.liveUnits(app), func(u string) bool { return u == unit })
	runs := m.startUnit(unit)
	md := m.load()
	for _, rel := range md.RelationsOf(app) {
		if rel.Peer() || rel.Dying {
			continue
		}
		remote := rel.RemoteApp(app)
		runs = append(runs, m.enterRelation(rel.ID, unit, md.UnitsOf(remote))...)
		if md.Apps[remote].Local {
			for _, r := range m.liveUnits(remote) {
				runs = append(runs, m.join(rel.ID, r, unit)...)
			}
		}
	}
	runs = append(runs, m.joinPeers(unit, others)...)
	return unit, append(runs, m.Settle()...)
}

// RemoveUnit removes one unit: its peers and the units of related charms
// see it depart; the unit itself leaves every relation (departed, broken),
// then runs stop and remove. If it was the leader, the lowest remaining unit
// is elected.
func (m *Model) RemoveUnit(unit string) []HookRun {
	m.t.Helper()
	var app *simstate.App
	m.update(func(md *simstate.Model) {
		u, ok := md.Units[unit]
		if !ok || !md.Apps[u.App].Local {
			m.fatalf("remove unit: %s is not a unit of a deployed charm", unit)
		}
		u.Dying = true
		app = md.Apps[u.App]
	})
	runs := m.shutDown(unit)
	if app.Leader == unit {
		if rest := m.liveUnits(app.Name); len(rest) > 0 {
			runs = append(runs, m.SetLeader(rest[0])...)
		} else {
			m.update(func(md *simstate.Model) { md.Apps[app.Name].Leader = "" })
		}
	}
	return append(runs, m.Settle()...)
}

// shutDown runs a dying unit's last hooks and deletes it from the model:
// its peers and the units of related charms see it depart, it leaves every
// relation, then stop and remove.
func (m *Model) shutDown(unit string) []HookRun {
	var runs []HookRun
	for _, rel := range m.load().RelationsOf(simstate.AppOf(unit)) {
		for _, side := range rel.Sides {
			for _, other := range m.load().UnitsOf(side.App) {
				if other != unit && slices.Contains(rel.Seen[other], unit) {
					runs = append(runs, m.depart(rel.ID, other, unit, unit))
				}
			}
		}
		runs = append(runs, m.leaveRelation(rel.ID, unit, true)...)
	}
	runs = append(runs, m.run(hookSpec{unit: unit, hook: "stop"}), m.run(hookSpec{unit: unit, hook: "remove"}))
	m.update(func(md *simstate.Model) {
		delete(md.Units, unit)
		for _, rel := range md.Relations {
			delete(rel.Seen, unit)
			delete(rel.Bags, unit)
			for u := range rel.Seen {
				rel.Seen[u] = slices.DeleteFunc(rel.Seen[u], func(s string) bool { return s == unit })
			}
		}
	})
	if err := os.RemoveAll(filepath.Dir(m.charmDir(unit))); err != nil {
		m.fatalf("%v", err)
	}
	return runs
}

// ConfigSet changes app's config (nil resets an option to its default) and
// runs config-changed on every unit.
func (m *Model) ConfigSet(app string, values map[string]any) []HookRun {
	m.t.Helper()
	m.update(func(md *simstate.Model) {
		a, ok := md.Apps[app]
		if !ok || !a.Local {
			m.fatalf("config: %q is not a deployed charm", app)
		}
		if a.Config == nil {
			a.Config = map[string]any{}
		}
		for k, v := range values {
			opt, ok := a.Options[k]
			if !ok {
				m.fatalf("config: %s has no option %q", app, k)
			}
			if v == nil {
				delete(a.Config, k)
				continue
			}
			if err := checkOptionValue(k, opt, v); err != nil {
				m.fatalf("config: %v", err)
			}
			a.Config[k] = v
		}
	})
	var runs []HookRun
	for _, u := range m.liveUnits(app) {
		runs = append(runs, m.run(hookSpec{unit: u, hook: "config-changed"}))
	}
	return append(runs, m.Settle()...)
}

// Refresh replaces app's charm with charmArchive, as juju refresh does on
// Kubernetes: each unit's pod is recreated with the new charm (its charm
// directory, and any state kept there, starts afresh; relation data and
// config stay), then runs upgrade-charm and config-changed, leader first.
// (Juju goes on with start and pebble-ready, which run the same reconcile.)
func (m *Model) Refresh(app, charmArchive string) []HookRun {
	m.t.Helper()
	probe := filepath.Join(m.dir, "charms", app+"-refresh")
	if err := charmarchive.Extract(charmArchive, probe); err != nil {
		m.fatalf("refresh %s: %v", app, err)
	}
	meta, err := readCharmMeta(probe)
	if err != nil {
		m.fatalf("refresh %s: %v", app, err)
	}
	var units []string
	m.update(func(md *simstate.Model) {
		a, ok := md.Apps[app]
		if !ok || !a.Local {
			m.fatalf("refresh: %q is not a deployed charm", app)
		}
		a.Options, a.Endpoints, a.Containers = meta.options, meta.endpoints, meta.containers
		units = md.UnitsOf(app)
		if i := slices.Index(units, a.Leader); i > 0 {
			units = append([]string{a.Leader}, slices.Delete(units, i, i+1)...)
		}
	})
	m.charms[app] = charmArchive
	var runs []HookRun
	for _, u := range units {
		if err := os.RemoveAll(m.charmDir(u)); err != nil {
			m.fatalf("refresh %s: %v", u, err)
		}
		if err := charmarchive.Extract(charmArchive, m.charmDir(u)); err != nil {
			m.fatalf("refresh %s: %v", u, err)
		}
	}
	for _, u := range units {
		runs = append(runs, m.run(hookSpec{unit: u, hook: "upgrade-charm"}), m.run(hookSpec{unit: u, hook: "config-changed"}))
	}
	return append(runs, m.Settle()...)
}

// RunHook runs a hook without relation context (update-status, ...) on unit.
func (m *Model) RunHook(unit, hook string) HookRun {
	m.t.Helper()
	return m.run(hookSpec{unit: unit, hook: hook})
}

// PebbleReady runs <container>-pebble-ready on unit, as Juju does when the
// container's Pebble (re)starts.
func (m *Model) PebbleReady(unit, container string) HookRun {
	m.t.Helper()
	return m.run(hookSpec{unit: unit, hook: container + "-pebble-ready", workload: container})
}

// PebbleCheck runs <container>-pebble-check-failed (failed) or
// -check-recovered on unit for check, as Juju 3.6 does when a Pebble check
// reaches its failure threshold or recovers.
func (m *Model) PebbleCheck(unit, container, check string, failed bool) HookRun {
	m.t.Helper()
	kind := "-pebble-check-recovered"
	if failed {
		kind = "-pebble-check-failed"
	}
	return m.run(hookSpec{unit: unit, hook: container + kind, workload: container, check: check})
}

// RunAction runs an action on unit and returns what the charm reported.
func (m *Model) RunAction(unit, action string, params map[string]any) (HookRun, simstate.Action) {
	m.t.Helper()
	contextID := fmt.Sprintf("%s-%s-%d", unit, action, m.contexts+1) // run allocates this id next
	m.update(func(md *simstate.Model) {
		md.Actions[contextID] = &simstate.Action{Name: action, Params: params}
	})
	run := m.run(hookSpec{unit: unit, action: action})
	var act simstate.Action
	m.update(func(md *simstate.Model) {
		if a := md.Actions[contextID]; a != nil {
			act = *a
		}
		delete(md.Actions, contextID)
	})
	if run.ExitCode != 0 {
		act.Failed = true
	}
	return run, act
}

// RemoveApp removes app: every unit leaves each relation (departed, broken),
// then runs stop and remove; the units of a related charm see each unit
// depart, then the relation break. goal-state shows the units as dying
// meanwhile.
func (m *Model) RemoveApp(app string) []HookRun {
	m.t.Helper()
	m.update(func(md *simstate.Model) {
		a, ok := md.Apps[app]
		if !ok || !a.Local {
			m.fatalf("remove: %q is not a deployed charm", app)
		}
		for _, u := range md.UnitsOf(app) {
			md.Units[u].Dying = true
		}
		for _, rel := range md.RelationsOf(app) {
			rel.Dying = true
		}
	})
	var runs []HookRun
	for _, u := range m.load().UnitsOf(app) {
		runs = append(runs, m.shutDown(u)...)
	}
	for _, rel := range m.load().RelationsOf(app) {
		if remote := rel.RemoteApp(app); remote != app && m.isLocal(remote) {
			for _, u := range m.liveUnits(remote) {
				runs = append(runs, m.leaveRelation(rel.ID, u, false)...)
			}
		}
	}
	m.update(func(md *simstate.Model) {
		for _, rel := range md.RelationsOf(app) {
			delete(md.Relations, rel.ID)
		}
		delete(md.Apps, app)
		for name, a := range md.Apps {
			if !a.Local && len(md.RelationsOf(name)) == 0 {
				for _, u := range md.UnitsOf(name) {
					delete(md.Units, u)
				}
				delete(md.Apps, name)
			}
		}
	})
	return append(runs, m.Settle()...)
}

func sortedEndpoints(eps map[string]simstate.Endpoint, role string) []string {
	var out []string
	for name, ep := range eps {
		if ep.Role == role {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// ModelUUID is the UUID the simulator gives another model named name:
// stable, so tests can expect it.
func ModelUUID(name string) string {
	sum := sha256.Sum256([]byte("jujusim model " + name))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
