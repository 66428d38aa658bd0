package juju

import (
	"context"
	"errors"
	"fmt"
)

// StateGetAll reads every key of this unit's controller-side state
// (state-get --format=json). Juju 4 prints null for an empty store; that is
// an empty map here.
func (c *Client) StateGetAll(ctx context.Context) (map[string]string, error) {
	return runJSONMap[string](ctx, c, "state-get", "--format=json")
}

// StateGet reads one key of the unit's controller-side state
// (state-get --format=json <key>); ok is false when the key is absent.
func (c *Client) StateGet(ctx context.Context, key string) (value string, ok bool, err error) {
	if key == "" {
		return "", false, errors.New("state-get: empty key")
	}
	var v *string
	if err := c.runJSON(ctx, &v, "state-get", "--format=json", key); err != nil {
		return "", false, err
	}
	if v == nil {
		return "", false, nil
	}
	return *v, true, nil
}

// StateSet writes keys of the unit's controller-side state
// (state-set --file - with a JSON map on stdin). Juju commits it only if
// the hook exits 0 and limits values to 64 KiB. An empty map writes nothing.
func (c *Client) StateSet(ctx context.Context, data map[string]string) error {
	if len(data) == 0 {
		return nil
	}
	stdin, err := marshalJSON(data)
	if err != nil {
		return fmt.Errorf("state-set: %w", err)
	}
	_, err = c.run(ctx, stdin, "state-set", "--file", "-")
	return err
}

// StateDelete removes one key of the unit's controller-side state
// (state-delete <key>).
func (c *Client) StateDelete(ctx context.Context, key string) error {
	if key == "" {
		return errors.New("state-delete: empty key")
	}
	_, err := c.run(ctx, nil, "state-delete", key)
	return err
}
