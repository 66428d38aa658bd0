package juju

import (
	"context"
	"fmt"
)

// RelationIDs lists the live relations of a local endpoint
// (relation-ids <endpoint> --format=json). During -relation-broken Juju
// still lists the relation being broken; callers that must ignore it
// compare with Context.Relation.
func (c *Client) RelationIDs(ctx context.Context, endpoint string) ([]RelationID, error) {
	var raw []string
	if err := c.runJSON(ctx, &raw, "relation-ids", endpoint, "--format=json"); err != nil {
		return nil, err
	}
	ids := make([]RelationID, 0, len(raw))
	for _, s := range raw {
		id, err := ParseRelationID(s)
		if err != nil {
			return nil, fmt.Errorf("relation-ids %s: %w", endpoint, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// RelationUnits lists the remote units of a relation
// (relation-list --format=json -r <rel>). During -relation-departed the
// departing unit is already missing.
func (c *Client) RelationUnits(ctx context.Context, rel RelationID) ([]string, error) {
	var units []string
	if err := c.runJSON(ctx, &units, "relation-list", "--format=json", "-r", rel.String()); err != nil {
		return nil, err
	}
	if units == nil {
		units = []string{}
	}
	return units, nil
}

// RelationApp returns the remote application of a relation
// (relation-list --format=json --app -r <rel>).
func (c *Client) RelationApp(ctx context.Context, rel RelationID) (string, error) {
	var app *string
	if err := c.runJSON(ctx, &app, "relation-list", "--format=json", "--app", "-r", rel.String()); err != nil {
		return "", err
	}
	if app == nil {
		return "", nil
	}
	return *app, nil
}

// RelationModelUUID returns the UUID of the model the remote side of rel
// lives in (relation-model-get --format=json -r <rel>): this model's for a
// local relation, another one's across models.
func (c *Client) RelationModelUUID(ctx context.Context, rel RelationID) (string, error) {
	var out struct {
		UUID string `json:"uuid"`
	}
	if err := c.runJSON(ctx, &out, "relation-model-get", "--format=json", "-r", rel.String()); err != nil {
		return "", err
	}
	return out.UUID, nil
}

// RelationGet reads every key of a unit's databag
// (relation-get --format=json -r <rel> - <unit>). The unit may be remote or
// this unit; an empty bag is an empty, non-nil map.
func (c *Client) RelationGet(ctx context.Context, rel RelationID, unit string) (map[string]string, error) {
	return runJSONMap[string](ctx, c, "relation-get", "--format=json", "-r", rel.String(), "-", unit)
}

// RelationGetApp reads every key of an application's databag
// (relation-get --format=json -r <rel> --app - <app>). Reading this
// application's own bag is refused by Juju on non-leaders (ErrNotLeader),
// except on peer relations.
func (c *Client) RelationGetApp(ctx context.Context, rel RelationID, app string) (map[string]string, error) {
	return runJSONMap[string](ctx, c, "relation-get", "--format=json", "-r", rel.String(), "--app", "-", app)
}

// RelationSet writes keys of this unit's databag
// (relation-set -r <rel> --file - with a JSON map on stdin). A "" value
// deletes the key. An empty map writes nothing and calls no tool.
func (c *Client) RelationSet(ctx context.Context, rel RelationID, data map[string]string) error {
	return c.relationSet(ctx, rel, false, data)
}

func (c *Client) relationSet(ctx context.Context, rel RelationID, app bool, data map[string]string) error {
	if len(data) == 0 {
		return nil
	}
	stdin, err := marshalJSON(data)
	if err != nil {
		return fmt.Errorf("relation-set: %w", err)
	}
	args := []string{"-r", rel.String()}
	if app {
		args = append(args, "--app")
	}
	args = append(args, "--file", "-")
	_, err = c.run(ctx, stdin, "relation-set", args...)
	return err
}
