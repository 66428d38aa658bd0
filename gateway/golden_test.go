package gateway

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// resultView is the reviewable form of a plan's per-relation results.
type resultView struct {
	Results []resultLine `json:"results"`
	Status  struct {
		Message   string   `json:"message,omitempty"`
		Conflicts []string `json:"conflicts,omitempty"`
		BadCIDRs  []string `json:"badCIDRs,omitempty"`
	} `json:"status"`
	Auth *authView `json:"auth,omitempty"`
}

type authView struct {
	Mode           AuthMode `json:"mode"`
	Missing        string   `json:"missing,omitempty"`
	Narrowed       []string `json:"narrowed,omitempty"`
	InvalidJWT     []string `json:"invalidJWT,omitempty"`
	DenyWithoutJWT bool     `json:"denyWithoutJWT,omitempty"`
}

type resultLine struct {
	Relation   string   `json:"relation"`
	State      State    `json:"state"`
	Reason     string   `json:"reason,omitempty"`
	PathPrefix string   `json:"pathPrefix,omitempty"`
	Scheme     string   `json:"scheme,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

func viewOf(plan Plan) resultView {
	var view resultView
	for _, r := range plan.Results {
		view.Results = append(view.Results, resultLine{
			Relation: r.Relation.String(), State: r.State, Reason: r.Reason,
			PathPrefix: r.PathPrefix, Scheme: r.Scheme, Warnings: r.Warnings,
		})
	}
	view.Status.Message = plan.Status.Message()
	for _, c := range plan.Status.Conflicts {
		view.Status.Conflicts = append(view.Status.Conflicts, c.String())
	}
	view.Status.BadCIDRs = plan.Status.BadCIDRs
	if a := plan.Auth; a.Mode != AuthOff || a.DenyWithoutJWT {
		view.Auth = &authView{Mode: a.Mode, Missing: a.Missing, Narrowed: narrowedLines(a.Narrowed), DenyWithoutJWT: a.DenyWithoutJWT}
		for _, r := range a.InvalidJWT {
			view.Auth.InvalidJWT = append(view.Auth.InvalidJWT, r.Relation.String()+": "+r.Reason)
		}
	}
	return view
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			plan := Build(sc.in)

			objs, err := MarshalYAML(plan.Objects)
			require.NoError(t, err)
			results, err := yaml.Marshal(viewOf(plan))
			require.NoError(t, err)

			checkGolden(t, filepath.Join("testdata", "objects", sc.name+".yaml"), objs)
			checkGolden(t, filepath.Join("testdata", "results", sc.name+".yaml"), results)
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./gateway -update")
	assert.Equal(t, string(want), string(got), "rendered output differs from %s; review and run go test ./gateway -update", path)
}

func narrowedLines(ns []Narrowing) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.String())
	}
	return out
}
