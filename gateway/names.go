package gateway

import (
	"crypto/sha1" //nolint:gosec // a naming hash, not a security boundary
	"encoding/hex"
	"strings"
)

// maxNameLength keeps every object name a valid DNS-1123 label, the strictest
// rule any kind we render (or that Istio derives from them) applies.
const maxNameLength = 63

// objectName joins parts with "-" into a DNS-1123 label. A name that is
// already valid is returned unchanged, so names match the reference charm's;
// otherwise it is lowercased, invalid characters become "-", and a stable hash
// of the raw name is appended, so two raw names that sanitise alike (or share
// a long prefix) still get distinct objects.
func objectName(parts ...string) string {
	raw := strings.Join(parts, "-")
	if isDNSLabel(raw) {
		return raw
	}
	clean := sanitize(raw)
	sum := sha1.Sum([]byte(raw)) //nolint:gosec // see import
	suffix := hex.EncodeToString(sum[:])[:labelHashLength]
	keep := maxNameLength - len(suffix) - 1
	if len(clean) > keep {
		clean = strings.TrimRight(clean[:keep], "-")
	}
	if clean == "" {
		return "x-" + suffix
	}
	return clean + "-" + suffix
}

// sanitize lowercases s, maps every character outside [a-z0-9-] to "-", and
// trims dashes from both ends.
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// isDNSLabel reports whether s is a DNS-1123 label: 1–63 characters of
// [a-z0-9-], starting and ending alphanumeric.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > maxNameLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		if !alnum && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}
