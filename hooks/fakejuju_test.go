package hooks_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// fakeJuju is the part of a Juju model one unit's hook tools see, held in
// memory. runner answers the hook tools from it the way Juju does: app bags
// are written only by the leader, values are strings and "" deletes a key,
// and a relation stays listed (and readable) until it is removed from the
// model, which happens after its relation-broken hook.
type fakeJuju struct {
	mu       sync.Mutex
	app      string // this application
	model    string // the model, also the Kubernetes namespace
	unit     string // this unit, e.g. "app/0"
	charmDir string
	leader   bool
	config   map[string]any
	// goal maps each unit of this application to its goal-state status
	// ("active", "dying").
	goal   map[string]string
	nextID int
	rels   map[juju.RelationID]*fakeRelation
	// secrets are the application's secrets by label; fileModes records
	// the mode of every file secret content was passed in.
	secrets   map[string]*fakeSecret
	fileModes []os.FileMode
}

type fakeSecret struct {
	id      string
	content map[string]string
}

type fakeRelation struct {
	// sameModel says the remote application lives in this model; by
	// default requirers live in the model their bag names.
	sameModel bool
	remoteApp string
	remote    map[string]string // the remote application's bag
	local     map[string]string // this application's bag
}

func newFakeJuju(app, model, charmDir string) *fakeJuju {
	unit := app + "/0"
	return &fakeJuju{
		app: app, model: model, unit: unit, charmDir: charmDir, leader: true,
		// config-get prints every option that has a value: defaults included.
		config:  map[string]any{"ready-timeout": 100, "external-traffic-policy-cidrs": "0.0.0.0/0"},
		goal:    map[string]string{unit: "active"},
		nextID:  1,
		rels:    map[juju.RelationID]*fakeRelation{},
		secrets: map[string]*fakeSecret{},
	}
}

// relate adds a relation of endpoint with remoteApp, whose app bag holds bag.
func (f *fakeJuju) relate(endpoint, remoteApp string, bag map[string]string) juju.RelationID {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := juju.RelationID{Endpoint: endpoint, ID: f.nextID}
	f.nextID++
	f.rels[id] = &fakeRelation{remoteApp: remoteApp, remote: withoutEmpty(bag), local: map[string]string{}}
	return id
}

// setRemote replaces the remote application's bag, as its leader would.
func (f *fakeJuju) setRemote(rel juju.RelationID, bag map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rels[rel].remote = withoutEmpty(bag)
}

// remove takes a relation out of the model (after its relation-broken hook).
func (f *fakeJuju) remove(rel juju.RelationID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.rels, rel)
}

// setLocal replaces this application's bag on rel, as a relation write
// that Juju did not commit leaves it.
func (f *fakeJuju) setLocal(rel juju.RelationID, bag map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rels[rel].local = map[string]string{}
	maps.Copy(f.rels[rel].local, bag)
}

// local is this application's bag on rel, as the remote side reads it.
func (f *fakeJuju) local(rel juju.RelationID) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.rels[rel].local)
}

func (f *fakeJuju) setLeader(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.leader = v
}

// becomeUnit makes the hook tools and environment those of another unit of
// the application, with its own charm directory (and so its own state file);
// relation data is shared, as in Juju.
func (f *fakeJuju) becomeUnit(unit, charmDir string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unit, f.charmDir = unit, charmDir
}

func (f *fakeJuju) setConfig(key string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v == nil {
		delete(f.config, key)
		return
	}
	f.config[key] = v
}

func (f *fakeJuju) setGoal(goal map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.goal = goal
}

// env is the hook environment of hook; rel is the relation a relation hook
// is about.
func (f *fakeJuju) env(hook string, rel *juju.RelationID) func(string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	env := map[string]string{
		"JUJU_UNIT_NAME":     f.unit,
		"JUJU_MODEL_NAME":    f.model,
		"JUJU_MODEL_UUID":    f.modelUUID(),
		"JUJU_CHARM_DIR":     f.charmDir,
		"JUJU_VERSION":       "3.6.4",
		"JUJU_DISPATCH_PATH": "hooks/" + hook,
		"JUJU_HOOK_NAME":     hook,
	}
	if rel != nil {
		env["JUJU_RELATION"] = rel.Endpoint
		env["JUJU_RELATION_ID"] = rel.String()
		if r := f.rels[*rel]; r != nil {
			env["JUJU_REMOTE_APP"] = r.remoteApp
		}
	}
	return func(k string) string { return env[k] }
}

