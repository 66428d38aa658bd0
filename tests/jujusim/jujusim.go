// Package jujusim is a simulated Juju model for end-to-end tests of a packed
// charm; it may import juju (for its types), its hooktools and simstate and
// tools/charmarchive, never the charm's logic. It unpacks the .charm per
// unit, runs the charm's real dispatch with the environment Juju sets, puts
// simulated hook tools (package hooktools) first on PATH, and drives the hook
// sequences Juju emits for deploy, relate, unrelate, leader change, scaling,
// config changes and removal.
//
// Relation settings, unit state, secrets and ports a hook writes are
// committed only if the hook exits 0; statuses apply at once. Every hook run
// reports its exit code, output, wall time and hook-tool calls.
//
// A relation's other side is either a simulated application whose data the
// test writes (Relate, SetRemoteData) or another deployed charm
// (RelateApps). Between two deployed charms every committed change to an
// application or unit bag owes the other charm's units a relation-changed;
// operations deliver those, and those their hooks cause, before returning
// (Settle), and fail the test when the charms never stop rewriting each
// other's data.
package jujusim

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/hooktools"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// DefaultJujuVersion is the JUJU_VERSION hooks see unless WithJujuVersion
// says otherwise.
const DefaultJujuVersion = "3.6.11"

// hookTimeout stops a hung hook from hanging the test run; it is a safety
// net, not an assertion.
const hookTimeout = 5 * time.Minute

// Model is a simulated Juju model. Its methods fail the test on simulator
// errors; a failing hook is not a simulator error and is reported in its
// HookRun.
type Model struct {
	t           testing.TB
	dir         string
	modelPath   string
	binDir      string
	jujuVersion string
	hookEnv     map[string]string
	unitEnv     func(unit string) map[string]string
	charms      map[string]string // application → charm archive
	contexts    int
	callsOffset int64
	settleLimit int
	// entered holds, per relation id, the units that ran relation-created
	// and not yet relation-broken: the units that can be told of changes.
	entered map[int]map[string]bool
	// owed is the relation-changed hooks that committed data changes owe to
	// units of a related charm, in the order the changes were committed.
	owed []owedChange
}

type config struct {
	name        string
	jujuVersion string
	tools       string
	hookEnv     map[string]string
	unitEnv     func(unit string) map[string]string
	settleLimit int
}

// Option configures NewModel.
type Option func(*config)

// WithModelName sets the model name (JUJU_MODEL_NAME; the K8s namespace).
func WithModelName(name string) Option { return func(c *config) { c.name = name } }

// WithJujuVersion sets JUJU_VERSION.
func WithJujuVersion(v string) Option { return func(c *config) { c.jujuVersion = v } }

// WithTools uses an already built hook-tools binary (see BuildTools) instead
// of building one.
func WithTools(path string) Option { return func(c *config) { c.tools = path } }

// WithHookEnv adds variables to every hook's environment, e.g. how to reach
// a test Kubernetes API server.
func WithHookEnv(env map[string]string) Option {
	return func(c *config) { c.hookEnv = maps.Clone(env) }
}

// WithUnitEnv adds variables to every hook of a unit, after WithHookEnv's:
// what Juju gives each unit's pod, such as where its workload containers'
// Pebble sockets are. env is called for every hook.
func WithUnitEnv(env func(unit string) map[string]string) Option {
	return func(c *config) { c.unitEnv = env }
}

// WithSettleLimit sets how many relation-changed hooks one operation may
// deliver between two related charms before the test fails as a ping-pong
// (two charms rewriting each other's data forever); DefaultSettleLimit
// otherwise.
func WithSettleLimit(n int) Option { return func(c *config) { c.settleLimit = n } }

// NewModel creates an empty model in a temporary directory.
func NewModel(t testing.TB, opts ...Option) *Model {
	t.Helper()
	cfg := config{name: "test-model", jujuVersion: DefaultJujuVersion, settleLimit: DefaultSettleLimit}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tools == "" {
		cfg.tools = BuildTools(t)
	}
	dir := t.TempDir()
	m := &Model{
		t: t, dir: dir, modelPath: filepath.Join(dir, simstate.ModelFile), binDir: filepath.Join(dir, "bin"),
		jujuVersion: cfg.jujuVersion, hookEnv: cfg.hookEnv, unitEnv: cfg.unitEnv, charms: map[string]string{},
		settleLimit: cfg.settleLimit, entered: map[int]map[string]bool{},
	}
	if err := os.MkdirAll(m.binDir, 0o755); err != nil {
		t.Fatalf("jujusim: %v", err)
	}
	for _, name := range hooktools.Names() {
		if err := os.Symlink(cfg.tools, filepath.Join(m.binDir, name)); err != nil {
			t.Fatalf("jujusim: link hook tool: %v", err)
		}
	}
	if err := simstate.New(cfg.name, newUUID(t)).Save(m.modelPath); err != nil {
		t.Fatalf("jujusim: %v", err)
	}
	return m
}

