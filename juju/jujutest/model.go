package jujutest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Model is the part of a Juju model one unit's hook tools see, held in
// memory. Its Runner answers the hook tools the way Juju does: app bags are
// written only by the leader, values are strings and "" deletes a key, and
// a relation stays listed (and readable) until Remove, which Juju does
// after its relation-broken hook. Safe for concurrent use.
type Model struct {
	mu       sync.Mutex
	app      string // this application
	model    string // the model, also the Kubernetes namespace
	unit     string // this unit, e.g. "app/0"
	charmDir string
	leader   bool
	config   map[string]any
	// goal maps each unit of this application to its goal-state status
	// ("active", "dying").
	goal   map[string]string
	nextID int
	rels   map[juju.RelationID]*relation
	// secrets are the application's secrets by label (see secret.go).
	secrets   map[string]*secret
	fileModes []os.FileMode
}

type relation struct {
	remoteApp string
	// offered: the remote application consumes this application's offer
	// from another model, and Juju leaves the relation out of goal-state.
	offered bool
	// remoteModel is the UUID of the model the remote application lives
	// in ("": one of its own, see relationModelGet).
	remoteModel string
	remote      map[string]string // the remote application's bag
	local       map[string]string // this application's bag
}

// NewModel returns the model of application app's leader unit app/0, named
// model, with no relations and the charm's default config.
func NewModel(app, model, charmDir string) *Model {
	unit := app + "/0"
	return &Model{
		app: app, model: model, unit: unit, charmDir: charmDir, leader: true,
		// config-get prints every option that has a value: defaults included.
		config:  map[string]any{"ready-timeout": 100, "external-traffic-policy-cidrs": "0.0.0.0/0"},
		goal:    map[string]string{unit: "active"},
		nextID:  1,
		rels:    map[juju.RelationID]*relation{},
		secrets: map[string]*secret{},
	}
}

// Relate adds a relation of endpoint with remoteApp, whose app bag holds
// bag, under the next free relation id.
func (m *Model) Relate(endpoint, remoteApp string, bag map[string]string) juju.RelationID {
	m.mu.Lock()
	id := juju.RelationID{Endpoint: endpoint, ID: m.nextID}
	m.mu.Unlock()
	m.RelateAs(id, remoteApp, bag)
	return id
}

// RelateAs adds the relation id with remoteApp, whose app bag holds bag,
// replacing any relation of that id.
func (m *Model) RelateAs(id juju.RelationID, remoteApp string, bag map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID = max(m.nextID, id.ID+1)
	m.rels[id] = &relation{remoteApp: remoteApp, remote: withoutEmpty(bag), local: map[string]string{}}
}

// Offer makes rel a relation with an application that consumed this
// application's offer from another model: as Juju does on the offering
// side, goal-state no longer lists it (relation-ids still does).
func (m *Model) Offer(rel juju.RelationID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rels[rel].offered = true
}

// SetRemoteModel says the remote application of rel lives in the model
// with UUID uuid.
func (m *Model) SetRemoteModel(rel juju.RelationID, uuid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rels[rel].remoteModel = uuid
}

// SetRemote replaces the remote application's bag, as its leader would.
func (m *Model) SetRemote(rel juju.RelationID, bag map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rels[rel].remote = withoutEmpty(bag)
}

// Remove takes a relation out of the model (after its relation-broken hook).
func (m *Model) Remove(rel juju.RelationID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rels, rel)
}

// SetLocal replaces this application's bag on rel, as a relation write
// that Juju did not commit leaves it.
func (m *Model) SetLocal(rel juju.RelationID, bag map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rels[rel].local = withoutEmpty(bag)
}

// Local is this application's bag on rel, as the remote side reads it; nil
// when there is no such relation.
func (m *Model) Local(rel juju.RelationID) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rels[rel]
	if !ok {
		return nil
	}
	return maps.Clone(r.local)
}