// runner returns a fresh recording runner answering from f.
func (f *fakeJuju) runner() *jujutest.Runner {
	return jujutest.NewRunner().
		Handle("is-leader", f.locked(func([]string, []byte) ([]byte, error) {
			return json.Marshal(f.leader)
		})).
		Handle("config-get", f.locked(func([]string, []byte) ([]byte, error) {
			return json.Marshal(f.config)
		})).
		Handle("goal-state", f.locked(f.goalState)).
		Handle("relation-ids", f.locked(f.relationIDs)).
		Handle("relation-list", f.locked(f.relationList)).
		Handle("relation-get", f.locked(f.relationGet)).
		Handle("relation-set", f.locked(f.relationSet)).
		Handle("relation-model-get", f.locked(f.relationModelGet)).
		Handle("secret-add", f.locked(f.secretAdd)).
		Handle("secret-set", f.locked(f.secretSet)).
		Handle("secret-get", f.locked(f.secretGet)).
		Handle("secret-info-get", f.locked(f.secretInfoGet)).
		Accept("juju-log", "status-set", "action-fail")
}

func (f *fakeJuju) locked(h jujutest.Handler) jujutest.Handler {
	return func(args []string, stdin []byte) ([]byte, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(args, stdin)
	}
}

func (f *fakeJuju) goalState([]string, []byte) ([]byte, error) {
	type entry struct {
		Status string `json:"status"`
		Since  string `json:"since"`
	}
	const since = "2025-01-01 00:00:00Z"
	units := map[string]entry{}
	for u, s := range f.goal {
		units[u] = entry{s, since}
	}
	rels := map[string]map[string]entry{}
	for id, r := range f.rels {
		if rels[id.Endpoint] == nil {
			rels[id.Endpoint] = map[string]entry{}
		}
		rels[id.Endpoint][r.remoteApp] = entry{"joined", since}
	}
	return json.Marshal(map[string]any{"units": units, "relations": rels})
}

func (f *fakeJuju) relationIDs(args []string, _ []byte) ([]byte, error) {
	if len(args) == 0 {
		return nil, toolErr("relation-ids", args, 2, "ERROR no endpoint specified")
	}
	var ids []juju.RelationID
	for id := range f.rels {
		if id.Endpoint == args[0] {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b juju.RelationID) int { return a.ID - b.ID })
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return json.Marshal(out)
}

// relation finds the relation named by -r, failing as Juju does.
func (f *fakeJuju) relation(tool string, args []string) (*fakeRelation, error) {
	i := slices.Index(args, "-r")
	if i < 0 || i+1 >= len(args) {
		return nil, toolErr(tool, args, 2, "ERROR no relation id specified")
	}
	id, err := juju.ParseRelationID(args[i+1])
	if err != nil {
		return nil, toolErr(tool, args, 2, fmt.Sprintf("ERROR invalid value %q for option -r: %v", args[i+1], err))
	}
	r := f.rels[id]
	if r == nil {
		return nil, toolErr(tool, args, 2, fmt.Sprintf("ERROR invalid value %q for option -r: relation not found", args[i+1]))
	}
	return r, nil
}

func (f *fakeJuju) relationList(args []string, _ []byte) ([]byte, error) {
	r, err := f.relation("relation-list", args)
	if err != nil {
		return nil, err
	}
	if slices.Contains(args, "--app") {
		return json.Marshal(r.remoteApp)
	}
	return json.Marshal([]string{r.remoteApp + "/0"})
}

func (f *fakeJuju) relationGet(args []string, _ []byte) ([]byte, error) {
	r, err := f.relation("relation-get", args)
	if err != nil {
		return nil, err
	}
	target := args[len(args)-1]
	if !slices.Contains(args, "--app") {
		return []byte("{}"), nil // unit bags hold nothing this charm reads
	}
	switch target {
	case r.remoteApp:
		return json.Marshal(r.remote)
	case f.app:
		return json.Marshal(r.local)
	}
	return nil, toolErr("relation-get", args, 1, fmt.Sprintf("ERROR application %q not found", target))
}

func (f *fakeJuju) relationModelGet(args []string, _ []byte) ([]byte, error) {
	r, err := f.relation("relation-model-get", args)
	if err != nil {
		return nil, err
	}
	uuid := "0ther000-0000-4000-8000-" + fmt.Sprintf("%012d", len(r.remoteApp))
	if r.sameModel {
		uuid = f.modelUUID()
	}
	return json.Marshal(map[string]string{"uuid": uuid})
}

func (f *fakeJuju) modelUUID() string {
	return "7a1c6c2e-0000-4000-8000-" + fmt.Sprintf("%012d", len(f.model))
}

