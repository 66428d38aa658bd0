package juju

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RotatePolicy is how often Juju asks the owner to rotate a secret.
type RotatePolicy string

// Rotation policies secret-add and secret-set accept.
const (
	RotateNever     RotatePolicy = "never"
	RotateHourly    RotatePolicy = "hourly"
	RotateDaily     RotatePolicy = "daily"
	RotateWeekly    RotatePolicy = "weekly"
	RotateMonthly   RotatePolicy = "monthly"
	RotateQuarterly RotatePolicy = "quarterly"
	RotateYearly    RotatePolicy = "yearly"
)

// SecretOptions are the optional metadata of secret-add and secret-set.
// Zero fields are not passed.
type SecretOptions struct {
	Label       string
	Description string
	Expire      time.Time
	Rotate      RotatePolicy
}

func (o SecretOptions) args() []string {
	var args []string
	if o.Label != "" {
		args = append(args, "--label", o.Label)
	}
	if o.Description != "" {
		args = append(args, "--description", o.Description)
	}
	if !o.Expire.IsZero() {
		args = append(args, "--expire", o.Expire.UTC().Format(time.RFC3339))
	}
	if o.Rotate != "" {
		args = append(args, "--rotate", string(o.Rotate))
	}
	return args
}

// secretKey is Juju's rule for secret content keys (core/secrets):
// lower case, at least three characters, single hyphens.
var secretKey = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)

// SecretAdd creates a secret owned by this unit and returns its URI
// (secret-add [options] --owner unit key#file=... ). Content is handed to
// Juju through 0600 files that are removed afterwards, never on argv.
func (c *Client) SecretAdd(ctx context.Context, content map[string]string, opts SecretOptions) (string, error) {
	return c.secretAdd(ctx, "unit", content, opts)
}

// SecretAdd creates a secret owned by the application and returns its URI
// (secret-add [options] --owner application key#file=...).
func (l *Leader) SecretAdd(ctx context.Context, content map[string]string, opts SecretOptions) (string, error) {
	c, err := l.client()
	if err != nil {
		return "", err
	}
	return c.secretAdd(ctx, "application", content, opts)
}

func (c *Client) secretAdd(ctx context.Context, owner string, content map[string]string, opts SecretOptions) (string, error) {
	if len(content) == 0 {
		return "", errors.New("secret-add: no content")
	}
	args := append(opts.args(), "--owner", owner)
	var out []byte
	err := withSecretFiles(content, func(items []string) error {
		var err error
		out, err = c.run(ctx, nil, "secret-add", append(args, items...)...)
		return err
	})
	if err != nil {
		return "", err
	}
	uri := strings.TrimSpace(string(out)) // secret-add ends the URI with a newline
	if uri == "" {
		return "", errors.New("secret-add: printed no secret URI")
	}
	return uri, nil
}

// SecretSet updates a secret this unit owns: new content makes a new
// revision; empty content changes only metadata
// (secret-set [options] --owner unit <id> key#file=...).
func (c *Client) SecretSet(ctx context.Context, id string, content map[string]string, opts SecretOptions) error {
	return c.secretSet(ctx, "unit", id, content, opts)
}

// SecretSet updates a secret the application owns, like Client.SecretSet
// (secret-set [options] --owner application <id> key#file=...).
func (l *Leader) SecretSet(ctx context.Context, id string, content map[string]string, opts SecretOptions) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return c.secretSet(ctx, "application", id, content, opts)
}

func (c *Client) secretSet(ctx context.Context, owner, id string, content map[string]string, opts SecretOptions) error {
	if id == "" {
		return errors.New("secret-set: empty secret id")
	}
	args := append(opts.args(), "--owner", owner, id)
	return withSecretFiles(content, func(items []string) error {
		_, err := c.run(ctx, nil, "secret-set", append(args, items...)...)
		return err
	})
}

// SecretGetOptions selects a secret and the revision to read. ID or Label
// (or both, which records the label for that ID) must be set; Refresh and
// Peek exclude each other.
type SecretGetOptions struct {
	ID      string
	Label   string
	Refresh bool // read the latest revision and track it from now on
	Peek    bool // read the latest revision once, keep tracking the current one
}

