// Package hooktools implements Juju's hook tools over a simulated model
// (package simstate) and may import only simstate. One binary serves every
// tool: it is linked under each tool's name and picks the tool from argv[0],
// as Juju's jujuc does.
//
// The tools follow Juju's rules where charms can notice them: gnuflag-style
// flags, JSON output, Juju's error texts and exit codes (2 for bad
// arguments, 1 for failures), leader-only writes of the application bag,
// and buffered relation/state/secret/port changes that the driver commits
// only if the hook exits 0.
package hooktools

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// Names lists every tool the binary answers to.
func Names() []string {
	tools := toolTable()
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// toolError is a failure with Juju's exit code.
type toolError struct {
	code int
	msg  string
}

func (e *toolError) Error() string { return e.msg }

// usageErr is what gnuflag parsing and Init failures give: exit code 2.
func usageErr(format string, a ...any) error {
	return &toolError{code: 2, msg: fmt.Sprintf(format, a...)}
}

// runErr is what a failing Run gives: exit code 1.
func runErr(format string, a ...any) error {
	return &toolError{code: 1, msg: fmt.Sprintf(format, a...)}
}

type tool struct {
	flags []flagDef
	run   func(c *hookCtx, a *args) error
}

// Main runs the tool called name and returns its exit code. Every call is
// appended to the model's calls log with its duration.
func Main(name string, argv []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	start := time.Now()
	code := run(name, argv, getenv, stdin, stdout, stderr)
	if modelPath := getenv(simstate.ModelEnv); modelPath != "" {
		logCall(modelPath, getenv("JUJU_CONTEXT_ID"), name, time.Since(start), code)
	}
	return code
}

func run(name string, argv []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	t, ok := toolTable()[name]
	if !ok {
		fmt.Fprintf(stderr, "ERROR unknown hook tool %q\n", name)
		return 2
	}
	err := func() error {
		a, err := parseArgs(t.flags, argv)
		if err != nil {
			return err
		}
		c, err := newHookCtx(name, getenv, stdin, stdout)
		if err != nil {
			return err
		}
		return t.run(c, a)
	}()
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "ERROR %s\n", err)
	var te *toolError
	if errors.As(err, &te) {
		return te.code
	}
	return 1
}

func logCall(modelPath, contextID, tool string, d time.Duration, code int) {
	f, err := os.OpenFile(filepath.Join(filepath.Dir(modelPath), simstate.CallsLog), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return // measuring must never change the tool's result
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s\t%d\t%d\n", contextID, tool, d.Nanoseconds(), code)
}

// hookCtx is the unit's view of the model during one hook.
type hookCtx struct {
	tool        string
	getenv      func(string) string
	stdin       io.Reader
	stdout      io.Writer
	modelPath   string
	pendingPath string
	unit        string
	app         string
	model       *simstate.Model   // committed state
	pending     *simstate.Pending // this hook's buffered changes
	view        *simstate.Model   // committed state plus this hook's changes
}

func newHookCtx(tool string, getenv func(string) string, stdin io.Reader, stdout io.Writer) (*hookCtx, error) {
	modelPath := getenv(simstate.ModelEnv)
	if modelPath == "" {
		return nil, runErr("%s is not set: not running inside the simulated model", simstate.ModelEnv)
	}
	contextID := getenv("JUJU_CONTEXT_ID")
	unit := getenv("JUJU_UNIT_NAME")
	if contextID == "" || unit == "" {
		return nil, runErr("JUJU_CONTEXT_ID and JUJU_UNIT_NAME must be set")
	}
	m, err := simstate.Load(modelPath)
	if err != nil {
		return nil, runErr("%v", err)
	}
	if _, ok := m.Units[unit]; !ok {
		return nil, runErr("unit %q not found", unit)
	}
	c := &hookCtx{
		tool: tool, getenv: getenv, stdin: stdin, stdout: stdout,
		modelPath: modelPath, pendingPath: simstate.PendingPath(modelPath, contextID),
		unit: unit, app: simstate.AppOf(unit), model: m,
	}
	if c.pending, err = simstate.LoadPending(c.pendingPath); err != nil {
		return nil, runErr("%v", err)
	}
	if err := c.refreshView(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *hookCtx) refreshView() error {
	v, err := c.model.Clone()
	if err != nil {
		return runErr("%v", err)
	}
	v.Apply(c.unit, c.pending)
	c.view = v
	return nil
}

// buffer records a transactional change for the driver to commit.
func (c *hookCtx) buffer() error {
	if err := c.pending.Save(c.pendingPath); err != nil {
		return runErr("%v", err)
	}
	return nil
}

// commitNow writes a change Juju applies immediately (status, logs, ...).
func (c *hookCtx) commitNow() error {
	if err := c.model.Save(c.modelPath); err != nil {
		return runErr("%v", err)
	}
	return nil
}

func (c *hookCtx) isLeader() bool {
	a := c.model.Apps[c.app]
	return a != nil && a.Leader == c.unit
}

// output prints v in the requested format: json, or Juju's "smart" default.
func (c *hookCtx) output(a *args, v any) error {
	format := a.str("format")
	switch format {
	case "json":
		b, err := json.Marshal(v)
		if err != nil {
			return runErr("encode output: %v", err)
		}
		_, err = fmt.Fprintf(c.stdout, "%s\n", b)
		return err
	case "", "smart", "yaml":
		_, err := io.WriteString(c.stdout, smart(v))
		return err
	default:
		return usageErr("invalid value %q for option --format: unknown format %q", format, format)
	}
}

// smart approximates Juju's default formatter: bare strings, Python-style
// booleans, one "key: value" line per map entry.
func smart(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x + "\n"
	case bool:
		if x {
			return "True\n"
		}
		return "False\n"
	case []string:
		var b strings.Builder
		for _, s := range x {
			b.WriteString(s + "\n")
		}
		return b.String()
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, x[k])
		}
		return b.String()
	default:
		out, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x) + "\n"
		}
		return string(out) + "\n"
	}
}

// keyValues parses key=value arguments.
func keyValues(pos []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range pos {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErr("expected \"key=value\", got %q", kv)
		}
		out[k] = v
	}
	return out, nil
}

// readSettingsFile reads --file (a path, or "-" for stdin) as a JSON map of
// strings; Juju accepts YAML, of which JSON is the part charms send.
func (c *hookCtx) readSettingsFile(path string) (map[string]string, error) {
	if path == "" {
		return map[string]string{}, nil
	}
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(c.stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, runErr("cannot read settings file: %v", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return map[string]string{}, nil
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, runErr("cannot parse settings file: %v", err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, runErr("cannot parse settings file: value of %q is %T, not a string", k, v)
		}
		out[k] = s
	}
	return out, nil
}
