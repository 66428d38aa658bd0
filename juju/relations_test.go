package juju_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

func TestRelationsLeaveOutTheBrokenRelation(t *testing.T) {
	t.Parallel()
	gone := juju.RelationID{Endpoint: "ingress", ID: 3}
	runner := jujutest.NewRunner().Reply("relation-ids", `["ingress:1","ingress:3"]`)
	hook := juju.Context{HookName: "ingress-relation-broken", Relation: &gone, RemoteApp: "b"}
	live, err := juju.Relations{Reader: juju.NewClient(runner), Hook: hook}.Live(context.Background(), "ingress")
	require.NoError(t, err)
	assert.Equal(t, []juju.RelationID{{Endpoint: "ingress", ID: 1}}, live)

	hook.HookName = "ingress-relation-changed"
	live, err = juju.Relations{Reader: juju.NewClient(runner), Hook: hook}.Live(context.Background(), "ingress")
	require.NoError(t, err)
	assert.Len(t, live, 2, "only relation-broken leaves its relation out")
}

func TestRelationsSkipARelationThatVanishes(t *testing.T) {
	t.Parallel()
	runner := jujutest.NewRunner().
		Handle("relation-list", func(args []string, _ []byte) ([]byte, error) {
			if strings.Contains(strings.Join(args, " "), "istio-ingress-route:2") {
				return nil, &juju.ToolError{Tool: "relation-list", Args: args, ExitCode: 2, Stderr: "ERROR relation not found\n"}
			}
			return []byte(`"tempo"`), nil
		}).
		Reply("relation-get", `{"config":"{\"model\":\"cos\"}"}`)
	apps := map[string]string{}
	r := juju.Relations{Reader: juju.NewClient(runner), Apps: apps}
	ctx := context.Background()

	_, _, ok, err := r.AppBag(ctx, juju.RelationID{Endpoint: "istio-ingress-route", ID: 2})
	require.NoError(t, err)
	assert.False(t, ok, "a relation gone meanwhile has nothing to read")

	rel := juju.RelationID{Endpoint: "istio-ingress-route", ID: 1}
	app, bag, ok, err := r.AppBag(ctx, rel)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "tempo", app)
	assert.Equal(t, map[string]string{"config": `{"model":"cos"}`}, bag)
	assert.Equal(t, []string{"relation-get", "--format=json", "-r", "istio-ingress-route:1", "--app", "-", "tempo"},
		runner.CallsTo("relation-get")[0].Argv())

	_, _, _, err = r.AppBag(ctx, rel)
	require.NoError(t, err)
	assert.Len(t, runner.CallsTo("relation-list"), 2, "the remote application is asked once per relation")
	assert.Equal(t, "tempo", apps[rel.String()])
}

func TestRelationsReportReadErrors(t *testing.T) {
	t.Parallel()
	runner := jujutest.NewRunner().Fail("relation-ids", 1, "ERROR connection refused\n")
	_, err := juju.Relations{Reader: juju.NewClient(runner)}.Live(context.Background(), "istio-ingress-route")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "istio-ingress-route")
}
