package juju_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

var rel = juju.RelationID{Endpoint: "ingress", ID: 4}

// leaderOf obtains the leader capability through the only legal path.
func leaderOf(t *testing.T, c *juju.Client) *juju.Leader {
	t.Helper()
	l, err := c.Leader(context.Background())
	require.NoError(t, err)
	return l
}

// TestArgvAndOutput checks, tool by tool, the exact argv (and stdin) the
// client sends and how it decodes the tool's output.
func TestArgvAndOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tool      string
		stdout    string
		call      func(ctx context.Context, c *juju.Client, t *testing.T) (any, error)
		wantArgs  []string
		wantStdin string
		want      any
	}{
		{
			name: "relation-ids", tool: "relation-ids", stdout: `["ingress:4","ingress:11"]`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.RelationIDs(ctx, "ingress")
			},
			wantArgs: []string{"ingress", "--format=json"},
			want:     []juju.RelationID{{Endpoint: "ingress", ID: 4}, {Endpoint: "ingress", ID: 11}},
		},
		{
			name: "relation-ids none", tool: "relation-ids", stdout: "[]\n",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.RelationIDs(ctx, "istio-ingress-route-unauthenticated")
			},
			wantArgs: []string{"istio-ingress-route-unauthenticated", "--format=json"},
			want:     []juju.RelationID{},
		},
		{
			name: "relation-list units", tool: "relation-list", stdout: `["blog/0","blog/1"]`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.RelationUnits(ctx, rel) },
			wantArgs: []string{"--format=json", "-r", "ingress:4"},
			want:     []string{"blog/0", "blog/1"},
		},
		{
			name: "relation-list app", tool: "relation-list", stdout: `"blog"` + "\n",
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.RelationApp(ctx, rel) },
			wantArgs: []string{"--format=json", "--app", "-r", "ingress:4"},
			want:     "blog",
		},
		{
			name: "relation-get unit bag", tool: "relation-get", stdout: `{"host":"blog-0.blog","port":"8080"}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.RelationGet(ctx, rel, "blog/0")
			},
			wantArgs: []string{"--format=json", "-r", "ingress:4", "-", "blog/0"},
			want:     map[string]string{"host": "blog-0.blog", "port": "8080"},
		},
		{
			name: "relation-get app bag", tool: "relation-get", stdout: `{"model":"cos"}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.RelationGetApp(ctx, rel, "blog")
			},
			wantArgs: []string{"--format=json", "-r", "ingress:4", "--app", "-", "blog"},
			want:     map[string]string{"model": "cos"},
		},
		{
			name: "relation-get null is empty", tool: "relation-get", stdout: "null\n",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.RelationGetApp(ctx, rel, "blog")
			},
			wantArgs: []string{"--format=json", "-r", "ingress:4", "--app", "-", "blog"},
			want:     map[string]string{},
		},
		{
			name: "relation-set unit bag", tool: "relation-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.RelationSet(ctx, rel, map[string]string{"url": "http://a/<b>&c", "gone": ""})
			},
			wantArgs:  []string{"-r", "ingress:4", "--file", "-"},
			wantStdin: `{"gone":"","url":"http://a/<b>&c"}` + "\n",
		},
		{
			name: "relation-set app bag", tool: "relation-set",
			call: func(ctx context.Context, c *juju.Client, t *testing.T) (any, error) {
				return nil, leaderOf(t, c).RelationSetApp(ctx, rel, map[string]string{"ingress": `{"url":"http://x"}`})
			},
			wantArgs:  []string{"-r", "ingress:4", "--app", "--file", "-"},
			wantStdin: `{"ingress":"{\"url\":\"http://x\"}"}` + "\n",
		},
		{
			name: "is-leader", tool: "is-leader", stdout: "false\n",
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.IsLeader(ctx) },
			wantArgs: []string{"--format=json"},
			want:     false,
		},
		{
			name: "leader-get", tool: "leader-get", stdout: `{"k":"v"}`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.LeaderGet(ctx) },
			wantArgs: []string{"--format=json"},
			want:     map[string]string{"k": "v"},
		},
		{
			name: "leader-set", tool: "leader-set",
			call: func(ctx context.Context, c *juju.Client, t *testing.T) (any, error) {
				return nil, leaderOf(t, c).LeaderSet(ctx, map[string]string{"b": "", "a": "x=y"})
			},
			wantArgs: []string{"a=x=y", "b="},
		},
		{
			name: "config-get", tool: "config-get", stdout: `{"external_hostname":"foo.com","ready-timeout":100}`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.ConfigGet(ctx) },
			wantArgs: []string{"--format=json"},
			want:     map[string]any{"external_hostname": "foo.com", "ready-timeout": float64(100)},
		},
		{
			name: "config-get into struct", tool: "config-get", stdout: `{"external_hostname":"foo.com","ready-timeout":100}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				var cfg struct {
					Host    string `json:"external_hostname"`
					Timeout int    `json:"ready-timeout"`
				}
				err := c.ConfigGetInto(ctx, &cfg)
				return [2]any{cfg.Host, cfg.Timeout}, err
			},
			wantArgs: []string{"--format=json"},
			want:     [2]any{"foo.com", 100},
		},
		{
			name: "status-set unit", tool: "status-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.StatusSet(ctx, juju.Status{Name: juju.StatusWaiting, Message: "Waiting for relations"})
			},
			wantArgs: []string{"--application=False", "waiting", "--", "Waiting for relations"},
		},
		{
			name: "status-set application, message starting with a dash", tool: "status-set",
			call: func(ctx context.Context, c *juju.Client, t *testing.T) (any, error) {
				return nil, leaderOf(t, c).StatusSetApp(ctx, juju.Status{Name: juju.StatusBlocked, Message: "--bad config"})
			},
			wantArgs: []string{"--application=True", "blocked", "--", "--bad config"},
		},
		{
			name: "status-get unit", tool: "status-get",
			stdout:   `{"message":"Ready","status":"active","status-data":{}}`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.StatusGet(ctx) },
			wantArgs: []string{"--include-data", "--format=json", "--application=false"},
			want:     juju.StatusInfo{Name: "active", Message: "Ready", Data: map[string]any{}},
		},
		{
			name: "status-get application", tool: "status-get",
			stdout: `{"application-status":{"message":"m","status":"blocked","status-data":{},"units":{"a/0":{"message":"","status":"active","status-data":{}}}}}`,
			call: func(ctx context.Context, c *juju.Client, t *testing.T) (any, error) {
				return leaderOf(t, c).StatusGetApp(ctx)
			},
			wantArgs: []string{"--include-data", "--format=json", "--application=true"},
			want: juju.AppStatus{
				StatusInfo: juju.StatusInfo{Name: "blocked", Message: "m", Data: map[string]any{}},
				Units:      map[string]juju.StatusInfo{"a/0": {Name: "active", Data: map[string]any{}}},
			},
		},
		{
			name: "juju-log", tool: "juju-log",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.Log(ctx, juju.LogWarning, "-r is not a flag here")
			},
			wantArgs: []string{"--log-level", "WARNING", "--", "-r is not a flag here"},
		},
		{
			name: "application-version-set", tool: "application-version-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.ApplicationVersionSet(ctx, "1.28.0")
			},
			wantArgs: []string{"--", "1.28.0"},
		},
		{
			name: "secret-get by id and label, refresh", tool: "secret-get", stdout: `{"private-key":"PEM"}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.SecretGet(ctx, juju.SecretGetOptions{ID: "secret:abc", Label: "tls", Refresh: true})
			},
			wantArgs: []string{"--format=json", "secret:abc", "--label", "tls", "--refresh"},
			want:     map[string]string{"private-key": "PEM"},
		},
		{
			name: "secret-get by label, peek", tool: "secret-get", stdout: `{"a-b":"c"}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.SecretGet(ctx, juju.SecretGetOptions{Label: "tls", Peek: true})
			},
			wantArgs: []string{"--format=json", "--label", "tls", "--peek"},
			want:     map[string]string{"a-b": "c"},
		},
		{
			name: "secret-set metadata only", tool: "secret-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretSet(ctx, "secret:abc", nil, juju.SecretOptions{Label: "new", Rotate: juju.RotateNever})
			},
			wantArgs: []string{"--label", "new", "--rotate", "never", "--owner", "unit", "secret:abc"},
		},
		{
			name: "secret-grant to one unit", tool: "secret-grant",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretGrant(ctx, "secret:abc", rel, "blog/1")
			},
			wantArgs: []string{"--relation", "ingress:4", "--unit", "blog/1", "secret:abc"},
		},
		{
			name: "secret-grant to the app", tool: "secret-grant",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretGrant(ctx, "secret:abc", rel, "")
			},
			wantArgs: []string{"--relation", "ingress:4", "secret:abc"},
		},
		{
			name: "secret-revoke", tool: "secret-revoke",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretRevoke(ctx, "secret:abc", juju.SecretRevokeTarget{Relation: &rel, App: "blog"})
			},
			wantArgs: []string{"secret:abc", "--relation", "ingress:4", "--app", "blog"},
		},
		{
			name: "secret-remove one revision", tool: "secret-remove",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretRemove(ctx, "secret:abc", 3)
			},
			wantArgs: []string{"secret:abc", "--revision", "3"},
		},
		{
			name: "secret-remove all", tool: "secret-remove",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.SecretRemove(ctx, "secret:abc", 0)
			},
			wantArgs: []string{"secret:abc"},
		},
		{
			name: "state-get all", tool: "state-get", stdout: `{"a":"1"}`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.StateGetAll(ctx) },
			wantArgs: []string{"--format=json"},
			want:     map[string]string{"a": "1"},
		},
		{
			name: "state-get all, Juju 4 null", tool: "state-get", stdout: "null",
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.StateGetAll(ctx) },
			wantArgs: []string{"--format=json"},
			want:     map[string]string{},
		},
		{
			name: "state-get key", tool: "state-get", stdout: `"v"`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				v, ok, err := c.StateGet(ctx, "k")
				return [2]any{v, ok}, err
			},
			wantArgs: []string{"--format=json", "k"},
			want:     [2]any{"v", true},
		},
		{
			name: "state-get missing key", tool: "state-get", stdout: "null\n",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				v, ok, err := c.StateGet(ctx, "k")
				return [2]any{v, ok}, err
			},
			wantArgs: []string{"--format=json", "k"},
			want:     [2]any{"", false},
		},
		{
			name: "state-set", tool: "state-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.StateSet(ctx, map[string]string{"charm-state": `{"version":1}`})
			},
			wantArgs:  []string{"--file", "-"},
			wantStdin: `{"charm-state":"{\"version\":1}"}` + "\n",
		},
		{
			name: "state-delete", tool: "state-delete",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.StateDelete(ctx, "k")
			},
			wantArgs: []string{"k"},
		},
		{
			name: "open-port default tcp", tool: "open-port",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.OpenPort(ctx, 443, "")
			},
			wantArgs: []string{"443/tcp"},
		},
		{
			name: "close-port udp", tool: "close-port",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.ClosePort(ctx, 53, juju.UDP)
			},
			wantArgs: []string{"53/udp"},
		},
		{
			name: "network-get for a relation", tool: "network-get",
			stdout: `{"bind-addresses":[{"mac-address":"","interface-name":"eth0","addresses":[{"hostname":"","value":"10.1.2.3","cidr":"10.1.0.0/16"}]}],"egress-subnets":["10.1.2.3/32"],"ingress-addresses":["10.1.2.3"]}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.NetworkGet(ctx, "ingress", &rel)
			},
			wantArgs: []string{"--format=json", "-r", "ingress:4", "ingress"},
			want: juju.Network{
				BindAddresses: []juju.BindAddress{{InterfaceName: "eth0", Addresses: []juju.InterfaceAddrs{{Value: "10.1.2.3", CIDR: "10.1.0.0/16"}}}},
				EgressSubnets: []string{"10.1.2.3/32"}, IngressAddresses: []string{"10.1.2.3"},
			},
		},
		{
			name: "network-get binding only", tool: "network-get", stdout: `{}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return c.NetworkGet(ctx, "juju-info", nil)
			},
			wantArgs: []string{"--format=json", "juju-info"},
			want:     juju.Network{},
		},
		{
			name: "goal-state and planned units", tool: "goal-state",
			stdout: `{"units":{"i/0":{"status":"active","since":"t"},"i/1":{"status":"dying","since":"t"},"i/2":{"status":"waiting","since":"t"}},"relations":{"ingress":{"blog":{"status":"joined","since":"t"}}}}`,
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				gs, err := c.GoalState(ctx)
				return [2]any{gs.PlannedUnits(), gs.Relations["ingress"]["blog"].Status}, err
			},
			wantArgs: []string{"--format=json"},
			want:     [2]any{2, "joined"},
		},
		{
			name: "action-get", tool: "action-get", stdout: `{"dry-run":true,"nested":{"n":1}}`,
			call:     func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) { return c.ActionGet(ctx) },
			wantArgs: []string{"--format=json"},
			want:     map[string]any{"dry-run": true, "nested": map[string]any{"n": float64(1)}},
		},
		{
			name: "action-set flattens nested results", tool: "action-set",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.ActionSet(ctx, map[string]any{"url": "http://x", "route": map[string]any{"count": 2, "ok": true}})
			},
			wantArgs: []string{"route.count=2", "route.ok=true", "url=http://x"},
		},
		{
			name: "action-fail with message", tool: "action-fail",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.ActionFail(ctx, "-nope")
			},
			wantArgs: []string{"--", "-nope"},
		},
		{
			name: "action-fail without message", tool: "action-fail",
			call: func(ctx context.Context, c *juju.Client, _ *testing.T) (any, error) {
				return nil, c.ActionFail(ctx, "")
			},
			wantArgs: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := jujutest.NewRunner().Reply("is-leader", "true").Reply(tc.tool, tc.stdout)
			got, err := tc.call(context.Background(), juju.NewClient(r), t)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)

			calls := r.CallsTo(tc.tool)
			require.NotEmpty(t, calls, "no %s call", tc.tool)
			last := calls[len(calls)-1]
			assert.Equal(t, tc.wantArgs, append([]string{}, last.Args...))
			if tc.wantStdin == "" {
				assert.Nil(t, last.Stdin)
			} else {
				assert.Equal(t, tc.wantStdin, string(last.Stdin))
			}
		})
	}
}

func TestSecretAddPassesContentThroughPrivateFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		add       func(ctx context.Context, c *juju.Client) (string, error)
		wantOwner string
	}{
		{
			name: "unit owned",
			add: func(ctx context.Context, c *juju.Client) (string, error) {
				return c.SecretAdd(ctx, map[string]string{"private-key": "KEY", "ca-cert": "CA"},
					juju.SecretOptions{Label: "tls", Description: "d", Expire: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Rotate: juju.RotateDaily})
			},
			wantOwner: "unit",
		},
		{
			name: "application owned (leader)",
			add: func(ctx context.Context, c *juju.Client) (string, error) {
				l, err := c.Leader(ctx)
				if err != nil {
					return "", err
				}
				return l.SecretAdd(ctx, map[string]string{"private-key": "KEY", "ca-cert": "CA"},
					juju.SecretOptions{Label: "tls", Description: "d", Expire: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Rotate: juju.RotateDaily})
			},
			wantOwner: "application",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var paths []string
			seen := map[string]string{}
			r := jujutest.NewRunner().Reply("is-leader", "true").Handle("secret-add", func(args []string, _ []byte) ([]byte, error) {
				for _, a := range args {
					key, path, ok := strings.Cut(a, "#file=")
					if !ok {
						continue
					}
					info, err := os.Stat(path)
					require.NoError(t, err)
					assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
					b, err := os.ReadFile(path)
					require.NoError(t, err)
					seen[key] = string(b)
					paths = append(paths, path)
				}
				return []byte("secret:cu2b9e0p\n"), nil
			})
			uri, err := tc.add(context.Background(), juju.NewClient(r))
			require.NoError(t, err)
			assert.Equal(t, "secret:cu2b9e0p", uri, "URI is trimmed of its newline")
			assert.Equal(t, map[string]string{"private-key": "KEY", "ca-cert": "CA"}, seen)

			calls := r.CallsTo("secret-add")
			require.Len(t, calls, 1)
			args := calls[0].Args
			assert.Equal(t, []string{"--label", "tls", "--description", "d", "--expire", "2030-01-02T03:04:05Z",
				"--rotate", "daily", "--owner", tc.wantOwner}, args[:10])
			require.Len(t, args, 12)
			assert.True(t, strings.HasPrefix(args[10], "ca-cert#file="), args[10])
			assert.True(t, strings.HasPrefix(args[11], "private-key#file="), args[11])
			for _, a := range args {
				assert.NotContains(t, a, "KEY", "secret content must not reach argv")
			}
			for _, p := range paths {
				_, err := os.Stat(p)
				assert.ErrorIs(t, err, os.ErrNotExist, "content file %s left behind", p)
			}
		})
	}
}

func TestSecretSetWithContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		set       func(ctx context.Context, c *juju.Client) error
		wantOwner string
	}{
		{"unit owned", func(ctx context.Context, c *juju.Client) error {
			return c.SecretSet(ctx, "secret:abc", map[string]string{"certificate": "CERT"}, juju.SecretOptions{})
		}, "unit"},
		{"application owned (leader)", func(ctx context.Context, c *juju.Client) error {
			l, err := c.Leader(ctx)
			if err != nil {
				return err
			}
			return l.SecretSet(ctx, "secret:abc", map[string]string{"certificate": "CERT"}, juju.SecretOptions{})
		}, "application"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var content string
			r := jujutest.NewRunner().Reply("is-leader", "true").Handle("secret-set", func(args []string, _ []byte) ([]byte, error) {
				_, path, ok := strings.Cut(args[len(args)-1], "#file=")
				require.True(t, ok)
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				content = string(b)
				return nil, nil
			})
			require.NoError(t, tc.set(context.Background(), juju.NewClient(r)))
			args := r.CallsTo("secret-set")[0].Args
			require.Len(t, args, 4)
			assert.Equal(t, []string{"--owner", tc.wantOwner, "secret:abc"}, args[:3])
			assert.True(t, strings.HasPrefix(args[3], "certificate#file="))
			assert.Equal(t, "CERT", content)
		})
	}
}

func TestLogSplitsLongMessages(t *testing.T) {
	t.Parallel()
	r := jujutest.NewRunner().Accept("juju-log")
	// 131070 ASCII bytes then a 3-byte rune straddling the 131071-byte limit.
	msg := strings.Repeat("a", 131070) + "€" + strings.Repeat("b", 10)
	require.NoError(t, juju.NewClient(r).Log(context.Background(), juju.LogInfo, msg))

	calls := r.CallsTo("juju-log")
	require.Len(t, calls, 2)
	var joined strings.Builder
	for _, c := range calls {
		part := c.Args[len(c.Args)-1]
		assert.True(t, utf8.ValidString(part), "chunk split a character")
		assert.LessOrEqual(t, len(part), 131071)
		joined.WriteString(part)
	}
	assert.Equal(t, msg, joined.String())
}

func TestSecretGetNeverQuotesItsOutput(t *testing.T) {
	t.Parallel()
	// Output that is not the JSON map wanted (a YAML answer, a truncated
	// one): the error must not carry any of it.
	for _, out := range []string{
		"private-key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEsecret\n",
		`{"private-key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret`,
		`{"private-key": 12345678}`,
	} {
		r := jujutest.NewRunner().Reply("secret-get", out)
		_, err := juju.NewClient(r).SecretGet(context.Background(), juju.SecretGetOptions{Label: "k"})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "MIIE")
		assert.NotContains(t, err.Error(), "PRIVATE")
		assert.NotContains(t, err.Error(), "12345678")
	}
}
