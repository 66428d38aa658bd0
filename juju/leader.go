package juju

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Leader is the capability to write application-level data. Only
// Client.Leader hands out a usable one, after is-leader said true, so code
// that was not given a *Leader cannot write the app databag, application
// status, application-owned secrets or leader settings.
//
// Leadership is guaranteed by Juju for 30 seconds after is-leader, which
// covers a hook; a *Leader must not be kept beyond the hook that made it.
type Leader struct {
	c *Client
}

// IsLeader reports whether this unit is the application leader
// (is-leader --format=json).
func (c *Client) IsLeader(ctx context.Context) (bool, error) {
	var leader bool
	if err := c.runJSON(ctx, &leader, "is-leader", "--format=json"); err != nil {
		return false, err
	}
	return leader, nil
}

// Leader returns the leader capability, or ErrNotLeader when this unit is
// not the leader.
func (c *Client) Leader(ctx context.Context) (*Leader, error) {
	ok, err := c.IsLeader(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: is-leader returned false", ErrNotLeader)
	}
	return &Leader{c: c}, nil
}

// client returns the Client behind l, refusing a Leader that was not made by
// Client.Leader (for example a zero value).
func (l *Leader) client() (*Client, error) {
	if l == nil || l.c == nil {
		return nil, fmt.Errorf("%w: leader capability not obtained from Client.Leader", ErrNotLeader)
	}
	return l.c, nil
}

// RelationSetApp writes keys of this application's databag
// (relation-set -r <rel> --app --file -). A "" value deletes the key. An
// empty map writes nothing.
func (l *Leader) RelationSetApp(ctx context.Context, rel RelationID, data map[string]string) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return c.relationSet(ctx, rel, true, data)
}

// LeaderGet reads the (deprecated) leader settings (leader-get --format=json).
// Any unit may read them.
func (c *Client) LeaderGet(ctx context.Context) (map[string]string, error) {
	return runJSONMap[string](ctx, c, "leader-get", "--format=json")
}

// LeaderSet writes leader settings (leader-set k=v ...; "" deletes a key).
// leader-set has no --file, so keys and values travel on argv: never put
// secrets here. Deprecated by Juju in favour of the peer relation's app bag.
func (l *Leader) LeaderSet(ctx context.Context, settings map[string]string) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	if len(settings) == 0 {
		return nil
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		if k == "" || strings.ContainsRune(k, '=') {
			return fmt.Errorf("leader-set: invalid key %q", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := make([]string, 0, len(keys))
	for _, k := range keys {
		args = append(args, k+"="+settings[k])
	}
	_, err = c.run(ctx, nil, "leader-set", args...)
	return err
}
