package requirer

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

func TestRun(t *testing.T) {
	rel := juju.RelationID{Endpoint: Endpoint, ID: 3}
	relationHook := func(name string) juju.Context {
		return juju.Context{Unit: "req/0", App: "req", ModelName: "m", HookName: Endpoint + "-relation-" + name,
			Relation: &rel, RemoteApp: "gw"}
	}
	plain := juju.Context{Unit: "req/0", App: "req", ModelName: "m", HookName: "update-status"}
	tests := []struct {
		name       string
		hook       juju.Context
		leader     bool
		relations  string // relation-ids output
		published  string // the provider's app bag
		wantSubmit bool
		wantStatus []string // status-set argv after --application=False
		wantLog    string
	}{
		{
			name: "no relation", hook: plain, leader: true, relations: `[]`,
			wantStatus: []string{"waiting", "--", MsgNoRelation},
		},
		{
			name: "leader asks and waits", hook: relationHook("created"), leader: true, relations: `["istio-ingress-route:3"]`,
			published: `{}`, wantSubmit: true, wantStatus: []string{"waiting", "--", MsgNotServed},
		},
		{
			name: "leader served over plain HTTP", hook: relationHook("changed"), leader: true, relations: `["istio-ingress-route:3"]`,
			published: `{"external_host":"10.0.0.9","tls_enabled":"False"}`, wantSubmit: true,
			wantStatus: []string{"active", "--", "Reachable at http://10.0.0.9:8080/api"},
		},
		{
			name: "follower served over TLS writes nothing", hook: plain, leader: false, relations: `["istio-ingress-route:3"]`,
			published:  `{"external_host":"ingress.example.com","tls_enabled":"True"}`,
			wantStatus: []string{"active", "--", "Reachable at https://ingress.example.com:8080/api"},
		},
		{
			name: "relation broken", hook: relationHook("broken"), leader: true, relations: `["istio-ingress-route:3"]`,
			published:  `{"external_host":"10.0.0.9","tls_enabled":"False"}`,
			wantStatus: []string{"waiting", "--", MsgNoRelation}, wantLog: "no longer exposed through gw",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := jujutest.NewRunner().
				Reply("is-leader", map[bool]string{true: "true", false: "false"}[tt.leader]).
				Reply("relation-ids", tt.relations).
				Reply("relation-list", `"gw"`).
				Reply("relation-get", tt.published).
				Accept("relation-set", "status-set", "juju-log")

			require.NoError(t, Run(t.Context(), juju.NewClient(runner), tt.hook))

			sets := runner.CallsTo("relation-set")
			if tt.wantSubmit {
				require.Len(t, sets, 1)
				assert.Equal(t, []string{"-r", "istio-ingress-route:3", "--app", "--file", "-"}, sets[0].Args)
				want, err := Config("m", "req").Encode()
				require.NoError(t, err)
				var bag map[string]string
				require.NoError(t, json.Unmarshal(sets[0].Stdin, &bag))
				assert.Equal(t, map[string]string{ingressroute.KeyConfig: string(want)}, bag)
			} else {
				assert.Empty(t, sets)
			}
			statuses := runner.CallsTo("status-set")
			require.Len(t, statuses, 1)
			assert.Equal(t, append([]string{"--application=False"}, tt.wantStatus...), statuses[0].Args)
			logs := runner.CallsTo("juju-log")
			if tt.wantLog == "" {
				assert.Empty(t, logs)
			} else {
				require.Len(t, logs, 1)
				assert.Contains(t, logs[0].Args, tt.wantLog)
			}
		})
	}
}

func TestRunReportsAFailedSubmit(t *testing.T) {
	runner := jujutest.NewRunner().
		Reply("is-leader", "true").
		Reply("relation-ids", `["istio-ingress-route:3"]`).
		Fail("relation-set", 1, "ERROR boom\n").
		Accept("status-set")

	err := Run(t.Context(), juju.NewClient(runner), juju.Context{Unit: "req/0", App: "req", ModelName: "m"})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "submitting the route config")
	assert.Empty(t, runner.CallsTo("status-set"), "no status claims success after a failed write")
}

func TestConfigIsValid(t *testing.T) {
	data, err := Config("m", "req").Encode()
	require.NoError(t, err)
	parsed, err := ingressroute.ParseConfig(data)
	require.NoError(t, err)
	assert.Equal(t, "m", parsed.Model)
	assert.Equal(t, []ingressroute.Listener{HTTPListener, GRPCListener}, parsed.Listeners)
}
