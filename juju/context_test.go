package juju_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestContextFromEnvReadsEveryVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"JUJU_UNIT_NAME":            "istio-ingress-k8s/3",
		"JUJU_MODEL_NAME":           "cos",
		"JUJU_MODEL_UUID":           "4f9a1c2e-0000-4000-8000-000000000001",
		"JUJU_CHARM_DIR":            "/var/lib/juju/agents/unit-istio-ingress-k8s-3/charm",
		"JUJU_DISPATCH_PATH":        "hooks/ingress-relation-departed",
		"JUJU_HOOK_NAME":            "ingress-relation-departed",
		"JUJU_VERSION":              "3.6.4",
		"JUJU_CONTEXT_ID":           "istio-ingress-k8s/3-ingress-relation-departed-123",
		"JUJU_AGENT_SOCKET_ADDRESS": "@/var/lib/juju/agents/unit-istio-ingress-k8s-3/agent.socket",
		"JUJU_AGENT_SOCKET_NETWORK": "unix",
		"JUJU_API_ADDRESSES":        "10.0.0.1:17070 10.0.0.2:17070",
		"JUJU_MACHINE_ID":           "",
		"JUJU_PRINCIPAL_UNIT":       "",
		"JUJU_AVAILABILITY_ZONE":    "zone-a",
		"CLOUD_API_VERSION":         "1.34.4",
		"JUJU_SLA":                  "unsupported",
		"JUJU_CHARM_HTTP_PROXY":     "http://proxy:3128",
		"JUJU_CHARM_HTTPS_PROXY":    "http://proxy:3129",
		"JUJU_CHARM_FTP_PROXY":      "ftp://proxy:21",
		"JUJU_CHARM_NO_PROXY":       "127.0.0.1,.svc",
		"JUJU_TRACE_ID":             "4bf92f3577b34da6a3ce929d0e0e4736",
		"JUJU_SPAN_ID":              "00f067aa0ba902b7",
		"JUJU_TRACE_FLAGS":          "01",
		"JUJU_DEBUG":                "/var/lib/juju/debug",
		"JUJU_DEBUG_AT":             "all",
		"JUJU_ACTION_TAG":           "action-7",
		"JUJU_STORAGE_KIND":         "filesystem",
		"JUJU_RELATION":             "ingress",
		"JUJU_RELATION_ID":          "ingress:12",
		"JUJU_REMOTE_UNIT":          "blog/1",
		"JUJU_REMOTE_APP":           "blog",
		"JUJU_DEPARTING_UNIT":       "blog/1",
		"JUJU_ACTION_NAME":          "show-routes",
		"JUJU_ACTION_UUID":          "a-uuid",
		"JUJU_WORKLOAD_NAME":        "metrics-proxy",
		"JUJU_NOTICE_ID":            "42",
		"JUJU_NOTICE_TYPE":          "custom",
		"JUJU_NOTICE_KEY":           "canonical.com/reload",
		"JUJU_PEBBLE_CHECK_NAME":    "ready",
		"JUJU_SECRET_ID":            "secret:cu2b9e0p",
		"JUJU_SECRET_LABEL":         "tls",
		"JUJU_SECRET_REVISION":      "7",
		"JUJU_STORAGE_ID":           "data/0",
		"JUJU_STORAGE_LOCATION":     "/var/lib/juju/storage/data/0",
	}
	got, err := juju.ContextFromEnv(envOf(env))
	require.NoError(t, err)
	assert.Equal(t, juju.Context{
		Unit:         "istio-ingress-k8s/3",
		App:          "istio-ingress-k8s",
		ModelName:    "cos",
		ModelUUID:    "4f9a1c2e-0000-4000-8000-000000000001",
		CharmDir:     "/var/lib/juju/agents/unit-istio-ingress-k8s-3/charm",
		DispatchPath: "hooks/ingress-relation-departed",
		HookName:     "ingress-relation-departed",
		Version:      "3.6.4",

		ContextID:          "istio-ingress-k8s/3-ingress-relation-departed-123",
		AgentSocketAddress: "@/var/lib/juju/agents/unit-istio-ingress-k8s-3/agent.socket",
		AgentSocketNetwork: "unix",
		APIAddresses:       []string{"10.0.0.1:17070", "10.0.0.2:17070"},
		AvailabilityZone:   "zone-a",
		CloudAPIVersion:    "1.34.4",
		SLA:                "unsupported",
		Proxy: juju.Proxy{
			HTTP: "http://proxy:3128", HTTPS: "http://proxy:3129", FTP: "ftp://proxy:21", NoProxy: "127.0.0.1,.svc",
		},
		TraceID:    "4bf92f3577b34da6a3ce929d0e0e4736",
		SpanID:     "00f067aa0ba902b7",
		TraceFlags: "01",
		Debug:      true,
		DebugAt:    "all",

		RelationEndpoint: "ingress",
		Relation:         &juju.RelationID{Endpoint: "ingress", ID: 12},
		RemoteUnit:       "blog/1",
		RemoteApp:        "blog",
		DepartingUnit:    "blog/1",
		ActionName:       "show-routes",
		ActionUUID:       "a-uuid",
		ActionTag:        "action-7",
		WorkloadName:     "metrics-proxy",
		NoticeID:         "42",
		NoticeType:       "custom",
		NoticeKey:        "canonical.com/reload",
		PebbleCheckName:  "ready",
		SecretID:         "secret:cu2b9e0p",
		SecretLabel:      "tls",
		SecretRevision:   7,
		StorageID:        "data/0",
		StorageLocation:  "/var/lib/juju/storage/data/0",
		StorageKind:      "filesystem",
	}, got)
}

func TestContextFromEnvVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c juju.Context)
		wantErr string
	}{
		{
			name: "minimal hook",
			env:  map[string]string{"JUJU_UNIT_NAME": "a/0", "JUJU_DISPATCH_PATH": "hooks/install"},
			check: func(t *testing.T, c juju.Context) {
				assert.Equal(t, "a", c.App)
				assert.Nil(t, c.Relation)
				assert.Zero(t, c.SecretRevision)
			},
		},
		{
			name: "CHARM_DIR fallback",
			env:  map[string]string{"JUJU_UNIT_NAME": "a/0", "CHARM_DIR": "/charm"},
			check: func(t *testing.T, c juju.Context) {
				assert.Equal(t, "/charm", c.CharmDir)
			},
		},
		{
			name: "endpoint with dashes and colons taken from the last colon",
			env:  map[string]string{"JUJU_UNIT_NAME": "a/0", "JUJU_RELATION_ID": "istio-ingress-route-unauthenticated:3"},
			check: func(t *testing.T, c juju.Context) {
				assert.Equal(t, &juju.RelationID{Endpoint: "istio-ingress-route-unauthenticated", ID: 3}, c.Relation)
				assert.Equal(t, "istio-ingress-route-unauthenticated", c.RelationEndpoint)
			},
		},
		{
			name: "bare relation id takes the endpoint from JUJU_RELATION",
			env:  map[string]string{"JUJU_UNIT_NAME": "a/0", "JUJU_RELATION": "ingress", "JUJU_RELATION_ID": "5"},
			check: func(t *testing.T, c juju.Context) {
				assert.Equal(t, &juju.RelationID{Endpoint: "ingress", ID: 5}, c.Relation)
			},
		},
		{
			name:    "missing unit name",
			env:     map[string]string{"JUJU_DISPATCH_PATH": "hooks/install"},
			wantErr: "JUJU_UNIT_NAME is not set",
			check: func(t *testing.T, c juju.Context) {
				assert.Equal(t, "hooks/install", c.DispatchPath, "the rest still parses")
			},
		},
		{
			name:    "malformed unit name",
			env:     map[string]string{"JUJU_UNIT_NAME": "no-slash"},
			wantErr: `JUJU_UNIT_NAME "no-slash"`,
		},
		{
			name:    "malformed relation id",
			env:     map[string]string{"JUJU_UNIT_NAME": "a/0", "JUJU_RELATION_ID": "ingress:x", "JUJU_REMOTE_APP": "blog"},
			wantErr: "JUJU_RELATION_ID",
			check: func(t *testing.T, c juju.Context) {
				assert.Nil(t, c.Relation)
				assert.Equal(t, "blog", c.RemoteApp)
				assert.Equal(t, "a", c.App)
			},
		},
		{
			name:    "malformed secret revision",
			env:     map[string]string{"JUJU_UNIT_NAME": "a/0", "JUJU_SECRET_REVISION": "-1"},
			wantErr: "JUJU_SECRET_REVISION",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := juju.ContextFromEnv(envOf(tc.env))
			if tc.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestRelationIDRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"ingress:0", "istio-ingress-route:17", "a:b:3"} {
		id, err := juju.ParseRelationID(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, id.String())
	}
	for _, bad := range []string{"", "7", ":7", "ingress:", "ingress:-1", "ingress:1x"} {
		_, err := juju.ParseRelationID(bad)
		assert.Error(t, err, bad)
	}
}
