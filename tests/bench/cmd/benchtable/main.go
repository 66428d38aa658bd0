// Command benchtable turns the output of the hook benchmark (go test -bench
// ConfigChanged ./tests/bench) on stdin into a table on stdout, with the
// hook-tool call budget (2 per relation + 17) beside each count; it imports
// only the standard library.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// fixedCalls are a hook's hook-tool calls whatever its relations: is-leader,
// config-get, goal-state, a log line, a status-set when the status changes
// and one relation-ids for each of the charm's 12 endpoints (goal-state
// cannot say which are unrelated).
const fixedCalls = 5 + 12

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// row is one benchmark result: its name parts and metrics by unit.
type row struct {
	apps, scenario string
	metrics        map[string]float64
}

// columns are the table's metric columns: header and unit.
var columns = []struct{ header, unit string }{
	{"hook ms", "hook-ms/op"},
	{"charm's own ms", "charm-ms/op"},
	{"hook-tool ms", "tool-ms/op"},
	{"tool calls", "tool-calls/op"},
	{"K8s reads", "k8s-reads/op"},
	{"K8s writes", "k8s-writes/op"},
	{"discovery", "k8s-discovery/op"},
	{"peak RSS MB", "peak-rss-MB"}, // the charm process's own
	{"tree RSS MB", "tree-rss-MB"}, // its process tree's, hook tools included
}

func run(in io.Reader, out io.Writer) error {
	var rows []row
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if r, ok := parse(sc.Text()); ok {
			rows = append(rows, r)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "apps\tcase\t")
	for _, c := range columns {
		fmt.Fprintf(w, "%s\t", c.header)
	}
	fmt.Fprintln(w, "tool-call budget\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t", r.apps, r.scenario)
		for _, c := range columns {
			v, ok := r.metrics[c.unit]
			switch {
			case !ok:
				fmt.Fprint(w, "-\t")
			case strings.HasSuffix(c.unit, "ms/op") || strings.HasSuffix(c.unit, "-MB"):
				fmt.Fprintf(w, "%.1f\t", v)
			default:
				fmt.Fprintf(w, "%.0f\t", v)
			}
		}
		if n, err := strconv.Atoi(r.apps); err == nil {
			fmt.Fprintf(w, "%d\t", 2*n+fixedCalls)
		} else {
			fmt.Fprint(w, "-\t")
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

// parse reads a result line such as
//
//	BenchmarkConfigChanged/apps=100/unchanged-2  5  664457234 ns/op  36.59 charm-ms/op ...
func parse(line string) (row, bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
		return row{}, false
	}
	name := fields[0]
	if i := strings.LastIndex(name, "-"); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i] // GOMAXPROCS suffix
		}
	}
	r := row{metrics: map[string]float64{}}
	parts := strings.Split(name, "/")
	// A variant of the hook benchmark names its case: ConfigChangedTLS's
	// "unchanged" is "TLS unchanged".
	variant, _ := strings.CutPrefix(parts[0], "BenchmarkConfigChanged")
	for _, part := range parts[1:] {
		if v, ok := strings.CutPrefix(part, "apps="); ok {
			r.apps = v
		} else {
			r.scenario = strings.TrimSpace(variant + " " + part)
		}
	}
	for i := 2; i+1 < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return row{}, false
		}
		r.metrics[fields[i+1]] = v
	}
	return r, r.apps != ""
}
