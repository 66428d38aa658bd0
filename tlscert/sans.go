package tlscert

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
)

// MaxSANs caps the names one certificate is asked for (Let's Encrypt's
// limit): names past it are left out and reported.
const MaxSANs = 100

// SANs are the subject alternative names of a request or certificate,
// sorted and without repeats, so two sets compare with Equal.
type SANs struct {
	DNS []string
	IPs []netip.Addr
}

// NewSANs sorts names into DNS names (lower case) and IP addresses.
func NewSANs(names ...string) SANs {
	var s SANs
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if ip, err := netip.ParseAddr(n); err == nil {
			s.IPs = append(s.IPs, ip.Unmap())
		} else {
			s.DNS = append(s.DNS, strings.ToLower(strings.TrimSuffix(n, ".")))
		}
	}
	return s.normal()
}

func (s SANs) normal() SANs {
	slices.Sort(s.DNS)
	s.DNS = slices.Compact(s.DNS)
	slices.SortFunc(s.IPs, func(a, b netip.Addr) int { return a.Compare(b) })
	s.IPs = slices.Compact(s.IPs)
	return s
}

// Empty says there is no name at all.
func (s SANs) Empty() bool { return len(s.DNS) == 0 && len(s.IPs) == 0 }

// Equal says whether s and o hold the same names.
func (s SANs) Equal(o SANs) bool {
	return slices.Equal(s.DNS, o.DNS) && slices.Equal(s.IPs, o.IPs)
}

// Names lists the DNS names, then the addresses.
func (s SANs) Names() []string {
	out := slices.Clone(s.DNS)
	for _, ip := range s.IPs {
		out = append(out, ip.String())
	}
	return out
}

func (s SANs) String() string { return strings.Join(s.Names(), ", ") }

// sansOf reads the names a certificate or request carries.
func sansOf(dns []string, ips []net.IP) SANs {
	s := SANs{DNS: make([]string, 0, len(dns))}
	for _, d := range dns {
		s.DNS = append(s.DNS, strings.ToLower(d))
	}
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok {
			s.IPs = append(s.IPs, a.Unmap())
		}
	}
	return s.normal()
}

// coveredBy says whether cert is valid for every name of s, wildcards
// included (crypto/x509's own hostname rules).
func (s SANs) coveredBy(cert *x509.Certificate) error {
	for _, n := range s.Names() {
		if strings.HasPrefix(n, "*.") {
			// A wildcard is covered only by the same wildcard.
			if !slices.Contains(cert.DNSNames, n) {
				return fmt.Errorf("it is not for %s", n)
			}
			continue
		}
		if err := cert.VerifyHostname(n); err != nil {
			return fmt.Errorf("it is not for %s", n)
		}
	}
	return nil
}

// Wanted is the names the gateway's certificate should carry: its address
// (external_hostname, else the load balancer's address) and the hostnames
// requirers are served at, within what the provider says it issues. The
// names left out are returned with why.
func Wanted(address string, hostnames []string, caps *certificates.Capabilities) (SANs, []string) {
	var keep, dropped []string
	seen := map[string]bool{}
	for _, n := range append([]string{address}, hostnames...) {
		n = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if why := refusedBy(caps, n); why != "" {
			dropped = append(dropped, n+": "+why)
			continue
		}
		if len(keep) == MaxSANs {
			dropped = append(dropped, fmt.Sprintf("%s: a certificate holds at most %d names", n, MaxSANs))
			continue
		}
		keep = append(keep, n)
	}
	return NewSANs(keep...), dropped
}

// refusedBy says why the provider would not issue for name ("" if it may).
// Only what the provider said counts: an unsaid capability is no refusal.
func refusedBy(caps *certificates.Capabilities, name string) string {
	if caps == nil {
		return ""
	}
	_, ipErr := netip.ParseAddr(name)
	isIP := ipErr == nil
	switch {
	case isIP && caps.SupportsIPSANs != nil && !*caps.SupportsIPSANs:
		return "the certificate provider does not issue for IP addresses"
	case strings.HasPrefix(name, "*.") && caps.SupportsWildcardDNS != nil && !*caps.SupportsWildcardDNS:
		return "the certificate provider does not issue wildcard names"
	case !isIP && len(caps.AllowedDomains) > 0 && !inDomains(name, caps.AllowedDomains):
		return "outside the certificate provider's allowed domains"
	}
	return ""
}

func inDomains(name string, domains []string) bool {
	bare := strings.TrimPrefix(name, "*.")
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(strings.TrimSpace(d), "."), "*."))
		if d != "" && (bare == d || strings.HasSuffix(bare, "."+d)) {
			return true
		}
	}
	return false
}
