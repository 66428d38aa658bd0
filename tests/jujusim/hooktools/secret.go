package hooktools

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

var secretKey = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)

var secretMetaFlags = []flagDef{
	{long: "owner"}, {long: "label"}, {long: "description"}, {long: "expire"}, {long: "rotate"}, {long: "file"},
}

var rotatePolicies = []string{"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"}

// secretContent parses key=value, key#base64=value and key#file=path items.
func secretContent(items []string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return nil, usageErr("expected key=value, got %q", item)
		}
		key, kind, _ := strings.Cut(k, "#")
		if !secretKey.MatchString(key) {
			return nil, usageErr("secret key %q not valid", key)
		}
		switch kind {
		case "":
		case "base64":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, usageErr("invalid base64 value for %q: %v", key, err)
			}
			v = string(b)
		case "file":
			b, err := os.ReadFile(v)
			if err != nil {
				return nil, usageErr("cannot read secret content for %q: %v", key, err)
			}
			v = string(b)
		default:
			return nil, usageErr("invalid key suffix %q", kind)
		}
		out[key] = v
	}
	return out, nil
}

// newSecretID returns a URI shaped like Juju's: secret:<20-char xid>.
func newSecretID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", runErr("%v", err)
	}
	return "secret:" + strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

func (c *hookCtx) owns(s *simstate.Secret) bool {
	if s.OwnerUnit != "" {
		return s.OwnerUnit == c.unit
	}
	return s.OwnerApp == c.app
}

// canManage reports whether the unit may change the secret: app-owned
// secrets need the leader.
func (c *hookCtx) canManage(s *simstate.Secret) error {
	if !c.owns(s) {
		return runErr("secret %q not found", s.ID)
	}
	if s.OwnerUnit == "" && !c.isLeader() {
		return runErr("this unit is not the leader")
	}
	return nil
}

// findSecret accepts a bare id, secret:<id> or secret://<model>/<id>.
func (c *hookCtx) findSecret(ref string) (*simstate.Secret, error) {
	id := ref
	if i := strings.LastIndexAny(ref, ":/"); i >= 0 {
		id = ref[i+1:]
	}
	for _, s := range c.view.Secrets {
		if strings.TrimPrefix(s.ID, "secret:") == id {
			return s, nil
		}
	}
	return nil, runErr("secret %q not found", ref)
}

func (c *hookCtx) findByLabel(label string) (*simstate.Secret, bool) {
	for _, s := range c.view.Secrets {
		if c.owns(s) && s.Label == label {
			return s, true
		}
		if cons := s.Consumers[c.unit]; cons != nil && cons.Label == label {
			return s, true
		}
	}
	return nil, false
}

func optional(a *args, name string) *string {
	if !a.has(name) {
		return nil
	}
	v := a.str(name)
	return &v
}

func validateSecretMeta(a *args) error {
	if a.has("rotate") && !slices.Contains(rotatePolicies, a.str("rotate")) {
		return usageErr("invalid rotate policy %q", a.str("rotate"))
	}
	if a.has("owner") && a.str("owner") != "application" && a.str("owner") != "unit" {
		return usageErr("secret owner %q not valid", a.str("owner"))
	}
	return nil
}

func secretAdd(c *hookCtx, a *args) error {
	if err := validateSecretMeta(a); err != nil {
		return err
	}
	content, err := secretContent(a.pos)
	if err != nil {
		return err
	}
	if len(content) == 0 {
		return usageErr("missing secret value or filename")
	}
	s := &simstate.Secret{
		OwnerApp: c.app, Label: a.str("label"), Description: a.str("description"),
		Expire: a.str("expire"), Rotate: a.str("rotate"),
		Revisions: []simstate.SecretRevision{{Revision: 1, Content: content}},
	}
	if a.str("owner") == "unit" {
		s.OwnerUnit = c.unit
	} else if !c.isLeader() {
		return runErr("this unit is not the leader")
	}
	if s.Label != "" {
		if _, taken := c.findByLabel(s.Label); taken {
			return runErr("secret with label %q already exists", s.Label)
		}
	}
	if s.ID, err = newSecretID(); err != nil {
		return err
	}
	c.pending.Secrets = append(c.pending.Secrets, simstate.SecretOp{Op: "add", ID: s.ID, Secret: s})
	if err := c.buffer(); err != nil {
		return err
	}
	_, err = c.stdout.Write([]byte(s.ID + "\n"))
	return err
}