// BuildTools builds the hook-tools binary into a temporary directory and
// returns its path. Build it once and share it with WithTools when a test
// creates many models.
func BuildTools(t testing.TB) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "jujusim-tools")
	cmd := exec.CommandContext(context.Background(), "go", "build", "-trimpath", "-o", out,
		"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/cmd/jujusim-tools")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jujusim: build hook tools: %v\n%s", err, b)
	}
	return out
}

// Dir is the model's directory (model.json, logs, unit charm dirs).
func (m *Model) Dir() string { return m.dir }

// ToolCall is one hook-tool invocation.
type ToolCall struct {
	Tool     string
	Duration time.Duration
	ExitCode int
}

// HookRun is the result of one dispatch run.
type HookRun struct {
	Unit         string
	Hook         string // hook or action name
	DispatchPath string
	ContextID    string
	ExitCode     int
	Stdout       string
	Stderr       string
	Wall         time.Duration // whole dispatch process
	ToolCalls    []ToolCall
	// ToolTime sums each hook tool's own run, timed inside the tool from
	// its main to its exit: process start-up is not in it, so wall minus
	// ToolTime overstates the charm's own time (tests/bench measures the
	// tools from the charm's side instead).
	ToolTime time.Duration
}

// OK reports whether the hook exited 0.
func (r HookRun) OK() bool { return r.ExitCode == 0 }

func (r HookRun) String() string {
	return fmt.Sprintf("%s on %s: exit %d, %v, %d tool calls (%v)", r.Hook, r.Unit, r.ExitCode, r.Wall, len(r.ToolCalls), r.ToolTime)
}

// RequireOK fails the test unless every run exited 0.
func RequireOK(t testing.TB, runs []HookRun) {
	t.Helper()
	for _, r := range runs {
		if !r.OK() {
			t.Fatalf("hook failed: %s\nstdout:\n%s\nstderr:\n%s", r, r.Stdout, r.Stderr)
		}
	}
}

// hookSpec says which hook to run and with which relation context.
type hookSpec struct {
	unit       string
	hook       string
	action     string
	rel        *simstate.Relation
	remoteUnit string
	departing  string
	workload   string
	check      string
}

func (m *Model) fatalf(format string, a ...any) {
	m.t.Helper()
	m.t.Fatalf("jujusim: "+format, a...)
}

func (m *Model) load() *simstate.Model {
	m.t.Helper()
	md, err := simstate.Load(m.modelPath)
	if err != nil {
		m.fatalf("%v", err)
	}
	return md
}

// update changes the committed model under the driver's control.
func (m *Model) update(fn func(md *simstate.Model)) {
	m.t.Helper()
	md := m.load()
	fn(md)
	if err := md.Save(m.modelPath); err != nil {
		m.fatalf("%v", err)
	}
}

func unitDirName(unit string) string { return strings.ReplaceAll(unit, "/", "-") }

func (m *Model) charmDir(unit string) string {
	return filepath.Join(m.dir, "units", unitDirName(unit), "charm")
}

