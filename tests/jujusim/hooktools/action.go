package hooktools

import (
	"maps"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// action returns the running action, stored in the committed model because
// Juju records action results whatever the exit code.
func (c *hookCtx) action() (*simstate.Action, error) {
	act, ok := c.model.Actions[c.getenv("JUJU_CONTEXT_ID")]
	if !ok || c.getenv("JUJU_ACTION_NAME") == "" {
		return nil, runErr("not running an action")
	}
	return act, nil
}

func actionGet(c *hookCtx, a *args) error {
	act, err := c.action()
	if err != nil {
		return err
	}
	if len(a.pos) == 0 {
		return c.output(a, act.Params)
	}
	var v any = act.Params
	for _, part := range strings.Split(a.pos[0], ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return c.output(a, nil)
		}
		v = m[part]
	}
	return c.output(a, v)
}

func actionSet(c *hookCtx, a *args) error {
	act, err := c.action()
	if err != nil {
		return err
	}
	kv, err := keyValues(a.pos)
	if err != nil {
		return err
	}
	for k := range kv {
		switch k {
		case "stdout", "stdout-encoding", "stderr", "stderr-encoding":
			return usageErr("cannot set reserved action key %q", k)
		}
	}
	if act.Results == nil {
		act.Results = map[string]string{}
	}
	maps.Copy(act.Results, kv)
	return c.commitNow()
}

func actionFail(c *hookCtx, a *args) error {
	act, err := c.action()
	if err != nil {
		return err
	}
	act.Failed = true
	act.Message = "action failed without reason given, check action for errors"
	if len(a.pos) > 0 {
		act.Message = strings.Join(a.pos, " ")
	}
	return c.commitNow()
}

func actionLog(c *hookCtx, a *args) error {
	act, err := c.action()
	if err != nil {
		return err
	}
	act.Logs = append(act.Logs, strings.Join(a.pos, " "))
	return c.commitNow()
}
