package hooks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

func relID(endpoint string, id int) *juju.RelationID {
	return &juju.RelationID{Endpoint: endpoint, ID: id}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ctx  juju.Context
		want Event
	}{
		{"install", juju.Context{DispatchPath: "hooks/install"}, Event{Kind: Install, Name: "install"}},
		{"start", juju.Context{DispatchPath: "hooks/start"}, Event{Kind: Start, Name: "start"}},
		{"config-changed", juju.Context{DispatchPath: "hooks/config-changed"}, Event{Kind: ConfigChanged, Name: "config-changed"}},
		{"leader-elected", juju.Context{DispatchPath: "hooks/leader-elected"}, Event{Kind: LeaderElected, Name: "leader-elected"}},
		{"leader-deposed", juju.Context{DispatchPath: "hooks/leader-deposed"}, Event{Kind: LeaderDeposed, Name: "leader-deposed"}},
		{"update-status", juju.Context{DispatchPath: "hooks/update-status"}, Event{Kind: UpdateStatus, Name: "update-status"}},
		{"upgrade-charm", juju.Context{DispatchPath: "hooks/upgrade-charm"}, Event{Kind: UpgradeCharm, Name: "upgrade-charm"}},
		{"stop", juju.Context{DispatchPath: "hooks/stop"}, Event{Kind: Stop, Name: "stop"}},
		{"remove", juju.Context{DispatchPath: "hooks/remove"}, Event{Kind: Remove, Name: "remove"}},
		{"secret-changed", juju.Context{DispatchPath: "hooks/secret-changed"}, Event{Kind: SecretChanged, Name: "secret-changed"}},
		{"secret-expired", juju.Context{DispatchPath: "hooks/secret-expired"}, Event{Kind: SecretExpired, Name: "secret-expired"}},
		{"secret-remove", juju.Context{DispatchPath: "hooks/secret-remove"}, Event{Kind: SecretRemove, Name: "secret-remove"}},
		{"secret-rotate", juju.Context{DispatchPath: "hooks/secret-rotate"}, Event{Kind: SecretRotate, Name: "secret-rotate"}},
		{
			"relation-created",
			juju.Context{DispatchPath: "hooks/ingress-relation-created", Relation: relID("ingress", 3)},
			Event{Kind: RelationCreated, Name: "ingress-relation-created", Endpoint: "ingress", Relation: relID("ingress", 3)},
		},
		{
			"relation-joined",
			juju.Context{DispatchPath: "hooks/ingress-relation-joined", Relation: relID("ingress", 3)},
			Event{Kind: RelationJoined, Name: "ingress-relation-joined", Endpoint: "ingress", Relation: relID("ingress", 3)},
		},
		{
			"relation-changed on an endpoint with dashes",
			juju.Context{DispatchPath: "hooks/istio-ingress-route-unauthenticated-relation-changed", Relation: relID("istio-ingress-route-unauthenticated", 12)},
			Event{Kind: RelationChanged, Name: "istio-ingress-route-unauthenticated-relation-changed",
				Endpoint: "istio-ingress-route-unauthenticated", Relation: relID("istio-ingress-route-unauthenticated", 12)},
		},
		{
			"relation-departed",
			juju.Context{DispatchPath: "hooks/ingress-unauthenticated-relation-departed", Relation: relID("ingress-unauthenticated", 0)},
			Event{Kind: RelationDeparted, Name: "ingress-unauthenticated-relation-departed",
				Endpoint: "ingress-unauthenticated", Relation: relID("ingress-unauthenticated", 0)},
		},
		{
			"relation-broken",
			juju.Context{DispatchPath: "hooks/certificates-relation-broken", Relation: relID("certificates", 8)},
			Event{Kind: RelationBroken, Name: "certificates-relation-broken", Endpoint: "certificates", Relation: relID("certificates", 8)},
		},
		{
			"peer relation",
			juju.Context{DispatchPath: "hooks/peers-relation-changed", Relation: relID("peers", 1)},
			Event{Kind: RelationChanged, Name: "peers-relation-changed", Endpoint: "peers", Relation: relID("peers", 1)},
		},
		{
			"pebble-ready of a container with dashes",
			juju.Context{DispatchPath: "hooks/metrics-proxy-pebble-ready", WorkloadName: "metrics-proxy"},
			Event{Kind: PebbleReady, Name: "metrics-proxy-pebble-ready", Container: "metrics-proxy"},
		},
		{
			"pebble-custom-notice",
			juju.Context{DispatchPath: "hooks/metrics-proxy-pebble-custom-notice"},
			Event{Kind: PebbleCustomNotice, Name: "metrics-proxy-pebble-custom-notice", Container: "metrics-proxy"},
		},
		{
			"pebble-check-failed",
			juju.Context{DispatchPath: "hooks/metrics-proxy-pebble-check-failed"},
			Event{Kind: PebbleCheckFailed, Name: "metrics-proxy-pebble-check-failed", Container: "metrics-proxy"},
		},
		{
			"pebble-check-recovered",
			juju.Context{DispatchPath: "hooks/metrics-proxy-pebble-check-recovered"},
			Event{Kind: PebbleCheckRecovered, Name: "metrics-proxy-pebble-check-recovered", Container: "metrics-proxy"},
		},
		{
			"storage-attached",
			juju.Context{DispatchPath: "hooks/data-storage-attached"},
			Event{Kind: StorageAttached, Name: "data-storage-attached", Storage: "data"},
		},
		{
			"storage-detaching",
			juju.Context{DispatchPath: "hooks/data-storage-detaching"},
			Event{Kind: StorageDetaching, Name: "data-storage-detaching", Storage: "data"},
		},
		{
			"an endpoint containing a pebble word is still a relation",
			juju.Context{DispatchPath: "hooks/x-pebble-ready-relation-joined", Relation: relID("x-pebble-ready", 2)},
			Event{Kind: RelationJoined, Name: "x-pebble-ready-relation-joined", Endpoint: "x-pebble-ready", Relation: relID("x-pebble-ready", 2)},
		},
		{"unknown hook", juju.Context{DispatchPath: "hooks/collect-metrics"}, Event{Kind: Other, Name: "collect-metrics"}},
		{"action", juju.Context{DispatchPath: "actions/show-proxied-endpoints", ActionName: "show-proxied-endpoints"},
			Event{Kind: Action, Name: "show-proxied-endpoints", Action: "show-proxied-endpoints"}},
		{"legacy hook link path", juju.Context{DispatchPath: "/var/lib/juju/agents/unit-a-0/charm/hooks/start"},
			Event{Kind: Start, Name: "start"}},
		{"no dispatch path: JUJU_HOOK_NAME", juju.Context{HookName: "update-status"}, Event{Kind: UpdateStatus, Name: "update-status"}},
		{"no dispatch path: JUJU_ACTION_NAME", juju.Context{ActionName: "backup"}, Event{Kind: Action, Name: "backup", Action: "backup"}},
		{"unrecognised dispatch path falls back to the hook name", juju.Context{DispatchPath: "./dispatch", HookName: "install"},
			Event{Kind: Install, Name: "install"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseEvent(tc.ctx)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ctx     juju.Context
		wantErr string
	}{
		{"nothing set", juju.Context{}, "not running as a Juju hook"},
		{"unrecognised dispatch path", juju.Context{DispatchPath: "./dispatch"}, "neither hooks/<name> nor actions/<name>"},
		{"empty hook name", juju.Context{DispatchPath: "hooks/"}, "empty hook name"},
		{"empty action name", juju.Context{DispatchPath: "actions/"}, "empty action name"},
		{"relation hook without endpoint", juju.Context{DispatchPath: "hooks/-relation-changed"}, "no endpoint"},
		{"relation hook without JUJU_RELATION_ID", juju.Context{DispatchPath: "hooks/ingress-relation-changed"}, "JUJU_RELATION_ID"},
		{"relation id of another endpoint", juju.Context{DispatchPath: "hooks/ingress-relation-changed", Relation: relID("certificates", 1)}, "JUJU_RELATION_ID is certificates:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEvent(tc.ctx)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// A relation event whose relation is unknown still names its endpoint, so
// logs say which endpoint fired.
func TestRelationEventWithoutIDKeepsEndpoint(t *testing.T) {
	t.Parallel()
	ev, err := ParseEvent(juju.Context{DispatchPath: "hooks/ingress-relation-changed"})
	require.Error(t, err)
	assert.Equal(t, RelationChanged, ev.Kind)
	assert.Equal(t, "ingress", ev.Endpoint)
	assert.Nil(t, ev.Relation)
}

// The event's relation is a copy: changing it cannot change the Context.
func TestEventRelationIsACopy(t *testing.T) {
	t.Parallel()
	ctx := juju.Context{DispatchPath: "hooks/ingress-relation-changed", Relation: relID("ingress", 1)}
	ev, err := ParseEvent(ctx)
	require.NoError(t, err)
	ev.Relation.ID = 99
	assert.Equal(t, 1, ctx.Relation.ID)
}