// SetLeader says whether this unit leads.
func (m *Model) SetLeader(v bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leader = v
}

// BecomeUnit makes the hook tools and environment those of another unit of
// the application, with its own charm directory (and so its own state
// file); relation data is shared, as in Juju.
func (m *Model) BecomeUnit(unit, charmDir string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unit, m.charmDir = unit, charmDir
}

// Unit is the unit whose hooks run.
func (m *Model) Unit() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unit
}

// CharmDir is the charm directory of the unit whose hooks run.
func (m *Model) CharmDir() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.charmDir
}

// SetConfig sets an option; nil unsets it.
func (m *Model) SetConfig(key string, v any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v == nil {
		delete(m.config, key)
		return
	}
	m.config[key] = v
}

// SetGoal sets each unit's goal-state status.
func (m *Model) SetGoal(goal map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.goal = maps.Clone(goal)
}

// Env is the hook environment of hook; rel is the relation a relation hook
// is about (nil for other hooks).
func (m *Model) Env(hook string, rel *juju.RelationID) func(string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	env := map[string]string{
		"JUJU_UNIT_NAME":     m.unit,
		"JUJU_MODEL_NAME":    m.model,
		"JUJU_MODEL_UUID":    m.modelUUID(),
		"JUJU_CHARM_DIR":     m.charmDir,
		"JUJU_VERSION":       "3.6.4",
		"JUJU_DISPATCH_PATH": "hooks/" + hook,
		"JUJU_HOOK_NAME":     hook,
	}
	if rel != nil {
		env["JUJU_RELATION"] = rel.Endpoint
		env["JUJU_RELATION_ID"] = rel.String()
		if r := m.rels[*rel]; r != nil {
			env["JUJU_REMOTE_APP"] = r.remoteApp
		}
	}
	return func(k string) string { return env[k] }
}

// Runner returns a fresh recording Runner answering from m; the hook
// tools this charm does not read from the model (juju-log, status-set,
// action-fail) succeed and are only recorded.
func (m *Model) Runner() *Runner {
	return NewRunner().
		Handle("is-leader", m.locked(func([]string, []byte) ([]byte, error) {
			return json.Marshal(m.leader)
		})).
		Handle("config-get", m.locked(func([]string, []byte) ([]byte, error) {
			return json.Marshal(m.config)
		})).
		Handle("goal-state", m.locked(m.goalState)).
		Handle("relation-ids", m.locked(m.relationIDs)).
		Handle("relation-list", m.locked(m.relationList)).
		Handle("relation-get", m.locked(m.relationGet)).
		Handle("relation-set", m.locked(m.relationSet)).
		Handle("relation-model-get", m.locked(m.relationModelGet)).
		Handle("secret-add", m.locked(m.secretAdd)).
		Handle("secret-set", m.locked(m.secretSet)).
		Handle("secret-get", m.locked(m.secretGet)).
		Handle("secret-info-get", m.locked(m.secretInfoGet)).
		Accept("juju-log", "status-set", "action-fail")
}

func (m *Model) locked(h Handler) Handler {
	return func(args []string, stdin []byte) ([]byte, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		return h(args, stdin)
	}
}

func (m *Model) goalState([]string, []byte) ([]byte, error) {
	type entry struct {
		Status string `json:"status"`
		Since  string `json:"since"`
	}
	const since = "2025-01-01 00:00:00Z"
	units := map[string]entry{}
	for u, s := range m.goal {
		units[u] = entry{s, since}
	}
	rels := map[string]map[string]entry{}
	for id, r := range m.rels {
		if r.offered {
			continue
		}
		if rels[id.Endpoint] == nil {
			rels[id.Endpoint] = map[string]entry{}
		}
		rels[id.Endpoint][r.remoteApp] = entry{"joined", since}
	}
	return json.Marshal(map[string]any{"units": units, "relations": rels})
}

