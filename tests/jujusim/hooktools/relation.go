package hooktools

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

var relationFlag = flagDef{long: "relation", short: "r"}

// relation resolves -r (or JUJU_RELATION_ID) the way Juju does: the id is
// whatever follows the last ':', and the unit's application must be in it.
func (c *hookCtx) relation(a *args) (*simstate.Relation, error) {
	raw, given := a.values["relation"]
	if !given {
		raw = c.getenv("JUJU_RELATION_ID")
		if raw == "" {
			return nil, usageErr("no relation id specified")
		}
	}
	idText := raw
	if i := strings.LastIndex(raw, ":"); i >= 0 {
		idText = raw[i+1:]
	}
	id, err := strconv.Atoi(idText)
	if err != nil {
		return nil, usageErr("invalid value %q for option -r: invalid relation id", raw)
	}
	rel, ok := c.view.Relations[id]
	if !ok {
		return nil, usageErr("invalid value %q for option -r: relation not found", raw)
	}
	if _, ok := rel.Side(c.app); !ok {
		return nil, usageErr("invalid value %q for option -r: relation not found", raw)
	}
	return rel, nil
}

func relationIDs(c *hookCtx, a *args) error {
	if len(a.pos) > 1 {
		return usageErr("unrecognized args: %q", a.pos[1:])
	}
	endpoint := c.getenv("JUJU_RELATION")
	if len(a.pos) == 1 {
		endpoint = a.pos[0]
	}
	if endpoint == "" {
		return usageErr("no endpoint name specified")
	}
	out := []string{}
	for _, rel := range c.view.RelationsOf(c.app) {
		if side, _ := rel.Side(c.app); side.Endpoint == endpoint {
			out = append(out, rel.Key(c.app)) // dying relations included, as Juju does during relation-broken
		}
	}
	return c.output(a, out)
}

func relationList(c *hookCtx, a *args) error {
	if len(a.pos) > 0 {
		return usageErr("unrecognized args: %q", a.pos)
	}
	rel, err := c.relation(a)
	if err != nil {
		return err
	}
	if a.flag("app") {
		return c.output(a, rel.RemoteApp(c.app))
	}
	units := slices.Clone(rel.Seen[c.unit])
	if units == nil {
		units = []string{}
	}
	simstate.SortUnits(units)
	return c.output(a, units)
}

func relationGet(c *hookCtx, a *args) error {
	rel, err := c.relation(a)
	if err != nil {
		return err
	}
	if len(a.pos) > 2 {
		return usageErr("unrecognized args: %q", a.pos[2:])
	}
	key := ""
	if len(a.pos) > 0 {
		key = a.pos[0]
	}
	if key == "-" {
		key = ""
	}
	app := a.flag("app")
	target := c.getenv("JUJU_REMOTE_UNIT")
	if app {
		target = c.getenv("JUJU_REMOTE_APP")
	}
	if len(a.pos) > 1 {
		target = a.pos[1]
	}
	if target == "" {
		return usageErr("no unit or application specified")
	}
	var bag map[string]string
	if app {
		name := simstate.AppOf(target)
		if _, ok := rel.Side(name); !ok {
			return runErr("cannot read application settings: application %q is not in relation %s", name, rel.Key(c.app))
		}
		if name == c.app && !rel.Peer() && !c.isLeader() {
			return runErr("permission denied")
		}
		bag = rel.Bags[name]
	} else {
		if !strings.Contains(target, "/") {
			return usageErr("invalid unit name %q", target)
		}
		if _, ok := rel.Side(simstate.AppOf(target)); !ok {
			return runErr("cannot read settings for unit %q in relation %s: unit not found", target, rel.Key(c.app))
		}
		bag = rel.Bags[target]
	}
	if key != "" {
		v, ok := bag[key]
		if !ok {
			return c.output(a, nil)
		}
		return c.output(a, v)
	}
	out := maps.Clone(bag)
	if out == nil {
		out = map[string]string{}
	}
	return c.output(a, out)
}

func relationSet(c *hookCtx, a *args) error {
	rel, err := c.relation(a)
	if err != nil {
		return err
	}
	settings, err := c.readSettingsFile(a.str("file"))
	if err != nil {
		return err
	}
	overrides, err := keyValues(a.pos)
	if err != nil {
		return err
	}
	maps.Copy(settings, overrides)
	bag := c.unit
	if a.flag("app") {
		if !c.isLeader() {
			return runErr("cannot write relation settings")
		}
		bag = c.app
	}
	if len(settings) == 0 {
		return nil
	}
	c.pending.SetRelation(rel.ID, bag, settings)
	return c.buffer()
}

func relationModelGet(c *hookCtx, a *args) error {
	rel, err := c.relation(a)
	if err != nil {
		return err
	}
	uuid := c.view.UUID
	if other, ok := rel.Models[rel.RemoteApp(c.app)]; ok {
		uuid = other
	}
	return c.output(a, map[string]string{"uuid": uuid})
}

// goalState reports the application's units and relations; dying units are
// how charms count planned units.
func goalState(c *hookCtx, a *args) error {
	const since = "2025-01-01 00:00:00Z"
	type entry struct {
		Status string `json:"status"`
		Since  string `json:"since"`
	}
	units := map[string]entry{}
	for _, name := range c.view.UnitsOf(c.app) {
		status := "active"
		if c.view.Units[name].Dying {
			status = "dying"
		}
		units[name] = entry{Status: status, Since: since}
	}
	relations := map[string]map[string]entry{}
	for _, rel := range c.view.RelationsOf(c.app) {
		side, _ := rel.Side(c.app)
		if rel.Dying || rel.Models[rel.RemoteApp(c.app)] != "" {
			// A remote application from another model consumes an offer
			// of this one: Juju's goal-state leaves out the offering side.
			continue
		}
		if relations[side.Endpoint] == nil {
			relations[side.Endpoint] = map[string]entry{}
		}
		remote := rel.RemoteApp(c.app)
		relations[side.Endpoint][remote] = entry{Status: "joined", Since: since}
		for _, u := range c.view.UnitsOf(remote) {
			if u != c.unit {
				relations[side.Endpoint][u] = entry{Status: "active", Since: since}
			}
		}
	}
	return c.output(a, map[string]any{"units": units, "relations": relations})
}
