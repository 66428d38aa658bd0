// Package hooks runs one Juju hook of the charm (the event, then the single
// reconcile: read the snapshot, plan, apply, publish, set the status) and may
// import every package of the charm but cmd and tests. Dispatch is the only
// entry point the charm binary calls.
package hooks

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Kind is the kind of event a hook delivers.
type Kind string

// Event kinds. Unknown hooks are Other, never an error: a newer Juju may
// emit hooks this charm does not know.
const (
	Install              Kind = "install"
	Start                Kind = "start"
	ConfigChanged        Kind = "config-changed"
	LeaderElected        Kind = "leader-elected"
	LeaderDeposed        Kind = "leader-deposed"
	UpdateStatus         Kind = "update-status"
	UpgradeCharm         Kind = "upgrade-charm"
	Stop                 Kind = "stop"
	Remove               Kind = "remove"
	RelationCreated      Kind = "relation-created"
	RelationJoined       Kind = "relation-joined"
	RelationChanged      Kind = "relation-changed"
	RelationDeparted     Kind = "relation-departed"
	RelationBroken       Kind = "relation-broken"
	PebbleReady          Kind = "pebble-ready"
	PebbleCustomNotice   Kind = "pebble-custom-notice"
	PebbleCheckFailed    Kind = "pebble-check-failed"
	PebbleCheckRecovered Kind = "pebble-check-recovered"
	SecretChanged        Kind = "secret-changed"
	SecretExpired        Kind = "secret-expired"
	SecretRemove         Kind = "secret-remove"
	SecretRotate         Kind = "secret-rotate"
	StorageAttached      Kind = "storage-attached"
	StorageDetaching     Kind = "storage-detaching"
	Action               Kind = "action"
	Other                Kind = "other"
)

// Event is one hook or action invocation.
type Event struct {
	Kind Kind
	// Name is the hook name ("ingress-relation-changed") or, for actions,
	// the action name.
	Name string
	// Endpoint is the local endpoint of relation events.
	Endpoint string
	// Relation is the relation of relation events (from JUJU_RELATION_ID).
	Relation *juju.RelationID
	// Container is the workload container of Pebble events.
	Container string
	// Storage is the storage name of storage events.
	Storage string
	// Action is the action name of action events.
	Action string
}

// String names the event for logs, e.g. "ingress-relation-changed (ingress:4)".
func (e Event) String() string {
	switch {
	case e.Kind == Action:
		return "action " + e.Action
	case e.Relation != nil:
		return fmt.Sprintf("%s (%s)", e.Name, e.Relation)
	}
	return e.Name
}

// unitHookKind returns the kind of hooks whose name is the whole event.
func unitHookKind(name string) (Kind, bool) {
	switch k := Kind(name); k {
	case Install, Start, ConfigChanged, LeaderElected, LeaderDeposed, UpdateStatus,
		UpgradeCharm, Stop, Remove, SecretChanged, SecretExpired, SecretRemove, SecretRotate:
		return k, true
	}
	return "", false
}

// suffixHook is a "<name>-<suffix>" hook, where <name> is an endpoint,
// container or storage.
type suffixHook struct {
	suffix string
	kind   Kind
}

// suffixHooks lists them with the relation suffixes first: they are the
// most specific, and an endpoint name may itself contain words like "pebble".
func suffixHooks() [11]suffixHook {
	return [...]suffixHook{
		{"-relation-created", RelationCreated},
		{"-relation-joined", RelationJoined},
		{"-relation-changed", RelationChanged},
		{"-relation-departed", RelationDeparted},
		{"-relation-broken", RelationBroken},
		{"-pebble-ready", PebbleReady},
		{"-pebble-custom-notice", PebbleCustomNotice},
		{"-pebble-check-failed", PebbleCheckFailed},
		{"-pebble-check-recovered", PebbleCheckRecovered},
		{"-storage-attached", StorageAttached},
		{"-storage-detaching", StorageDetaching},
	}
}

// ParseEvent works out which event this invocation is. JUJU_DISPATCH_PATH
// ("hooks/<name>" or "actions/<name>", possibly with a leading directory
// when a legacy hook link ran dispatch) decides; without it, JUJU_HOOK_NAME
// and then JUJU_ACTION_NAME do.
func ParseEvent(ctx juju.Context) (Event, error) {
	dir, name := path.Split(ctx.DispatchPath)
	switch path.Base(strings.TrimSuffix(dir, "/")) {
	case "hooks":
		return parseHook(ctx, name)
	case "actions":
		return parseAction(name)
	}
	if ctx.HookName != "" {
		return parseHook(ctx, ctx.HookName)
	}
	if ctx.ActionName != "" {
		return parseAction(ctx.ActionName)
	}
	if ctx.DispatchPath != "" {
		return Event{}, fmt.Errorf("JUJU_DISPATCH_PATH %q is neither hooks/<name> nor actions/<name>", ctx.DispatchPath)
	}
	return Event{}, errors.New("no JUJU_DISPATCH_PATH, JUJU_HOOK_NAME or JUJU_ACTION_NAME: not running as a Juju hook")
}

func parseAction(name string) (Event, error) {
	if name == "" {
		return Event{}, errors.New("empty action name")
	}
	return Event{Kind: Action, Name: name, Action: name}, nil
}

func parseHook(ctx juju.Context, name string) (Event, error) {
	if name == "" {
		return Event{}, errors.New("empty hook name")
	}
	if kind, ok := unitHookKind(name); ok {
		return Event{Kind: kind, Name: name}, nil
	}
	for _, h := range suffixHooks() {
		prefix, ok := strings.CutSuffix(name, h.suffix)
		if !ok {
			continue
		}
		if prefix == "" {
			return Event{}, fmt.Errorf("hook %q has no endpoint, container or storage name", name)
		}
		ev := Event{Kind: h.kind, Name: name}
		switch {
		case isRelation(h.kind):
			return relationEvent(ctx, ev, prefix)
		case strings.HasPrefix(h.suffix, "-pebble-"):
			ev.Container = prefix
		default:
			ev.Storage = prefix
		}
		return ev, nil
	}
	return Event{Kind: Other, Name: name}, nil
}

func isRelation(k Kind) bool {
	switch k {
	case RelationCreated, RelationJoined, RelationChanged, RelationDeparted, RelationBroken:
		return true
	}
	return false
}

// relationEvent attaches the relation Juju names in JUJU_RELATION_ID; the
// hook name alone does not say which relation of the endpoint fired.
func relationEvent(ctx juju.Context, ev Event, endpoint string) (Event, error) {
	ev.Endpoint = endpoint
	if ctx.Relation == nil {
		return ev, fmt.Errorf("relation hook %q without a valid JUJU_RELATION_ID", ev.Name)
	}
	if ctx.Relation.Endpoint != endpoint {
		return ev, fmt.Errorf("relation hook %q but JUJU_RELATION_ID is %s", ev.Name, ctx.Relation)
	}
	rel := *ctx.Relation
	ev.Relation = &rel
	return ev, nil
}
