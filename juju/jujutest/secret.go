package jujutest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// secret is one application-owned secret of the model.
type secret struct {
	id      string
	content map[string]string
}

// SecretContent is the content of the secret labelled label (nil: none).
func (m *Model) SecretContent(label string) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.secrets[label]; ok {
		return maps.Clone(s.content)
	}
	return nil
}

// SecretFileModes are the modes of the files secret content was passed in,
// in call order.
func (m *Model) SecretFileModes() []os.FileMode {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.fileModes)
}

// secretContent reads key#file=path items as Juju does, recording each
// file's mode.
func (m *Model) secretContent(tool string, args []string) (map[string]string, error) {
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
		m.fileModes = append(m.fileModes, st.Mode().Perm())
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

func (m *Model) secretAdd(args []string, _ []byte) ([]byte, error) {
	if !m.leader && flagValue(args, "--owner") != "unit" {
		return nil, toolErr("secret-add", args, 1, "ERROR this unit is not the leader")
	}
	content, err := m.secretContent("secret-add", args)
	if err != nil {
		return nil, err
	}
	label := flagValue(args, "--label")
	if _, taken := m.secrets[label]; taken {
		return nil, toolErr("secret-add", args, 1, fmt.Sprintf("ERROR secret with label %q already exists", label))
	}
	id := fmt.Sprintf("secret:fake%02d", len(m.secrets)+1)
	m.secrets[label] = &secret{id: id, content: content}
	return []byte(id + "\n"), nil
}

func (m *Model) secretSet(args []string, _ []byte) ([]byte, error) {
	if !m.leader {
		return nil, toolErr("secret-set", args, 1, "ERROR this unit is not the leader")
	}
	content, err := m.secretContent("secret-set", args)
	if err != nil {
		return nil, err
	}
	for _, s := range m.secrets {
		if slices.Contains(args, s.id) && len(content) > 0 {
			s.content = content
		}
	}
	return nil, nil // Juju's secret-set prints nothing, even for an unknown secret
}

func (m *Model) secretByLabel(tool string, args []string) (*secret, error) {
	label := flagValue(args, "--label")
	s, ok := m.secrets[label]
	if !ok {
		return nil, toolErr(tool, args, 1, fmt.Sprintf("ERROR secret %q not found", label))
	}
	return s, nil
}

func (m *Model) secretGet(args []string, _ []byte) ([]byte, error) {
	s, err := m.secretByLabel("secret-get", args)
	if err != nil {
		return nil, err
	}
	return json.Marshal(s.content)
}

func (m *Model) secretInfoGet(args []string, _ []byte) ([]byte, error) {
	s, err := m.secretByLabel("secret-info-get", args)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{s.id: map[string]any{"revision": 1, "owner": "application"}})
}
