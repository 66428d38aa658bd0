package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// maxNameLength is the longest name a DNS-1123 label may have: namespaces,
// Services, and the names Kubernetes derives label values from.
const maxNameLength = 63

// maxObjectNameLength is the longest name every kind the charm names after
// its requirers accepts (HTTPRoute, GRPCRoute, AuthorizationPolicy,
// DestinationRule): a DNS-1123 subdomain.
const maxObjectNameLength = validation.DNS1123SubdomainMaxLength

// nameHashLength is how many hex digits of sha256 a sanitised name carries:
// 64 bits, so finding two raw names that meet is out of reach.
const nameHashLength = 16

// objectName joins parts with "-" into an object name. A name that is
// already a valid DNS-1123 subdomain (up to 253 characters) is returned
// unchanged, so names are the Python charm's and an upgrade in place keeps
// its objects. Otherwise it is lowercased, every character outside
// [a-z0-9-] becomes "-", and a hash of the raw name is appended, so two raw
// names that sanitise alike (or share a long prefix) still get distinct
// objects.
func objectName(parts ...string) string {
	raw := strings.Join(parts, "-")
	if isObjectName(raw) {
		return raw
	}
	clean := sanitize(raw)
	sum := sha256.Sum256([]byte(raw))
	suffix := hex.EncodeToString(sum[:])[:nameHashLength]
	keep := maxObjectNameLength - len(suffix) - 1
	if len(clean) > keep {
		clean = strings.TrimRight(clean[:keep], "-")
	}
	if clean == "" {
		return "x-" + suffix
	}
	return clean + "-" + suffix
}

// isObjectName reports whether s is a DNS-1123 subdomain.
func isObjectName(s string) bool {
	return len(s) <= maxObjectNameLength && len(validation.IsDNS1123Subdomain(s)) == 0
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