// SecretGet reads a secret's content
// (secret-get --format=json [<id>] [--label L] [--refresh] [--peek]).
func (c *Client) SecretGet(ctx context.Context, o SecretGetOptions) (map[string]string, error) {
	if o.ID == "" && o.Label == "" {
		return nil, errors.New("secret-get: need a secret id or label")
	}
	if o.Refresh && o.Peek {
		return nil, errors.New("secret-get: refresh and peek exclude each other")
	}
	args := []string{"--format=json"}
	if o.ID != "" {
		args = append(args, o.ID)
	}
	if o.Label != "" {
		args = append(args, "--label", o.Label)
	}
	if o.Refresh {
		args = append(args, "--refresh")
	}
	if o.Peek {
		args = append(args, "--peek")
	}
	out, err := c.run(ctx, nil, "secret-get", args...)
	if err != nil {
		return nil, err
	}
	// Unlike other tools' output, a secret's is never quoted in an error:
	// not even a prefix of it, nor the decoder's message, may reach a log.
	var m map[string]string
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, errors.New("secret-get: the output is not a JSON object of strings")
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}

// SecretIDByLabel returns the ID of the secret this unit or application
// owns under label (secret-info-get --label L --format=json); a secret
// that does not exist is ErrSecretNotFound.
func (c *Client) SecretIDByLabel(ctx context.Context, label string) (string, error) {
	var info map[string]json.RawMessage
	if err := c.runJSON(ctx, &info, "secret-info-get", "--label", label, "--format=json"); err != nil {
		return "", err
	}
	for id := range info {
		return id, nil
	}
	return "", fmt.Errorf("%w: secret-info-get printed no secret labelled %q", ErrSecretNotFound, label)
}

// SecretGrant lets the remote application of rel (or only one of its units)
// read a secret (secret-grant --relation <rel> [--unit U] <id>). The grant
// ends with the relation.
func (c *Client) SecretGrant(ctx context.Context, id string, rel RelationID, unit string) error {
	args := []string{"--relation", rel.String()}
	if unit != "" {
		args = append(args, "--unit", unit)
	}
	_, err := c.run(ctx, nil, "secret-grant", append(args, id)...)
	return err
}

// SecretRevokeTarget says whose access secret-revoke removes: the remote
// side of Relation, optionally narrowed to one App or one Unit.
type SecretRevokeTarget struct {
	Relation *RelationID
	App      string
	Unit     string
}

// SecretRevoke withdraws access to a secret
// (secret-revoke <id> [--relation <rel>] [--app A | --unit U]).
func (c *Client) SecretRevoke(ctx context.Context, id string, t SecretRevokeTarget) error {
	if t.Relation == nil && t.App == "" && t.Unit == "" {
		return errors.New("secret-revoke: need a relation, an app or a unit")
	}
	if t.App != "" && t.Unit != "" {
		return errors.New("secret-revoke: app and unit exclude each other")
	}
	args := []string{id}
	if t.Relation != nil {
		args = append(args, "--relation", t.Relation.String())
	}
	if t.App != "" {
		args = append(args, "--app", t.App)
	}
	if t.Unit != "" {
		args = append(args, "--unit", t.Unit)
	}
	_, err := c.run(ctx, nil, "secret-revoke", args...)
	return err
}

// SecretRemove removes one revision of a secret this unit or application
// owns, or every revision the hook knows of when revision is 0
// (secret-remove <id> [--revision N]).
func (c *Client) SecretRemove(ctx context.Context, id string, revision int) error {
	args := []string{id}
	if revision > 0 {
		args = append(args, "--revision", strconv.Itoa(revision))
	}
	_, err := c.run(ctx, nil, "secret-remove", args...)
	return err
}

// withSecretFiles writes each value to its own 0600 file in a private
// directory and calls fn with the matching "key#file=<path>" arguments, in
// key order. The files are removed when fn returns.
func withSecretFiles(content map[string]string, fn func(items []string) error) error {
	if len(content) == 0 {
		return fn(nil)
	}
	keys := make([]string, 0, len(content))
	for k := range content {
		if !secretKey.MatchString(k) {
			return fmt.Errorf("secret key %q: want lower-case letters, digits and single hyphens, at least 3 characters, starting with a letter", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dir, err := os.MkdirTemp("", "juju-secret-")
	if err != nil {
		return fmt.Errorf("secret content: %w", err)
	}
	defer os.RemoveAll(dir)
	items := make([]string, 0, len(keys))
	for _, k := range keys {
		path := filepath.Join(dir, k)
		if err := os.WriteFile(path, []byte(content[k]), 0o600); err != nil {
			return fmt.Errorf("secret content: %w", err)
		}
		items = append(items, k+"#file="+path)
	}
	return fn(items)
}
