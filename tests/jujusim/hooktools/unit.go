package hooktools

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

func noArgs(a *args) error {
	if len(a.pos) > 0 {
		return usageErr("unrecognized args: %q", a.pos)
	}
	return nil
}

func isLeader(c *hookCtx, a *args) error {
	if err := noArgs(a); err != nil {
		return err
	}
	return c.output(a, c.isLeader())
}

func configGet(c *hookCtx, a *args) error {
	if len(a.pos) > 1 {
		return usageErr("unrecognized args: %q", a.pos[1:])
	}
	app := c.view.Apps[c.app]
	values := map[string]any{}
	for name, opt := range app.Options {
		switch v, set := app.Config[name]; {
		case set && v != nil:
			values[name] = v
		case opt.Default != nil:
			values[name] = opt.Default
		case a.flag("all"):
			values[name] = nil
		}
	}
	if len(a.pos) == 1 {
		return c.output(a, values[a.pos[0]])
	}
	return c.output(a, values)
}

var validStatuses = []string{"maintenance", "blocked", "waiting", "active"}

func statusSet(c *hookCtx, a *args) error {
	if len(a.pos) < 1 {
		return usageErr("invalid args, require <status> [message] [data]")
	}
	if len(a.pos) > 2 {
		return usageErr("unrecognized args: %q", a.pos[2:])
	}
	if !slices.Contains(validStatuses, a.pos[0]) {
		return usageErr("invalid status %q, expected one of %v", a.pos[0], validStatuses)
	}
	st := simstate.Status{Status: a.pos[0]}
	if len(a.pos) == 2 {
		st.Message = a.pos[1]
	}
	if a.flag("application") {
		if !c.isLeader() {
			return runErr("this unit is not the leader")
		}
		c.model.Apps[c.app].Status = st
	} else {
		c.model.Units[c.unit].Status = st
	}
	return c.commitNow() // status is not transactional in Juju
}

func statusGet(c *hookCtx, a *args) error {
	if err := noArgs(a); err != nil {
		return err
	}
	detail := func(s simstate.Status) any {
		if !a.flag("include-data") {
			return s.Status
		}
		data := s.Data
		if data == nil {
			data = map[string]any{}
		}
		return map[string]any{"status": s.Status, "message": s.Message, "status-data": data}
	}
	if !a.flag("application") {
		return c.output(a, detail(c.view.Units[c.unit].Status))
	}
	if !c.isLeader() {
		return runErr("finding application status: this unit is not the leader")
	}
	units := map[string]any{}
	for _, u := range c.view.UnitsOf(c.app) {
		units[u] = detail(c.view.Units[u].Status)
	}
	st := c.view.Apps[c.app].Status
	out := map[string]any{"status": st.Status, "message": st.Message, "status-data": map[string]any{}, "units": units}
	return c.output(a, map[string]any{"application-status": out})
}