// relationIDs lists newest first: Juju promises no order, and the reverse
// of creation order catches callers that rely on one.
func (m *Model) relationIDs(args []string, _ []byte) ([]byte, error) {
	if len(args) == 0 {
		return nil, toolErr("relation-ids", args, 2, "ERROR no endpoint specified")
	}
	var ids []juju.RelationID
	for id := range m.rels {
		if id.Endpoint == args[0] {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b juju.RelationID) int { return b.ID - a.ID })
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return json.Marshal(out)
}

// relation finds the relation named by -r, failing as Juju does.
func (m *Model) relation(tool string, args []string) (*relation, error) {
	i := slices.Index(args, "-r")
	if i < 0 || i+1 >= len(args) {
		return nil, toolErr(tool, args, 2, "ERROR no relation id specified")
	}
	id, err := juju.ParseRelationID(args[i+1])
	if err != nil {
		return nil, toolErr(tool, args, 2, fmt.Sprintf("ERROR invalid value %q for option -r: %v", args[i+1], err))
	}
	r := m.rels[id]
	if r == nil {
		return nil, toolErr(tool, args, 2, fmt.Sprintf("ERROR invalid value %q for option -r: relation not found", args[i+1]))
	}
	return r, nil
}

func (m *Model) relationList(args []string, _ []byte) ([]byte, error) {
	r, err := m.relation("relation-list", args)
	if err != nil {
		return nil, err
	}
	if slices.Contains(args, "--app") {
		return json.Marshal(r.remoteApp)
	}
	return json.Marshal([]string{r.remoteApp + "/0"})
}

func (m *Model) relationGet(args []string, _ []byte) ([]byte, error) {
	r, err := m.relation("relation-get", args)
	if err != nil {
		return nil, err
	}
	target := args[len(args)-1]
	if !slices.Contains(args, "--app") {
		return []byte("{}"), nil // unit bags hold nothing this charm reads
	}
	switch target {
	case r.remoteApp:
		return json.Marshal(r.remote)
	case m.app:
		return json.Marshal(r.local)
	}
	return nil, toolErr("relation-get", args, 1, fmt.Sprintf("ERROR application %q not found", target))
}

// relationModelGet names another model than this one: the remote
// application of every relation lives in a model of its own, unless
// SetRemoteModel says which.
func (m *Model) relationModelGet(args []string, _ []byte) ([]byte, error) {
	r, err := m.relation("relation-model-get", args)
	if err != nil {
		return nil, err
	}
	uuid := r.remoteModel
	if uuid == "" {
		uuid = "0ther000-0000-4000-8000-" + fmt.Sprintf("%012d", len(r.remoteApp))
	}
	return json.Marshal(map[string]string{"uuid": uuid})
}

func (m *Model) modelUUID() string {
	return "7a1c6c2e-0000-4000-8000-" + fmt.Sprintf("%012d", len(m.model))
}

func (m *Model) relationSet(args []string, stdin []byte) ([]byte, error) {
	r, err := m.relation("relation-set", args)
	if err != nil {
		return nil, err
	}
	var data map[string]string
	if err := json.Unmarshal(stdin, &data); err != nil {
		return nil, toolErr("relation-set", args, 2, "ERROR cannot parse settings: "+err.Error())
	}
	if !slices.Contains(args, "--app") {
		return nil, nil // the unit bag: this charm's readers never look at it
	}
	if !m.leader {
		return nil, toolErr("relation-set", args, 1, "ERROR cannot write relation settings")
	}
	for k, v := range data {
		if v == "" {
			delete(r.local, k)
		} else {
			r.local[k] = v
		}
	}
	return nil, nil
}

func toolErr(tool string, args []string, code int, msg string) error {
	return &juju.ToolError{Tool: tool, Args: slices.Clone(args), ExitCode: code, Stderr: msg + "\n"}
}

// withoutEmpty drops "" values: Juju cannot hold an empty value (setting
// one deletes the key), so no requirer's bag can contain one.
func withoutEmpty(bag map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range bag {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
