// Package state keeps the unit's private JSON state file, the charm's
// equivalent of ops' StoredState, and imports only the standard library.
//
// The file is a cache: it lives in the unit's charm directory, which on
// Kubernetes is lost whenever the pod is recreated, so a missing file is
// normal and means "start empty". A file that cannot be read back is moved
// aside (never deleted, so it can be inspected) and the hook starts empty
// too. Anything that must survive pod churn belongs in relation data or Juju
// secrets, not here.
//
// Save replaces the file atomically: readers see the old content or the new
// one, never a mix. Write it last in a hook, only once everything else
// succeeded, so it stays in step with Juju discarding a failed hook's
// changes.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Version is the schema version Save writes. A file with any other version
// is treated like a corrupt one: the state is a cache, so starting empty is
// always safe.
const Version = 1

// FileName is the conventional name of the state file in the charm directory.
const FileName = ".unit-state.json"

// State is the content of the state file: named JSON values.
type State struct {
	path string
	data map[string]json.RawMessage
	fs   fileSystem
}

// document is the on-disk layout.
type document struct {
	Version int                        `json:"version"`
	Data    map[string]json.RawMessage `json:"data"`
}

// CorruptError is the warning Load returns when it found a file it could
// not use and moved it aside.
type CorruptError struct {
	Path    string // the state file
	MovedTo string // where the bad file now is; empty if moving it failed
	Err     error  // why the file was unusable (and why moving failed, if it did)
}

func (e *CorruptError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("state file %s is unusable, starting empty: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("state file %s is unusable, moved it to %s and starting empty: %v", e.Path, e.MovedTo, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the state file at path.
//
// A missing file gives an empty State. A file that does not parse or has an
// unknown version gives an empty State plus a warning (a *CorruptError) the
// caller should log; the bad file is renamed to "<path>.corrupt-<n>". err is
// reserved for failures to read the file at all (e.g. permissions), where
// the caller decides whether to continue.
func Load(path string) (st *State, warning error, err error) {
	return load(path, osFS{})
}

func load(path string, fsys fileSystem) (*State, error, error) {
	st := &State{path: path, data: map[string]json.RawMessage{}, fs: fsys}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading state file: %w", err)
	}
	var doc document
	problem := json.Unmarshal(raw, &doc)
	if problem == nil && doc.Version != Version {
		problem = fmt.Errorf("version %d, want %d", doc.Version, Version)
	}
	if problem == nil {
		if doc.Data != nil {
			st.data = doc.Data
		}
		return st, nil, nil
	}
	warning := &CorruptError{Path: path, Err: problem}
	moved, err := moveAside(path)
	if err != nil {
		warning.Err = errors.Join(problem, fmt.Errorf("moving it aside: %w", err))
	}
	warning.MovedTo = moved
	return st, warning, nil
}

// moveAside renames path to the first free "<path>.corrupt-<n>".
func moveAside(path string) (string, error) {
	for n := 1; n <= 1000; n++ {
		target := path + ".corrupt-" + strconv.Itoa(n)
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(path, target); err != nil {
				return "", err
			}
			return target, nil
		}
	}
	return "", errors.New("too many corrupt state files kept aside")
}

// Path returns the file the State was loaded from and saves to.
func (s *State) Path() string { return s.path }

// Get decodes the value stored under key into v. ok is false, and v
// untouched, when the key is absent.
func (s *State) Get(key string, v any) (ok bool, err error) {
	raw, found := s.data[key]
	if !found {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("state key %q: %w", key, err)
	}
	return true, nil
}

// Put stores v, encoded as JSON, under key. Nothing reaches the disk until Save.
func (s *State) Put(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state key %q: %w", key, err)
	}
	s.data[key] = raw
	return nil
}

// Delete removes key. Nothing reaches the disk until Save.
func (s *State) Delete(key string) { delete(s.data, key) }

// Keys returns the stored keys in sorted order.
func (s *State) Keys() []string {
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Save atomically replaces the state file: it writes a temporary file in
// the same directory, syncs it, makes it 0600, renames it over the old file
// and syncs the directory. On failure the previous file is left untouched
// and the temporary file is removed.
func (s *State) Save() error {
	body, err := json.MarshalIndent(document{Version: Version, Data: s.data}, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	body = append(body, '\n')
	if err := writeAtomic(s.fs, s.path, body); err != nil {
		return fmt.Errorf("saving state file %s: %w", s.path, err)
	}
	return nil
}

func writeAtomic(fsys fileSystem, path string, body []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := fsys.CreateTemp(dir, "."+base+"-*.tmp")
	if err != nil {
		return err
	}
	if err := fillTemp(tmp, body); err != nil {
		_ = tmp.Close()
		_ = fsys.Remove(tmp.Name())
		return err
	}
	if err := fsys.Rename(tmp.Name(), path); err != nil {
		_ = fsys.Remove(tmp.Name())
		return err
	}
	// The rename is durable only once the directory entry is on disk; the
	// new content is already in place, so only report the failure.
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("new content in place, but syncing directory failed: %w", err)
	}
	return nil
}

func fillTemp(tmp tempFile, body []byte) error {
	if _, err := tmp.Write(body); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	return tmp.Close()
}