func secretGet(c *hookCtx, a *args) error {
	if a.flag("peek") && a.flag("refresh") {
		return usageErr("specify one of --peek or --refresh but not both")
	}
	var (
		s   *simstate.Secret
		err error
	)
	label := optional(a, "label")
	switch {
	case len(a.pos) > 0:
		if s, err = c.findSecret(a.pos[0]); err != nil {
			return err
		}
	case label != nil:
		var ok bool
		if s, ok = c.findByLabel(*label); !ok {
			return runErr("secret %q not found", *label)
		}
	default:
		return usageErr("require either a secret URI or label")
	}
	if len(a.pos) > 2 {
		return usageErr("unrecognized args: %q", a.pos[2:])
	}
	var content map[string]string
	if c.owns(s) {
		content, _ = s.Revision(s.Latest())
	} else {
		if !c.granted(s) {
			return runErr("permission denied")
		}
		rev := s.Latest()
		cons := s.Consumers[c.unit]
		track := cons == nil || a.flag("refresh")
		if cons != nil && !a.flag("refresh") && !a.flag("peek") {
			rev = cons.Revision
		}
		if track || (label != nil && len(a.pos) > 0) {
			op := simstate.SecretOp{Op: "track", ID: s.ID, Unit: c.unit, Label: label}
			if track {
				op.Revision = rev
			}
			c.pending.Secrets = append(c.pending.Secrets, op)
			if err := c.buffer(); err != nil {
				return err
			}
		}
		var ok bool
		if content, ok = s.Revision(rev); !ok {
			return runErr("secret %q revision %d not found", s.ID, rev)
		}
	}
	if len(a.pos) == 2 {
		key := strings.TrimSuffix(a.pos[1], "#base64")
		v, ok := content[key]
		if !ok {
			return runErr("secret %q has no key %q", s.ID, key)
		}
		if strings.HasSuffix(a.pos[1], "#base64") {
			v = base64.StdEncoding.EncodeToString([]byte(v))
		}
		return c.output(a, v)
	}
	return c.output(a, maps.Clone(content))
}

func (c *hookCtx) granted(s *simstate.Secret) bool {
	for _, g := range s.Grants {
		if g.App == c.app && (g.Unit == "" || g.Unit == c.unit) {
			return true
		}
	}
	return false
}

func secretSet(c *hookCtx, a *args) error {
	if err := validateSecretMeta(a); err != nil {
		return err
	}
	if len(a.pos) == 0 {
		return usageErr("missing secret URI")
	}
	s, err := c.findSecret(a.pos[0])
	if err != nil {
		return err
	}
	if err := c.canManage(s); err != nil {
		return err
	}
	content, err := secretContent(a.pos[1:])
	if err != nil {
		return err
	}
	if latest, _ := s.Revision(s.Latest()); maps.Equal(latest, content) {
		content = nil // Juju 3.6 makes no revision for identical content
	}
	c.pending.Secrets = append(c.pending.Secrets, simstate.SecretOp{
		Op: "set", ID: s.ID, Content: content, Label: optional(a, "label"),
		Description: optional(a, "description"), Expire: optional(a, "expire"), Rotate: optional(a, "rotate"),
	})
	return c.buffer()
}