func (m *Model) env(s hookSpec, contextID string) []string {
	md := m.load()
	unitTmp := filepath.Join(m.dir, "units", unitDirName(s.unit), "tmp")
	if err := os.MkdirAll(unitTmp, 0o755); err != nil {
		m.fatalf("%v", err)
	}
	charmDir := m.charmDir(s.unit)
	vars := map[string]string{
		"PATH":                      m.binDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME":                      unitTmp,
		"LANG":                      "C.UTF-8",
		"TMPDIR":                    unitTmp,
		simstate.ModelEnv:           m.modelPath,
		"JUJU_UNIT_NAME":            s.unit,
		"JUJU_MODEL_NAME":           md.Name,
		"JUJU_MODEL_UUID":           md.UUID,
		"JUJU_CHARM_DIR":            charmDir,
		"CHARM_DIR":                 charmDir,
		"JUJU_CONTEXT_ID":           contextID,
		"JUJU_VERSION":              m.jujuVersion,
		"JUJU_AGENT_SOCKET_ADDRESS": "@/var/lib/juju/agents/unit-" + unitDirName(s.unit) + "/agent.socket",
		"JUJU_AGENT_SOCKET_NETWORK": "unix",
		"JUJU_API_ADDRESSES":        "10.152.183.10:17070",
		"JUJU_MACHINE_ID":           "",
		"JUJU_PRINCIPAL_UNIT":       "",
		"JUJU_AVAILABILITY_ZONE":    "",
		"CLOUD_API_VERSION":         "1.34.0",
		"JUJU_CHARM_HTTP_PROXY":     "",
		"JUJU_CHARM_HTTPS_PROXY":    "",
		"JUJU_CHARM_FTP_PROXY":      "",
		"JUJU_CHARM_NO_PROXY":       "",
	}
	if s.action != "" {
		vars["JUJU_DISPATCH_PATH"] = "actions/" + s.action
		vars["JUJU_HOOK_NAME"] = "" // empty for actions, as in Juju
		vars["JUJU_ACTION_NAME"] = s.action
		vars["JUJU_ACTION_UUID"] = fmt.Sprintf("%d", m.contexts)
		vars["JUJU_ACTION_TAG"] = fmt.Sprintf("action-%d", m.contexts)
	} else {
		vars["JUJU_DISPATCH_PATH"] = "hooks/" + s.hook
		vars["JUJU_HOOK_NAME"] = s.hook
	}
	if s.rel != nil {
		app := simstate.AppOf(s.unit)
		side, _ := s.rel.Side(app)
		vars["JUJU_RELATION"] = side.Endpoint
		vars["JUJU_RELATION_ID"] = s.rel.Key(app)
		vars["JUJU_REMOTE_APP"] = s.rel.RemoteApp(app)
		vars["JUJU_REMOTE_UNIT"] = s.remoteUnit
		if s.departing != "" {
			vars["JUJU_DEPARTING_UNIT"] = s.departing
		}
	}
	if s.workload != "" {
		vars["JUJU_WORKLOAD_NAME"] = s.workload
	}
	if s.check != "" {
		vars["JUJU_PEBBLE_CHECK_NAME"] = s.check
	}
	maps.Copy(vars, m.hookEnv)
	if m.unitEnv != nil {
		maps.Copy(vars, m.unitEnv(s.unit))
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// run executes dispatch for one hook and commits or discards its changes.
func (m *Model) run(s hookSpec) HookRun {
	m.t.Helper()
	m.contexts++
	name := s.hook
	if s.action != "" {
		name = s.action
	}
	contextID := fmt.Sprintf("%s-%s-%d", s.unit, name, m.contexts)
	env := m.env(s, contextID)
	charmDir := m.charmDir(s.unit)
	if s.rel != nil && strings.HasSuffix(s.hook, "-relation-changed") {
		m.delivered(s)
	}

	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := runDispatch(ctx, charmDir, env, &stdout, &stderr)
	wall := time.Since(start)
	code := 0
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			m.fatalf("run %s on %s: %v", name, s.unit, err)
		}
		code = exitErr.ExitCode()
	}

	pendingPath := simstate.PendingPath(m.modelPath, contextID)
	if code == 0 {
		m.commit(s.unit, pendingPath)
	}
	if err := os.Remove(pendingPath); err != nil && !os.IsNotExist(err) {
		m.fatalf("%v", err)
	}
	run := HookRun{
		Unit: s.unit, Hook: name, DispatchPath: envValue(env, "JUJU_DISPATCH_PATH"), ContextID: contextID,
		ExitCode: code, Stdout: stdout.String(), Stderr: stderr.String(), Wall: wall,
	}
	run.ToolCalls = m.readCalls(contextID)
	for _, c := range run.ToolCalls {
		run.ToolTime += c.Duration
	}
	return run
}

// runDispatch runs the unit's dispatch. A charm just unpacked may still be
// open for writing in a process another test forked meanwhile (it holds
// the descriptor until its exec): exec then fails with ETXTBSY, which
// passes once that child has exec'd, so it is retried briefly.
func runDispatch(ctx context.Context, charmDir string, env []string, stdout, stderr *bytes.Buffer) error {
	for attempt := 1; ; attempt++ {
		cmd := exec.CommandContext(ctx, filepath.Join(charmDir, "dispatch"))
		cmd.Dir = charmDir
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err := cmd.Start()
		if errors.Is(err, syscall.ETXTBSY) && attempt < 50 {
			time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		return cmd.Wait()
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// readCalls returns the calls logged since the last hook for contextID.
func (m *Model) readCalls(contextID string) []ToolCall {
	f, err := os.Open(filepath.Join(m.dir, simstate.CallsLog))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		m.fatalf("%v", err)
	}
	defer f.Close()
	if _, err := f.Seek(m.callsOffset, io.SeekStart); err != nil {
		m.fatalf("%v", err)
	}
	var calls []ToolCall
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m.callsOffset += int64(len(sc.Bytes()) + 1)
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 4 || fields[0] != contextID {
			continue
		}
		ns, _ := strconv.ParseInt(fields[2], 10, 64)
		code, _ := strconv.Atoi(fields[3])
		calls = append(calls, ToolCall{Tool: fields[1], Duration: time.Duration(ns), ExitCode: code})
	}
	if err := sc.Err(); err != nil {
		m.fatalf("read calls log: %v", err)
	}
	return calls
}

func sortStrings(s []string) { slices.Sort(s) }

func itoa(n int) string { return strconv.Itoa(n) }

// slicesDeleteKey drops KEY=... entries from an environment.
func slicesDeleteKey(env []string, keys ...string) []string {
	return slices.DeleteFunc(env, func(kv string) bool {
		for _, k := range keys {
			if strings.HasPrefix(kv, k+"=") {
				return true
			}
		}
		return false
	})
}

// newUUID returns a random version 4 UUID for the model.
func newUUID(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("jujusim: %v", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
