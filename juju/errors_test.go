package juju_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

// TestErrorMapping feeds the stderr texts Juju really prints and checks the
// typed error, while the *ToolError stays reachable.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	notFound := `ERROR invalid value "ingress:4" for option -r: relation not found` + "\n"
	tests := []struct {
		name   string
		tool   string
		stderr string
		call   func(ctx context.Context, c *juju.Client) error
		want   error // nil: no sentinel, only the *ToolError
	}{
		{"relation-get dead relation", "relation-get", notFound,
			func(ctx context.Context, c *juju.Client) error {
				_, err := c.RelationGet(ctx, rel, "blog/0")
				return err
			},
			juju.ErrRelationNotFound},
		{"relation-list dead relation", "relation-list", notFound,
			func(ctx context.Context, c *juju.Client) error { _, err := c.RelationApp(ctx, rel); return err },
			juju.ErrRelationNotFound},
		{"relation-set dead relation", "relation-set", notFound,
			func(ctx context.Context, c *juju.Client) error {
				return c.RelationSet(ctx, rel, map[string]string{"a": "b"})
			},
			juju.ErrRelationNotFound},
		{"network-get dead relation", "network-get", "ERROR Relation Not Found\n",
			func(ctx context.Context, c *juju.Client) error {
				_, err := c.NetworkGet(ctx, "ingress", &rel)
				return err
			},
			juju.ErrRelationNotFound},
		{"relation not found from a non relation tool is not a relation error", "state-get", "ERROR relation not found\n",
			func(ctx context.Context, c *juju.Client) error { _, err := c.StateGetAll(ctx); return err },
			nil},
		{"relation-set --app on a non-leader", "relation-set", "ERROR cannot write relation settings\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				return l.RelationSetApp(ctx, rel, map[string]string{"a": "b"})
			}),
			juju.ErrNotLeader},
		{"non-leader reads its own app bag", "relation-get", "ERROR permission denied\n",
			func(ctx context.Context, c *juju.Client) error {
				_, err := c.RelationGetApp(ctx, rel, "istio-ingress-k8s")
				return err
			},
			juju.ErrNotLeader},
		{"status-set --application on a non-leader", "status-set", "ERROR this unit is not the leader\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				return l.StatusSetApp(ctx, juju.Status{Name: juju.StatusActive})
			}),
			juju.ErrNotLeader},
		{"status-get --application on a non-leader", "status-get", "ERROR finding application status: this unit is not the leader\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				_, err := l.StatusGetApp(ctx)
				return err
			}),
			juju.ErrNotLeader},
		{"leader-set on a non-leader", "leader-set", "ERROR cannot write leadership settings: cannot write settings: not the leader\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				return l.LeaderSet(ctx, map[string]string{"a": "b"})
			}),
			juju.ErrNotLeader},
		{"app-owned secret-add on a non-leader", "secret-add", "ERROR this unit is not the leader\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				_, err := l.SecretAdd(ctx, map[string]string{"key": "v"}, juju.SecretOptions{})
				return err
			}),
			juju.ErrNotLeader},
		{"app-owned secret-set on a non-leader", "secret-set", "ERROR this unit is not the leader\n",
			asLeader(func(ctx context.Context, l *juju.Leader) error {
				return l.SecretSet(ctx, "secret:x", map[string]string{"key": "v"}, juju.SecretOptions{})
			}),
			juju.ErrNotLeader},
		{"secret-get missing secret", "secret-get", `ERROR secret "cu2b9e0p" not found` + "\n",
			func(ctx context.Context, c *juju.Client) error {
				_, err := c.SecretGet(ctx, juju.SecretGetOptions{ID: "secret:cu2b9e0p"})
				return err
			},
			juju.ErrSecretNotFound},
		{"secret-get without access", "secret-get", "ERROR permission denied\n",
			func(ctx context.Context, c *juju.Client) error {
				_, err := c.SecretGet(ctx, juju.SecretGetOptions{Label: "x"})
				return err
			},
			juju.ErrNotLeader},
		{"secret-grant by a non-owner", "secret-grant", `ERROR secret "cu2b9e0p" not found` + "\n",
			func(ctx context.Context, c *juju.Client) error { return c.SecretGrant(ctx, "secret:cu2b9e0p", rel, "") },
			juju.ErrSecretNotFound},
		{"secret-revoke missing", "secret-revoke", "ERROR secret not found\n",
			func(ctx context.Context, c *juju.Client) error {
				return c.SecretRevoke(ctx, "secret:x", juju.SecretRevokeTarget{App: "blog"})
			},
			juju.ErrSecretNotFound},
		{"secret-remove missing", "secret-remove", "ERROR not found\n",
			func(ctx context.Context, c *juju.Client) error { return c.SecretRemove(ctx, "secret:x", 0) },
			juju.ErrSecretNotFound},
		{"not found from a non secret tool is not a secret error", "relation-ids", "ERROR endpoint \"nope\" not found\n",
			func(ctx context.Context, c *juju.Client) error { _, err := c.RelationIDs(ctx, "nope"); return err },
			nil},
		{"any other failure", "config-get", "ERROR connection is shut down\n",
			func(ctx context.Context, c *juju.Client) error { _, err := c.ConfigGet(ctx); return err },
			nil},
	}
	sentinels := []error{juju.ErrRelationNotFound, juju.ErrNotLeader, juju.ErrSecretNotFound}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := jujutest.NewRunner().Reply("is-leader", "true").Fail(tc.tool, 1, tc.stderr)
			err := tc.call(context.Background(), juju.NewClient(r))
			require.Error(t, err)

			for _, s := range sentinels {
				assert.Equal(t, s == tc.want, errors.Is(err, s), "errors.Is(err, %v) for %v", s, err)
			}
			var te *juju.ToolError
			require.ErrorAs(t, err, &te, "the *ToolError must stay in the chain")
			assert.Equal(t, tc.tool, te.Tool)
			assert.Equal(t, 1, te.ExitCode)
			assert.Equal(t, tc.stderr, te.Stderr)
			assert.Contains(t, err.Error(), tc.tool)
		})
	}
}

