package jujusim

import (
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// charmMeta is what the simulator needs from a charm's metadata.yaml and
// config.yaml.
type charmMeta struct {
	name       string
	endpoints  map[string]simstate.Endpoint
	containers []string
	options    map[string]simstate.Option
}

func readCharmMeta(charmDir string) (charmMeta, error) {
	var md struct {
		Name       string                    `yaml:"name"`
		Containers map[string]yaml.Node      `yaml:"containers"`
		Provides   map[string]endpointSchema `yaml:"provides"`
		Requires   map[string]endpointSchema `yaml:"requires"`
		Peers      map[string]endpointSchema `yaml:"peers"`
	}
	if err := readYAML(filepath.Join(charmDir, "metadata.yaml"), &md, false); err != nil {
		return charmMeta{}, err
	}
	var cfg struct {
		Options map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
		} `yaml:"options"`
	}
	if err := readYAML(filepath.Join(charmDir, "config.yaml"), &cfg, true); err != nil {
		return charmMeta{}, err
	}
	meta := charmMeta{name: md.Name, endpoints: map[string]simstate.Endpoint{}, options: map[string]simstate.Option{}}
	for role, eps := range map[string]map[string]endpointSchema{"provides": md.Provides, "requires": md.Requires, "peers": md.Peers} {
		for name, ep := range eps {
			meta.endpoints[name] = simstate.Endpoint{Role: role, Interface: ep.Interface, Limit: ep.Limit}
		}
	}
	for name := range md.Containers {
		meta.containers = append(meta.containers, name)
	}
	sortStrings(meta.containers)
	for name, o := range cfg.Options {
		meta.options[name] = simstate.Option{Type: o.Type, Default: o.Default}
	}
	return meta, nil
}

type endpointSchema struct {
	Interface string `yaml:"interface"`
	Limit     int    `yaml:"limit"`
}

func readYAML(path string, into any, optional bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if optional && os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("read charm metadata: %w", err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// checkOptionValue refuses values of the wrong type, as juju config does.
func checkOptionValue(name string, opt simstate.Option, v any) error {
	ok := false
	switch opt.Type {
	case "string", "secret":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "int":
		switch n := v.(type) {
		case int, int64:
			ok = true
		case float64:
			ok = n == float64(int64(n))
		}
	case "float":
		switch v.(type) {
		case int, int64, float64:
			ok = true
		}
	default:
		ok = true
	}
	if !ok {
		return fmt.Errorf("option %q: %v (%T) is not a valid %s", name, v, v, opt.Type)
	}
	return nil
}
