package juju

import "context"

// ConfigGet returns the charm's configuration (config-get --format=json).
// Options with neither a value nor a default are absent. Numbers decode as
// float64, as encoding/json does; use ConfigGetInto for typed access.
func (c *Client) ConfigGet(ctx context.Context) (map[string]any, error) {
	return runJSONMap[any](ctx, c, "config-get", "--format=json")
}

// ConfigGetInto decodes the charm's configuration into v, a pointer to a
// struct whose json tags are the option names.
func (c *Client) ConfigGetInto(ctx context.Context, v any) error {
	return c.runJSON(ctx, v, "config-get", "--format=json")
}
