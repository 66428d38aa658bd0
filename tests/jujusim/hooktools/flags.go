package hooktools

import (
	"strconv"
	"strings"
)

// flagDef declares one flag: a long name and optionally a one-letter alias.
type flagDef struct {
	long    string
	short   string
	boolean bool
}

var formatFlag = flagDef{long: "format"}

// args is a parsed command line.
type args struct {
	values map[string]string
	pos    []string
}

func (a *args) str(name string) string { return a.values[name] }

func (a *args) has(name string) bool {
	_, ok := a.values[name]
	return ok
}

func (a *args) flag(name string) bool {
	v, ok := a.values[name]
	if !ok {
		return false
	}
	b, _ := strconv.ParseBool(v) // validated while parsing
	return b
}

// parseArgs parses like gnuflag with interspersed arguments: flags and
// positional arguments in any order, --flag=value or --flag value, -x value
// or -xvalue for one-letter flags, and "--" ending the flags. "-" alone is a
// positional argument.
func parseArgs(defs []flagDef, argv []string) (*args, error) {
	a := &args{values: map[string]string{}}
	lookup := func(name string, long bool) (flagDef, bool) {
		for _, d := range defs {
			if (long && d.long == name) || (d.short != "" && d.short == name) {
				return d, true
			}
		}
		return flagDef{}, false
	}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		switch {
		case arg == "--":
			a.pos = append(a.pos, argv[i+1:]...)
			return a, nil
		case strings.HasPrefix(arg, "--"):
			name, val, hasVal := strings.Cut(arg[2:], "=")
			d, ok := lookup(name, true)
			if !ok {
				return nil, usageErr("flag provided but not defined: --%s", name)
			}
			if err := a.set(d, "--"+name, val, hasVal, argv, &i); err != nil {
				return nil, err
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			name, rest := arg[1:2], arg[2:]
			d, ok := lookup(name, false)
			if !ok {
				return nil, usageErr("flag provided but not defined: -%s", arg[1:])
			}
			val, hasVal := strings.CutPrefix(rest, "=")
			if !hasVal && rest != "" {
				if d.boolean {
					return nil, usageErr("flag provided but not defined: -%s", arg[1:])
				}
				val, hasVal = rest, true
			}
			if err := a.set(d, "-"+name, val, hasVal, argv, &i); err != nil {
				return nil, err
			}
		default:
			a.pos = append(a.pos, arg)
		}
	}
	return a, nil
}

func (a *args) set(d flagDef, spelled, val string, hasVal bool, argv []string, i *int) error {
	if d.boolean {
		if !hasVal {
			val = "true"
		}
		if _, err := strconv.ParseBool(val); err != nil {
			return usageErr("invalid value %q for flag %s: %v", val, spelled, err)
		}
		a.values[d.long] = val
		return nil
	}
	if !hasVal {
		if *i+1 >= len(argv) {
			return usageErr("flag needs an argument: %s", spelled)
		}
		*i++
		val = argv[*i]
	}
	a.values[d.long] = val
	return nil
}
