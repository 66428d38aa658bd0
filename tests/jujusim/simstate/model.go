// Package simstate is the simulated Juju model: the JSON file the simulated
// hook tools and the test driver share, and the per-hook pending changes that
// Juju commits only when a hook exits 0; it imports only the standard
// library.
package simstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// File names inside a model directory.
const (
	ModelFile   = "model.json"
	PendingDir  = "pending"
	CallsLog    = "calls.log" // one line per hook-tool call
	JujuLogFile = "juju-log.jsonl"
)

// ModelEnv names the variable that gives hook tools the model file path.
const ModelEnv = "JUJUSIM_MODEL"

// Model is everything the simulated controller knows.
type Model struct {
	Name           string             `json:"name"`
	UUID           string             `json:"uuid"`
	Apps           map[string]*App    `json:"apps"`
	Units          map[string]*Unit   `json:"units"`
	Relations      map[int]*Relation  `json:"relations"`
	NextRelationID int                `json:"next-relation-id"`
	Secrets        map[string]*Secret `json:"secrets"`
	// Actions holds the running action of a hook context, keyed by context id.
	Actions map[string]*Action `json:"actions,omitempty"`
}

// App is an application: the charm under test (Local) or a remote
// application whose relation data the test writes directly.
type App struct {
	Name           string              `json:"name"`
	Local          bool                `json:"local"`
	Leader         string              `json:"leader,omitempty"`
	Config         map[string]any      `json:"config,omitempty"`
	Options        map[string]Option   `json:"options,omitempty"`
	Endpoints      map[string]Endpoint `json:"endpoints,omitempty"`
	Containers     []string            `json:"containers,omitempty"`
	Status         Status              `json:"status"`
	Version        string              `json:"version,omitempty"`
	LeaderSettings map[string]string   `json:"leader-settings,omitempty"`
	NextUnit       int                 `json:"next-unit"`
}

// Option is a config option declared in config.yaml.
type Option struct {
	Type    string `json:"type"`
	Default any    `json:"default,omitempty"`
}

// Endpoint is a relation endpoint declared in metadata.yaml.
type Endpoint struct {
	Role      string `json:"role"` // provides, requires or peers
	Interface string `json:"interface"`
	Limit     int    `json:"limit,omitempty"`
}

// Unit is one unit of an application.
type Unit struct {
	Name    string            `json:"name"`
	App     string            `json:"app"`
	Status  Status            `json:"status"`
	State   map[string]string `json:"state,omitempty"`
	Ports   []string          `json:"ports,omitempty"`
	Address string            `json:"address"`
	Dying   bool              `json:"dying,omitempty"`
}

// Status is a workload status as status-set writes it.
type Status struct {
	Status  string         `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"status-data,omitempty"`
}

// RelationEndpoint is one side of a relation.
type RelationEndpoint struct {
	App      string `json:"app"`
	Endpoint string `json:"endpoint"`
}

// Relation is an established relation and its data bags.
type Relation struct {
	ID    int                `json:"id"`
	Sides []RelationEndpoint `json:"sides"` // one side for a peer relation
	// Seen lists, per unit, the remote units whose joined hook it has run:
	// what relation-list shows that unit.
	Seen map[string][]string `json:"seen,omitempty"`
	// Bags holds the settings of each unit (by unit name) and application
	// (by application name).
	Bags  map[string]map[string]string `json:"bags,omitempty"`
	Dying bool                         `json:"dying,omitempty"`
	// Models holds the model UUID of each side living in another model (a
	// cross-model relation), by application name.
	Models map[string]string `json:"models,omitempty"`
}

// Secret is a Juju secret and who may read it.
type Secret struct {
	ID          string           `json:"id"`
	OwnerApp    string           `json:"owner-app"`
	OwnerUnit   string           `json:"owner-unit,omitempty"` // set for unit-owned secrets
	Label       string           `json:"label,omitempty"`
	Description string           `json:"description,omitempty"`
	Expire      string           `json:"expire,omitempty"`
	Rotate      string           `json:"rotate,omitempty"`
	Revisions   []SecretRevision `json:"revisions"`
	Grants      []SecretGrant    `json:"grants,omitempty"`
	// Consumers records, per consuming unit, the tracked revision and the
	// label it gave the secret.
	Consumers map[string]*Consumer `json:"consumers,omitempty"`
}