// LogEntry is one juju-log line as the driver reads it back.
type LogEntry struct {
	Unit    string `json:"unit"`
	Context string `json:"context"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

var logLevels = []string{"TRACE", "DEBUG", "INFO", "WARNING", "ERROR"}

func jujuLog(c *hookCtx, a *args) error {
	if len(a.pos) == 0 {
		return usageErr("no message specified")
	}
	level := strings.ToUpper(a.str("log-level"))
	if a.flag("debug") {
		level = "DEBUG"
	}
	if !slices.Contains(logLevels, level) {
		level = "INFO"
	}
	msg := strings.Join(a.pos, " ")
	if rel := c.getenv("JUJU_RELATION_ID"); rel != "" {
		msg = rel + ": " + msg
	}
	line, err := json.Marshal(LogEntry{Unit: c.unit, Context: c.getenv("JUJU_CONTEXT_ID"), Level: level, Message: msg})
	if err != nil {
		return runErr("%v", err)
	}
	f, err := os.OpenFile(filepath.Join(filepath.Dir(c.modelPath), simstate.JujuLogFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return runErr("%v", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s\n", line); err != nil {
		return runErr("%v", err)
	}
	return nil
}

func applicationVersionSet(c *hookCtx, a *args) error {
	if len(a.pos) == 0 {
		return usageErr("no version specified")
	}
	if len(a.pos) > 1 {
		return usageErr("unrecognized args: %q", a.pos[1:])
	}
	c.model.Apps[c.app].Version = a.pos[0]
	return c.commitNow()
}

func leaderGet(c *hookCtx, a *args) error {
	if len(a.pos) > 1 {
		return usageErr("unrecognized args: %q", a.pos[1:])
	}
	settings := maps.Clone(c.view.Apps[c.app].LeaderSettings)
	if settings == nil {
		settings = map[string]string{}
	}
	if len(a.pos) == 1 && a.pos[0] != "-" {
		v, ok := settings[a.pos[0]]
		if !ok {
			return c.output(a, nil)
		}
		return c.output(a, v)
	}
	return c.output(a, settings)
}

func leaderSet(c *hookCtx, a *args) error {
	kv, err := keyValues(a.pos)
	if err != nil {
		return err
	}
	if !c.isLeader() {
		return runErr("cannot write leadership settings: cannot write settings: not the leader")
	}
	app := c.model.Apps[c.app]
	if app.LeaderSettings == nil {
		app.LeaderSettings = map[string]string{}
	}
	for k, v := range kv {
		if v == "" {
			delete(app.LeaderSettings, k)
		} else {
			app.LeaderSettings[k] = v
		}
	}
	return c.commitNow()
}

func stateGet(c *hookCtx, a *args) error {
	if len(a.pos) > 1 {
		return usageErr("unrecognized args: %q", a.pos[1:])
	}
	st := maps.Clone(c.view.Units[c.unit].State)
	if st == nil {
		st = map[string]string{}
	}
	if len(a.pos) == 0 {
		return c.output(a, st)
	}
	v, ok := st[a.pos[0]]
	if !ok {
		if a.flag("strict") {
			return runErr("%q not found", a.pos[0])
		}
		return c.output(a, nil)
	}
	return c.output(a, v)
}

func stateSet(c *hookCtx, a *args) error {
	settings, err := c.readSettingsFile(a.str("file"))
	if err != nil {
		return err
	}
	overrides, err := keyValues(a.pos)
	if err != nil {
		return err
	}
	maps.Copy(settings, overrides)
	for k, v := range settings {
		if len(k) > 256 {
			return runErr("key %q exceeds the 256 byte limit", k)
		}
		if len(v) > 64*1024 {
			return runErr("value of %q exceeds the 64 KiB limit", k)
		}
		if c.pending.State == nil {
			c.pending.State = map[string]*string{}
		}
		if v == "" {
			c.pending.State[k] = nil
		} else {
			c.pending.State[k] = &v
		}
	}
	return c.buffer()
}

func stateDelete(c *hookCtx, a *args) error {
	if len(a.pos) != 1 {
		return usageErr("state-delete takes exactly one key")
	}
	if c.pending.State == nil {
		c.pending.State = map[string]*string{}
	}
	c.pending.State[a.pos[0]] = nil
	return c.buffer()
}

var portSpec = regexp.MustCompile(`^(\d+)(?:-(\d+))?(?:/(tcp|udp))?$`)

func normalisePort(spec string) (string, error) {
	if spec == "icmp" {
		return spec, nil
	}
	m := portSpec.FindStringSubmatch(spec)
	if m == nil {
		return "", usageErr("invalid port or range %q", spec)
	}
	for _, p := range []string{m[1], m[2]} {
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", usageErr("invalid port or range %q", spec)
		}
	}
	if m[2] != "" {
		return "", runErr("port ranges are not supported on Kubernetes models")
	}
	proto := m[3]
	if proto == "" {
		proto = "tcp"
	}
	return m[1] + "/" + proto, nil
}

func portTool(open bool) func(c *hookCtx, a *args) error {
	return func(c *hookCtx, a *args) error {
		if len(a.pos) != 1 {
			return usageErr("expected exactly one port or range")
		}
		port, err := normalisePort(a.pos[0])
		if err != nil {
			return err
		}
		c.pending.Ports = append(c.pending.Ports, simstate.PortOp{Open: open, Port: port})
		return c.buffer()
	}
}

func openedPorts(c *hookCtx, a *args) error {
	if err := noArgs(a); err != nil {
		return err
	}
	ports := slices.Clone(c.view.Units[c.unit].Ports)
	if ports == nil {
		ports = []string{}
	}
	return c.output(a, ports)
}

func networkGet(c *hookCtx, a *args) error {
	if len(a.pos) != 1 {
		return usageErr("no endpoint specified")
	}
	if a.has("relation") {
		if _, err := c.relation(a); err != nil {
			return err
		}
	}
	binding := a.pos[0]
	if _, ok := c.view.Apps[c.app].Endpoints[binding]; !ok && binding != "juju-info" {
		return runErr("no network config found for binding %q", binding)
	}
	addr := c.view.Units[c.unit].Address
	cidr := addr + "/32"
	switch {
	case a.flag("ingress-address"), a.flag("bind-address"), a.flag("primary-address"):
		return c.output(a, addr)
	case a.flag("egress-subnets"):
		return c.output(a, cidr)
	}
	return c.output(a, map[string]any{
		"bind-addresses": []any{map[string]any{
			"mac-address": "", "interface-name": "eth0",
			"addresses": []any{map[string]string{"hostname": "", "value": addr, "cidr": cidr}},
		}},
		"egress-subnets":    []string{cidr},
		"ingress-addresses": []string{addr},
	})
}

func unitGet(c *hookCtx, a *args) error {
	if len(a.pos) != 1 || (a.pos[0] != "private-address" && a.pos[0] != "public-address") {
		return usageErr("expected private-address or public-address")
	}
	return c.output(a, c.view.Units[c.unit].Address)
}
