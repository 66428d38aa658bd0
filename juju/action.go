package juju

import (
	"context"
	"fmt"
	"regexp"
	"sort"
)

// ActionGet returns the running action's parameters, with the defaults of
// actions.yaml filled in (action-get --format=json).
func (c *Client) ActionGet(ctx context.Context) (map[string]any, error) {
	return runJSONMap[any](ctx, c, "action-get", "--format=json")
}

// actionKey is Juju's rule for action result keys.
var actionKey = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-.]*[a-z0-9])?$`)

// reservedActionKey reports keys Juju fills in from the action's output streams.
func reservedActionKey(k string) bool {
	switch k {
	case "stdout", "stdout-encoding", "stderr", "stderr-encoding":
		return true
	}
	return false
}

// ActionSet records results of the running action (action-set k=v a.b=c ...).
// Nested maps become dotted keys; other values are formatted with %v.
func (c *Client) ActionSet(ctx context.Context, results map[string]any) error {
	flat := map[string]string{}
	if err := flattenResults("", results, flat); err != nil {
		return fmt.Errorf("action-set: %w", err)
	}
	if len(flat) == 0 {
		return nil
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := make([]string, 0, len(keys))
	for _, k := range keys {
		args = append(args, k+"="+flat[k])
	}
	_, err := c.run(ctx, nil, "action-set", args...)
	return err
}

func flattenResults(prefix string, in map[string]any, out map[string]string) error {
	for k, v := range in {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if !actionKey.MatchString(k) || reservedActionKey(key) {
			return fmt.Errorf("invalid result key %q", key)
		}
		if sub, ok := v.(map[string]any); ok {
			if err := flattenResults(key, sub, out); err != nil {
				return err
			}
			continue
		}
		out[key] = fmt.Sprint(v)
	}
	return nil
}

// ActionFail marks the running action as failed (action-fail [-- <message>]).
// The hook still exits 0.
func (c *Client) ActionFail(ctx context.Context, msg string) error {
	args := []string{}
	if msg != "" {
		args = append(args, "--", msg)
	}
	_, err := c.run(ctx, nil, "action-fail", args...)
	return err
}
