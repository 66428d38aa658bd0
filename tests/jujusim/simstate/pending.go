package simstate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Pending holds what one hook changed that Juju commits only if the hook
// exits 0: relation settings, unit state, secrets and ports.
type Pending struct {
	// Relations maps relation id → bag (unit or app name) → key → value;
	// an empty value deletes the key.
	Relations map[int]map[string]map[string]string `json:"relations,omitempty"`
	// State maps key → value; null deletes the key.
	State   map[string]*string `json:"state,omitempty"`
	Secrets []SecretOp         `json:"secrets,omitempty"`
	Ports   []PortOp           `json:"ports,omitempty"`
}

// SecretOp is one buffered secret change, applied in order.
type SecretOp struct {
	Op          string            `json:"op"` // add, set, grant, revoke, remove, track
	ID          string            `json:"id"`
	Secret      *Secret           `json:"secret,omitempty"` // for add
	Content     map[string]string `json:"content,omitempty"`
	Label       *string           `json:"label,omitempty"`
	Description *string           `json:"description,omitempty"`
	Expire      *string           `json:"expire,omitempty"`
	Rotate      *string           `json:"rotate,omitempty"`
	Grant       *SecretGrant      `json:"grant,omitempty"`
	Revision    int               `json:"revision,omitempty"`
	Unit        string            `json:"unit,omitempty"` // consumer, for track
}

// PortOp opens or closes one port on a unit.
type PortOp struct {
	Open bool   `json:"open"`
	Port string `json:"port"`
}

// PendingPath is where a hook context's pending changes live.
func PendingPath(modelPath, contextID string) string {
	safe := strings.NewReplacer("/", "_", string(filepath.Separator), "_").Replace(contextID)
	return filepath.Join(filepath.Dir(modelPath), PendingDir, safe+".json")
}

// LoadPending reads a context's pending changes; none yet is an empty set.
func LoadPending(path string) (*Pending, error) {
	p := &Pending{}
	b, err := os.ReadFile(path)
	if isNotExist(err) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pending changes: %w", err)
	}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("parse pending changes %s: %w", path, err)
	}
	return p, nil
}

// Save writes the pending changes atomically.
func (p *Pending) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write pending changes: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode pending changes: %w", err)
	}
	return writeAtomic(path, b)
}

// SetRelation buffers settings for one bag.
func (p *Pending) SetRelation(relID int, bag string, data map[string]string) {
	if p.Relations == nil {
		p.Relations = map[int]map[string]map[string]string{}
	}
	if p.Relations[relID] == nil {
		p.Relations[relID] = map[string]map[string]string{}
	}
	if p.Relations[relID][bag] == nil {
		p.Relations[relID][bag] = map[string]string{}
	}
	for k, v := range data {
		p.Relations[relID][bag][k] = v
	}
}

// Apply commits pending changes made by unit into the model.
func (m *Model) Apply(unit string, p *Pending) {
	for relID, bags := range p.Relations {
		rel, ok := m.Relations[relID]
		if !ok {
			continue // the relation went away; Juju drops the settings too
		}
		for bag, data := range bags {
			MergeBag(rel, bag, data)
		}
	}
	if u, ok := m.Units[unit]; ok {
		for k, v := range p.State {
			if v == nil {
				delete(u.State, k)
				continue
			}
			if u.State == nil {
				u.State = map[string]string{}
			}
			u.State[k] = *v
		}
		for _, op := range p.Ports {
			u.Ports = slices.DeleteFunc(u.Ports, func(s string) bool { return s == op.Port })
			if op.Open {
				u.Ports = append(u.Ports, op.Port)
			}
		}
		slices.Sort(u.Ports)
	}
	for _, op := range p.Secrets {
		m.applySecretOp(op)
	}
}

// MergeBag writes settings into a bag; an empty value deletes the key.
func MergeBag(rel *Relation, bag string, data map[string]string) {
	if rel.Bags == nil {
		rel.Bags = map[string]map[string]string{}
	}
	b := rel.Bags[bag]
	if b == nil {
		b = map[string]string{}
		rel.Bags[bag] = b
	}
	for k, v := range data {
		if v == "" {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
}

func (m *Model) applySecretOp(op SecretOp) {
	if op.Op == "add" {
		if op.Secret != nil {
			m.Secrets[op.Secret.ID] = op.Secret
		}
		return
	}
	s, ok := m.Secrets[op.ID]
	if !ok {
		return
	}
	switch op.Op {
	case "set":
		if op.Label != nil {
			s.Label = *op.Label
		}
		if op.Description != nil {
			s.Description = *op.Description
		}
		if op.Expire != nil {
			s.Expire = *op.Expire
		}
		if op.Rotate != nil {
			s.Rotate = *op.Rotate
		}
		if len(op.Content) > 0 {
			s.Revisions = append(s.Revisions, SecretRevision{Revision: s.Latest() + 1, Content: op.Content})
		}
	case "grant":
		if op.Grant != nil {
			s.Grants = append(s.Grants, *op.Grant)
		}
	case "revoke":
		if op.Grant != nil {
			g := *op.Grant
			s.Grants = slices.DeleteFunc(s.Grants, func(have SecretGrant) bool {
				return (g.RelationID == 0 || have.RelationID == g.RelationID) &&
					(g.App == "" || have.App == g.App) && (g.Unit == "" || have.Unit == g.Unit)
			})
		}
	case "remove":
		if op.Revision == 0 {
			delete(m.Secrets, op.ID)
			return
		}
		s.Revisions = slices.DeleteFunc(s.Revisions, func(r SecretRevision) bool { return r.Revision == op.Revision })
		if len(s.Revisions) == 0 {
			delete(m.Secrets, op.ID)
		}
	case "track":
		if s.Consumers == nil {
			s.Consumers = map[string]*Consumer{}
		}
		c := s.Consumers[op.Unit]
		if c == nil {
			c = &Consumer{}
			s.Consumers[op.Unit] = c
		}
		if op.Revision > 0 {
			c.Revision = op.Revision
		}
		if op.Label != nil {
			c.Label = *op.Label
		}
	}
}

// Latest returns the newest revision number.
func (s *Secret) Latest() int {
	n := 0
	for _, r := range s.Revisions {
		n = max(n, r.Revision)
	}
	return n
}

// Revision returns the content of revision n.
func (s *Secret) Revision(n int) (map[string]string, bool) {
	for _, r := range s.Revisions {
		if r.Revision == n {
			return r.Content, true
		}
	}
	return nil, false
}
