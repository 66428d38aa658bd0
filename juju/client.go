package juju

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Client calls hook tools through a Runner. It holds no other state, so one
// value can be shared by everything a hook does.
type Client struct {
	runner Runner
}

// NewClient returns a Client that runs tools with r.
func NewClient(r Runner) *Client { return &Client{runner: r} }

// run executes a tool and maps its failure to a typed error.
func (c *Client) run(ctx context.Context, stdin []byte, tool string, args ...string) ([]byte, error) {
	if c == nil || c.runner == nil {
		return nil, errors.New("juju: client has no runner")
	}
	out, err := c.runner.Run(ctx, stdin, tool, args...)
	if err != nil {
		return out, classify(tool, err)
	}
	return out, nil
}

// runJSON executes a tool that prints JSON and decodes it into v.
func (c *Client) runJSON(ctx context.Context, v any, tool string, args ...string) error {
	out, err := c.run(ctx, nil, tool, args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("%s: decoding output %.200q: %w", tool, out, err)
	}
	return nil
}

// runJSONMap executes a tool that prints a JSON object; null (an empty
// bag or store on some Juju versions) becomes an empty, non-nil map.
func runJSONMap[V any](ctx context.Context, c *Client, tool string, args ...string) (map[string]V, error) {
	var m map[string]V
	if err := c.runJSON(ctx, &m, tool, args...); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]V{}
	}
	return m, nil
}

// marshalJSON encodes data for --file - without HTML escaping, so values
// reach Juju exactly as given.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
