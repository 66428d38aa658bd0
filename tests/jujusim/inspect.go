package jujusim

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/hooktools"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// Snapshot returns a copy of the committed model for detailed assertions.
func (m *Model) Snapshot() *simstate.Model {
	m.t.Helper()
	return m.load()
}

// UnitStatus returns the workload status a unit last set.
func (m *Model) UnitStatus(unit string) simstate.Status {
	m.t.Helper()
	u, ok := m.load().Units[unit]
	if !ok {
		m.fatalf("unit %s not found", unit)
	}
	return u.Status
}

// AppStatus returns the application status the leader last set.
func (m *Model) AppStatus(app string) simstate.Status {
	m.t.Helper()
	a, ok := m.load().Apps[app]
	if !ok {
		m.fatalf("application %s not found", app)
	}
	return a.Status
}

// Leader returns app's leader unit.
func (m *Model) Leader(app string) string {
	m.t.Helper()
	a, ok := m.load().Apps[app]
	if !ok {
		m.fatalf("application %s not found", app)
	}
	return a.Leader
}

// Units returns app's units.
func (m *Model) Units(app string) []string {
	m.t.Helper()
	return m.load().UnitsOf(app)
}

// RelationIDs returns the ids of app's relations on endpoint.
func (m *Model) RelationIDs(app, endpoint string) []int {
	m.t.Helper()
	var ids []int
	for _, rel := range m.load().RelationsOf(app) {
		if side, _ := rel.Side(app); side.Endpoint == endpoint {
			ids = append(ids, rel.ID)
		}
	}
	return ids
}

// RelationData returns a committed bag (a unit or application name) of a
// relation; empty when the relation or bag does not exist.
func (m *Model) RelationData(relID int, bag string) map[string]string {
	m.t.Helper()
	out := map[string]string{}
	if rel, ok := m.load().Relations[relID]; ok {
		maps.Copy(out, rel.Bags[bag])
	}
	return out
}

// UnitState returns a unit's committed state-set values.
func (m *Model) UnitState(unit string) map[string]string {
	m.t.Helper()
	out := map[string]string{}
	if u, ok := m.load().Units[unit]; ok {
		maps.Copy(out, u.State)
	}
	return out
}

// Logs returns every juju-log line written so far.
func (m *Model) Logs() []hooktools.LogEntry {
	m.t.Helper()
	f, err := os.Open(filepath.Join(m.dir, simstate.JujuLogFile))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		m.fatalf("%v", err)
	}
	defer f.Close()
	var out []hooktools.LogEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var e hooktools.LogEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			m.fatalf("parse juju log: %v", err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		m.fatalf("read juju log: %v", err)
	}
	return out
}
