package juju

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
)

// RelationReader is what reading relations takes; *Client is one.
type RelationReader interface {
	RelationIDs(ctx context.Context, endpoint string) ([]RelationID, error)
	RelationApp(ctx context.Context, rel RelationID) (string, error)
	RelationGetApp(ctx context.Context, rel RelationID, app string) (map[string]string, error)
}

// ModelReader tells which model a relation's remote side lives in;
// *Client is one.
type ModelReader interface {
	RelationModelUUID(ctx context.Context, rel RelationID) (string, error)
}

// Relations reads the live relations of endpoints and their remote
// applications' bags, with one relation-ids per endpoint and at most one
// relation-list and one relation-get per relation. It is the one reader
// the charm and the relation libraries share.
type Relations struct {
	Reader RelationReader
	// Hook is the running hook: during relation-broken Juju still lists
	// the relation being broken, which is left out.
	Hook Context
	// Apps, when not nil, caches each relation's remote application by
	// "endpoint:id": it never changes for the life of a relation.
	Apps map[string]string
	// Models, when not nil, caches each relation's remote model UUID by
	// "endpoint:id": it never changes for the life of a relation either.
	Models map[string]string
}

// Live lists endpoint's relations, without the one being broken.
func (r Relations) Live(ctx context.Context, endpoint string) ([]RelationID, error) {
	ids, err := r.Reader.RelationIDs(ctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("listing %s relations: %w", endpoint, err)
	}
	broken, ok := r.Hook.BrokenRelation()
	if !ok {
		return ids, nil
	}
	live := ids[:0:0]
	for _, id := range ids {
		if id != broken {
			live = append(live, id)
		}
	}
	return live, nil
}

// RemoteApp names the application on the other side of rel ("" while Juju
// names none), asking Juju only when neither the hook nor the cache knows.
func (r Relations) RemoteApp(ctx context.Context, rel RelationID) (string, error) {
	key := rel.String()
	if app, ok := r.Apps[key]; ok {
		return app, nil
	}
	app := ""
	if r.Hook.Relation != nil && *r.Hook.Relation == rel {
		app = r.Hook.RemoteApp
	}
	if app == "" {
		var err error
		if app, err = r.Reader.RelationApp(ctx, rel); err != nil {
			return "", err
		}
	}
	if app != "" && r.Apps != nil {
		r.Apps[key] = app
	}
	return app, nil
}

// AppBag reads the remote application of rel and its bag. ok is false when
// the relation went away meanwhile (its broken hook follows) or has no
// remote application yet: there is nothing to read.
func (r Relations) AppBag(ctx context.Context, rel RelationID) (app string, bag map[string]string, ok bool, err error) {
	app, err = r.RemoteApp(ctx, rel)
	if errors.Is(err, ErrRelationNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("finding the application on %s: %w", rel, err)
	}
	if app == "" {
		return "", nil, false, nil
	}
	bag, err = r.Reader.RelationGetApp(ctx, rel, app)
	if errors.Is(err, ErrRelationNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("reading %s's data on %s: %w", app, rel, err)
	}
	return app, bag, true, nil
}

// RemoteModel returns the UUID of the model rel's remote application lives
// in, asking Juju once per relation. The Reader must be a ModelReader.
func (r Relations) RemoteModel(ctx context.Context, rel RelationID) (string, error) {
	key := rel.String()
	if uuid, ok := r.Models[key]; ok {
		return uuid, nil
	}
	mr, ok := r.Reader.(ModelReader)
	if !ok {
		return "", fmt.Errorf("reading the model of %s: the reader cannot", rel)
	}
	uuid, err := mr.RelationModelUUID(ctx, rel)
	if err != nil {
		return "", fmt.Errorf("reading the model of %s: %w", rel, err)
	}
	if uuid != "" && r.Models != nil {
		r.Models[key] = uuid
	}
	return uuid, nil
}

// BrokenRelation is the relation a relation-broken hook is about.
func (c Context) BrokenRelation() (RelationID, bool) {
	name := c.HookName
	if name == "" {
		name = path.Base(c.DispatchPath)
	}
	if c.Relation == nil || !strings.HasSuffix(name, "-relation-broken") {
		return RelationID{}, false
	}
	return *c.Relation, true
}
