package hooktools

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// fixture is a model with a two-unit app "gw" (gw/0 leads), a peer relation
// (id 0) and a relation (id 1) on endpoint "ingress" with remote app "web".
type fixture struct {
	modelPath string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	m := simstate.New("m", "uuid-1")
	m.Apps["gw"] = &simstate.App{
		Name: "gw", Local: true, Leader: "gw/0",
		Options: map[string]simstate.Option{
			"ready-timeout": {Type: "int", Default: 100},
			"hostname":      {Type: "string"},
		},
		Endpoints: map[string]simstate.Endpoint{
			"ingress": {Role: "provides", Interface: "ingress"},
			"peers":   {Role: "peers", Interface: "gw_peers"},
		},
	}
	m.Apps["web"] = &simstate.App{Name: "web"}
	for _, u := range []string{"gw/0", "gw/1"} {
		m.Units[u] = &simstate.Unit{Name: u, App: "gw", Address: "10.1.1.1"}
	}
	m.Units["web/0"] = &simstate.Unit{Name: "web/0", App: "web"}
	m.Relations[0] = &simstate.Relation{ID: 0, Sides: []simstate.RelationEndpoint{{App: "gw", Endpoint: "peers"}},
		Seen: map[string][]string{"gw/0": {"gw/1"}, "gw/1": {"gw/0"}},
		Bags: map[string]map[string]string{"gw": {"peer-key": "v"}}}
	m.Relations[1] = &simstate.Relation{ID: 1,
		Sides: []simstate.RelationEndpoint{{App: "gw", Endpoint: "ingress"}, {App: "web", Endpoint: "ingress"}},
		Seen:  map[string][]string{"gw/0": {"web/0"}, "gw/1": {"web/0"}},
		Bags: map[string]map[string]string{
			"web":   {"model": "\"other\"", "name": "\"web\""},
			"web/0": {"host": "\"web-0.web\""},
			"gw":    {"ingress": "{\"url\":\"http://x\"}"},
		}}
	m.NextRelationID = 2
	path := filepath.Join(dir, simstate.ModelFile)
	require.NoError(t, m.Save(path))
	return fixture{modelPath: path}
}

type result struct {
	code   int
	stdout string
	stderr string
}

