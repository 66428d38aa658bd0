package inputfile

import (
	"flag"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const examplesDir = "../../examples"

// TestExamples renders every example and checks the manifests against
// testdata/<example>.yaml and the outcome per relation.
func TestExamples(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]gateway.State{
		"tempo":            {"tempo": gateway.StateServed},
		"auth":             {"grafana": gateway.StateServed, "catalogue": gateway.StateServed, "wiki": gateway.StateServed, "docs": gateway.StateServed},
		"tls-ingress":      {"prometheus": gateway.StateServed, "alertmanager": gateway.StateServed, "grafana": gateway.StateServed},
		"every-field":      {"shop": gateway.StateServed},
		"conflicting-apps": {"catalogue": gateway.StateServed, "catalogue-next": gateway.StateRefused, "uploader": gateway.StateRefused, "grafana": gateway.StateServed, "grafana#8": gateway.StateRefused},
		"bad-data":         {"garbled": gateway.StateInvalid, "good": gateway.StateServed, "badport": gateway.StateInvalid, "waiting": gateway.StatePending},
		"tenancy":          {"shop": gateway.StateServed, "trespasser": gateway.StateRefused, "squatter": gateway.StateRefused, "dns-grab": gateway.StateRefused, "liar": gateway.StateRefused},
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(want), "every example has expectations here")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			snap, err := Parse(data)
			parsed := snap.Desired()
			require.NoError(t, err)
			plan := gateway.Build(parsed.Input)

			got := map[string]gateway.State{}
			for _, r := range plan.Results {
				key := r.App
				if _, dup := got[key]; dup {
					key = r.App + "#" + r.ID.String()[strings.LastIndexByte(r.ID.String(), ':')+1:]
				}
				got[key] = r.State
			}
			assert.Equal(t, want[name], got)

			out, err := gateway.MarshalYAML(plan.Objects)
			require.NoError(t, err)
			golden := filepath.Join("testdata", name+".yaml")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(golden, out, 0o644))
				return
			}
			expected, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./gateway/... -update")
			assert.Equal(t, string(expected), string(out))
		})
	}
}

func TestParseSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		file        string
		address     string
		cidrs       string
		badHostname string
	}{
		{"load balancer address and default CIDRs", `{"app":"a","model":"m","address":"10.1.1.1"}`, "10.1.1.1", snapshot.DefaultCIDRs, ""},
		{"external_hostname wins", `{"app":"a","model":"m","address":"10.1.1.1","config":{"external_hostname":"foo.bar"}}`, "foo.bar", snapshot.DefaultCIDRs, ""},
		{"empty external_hostname is unset", `{"app":"a","model":"m","address":"10.1.1.1","config":{"external_hostname":""}}`, "10.1.1.1", snapshot.DefaultCIDRs, ""},
		{"invalid external_hostname leaves no address", `{"app":"a","model":"m","address":"10.1.1.1","config":{"external_hostname":"Not Valid"}}`, "", snapshot.DefaultCIDRs, "Not Valid"},
		{"external_hostname is trimmed as the charm does", `{"app":"a","model":"m","address":"10.1.1.1","config":{"external_hostname":" foo.bar "}}`, "foo.bar", snapshot.DefaultCIDRs, ""},
		{"CIDRs option", `{"app":"a","model":"m","config":{"external-traffic-policy-cidrs":"10.0.0.0/8"}}`, "", "10.0.0.0/8", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			snap, err := Parse([]byte(tc.file))
			p := snap.Desired()
			require.NoError(t, err)
			assert.Equal(t, tc.address, p.Input.Address)
			assert.Equal(t, tc.cidrs, p.Input.ExternalTrafficCIDRs)
			assert.Equal(t, tc.badHostname, p.BadHostname)
		})
	}
}