// asLeader adapts a leader-only call: it obtains the *Leader the only legal
// way, then runs fn.
func asLeader(fn func(ctx context.Context, l *juju.Leader) error) func(context.Context, *juju.Client) error {
	return func(ctx context.Context, c *juju.Client) error {
		l, err := c.Leader(ctx)
		if err != nil {
			return err
		}
		return fn(ctx, l)
	}
}

func TestBadOutputIsAnError(t *testing.T) {
	t.Parallel()
	r := jujutest.NewRunner().Reply("relation-ids", "ingress:4\n") // smart format, not JSON
	_, err := juju.NewClient(r).RelationIDs(context.Background(), "ingress")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "relation-ids")

	r = jujutest.NewRunner().Reply("relation-ids", `["no-colon"]`)
	_, err = juju.NewClient(r).RelationIDs(context.Background(), "ingress")
	require.Error(t, err)
}

func TestLeaderByConstruction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("non-leader gets ErrNotLeader and writes nothing", func(t *testing.T) {
		t.Parallel()
		r := jujutest.NewRunner().Reply("is-leader", "false").Accept("relation-set")
		l, err := juju.NewClient(r).Leader(ctx)
		require.ErrorIs(t, err, juju.ErrNotLeader)
		assert.Nil(t, l)
		// Even a nil *Leader cannot be used to write.
		require.ErrorIs(t, l.RelationSetApp(ctx, rel, map[string]string{"a": "b"}), juju.ErrNotLeader)
		assert.Empty(t, r.CallsTo("relation-set"))
	})

	t.Run("a Leader not made by Client.Leader cannot write", func(t *testing.T) {
		t.Parallel()
		forged := &juju.Leader{}
		require.ErrorIs(t, forged.RelationSetApp(ctx, rel, map[string]string{"a": "b"}), juju.ErrNotLeader)
		require.ErrorIs(t, forged.StatusSetApp(ctx, juju.Status{Name: juju.StatusActive}), juju.ErrNotLeader)
		require.ErrorIs(t, forged.LeaderSet(ctx, map[string]string{"a": "b"}), juju.ErrNotLeader)
		_, err := forged.SecretAdd(ctx, map[string]string{"key": "v"}, juju.SecretOptions{})
		require.ErrorIs(t, err, juju.ErrNotLeader)
		require.ErrorIs(t, forged.SecretSet(ctx, "secret:x", map[string]string{"key": "v"}, juju.SecretOptions{}), juju.ErrNotLeader)
		_, err = forged.StatusGetApp(ctx)
		require.ErrorIs(t, err, juju.ErrNotLeader)
	})

	t.Run("is-leader failure is returned, not mistaken for leadership", func(t *testing.T) {
		t.Parallel()
		r := jujutest.NewRunner().Fail("is-leader", 1, "ERROR connection refused\n")
		l, err := juju.NewClient(r).Leader(ctx)
		require.Error(t, err)
		assert.NotErrorIs(t, err, juju.ErrNotLeader)
		assert.Nil(t, l)
	})
}

