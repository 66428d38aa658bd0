package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsValidHostname(t *testing.T) {
	t.Parallel()
	cases := []struct {
		host string
		want bool
	}{
		{"example.com", true},
		{"subdomain.example.com", true},
		{"my-app.service.local", true},
		{"a1b2c3.example.co.uk", true},
		{"xn--d1acufc.xn--p1ai", true},
		{"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z", true},
		{"localhost", true},
		{"a.b", true},
		{"a--b.example.com", true},
		{"1234567890.com", true},
		{"xn--80ak6aa92e.com", true},
		{"1.2.3.example.com", true},
		{"-example.com", false},
		{"*-valid.example.org", false},
		{"example-.com", false},
		{"*.example.com", false},
		{"example..com", false},
		{".example.com", false},
		{"example.com.", false},
		{"exa$mple.com", false},
		{"example.com..", false},
		{"192.168.1.192", false},
		{"10.0.0.1", false},
		{"255.255.255.255", false},
		{"a.*.com", false},
		{"a.b-", false},
		// Beyond the reference's 26 cases.
		{"invalid_hostname!", false},
		{"", false},
		{"Example.com", false},
		{"::1", false},
		{"example.com\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, IsValidHostname(tc.host))
		})
	}
}