// SecretRevision is one revision's content (plain values, not base64).
type SecretRevision struct {
	Revision int               `json:"revision"`
	Content  map[string]string `json:"content"`
}

// SecretGrant gives an application (Unit empty) or one unit read access.
type SecretGrant struct {
	RelationID int    `json:"relation-id"`
	App        string `json:"app"`
	Unit       string `json:"unit,omitempty"`
}

// Consumer is a consuming unit's view of a secret.
type Consumer struct {
	Revision int    `json:"revision"`
	Label    string `json:"label,omitempty"`
}

// Action is a running action: its parameters and what the charm reported.
type Action struct {
	Name    string            `json:"name"`
	Params  map[string]any    `json:"params,omitempty"`
	Results map[string]string `json:"results,omitempty"`
	Failed  bool              `json:"failed,omitempty"`
	Message string            `json:"message,omitempty"`
	Logs    []string          `json:"logs,omitempty"`
}

// Load reads a model file.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	m := &Model{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("parse model %s: %w", path, err)
	}
	m.init()
	return m, nil
}

func (m *Model) init() {
	if m.Apps == nil {
		m.Apps = map[string]*App{}
	}
	if m.Units == nil {
		m.Units = map[string]*Unit{}
	}
	if m.Relations == nil {
		m.Relations = map[int]*Relation{}
	}
	if m.Secrets == nil {
		m.Secrets = map[string]*Secret{}
	}
	if m.Actions == nil {
		m.Actions = map[string]*Action{}
	}
}

// New returns an empty model.
func New(name, uuid string) *Model {
	m := &Model{Name: name, UUID: uuid, NextRelationID: 0}
	m.init()
	return m
}

// Save writes the model atomically so a crashing tool never leaves a
// half-written file.
func (m *Model) Save(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return writeAtomic(path, b)
}

// Clone returns a deep copy.
func (m *Model) Clone() (*Model, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("copy model: %w", err)
	}
	c := &Model{}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("copy model: %w", err)
	}
	c.init()
	return c, nil
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// AppOf returns a unit's application name ("app/3" → "app").
func AppOf(unit string) string {
	for i := len(unit) - 1; i >= 0; i-- {
		if unit[i] == '/' {
			return unit[:i]
		}
	}
	return unit
}

// Side returns the side of the relation that app is on, and whether it is on it.
func (r *Relation) Side(app string) (RelationEndpoint, bool) {
	for _, s := range r.Sides {
		if s.App == app {
			return s, true
		}
	}
	return RelationEndpoint{}, false
}

// Peer reports whether the relation is a peer relation.
func (r *Relation) Peer() bool { return len(r.Sides) == 1 }

// RemoteApp returns the application on the other side from app (app itself
// for a peer relation).
func (r *Relation) RemoteApp(app string) string {
	for _, s := range r.Sides {
		if s.App != app {
			return s.App
		}
	}
	return app
}

// Key is how Juju names the relation to a unit of app: "endpoint:id".
func (r *Relation) Key(app string) string {
	s, _ := r.Side(app)
	return s.Endpoint + ":" + strconv.Itoa(r.ID)
}

// RelationsOf returns the relations app takes part in, by ascending id.
func (m *Model) RelationsOf(app string) []*Relation {
	var out []*Relation
	for _, r := range m.Relations {
		if _, ok := r.Side(app); ok {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// UnitsOf returns the units of app, sorted by unit number.
func (m *Model) UnitsOf(app string) []string {
	var out []string
	for name, u := range m.Units {
		if u.App == app {
			out = append(out, name)
		}
	}
	SortUnits(out)
	return out
}

// SortUnits sorts unit names by application, then unit number.
func SortUnits(units []string) {
	sort.Slice(units, func(i, j int) bool {
		ai, aj := AppOf(units[i]), AppOf(units[j])
		if ai != aj {
			return ai < aj
		}
		ni, _ := strconv.Atoi(units[i][len(ai)+1:])
		nj, _ := strconv.Atoi(units[j][len(aj)+1:])
		return ni < nj
	})
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