// TestRefusedBeforeCallingJuju checks inputs Juju would reject (or that
// would leak data) are refused without running any tool.
func TestRefusedBeforeCallingJuju(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(ctx context.Context, c *juju.Client) error
	}{
		{"unknown status", func(ctx context.Context, c *juju.Client) error {
			return c.StatusSet(ctx, juju.Status{Name: "error", Message: "x"})
		}},
		{"secret key too short", func(ctx context.Context, c *juju.Client) error {
			_, err := c.SecretAdd(ctx, map[string]string{"ca": "x"}, juju.SecretOptions{})
			return err
		}},
		{"secret key with upper case", func(ctx context.Context, c *juju.Client) error {
			return c.SecretSet(ctx, "secret:x", map[string]string{"Private-Key": "x"}, juju.SecretOptions{})
		}},
		{"secret-add without content", func(ctx context.Context, c *juju.Client) error {
			_, err := c.SecretAdd(ctx, nil, juju.SecretOptions{})
			return err
		}},
		{"secret-get without id or label", func(ctx context.Context, c *juju.Client) error {
			_, err := c.SecretGet(ctx, juju.SecretGetOptions{})
			return err
		}},
		{"secret-get refresh and peek", func(ctx context.Context, c *juju.Client) error {
			_, err := c.SecretGet(ctx, juju.SecretGetOptions{ID: "secret:x", Refresh: true, Peek: true})
			return err
		}},
		{"secret-revoke without target", func(ctx context.Context, c *juju.Client) error {
			return c.SecretRevoke(ctx, "secret:x", juju.SecretRevokeTarget{})
		}},
		{"secret-revoke app and unit", func(ctx context.Context, c *juju.Client) error {
			return c.SecretRevoke(ctx, "secret:x", juju.SecretRevokeTarget{App: "a", Unit: "a/0"})
		}},
		{"port 0", func(ctx context.Context, c *juju.Client) error { return c.OpenPort(ctx, 0, juju.TCP) }},
		{"port protocol", func(ctx context.Context, c *juju.Client) error { return c.OpenPort(ctx, 80, "sctp") }},
		{"reserved action key", func(ctx context.Context, c *juju.Client) error {
			return c.ActionSet(ctx, map[string]any{"stdout": "x"})
		}},
		{"invalid action key", func(ctx context.Context, c *juju.Client) error {
			return c.ActionSet(ctx, map[string]any{"Bad_Key": "x"})
		}},
		{"leader-set key with =", asLeader(func(ctx context.Context, l *juju.Leader) error {
			return l.LeaderSet(ctx, map[string]string{"a=b": "c"})
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := jujutest.NewRunner().Reply("is-leader", "true")
			require.Error(t, tc.call(context.Background(), juju.NewClient(r)))
			for _, c := range r.Calls() {
				assert.Equal(t, "is-leader", c.Tool, "unexpected tool call %v", c.Argv())
			}
		})
	}
}

// TestEmptyWritesCallNothing: nothing to write means no tool call, so a
// reconcile that found no change does not touch Juju.
func TestEmptyWritesCallNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jujutest.NewRunner().Reply("is-leader", "true")
	c := juju.NewClient(r)
	require.NoError(t, c.RelationSet(ctx, rel, nil))
	require.NoError(t, leaderOf(t, c).RelationSetApp(ctx, rel, map[string]string{}))
	require.NoError(t, c.StateSet(ctx, nil))
	require.NoError(t, c.ActionSet(ctx, nil))
	require.NoError(t, leaderOf(t, c).LeaderSet(ctx, nil))
	for _, call := range r.Calls() {
		assert.Equal(t, "is-leader", call.Tool)
	}
}

func TestClientWithoutRunner(t *testing.T) {
	t.Parallel()
	var c *juju.Client
	_, err := c.IsLeader(context.Background())
	require.Error(t, err)
	_, err = juju.NewClient(nil).ConfigGet(context.Background())
	require.Error(t, err)
}