func secretGrant(c *hookCtx, a *args) error {
	if len(a.pos) != 1 {
		return usageErr("expected exactly one secret URI")
	}
	s, err := c.findSecret(a.pos[0])
	if err != nil {
		return err
	}
	rel, err := c.relation(a)
	if err != nil {
		return err
	}
	if err := c.canManage(s); err != nil {
		return err
	}
	g := simstate.SecretGrant{RelationID: rel.ID, App: rel.RemoteApp(c.app), Unit: a.str("unit")}
	if g.Unit != "" && simstate.AppOf(g.Unit) != g.App {
		return runErr("cannot specify unit %q in relation with application %q", g.Unit, g.App)
	}
	c.pending.Secrets = append(c.pending.Secrets, simstate.SecretOp{Op: "grant", ID: s.ID, Grant: &g})
	return c.buffer()
}

func secretRevoke(c *hookCtx, a *args) error {
	if len(a.pos) != 1 {
		return usageErr("expected exactly one secret URI")
	}
	s, err := c.findSecret(a.pos[0])
	if err != nil {
		return err
	}
	g := simstate.SecretGrant{App: a.str("app"), Unit: a.str("unit")}
	if a.has("relation") || c.getenv("JUJU_RELATION_ID") != "" {
		rel, err := c.relation(a)
		if err != nil {
			return err
		}
		g.RelationID = rel.ID
	}
	if g.RelationID == 0 && g.App == "" && g.Unit == "" {
		return usageErr("missing relation or application or unit")
	}
	if err := c.canManage(s); err != nil {
		return err
	}
	c.pending.Secrets = append(c.pending.Secrets, simstate.SecretOp{Op: "revoke", ID: s.ID, Grant: &g})
	return c.buffer()
}

func secretRemove(c *hookCtx, a *args) error {
	if len(a.pos) != 1 {
		return usageErr("expected exactly one secret URI")
	}
	s, err := c.findSecret(a.pos[0])
	if err != nil {
		return err
	}
	if err := c.canManage(s); err != nil {
		return err
	}
	rev := 0
	if a.has("revision") {
		if rev, err = strconv.Atoi(a.str("revision")); err != nil || rev < 1 {
			return usageErr("invalid revision %q", a.str("revision"))
		}
	}
	c.pending.Secrets = append(c.pending.Secrets, simstate.SecretOp{Op: "remove", ID: s.ID, Revision: rev})
	return c.buffer()
}

func secretIDs(c *hookCtx, a *args) error {
	if err := noArgs(a); err != nil {
		return err
	}
	ids := []string{}
	for _, s := range c.view.Secrets {
		if c.owns(s) {
			ids = append(ids, s.ID)
		}
	}
	slices.Sort(ids)
	return c.output(a, ids)
}

func secretInfoGet(c *hookCtx, a *args) error {
	var s *simstate.Secret
	switch {
	case len(a.pos) == 1 && !a.has("label"):
		var err error
		if s, err = c.findSecret(a.pos[0]); err != nil {
			return err
		}
	case len(a.pos) == 0 && a.has("label"):
		var ok bool
		if s, ok = c.findByLabel(a.str("label")); !ok {
			return runErr("secret %q not found", a.str("label"))
		}
	default:
		return usageErr("specify either a secret URI or label but not both")
	}
	if !c.owns(s) {
		return runErr("secret %q not found", s.ID)
	}
	owner := "application"
	if s.OwnerUnit != "" {
		owner = "unit"
	}
	access := []map[string]string{}
	for _, g := range s.Grants {
		target := "application-" + g.App
		if g.Unit != "" {
			target = "unit-" + strings.ReplaceAll(g.Unit, "/", "-")
		}
		access = append(access, map[string]string{"target": target, "scope": "relation-" + strconv.Itoa(g.RelationID), "role": "view"})
	}
	info := map[string]any{
		"revision": s.Latest(), "label": s.Label, "owner": owner, "description": s.Description,
		"rotation": s.Rotate, "expiry": s.Expire, "access": access,
	}
	return c.output(a, map[string]any{strings.TrimPrefix(s.ID, "secret:"): info})
}