// call runs a tool as unit in hook context ctx with extra environment.
func (f fixture) call(unit, ctx string, env map[string]string, stdin string, tool string, args ...string) result {
	vars := map[string]string{
		simstate.ModelEnv: f.modelPath, "JUJU_UNIT_NAME": unit, "JUJU_CONTEXT_ID": ctx,
	}
	for k, v := range env {
		vars[k] = v
	}
	var stdout, stderr bytes.Buffer
	code := Main(tool, args, func(k string) string { return vars[k] }, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (f fixture) model(t *testing.T) *simstate.Model {
	t.Helper()
	m, err := simstate.Load(f.modelPath)
	require.NoError(t, err)
	return m
}

// commit applies a context's pending changes as the driver does on exit 0.
func (f fixture) commit(t *testing.T, unit, ctx string) {
	t.Helper()
	m := f.model(t)
	p, err := simstate.LoadPending(simstate.PendingPath(f.modelPath, ctx))
	require.NoError(t, err)
	m.Apply(unit, p)
	require.NoError(t, m.Save(f.modelPath))
	require.NoError(t, os.Remove(simstate.PendingPath(f.modelPath, ctx)))
}

func TestReadTools(t *testing.T) {
	f := newFixture(t)
	relEnv := map[string]string{"JUJU_RELATION": "ingress", "JUJU_RELATION_ID": "ingress:1", "JUJU_REMOTE_UNIT": "web/0", "JUJU_REMOTE_APP": "web"}
	tests := []struct {
		name     string
		unit     string
		env      map[string]string
		tool     string
		args     []string
		wantCode int
		want     string // stdout, or stderr when wantCode != 0
	}{
		{name: "relation-ids", unit: "gw/1", tool: "relation-ids", args: []string{"ingress", "--format=json"}, want: `["ingress:1"]`},
		{name: "relation-ids from JUJU_RELATION", unit: "gw/1", env: relEnv, tool: "relation-ids", args: []string{"--format", "json"}, want: `["ingress:1"]`},
		{name: "relation-ids unknown endpoint", unit: "gw/1", tool: "relation-ids", args: []string{"nope", "--format=json"}, want: `[]`},
		{name: "relation-list", unit: "gw/0", tool: "relation-list", args: []string{"--format=json", "-r", "ingress:1"}, want: `["web/0"]`},
		{name: "relation-list bare id", unit: "gw/0", tool: "relation-list", args: []string{"-r", "1", "--format=json"}, want: `["web/0"]`},
		{name: "relation-list -r attached", unit: "gw/0", tool: "relation-list", args: []string{"-r1", "--format=json"}, want: `["web/0"]`},
		{name: "relation-list --app", unit: "gw/0", tool: "relation-list", args: []string{"--format=json", "--app", "-r", "ingress:1"}, want: `"web"`},
		{name: "relation-list peers", unit: "gw/1", tool: "relation-list", args: []string{"--format=json", "-r", "peers:0"}, want: `["gw/0"]`},
		{name: "relation-list needs an id", unit: "gw/0", tool: "relation-list", args: []string{"--format=json"}, wantCode: 2, want: "ERROR no relation id specified"},
		{name: "relation-get unit bag", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "-", "web/0"}, want: `{"host":"\"web-0.web\""}`},
		{name: "relation-get one key", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "host", "web/0"}, want: `"\"web-0.web\""`},
		{name: "relation-get missing key is null", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "nope", "web/0"}, want: `null`},
		{name: "relation-get remote app bag", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "--app", "-", "web"}, want: `{"model":"\"other\"","name":"\"web\""}`},
		{name: "relation-get --app with a unit name", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "--app", "-", "web/0"}, want: `{"model":"\"other\"","name":"\"web\""}`},
		{name: "relation-get defaults to the remote unit", unit: "gw/1", env: relEnv, tool: "relation-get", args: []string{"--format=json", "-"}, want: `{"host":"\"web-0.web\""}`},
		{name: "relation-get empty own bag", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "-", "gw/1"}, want: `{}`},
		{name: "leader reads own app bag", unit: "gw/0", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "--app", "-", "gw"}, want: `{"ingress":"{\"url\":\"http://x\"}"}`},
		{name: "non-leader cannot read own app bag", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:1", "--app", "-", "gw"}, wantCode: 1, want: "ERROR permission denied"},
		{name: "non-leader reads own app bag on peers", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "peers:0", "--app", "-", "gw"}, want: `{"peer-key":"v"}`},
		{name: "unknown relation id", unit: "gw/1", tool: "relation-get", args: []string{"--format=json", "-r", "ingress:99", "-", "web/0"}, wantCode: 2, want: `ERROR invalid value "ingress:99" for option -r: relation not found`},
		{name: "garbage relation id", unit: "gw/1", tool: "relation-get", args: []string{"-r", "x", "-", "web/0"}, wantCode: 2, want: `ERROR invalid value "x" for option -r: invalid relation id`},
		{name: "unknown flag", unit: "gw/1", tool: "relation-get", args: []string{"--nope"}, wantCode: 2, want: "ERROR flag provided but not defined: --nope"},
		{name: "flag without value", unit: "gw/1", tool: "relation-get", args: []string{"-r"}, wantCode: 2, want: "ERROR flag needs an argument: -r"},
		{name: "is-leader", unit: "gw/0", tool: "is-leader", args: []string{"--format=json"}, want: `true`},
		{name: "is-leader non-leader", unit: "gw/1", tool: "is-leader", args: []string{"--format=json"}, want: `false`},
		{name: "is-leader smart", unit: "gw/1", tool: "is-leader", want: `False`},
		{name: "config-get defaults", unit: "gw/1", tool: "config-get", args: []string{"--format=json"}, want: `{"ready-timeout":100}`},
		{name: "config-get --all", unit: "gw/1", tool: "config-get", args: []string{"--format=json", "--all"}, want: `{"hostname":null,"ready-timeout":100}`},
		{name: "config-get key", unit: "gw/1", tool: "config-get", args: []string{"ready-timeout", "--format=json"}, want: `100`},
		{name: "status-get unit", unit: "gw/1", tool: "status-get", args: []string{"--include-data", "--format=json", "--application=false"}, want: `{"message":"","status":"","status-data":{}}`},
		{name: "status-get app non-leader", unit: "gw/1", tool: "status-get", args: []string{"--include-data", "--format=json", "--application=true"}, wantCode: 1, want: "ERROR finding application status: this unit is not the leader"},
		{name: "goal-state", unit: "gw/1", tool: "goal-state", args: []string{"--format=json"},
			want: `{"relations":{"ingress":{"web":{"status":"joined","since":"2025-01-01 00:00:00Z"},"web/0":{"status":"active","since":"2025-01-01 00:00:00Z"}},"peers":{"gw":{"status":"joined","since":"2025-01-01 00:00:00Z"},"gw/0":{"status":"active","since":"2025-01-01 00:00:00Z"}}},"units":{"gw/0":{"status":"active","since":"2025-01-01 00:00:00Z"},"gw/1":{"status":"active","since":"2025-01-01 00:00:00Z"}}}`},
		{name: "network-get", unit: "gw/1", tool: "network-get", args: []string{"--format=json", "ingress"},
			want: `{"bind-addresses":[{"addresses":[{"cidr":"10.1.1.1/32","hostname":"","value":"10.1.1.1"}],"interface-name":"eth0","mac-address":""}],"egress-subnets":["10.1.1.1/32"],"ingress-addresses":["10.1.1.1"]}`},
		{name: "network-get unknown binding", unit: "gw/1", tool: "network-get", args: []string{"--format=json", "nope"}, wantCode: 1, want: `ERROR no network config found for binding "nope"`},
		{name: "action-get outside an action", unit: "gw/1", tool: "action-get", args: []string{"--format=json"}, wantCode: 1, want: "ERROR not running an action"},
		{name: "bad format", unit: "gw/1", tool: "is-leader", args: []string{"--format=xml"}, wantCode: 2, want: `ERROR invalid value "xml" for option --format: unknown format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.call(tt.unit, "ctx-read", tt.env, "", tt.tool, tt.args...)
			require.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			if tt.wantCode != 0 {
				assert.Equal(t, tt.want+"\n", r.stderr)
				return
			}
			if strings.HasPrefix(tt.want, "{") || strings.HasPrefix(tt.want, "[") {
				assert.JSONEq(t, tt.want, r.stdout)
			} else {
				assert.Equal(t, tt.want+"\n", r.stdout)
			}
		})
	}
}

func TestRelationSetRules(t *testing.T) {
	tests := []struct {
		name     string
		unit     string
		args     []string
		stdin    string
		wantCode int
		wantErr  string
		bag      string
		want     map[string]string // bag after commit
	}{
		{name: "unit bag from stdin", unit: "gw/1", args: []string{"-r", "ingress:1", "--file", "-"}, stdin: `{"a":"1","b":"2"}`,
			bag: "gw/1", want: map[string]string{"a": "1", "b": "2"}},
		{name: "key=value overrides the file", unit: "gw/1", args: []string{"-r", "ingress:1", "--file", "-", "a=3"}, stdin: `{"a":"1"}`,
			bag: "gw/1", want: map[string]string{"a": "3"}},
		{name: "leader writes app bag", unit: "gw/0", args: []string{"-r", "ingress:1", "--app", "--file", "-"}, stdin: `{"x":"y"}`,
			bag: "gw", want: map[string]string{"ingress": "{\"url\":\"http://x\"}", "x": "y"}},
		{name: "empty value deletes", unit: "gw/0", args: []string{"-r", "ingress:1", "--app", "--file=-"}, stdin: `{"ingress":""}`,
			bag: "gw", want: map[string]string{}},
		{name: "empty key=value deletes", unit: "gw/0", args: []string{"--app", "-r", "ingress:1", "ingress="},
			bag: "gw", want: map[string]string{}},
		{name: "non-leader cannot write app bag", unit: "gw/1", args: []string{"-r", "ingress:1", "--app", "--file", "-"}, stdin: `{"x":"y"}`,
			wantCode: 1, wantErr: "ERROR cannot write relation settings\n",
			bag: "gw", want: map[string]string{"ingress": "{\"url\":\"http://x\"}"}},
		{name: "values must be strings", unit: "gw/1", args: []string{"-r", "ingress:1", "--file", "-"}, stdin: `{"a":1}`,
			wantCode: 1, wantErr: "ERROR cannot parse settings file: value of \"a\" is float64, not a string\n",
			bag: "gw/1", want: map[string]string{}},
		{name: "malformed key=value", unit: "gw/1", args: []string{"-r", "ingress:1", "novalue"},
			wantCode: 2, wantErr: "ERROR expected \"key=value\", got \"novalue\"\n", bag: "gw/1", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.call(tt.unit, "ctx-set", nil, tt.stdin, "relation-set", tt.args...)
			require.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			assert.Equal(t, tt.wantErr, r.stderr)
			if r.code == 0 {
				f.commit(t, tt.unit, "ctx-set")
			}
			got := f.model(t).Relations[1].Bags[tt.bag]
			if got == nil {
				got = map[string]string{}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWritesAreBufferedWithReadYourWrites(t *testing.T) {
	f := newFixture(t)

	require.Zero(t, f.call("gw/0", "ctx-a", nil, `{"k":"v"}`, "relation-set", "-r", "ingress:1", "--app", "--file", "-").code)
	require.Zero(t, f.call("gw/0", "ctx-a", nil, `{"s":"1"}`, "state-set", "--file", "-").code)
	require.Zero(t, f.call("gw/0", "ctx-a", nil, "", "open-port", "8080").code)

	sameHook := f.call("gw/0", "ctx-a", nil, "", "relation-get", "--format=json", "-r", "ingress:1", "--app", "-", "gw")
	assert.JSONEq(t, `{"ingress":"{\"url\":\"http://x\"}","k":"v"}`, sameHook.stdout, "the hook reads its own writes")
	assert.Equal(t, "\"1\"\n", f.call("gw/0", "ctx-a", nil, "", "state-get", "--format=json", "s").stdout)
	assert.Equal(t, "[\"8080/tcp\"]\n", f.call("gw/0", "ctx-a", nil, "", "opened-ports", "--format=json").stdout)

	otherHook := f.call("gw/0", "ctx-b", nil, "", "relation-get", "--format=json", "-r", "ingress:1", "--app", "-", "gw")
	assert.JSONEq(t, `{"ingress":"{\"url\":\"http://x\"}"}`, otherHook.stdout, "nothing is committed before the hook ends")
	assert.Empty(t, f.model(t).Units["gw/0"].State)

	f.commit(t, "gw/0", "ctx-a")
	m := f.model(t)
	assert.Equal(t, "v", m.Relations[1].Bags["gw"]["k"])
	assert.Equal(t, map[string]string{"s": "1"}, m.Units["gw/0"].State)
	assert.Equal(t, []string{"8080/tcp"}, m.Units["gw/0"].Ports)
}

func TestStatusSetAppliesImmediately(t *testing.T) {
	tests := []struct {
		name     string
		unit     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "unit status", unit: "gw/1", args: []string{"--application=False", "blocked", "--", "-odd message"}},
		{name: "app status by leader", unit: "gw/0", args: []string{"--application=True", "active", "--", "ready"}},
		{name: "app status by non-leader", unit: "gw/1", args: []string{"--application=True", "active"}, wantCode: 1, wantErr: "ERROR this unit is not the leader\n"},
		{name: "invalid status", unit: "gw/1", args: []string{"error"}, wantCode: 2, wantErr: "ERROR invalid status \"error\", expected one of [maintenance blocked waiting active]\n"},
		{name: "too many args", unit: "gw/1", args: []string{"active", "a", "b"}, wantCode: 2, wantErr: "ERROR unrecognized args: [\"b\"]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.call(tt.unit, "ctx-status", nil, "", "status-set", tt.args...)
			require.Equal(t, tt.wantCode, r.code)
			assert.Equal(t, tt.wantErr, r.stderr)
			if tt.wantCode != 0 {
				return
			}
			m := f.model(t) // no commit: status is not transactional
			if strings.Contains(tt.args[0], "True") {
				assert.Equal(t, simstate.Status{Status: "active", Message: "ready"}, m.Apps["gw"].Status)
			} else {
				assert.Equal(t, simstate.Status{Status: "blocked", Message: "-odd message"}, m.Units["gw/1"].Status)
			}
		})
	}
}

func TestJujuLog(t *testing.T) {
	f := newFixture(t)
	env := map[string]string{"JUJU_RELATION_ID": "ingress:1"}
	require.Zero(t, f.call("gw/1", "ctx-log", env, "", "juju-log", "--log-level", "WARNING", "--", "-careful", "now").code)
	require.Zero(t, f.call("gw/1", "ctx-log", nil, "", "juju-log", "--log-level", "LOUD", "plain").code)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(f.modelPath), simstate.JujuLogFile))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	var first, second LogEntry
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, LogEntry{Unit: "gw/1", Context: "ctx-log", Level: "WARNING", Message: "ingress:1: -careful now"}, first)
	assert.Equal(t, "INFO", second.Level, "unknown levels become INFO")
}

func TestSecrets(t *testing.T) {
	f := newFixture(t)
	keyFile := filepath.Join(t.TempDir(), "private-key")
	require.NoError(t, os.WriteFile(keyFile, []byte("PEM"), 0o600))

	t.Run("non-leader cannot add an application secret", func(t *testing.T) {
		r := f.call("gw/1", "ctx-s0", nil, "", "secret-add", "--owner", "application", "token=abc")
		assert.Equal(t, 1, r.code)
		assert.Equal(t, "ERROR this unit is not the leader\n", r.stderr)
	})
	t.Run("invalid key", func(t *testing.T) {
		r := f.call("gw/1", "ctx-s0", nil, "", "secret-add", "--owner", "unit", "ca=abc")
		assert.Equal(t, 2, r.code)
		assert.Equal(t, "ERROR secret key \"ca\" not valid\n", r.stderr)
	})

	add := f.call("gw/0", "ctx-s1", nil, "", "secret-add", "--label", "tls", "--owner", "unit", "private-key#file="+keyFile, "ca-cert#base64=Q0E=")
	require.Zero(t, add.code, add.stderr)
	id := strings.TrimSpace(add.stdout)
	assert.Regexp(t, `^secret:[0-9a-v]{20}$`, id)
	got := f.call("gw/0", "ctx-s1", nil, "", "secret-get", "--format=json", "--label", "tls")
	assert.JSONEq(t, `{"private-key":"PEM","ca-cert":"CA"}`, got.stdout, "read-your-writes by label")
	assert.Equal(t, 1, f.call("gw/0", "ctx-s2", nil, "", "secret-get", "--format=json", id).code, "not committed yet")

	f.commit(t, "gw/0", "ctx-s1")

	assert.JSONEq(t, `{"private-key":"PEM","ca-cert":"CA"}`, f.call("gw/0", "ctx-s3", nil, "", "secret-get", "--format=json", id).stdout)
	other := f.call("gw/1", "ctx-s3", nil, "", "secret-get", "--format=json", id)
	assert.Equal(t, 1, other.code)
	assert.Equal(t, "ERROR permission denied\n", other.stderr, "a unit secret is private to its unit")
	missing := f.call("gw/0", "ctx-s3", nil, "", "secret-get", "--format=json", "secret:doesnotexist")
	assert.Equal(t, "ERROR secret \"secret:doesnotexist\" not found\n", missing.stderr)

	require.Zero(t, f.call("gw/0", "ctx-s4", nil, "", "secret-set", id, "private-key=NEW").code)
	require.Zero(t, f.call("gw/0", "ctx-s4", nil, "", "secret-grant", "--relation", "ingress:1", id).code)
	f.commit(t, "gw/0", "ctx-s4")
	m := f.model(t)
	require.Contains(t, m.Secrets, id)
	assert.Equal(t, 2, m.Secrets[id].Latest())
	assert.Equal(t, []simstate.SecretGrant{{RelationID: 1, App: "web"}}, m.Secrets[id].Grants)

	ids := f.call("gw/0", "ctx-s5", nil, "", "secret-ids", "--format=json")
	assert.JSONEq(t, `["`+id+`"]`, ids.stdout)
	require.Zero(t, f.call("gw/0", "ctx-s5", nil, "", "secret-remove", id).code)
	f.commit(t, "gw/0", "ctx-s5")
	assert.NotContains(t, f.model(t).Secrets, id)
}

func TestParseArgs(t *testing.T) {
	defs := []flagDef{formatFlag, relationFlag, {long: "app", boolean: true}}
	tests := []struct {
		name    string
		argv    []string
		values  map[string]string
		pos     []string
		wantErr string
	}{
		{name: "interspersed", argv: []string{"key", "-r", "db:1", "unit/0", "--format=json"},
			values: map[string]string{"relation": "db:1", "format": "json"}, pos: []string{"key", "unit/0"}},
		{name: "long with separate value", argv: []string{"--relation", "2", "--format", "json"},
			values: map[string]string{"relation": "2", "format": "json"}},
		{name: "bool flag and dash", argv: []string{"--app", "-", "web"},
			values: map[string]string{"app": "true"}, pos: []string{"-", "web"}},
		{name: "bool with value", argv: []string{"--app=false"}, values: map[string]string{"app": "false"}},
		{name: "double dash ends flags", argv: []string{"--", "--app", "-r"}, values: map[string]string{}, pos: []string{"--app", "-r"}},
		{name: "bad bool", argv: []string{"--app=maybe"}, wantErr: `invalid value "maybe" for flag --app`},
		{name: "unknown short", argv: []string{"-x"}, wantErr: "flag provided but not defined: -x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseArgs(defs, tt.argv)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.values, a.values)
			assert.Equal(t, tt.pos, a.pos)
		})
	}
}

func TestCallsAreLogged(t *testing.T) {
	f := newFixture(t)
	f.call("gw/0", "ctx-calls", nil, "", "is-leader", "--format=json")
	f.call("gw/0", "ctx-calls", nil, "", "status-set", "bogus")
	b, err := os.ReadFile(filepath.Join(filepath.Dir(f.modelPath), simstate.CallsLog))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	assert.Regexp(t, `^ctx-calls\tis-leader\t\d+\t0$`, lines[0])
	assert.Regexp(t, `^ctx-calls\tstatus-set\t\d+\t2$`, lines[1])
}
