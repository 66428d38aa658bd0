package gateway

import (
	"net/netip"
	"regexp"
)

// hostnamePattern is RFC 1123 as the reference charm applies it: lowercase
// labels joined by dots, no wildcard, no trailing dot.
var hostnamePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// IsValidHostname reports whether s can be a Gateway listener hostname: 1 to
// 253 characters, not an IP address, lowercase RFC 1123 labels.
func IsValidHostname(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return false
	}
	return hostnamePattern.MatchString(s)
}