func (f *fakeJuju) relationSet(args []string, stdin []byte) ([]byte, error) {
	r, err := f.relation("relation-set", args)
	if err != nil {
		return nil, err
	}
	var data map[string]string
	if err := json.Unmarshal(stdin, &data); err != nil {
		return nil, toolErr("relation-set", args, 2, "ERROR cannot parse settings: "+err.Error())
	}
	if !slices.Contains(args, "--app") {
		return nil, nil // the unit bag: this charm's readers never look at it
	}
	if !f.leader {
		return nil, toolErr("relation-set", args, 1, "ERROR cannot write relation settings")
	}
	for k, v := range data {
		if v == "" {
			delete(r.local, k)
		} else {
			r.local[k] = v
		}
	}
	return nil, nil
}

func toolErr(tool string, args []string, code int, msg string) error {
	return &juju.ToolError{Tool: tool, Args: slices.Clone(args), ExitCode: code, Stderr: msg + "\n"}
}

// withoutEmpty drops "" values: Juju cannot hold an empty value (setting one
// deletes the key), so no requirer's bag can contain one.
func withoutEmpty(bag map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range bag {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// pythonIngressBag is the app bag the Python ingress v2 requirer writes:
// every value JSON-encoded.
func pythonIngressBag(model, name string, port int, stripPrefix bool) map[string]string {
	bag := map[string]string{
		"model": jsonString(model),
		"name":  jsonString(name),
		"port":  strconv.Itoa(port),
	}
	if stripPrefix {
		bag["strip-prefix"] = "true"
	}
	return bag
}

// routeBag is the app bag of an istio-ingress-route requirer in model with
// one HTTP route, named after service, on listener port to service:80:
// requests under path (any request when path is "") with filters applied.
// The library's encoder writes it, byte for byte as the Python one would.
func routeBag(t testing.TB, model, service string, port int, path string, filters ...ir.HTTPRouteFilter) map[string]string {
	t.Helper()
	l := ir.Listener{Port: port, Protocol: ir.ProtocolHTTP}
	route := ir.HTTPRoute{Name: service, Listener: l, Backends: []ir.BackendRef{{Service: service, Port: 80}}, Filters: filters}
	if path != "" {
		route.Matches = []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: path}}}
	}
	cfg := &ir.Config{Model: model, Listeners: []ir.Listener{l}, HTTPRoutes: []ir.HTTPRoute{route}}
	data, err := cfg.Encode()
	require.NoError(t, err)
	return map[string]string{"config": string(data)}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// secretContent reads key#file=path items as Juju does, recording each
// file's mode.
func (f *fakeJuju) secretContent(tool string, args []string) (map[string]string, error) {
	content := map[string]string{}
	for _, a := range args {
		key, path, ok := strings.Cut(a, "#file=")
		if !ok {
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, toolErr(tool, args, 1, "ERROR "+err.Error())
		}
		f.fileModes = append(f.fileModes, st.Mode().Perm())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, toolErr(tool, args, 1, "ERROR "+err.Error())
		}
		content[key] = string(b)
	}
	return content, nil
}

func flagValue(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func (f *fakeJuju) secretAdd(args []string, _ []byte) ([]byte, error) {
	if !f.leader && flagValue(args, "--owner") != "unit" {
		return nil, toolErr("secret-add", args, 1, "ERROR this unit is not the leader")
	}
	content, err := f.secretContent("secret-add", args)
	if err != nil {
		return nil, err
	}
	label := flagValue(args, "--label")
	if _, taken := f.secrets[label]; taken {
		return nil, toolErr("secret-add", args, 1, fmt.Sprintf("ERROR secret with label %q already exists", label))
	}
	id := fmt.Sprintf("secret:fake%02d", len(f.secrets)+1)
	f.secrets[label] = &fakeSecret{id: id, content: content}
	return []byte(id + "\n"), nil
}

func (f *fakeJuju) secretSet(args []string, _ []byte) ([]byte, error) {
	content, err := f.secretContent("secret-set", args)
	if err != nil {
		return nil, err
	}
	for _, sec := range f.secrets {
		if slices.Contains(args, sec.id) {
			if len(content) > 0 {
				sec.content = content
			}
			return nil, nil
		}
	}
	return nil, nil // Juju's secret-set prints nothing for an unknown secret
}

func (f *fakeJuju) secretByLabel(tool string, args []string) (*fakeSecret, error) {
	label := flagValue(args, "--label")
	sec, ok := f.secrets[label]
	if !ok {
		return nil, toolErr(tool, args, 1, fmt.Sprintf("ERROR secret %q not found", label))
	}
	return sec, nil
}

func (f *fakeJuju) secretGet(args []string, _ []byte) ([]byte, error) {
	sec, err := f.secretByLabel("secret-get", args)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sec.content)
}

func (f *fakeJuju) secretInfoGet(args []string, _ []byte) ([]byte, error) {
	sec, err := f.secretByLabel("secret-info-get", args)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{sec.id: map[string]any{"revision": 1, "owner": "application"}})
}