func TestParseIngressReadiness(t *testing.T) {
	t.Parallel()
	app := `{"model":"\"m\"","name":"\"web\"","port":"8080"}`
	cases := []struct {
		name  string
		rel   string
		state gateway.State
	}{
		{"ready", `{"endpoint":"ingress","id":1,"app":"web","app_data":` + app + `,"units_data":{"web/0":{"host":"\"web-0\"","ip":"\"10.1.0.1\""}}}`, gateway.StateServed},
		{"no app data yet", `{"endpoint":"ingress","id":1,"app":"web"}`, gateway.StatePending},
		// Only optional keys so far: the requirer has not asked yet, as the
		// charm's hooks see it.
		{"only optional keys yet", `{"endpoint":"ingress","id":1,"app":"web","app_data":{"scheme":"\"https\""}}`, gateway.StatePending},
		{"a required key missing", `{"endpoint":"ingress","id":1,"app":"web","app_data":{"model":"\"m\"","port":"8080"}}`, gateway.StateInvalid},
		// The charm never reads unit bags, so neither does render: what it
		// prints is what the charm applies.
		{"a unit without host", `{"endpoint":"ingress","id":1,"app":"web","app_data":` + app + `,"units_data":{"web/0":{}}}`, gateway.StateServed},
		{"a unit with a bad ip", `{"endpoint":"ingress","id":1,"app":"web","app_data":` + app + `,"units_data":{"web/0":{"host":"\"h\"","ip":"\"nope\""}}}`, gateway.StateServed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			snap, err := Parse([]byte(`{"app":"a","model":"m","relations":[` + tc.rel + `]}`))
			p := snap.Desired()
			require.NoError(t, err)
			plan := gateway.Build(p.Input)
			require.Len(t, plan.Results, 1)
			assert.Equal(t, tc.state, plan.Results[0].State, plan.Results[0].Reason)
		})
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, msg string
	}{
		{"not JSON", `{`, "decode input file"},
		{"unknown field", `{"app":"a","model":"m","relation":[]}`, `unknown field "relation"`},
		{"non-string databag value", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":1,"app":"x","app_data":{"port":80}}]}`, "decode input file"},
		{"missing app", `{"model":"m"}`, "app and model are required"},
		{"negative units", `{"app":"a","model":"m","units":-1}`, "negative"},
		{"duplicate relation id", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":1,"app":"x"},{"endpoint":"ingress","id":1,"app":"y"}]}`, "used twice"},
		{"relation without app", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":1}]}`, "needs an endpoint and an app"},
		{"config option of the wrong type", `{"app":"a","model":"m","config":{"external-traffic-policy-cidrs":1}}`, "must be a string"},
		{"trailing data", `{"app":"a","model":"m"} {}`, "trailing data"},
		{"empty file", ``, "the file is empty"},
		{"not an object", `[]`, "must hold a JSON object, not array"},
		{"syntax error names the line", "{\n\"app\": \"a\",,\n}", "line 2: invalid character"},
		{"wrong type names the field and the line", "{\"app\":\"a\",\n\"model\":\"m\",\n\"units\":\"3\"}", "line 3: units: want an integer, got string"},
		{"databag values are strings", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":1,"app":"x","app_data":{"port":80}}]}`, "relations.app_data: want a string (databag values are strings"},
		{"app that Juju would refuse", `{"app":"Bad_App","model":"m"}`, `app "Bad_App" is not a valid Juju name`},
		{"model that Juju would refuse", `{"app":"a","model":"-m"}`, `model "-m" is not a valid Juju name`},
		{"remote app that Juju would refuse", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":1,"app":"X"}]}`, `relation 1 app "X" is not a valid Juju name`},
		{"negative relation id", `{"app":"a","model":"m","relations":[{"endpoint":"ingress","id":-1,"app":"x"}]}`, "relation id -1 is negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), "\n", "errors are one line")
			assert.NotContains(t, err.Error(), "Go ", "errors speak JSON, not Go types")
		})
	}
}
