package ingressroute

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// fakeModel is an in-memory Juju model seen from one side of a set of
// relations: the remote app bags it reads and the local app bags it writes,
// with Juju's rules ("" deletes a key; a relation that is gone is
// ErrRelationNotFound).
type fakeModel struct {
	mu     sync.Mutex
	rels   map[juju.RelationID]*fakeRelation
	writes int
}

type fakeRelation struct {
	remoteApp string
	remote    map[string]string // remote app bag
	local     map[string]string // our app bag
}

func newFakeModel() *fakeModel { return &fakeModel{rels: map[juju.RelationID]*fakeRelation{}} }

func (m *fakeModel) relate(rel juju.RelationID, app string, remote map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if remote == nil {
		remote = map[string]string{}
	}
	m.rels[rel] = &fakeRelation{remoteApp: app, remote: remote, local: map[string]string{}}
}

func (m *fakeModel) remove(rel juju.RelationID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rels, rel)
}

func (m *fakeModel) local(rel juju.RelationID) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rels[rel]
	if !ok {
		return nil
	}
	return maps.Clone(r.local)
}

func (m *fakeModel) RelationIDs(_ context.Context, endpoint string) ([]juju.RelationID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []juju.RelationID
	for id := range m.rels {
		if id.Endpoint == endpoint {
			ids = append(ids, id)
		}
	}
	// Juju lists in no promised order; reverse id order makes tests catch
	// callers that rely on it.
	slices.SortFunc(ids, func(a, b juju.RelationID) int { return b.ID - a.ID })
	return ids, nil
}

func (m *fakeModel) RelationApp(_ context.Context, rel juju.RelationID) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rels[rel]
	if !ok {
		return "", fmt.Errorf("%w: %s", juju.ErrRelationNotFound, rel)
	}
	return r.remoteApp, nil
}

func (m *fakeModel) RelationGetApp(_ context.Context, rel juju.RelationID, app string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rels[rel]
	if !ok {
		return nil, fmt.Errorf("%w: %s", juju.ErrRelationNotFound, rel)
	}
	if app != r.remoteApp {
		return nil, fmt.Errorf("fake: reading app %q on %s, remote is %q", app, rel, r.remoteApp)
	}
	return maps.Clone(r.remote), nil
}

// RelationSetApp writes our app bag; the fake hands itself out as the writer
// only to "leader" code paths in tests.
func (m *fakeModel) RelationSetApp(_ context.Context, rel juju.RelationID, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rels[rel]
	if !ok {
		return fmt.Errorf("%w: %s", juju.ErrRelationNotFound, rel)
	}
	m.writes++
	for k, v := range data {
		if v == "" {
			delete(r.local, k)
		} else {
			r.local[k] = v
		}
	}
	return nil
}

func hookCtx(hook string, rel *juju.RelationID, remoteApp string) juju.Context {
	return juju.Context{Unit: "app/0", App: "app", HookName: hook, DispatchPath: "hooks/" + hook,
		Relation: rel, RemoteApp: remoteApp}
}
