package ingress

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name                        string
		scheme, address, model, app string
		want                        string
	}{
		{name: "load balancer IP", scheme: "http", address: "10.1.2.3", model: "mymodel", app: "myapp", want: "http://10.1.2.3/mymodel-myapp"},
		{name: "external hostname over TLS", scheme: "https", address: "foo.example.com", model: "cos", app: "grafana", want: "https://foo.example.com/cos-grafana"},
		{name: "upstream address with a path", scheme: "https", address: "traefik.example.com/edge-istio", model: "m", app: "a", want: "https://traefik.example.com/edge-istio/m-a"},
		{name: "trailing slash on address is dropped", scheme: "http", address: "10.1.2.3/", model: "m", app: "a", want: "http://10.1.2.3/m-a"},
		{name: "slash in name becomes dash", scheme: "http", address: "10.1.2.3", model: "m", app: "web/0", want: "http://10.1.2.3/m-web-0"},
		{name: "address with a port", scheme: "http", address: "10.1.2.3:8080", model: "m", app: "a", want: "http://10.1.2.3:8080/m-a"},
		{name: "IPv6 load balancer address is bracketed", scheme: "http", address: "fd00::1", model: "m", app: "a", want: "http://[fd00::1]/m-a"},
		{name: "IPv6 address with a path", scheme: "https", address: "fd00::1/edge", model: "m", app: "a", want: "https://[fd00::1]/edge/m-a"},
		{name: "bracketed IPv6 with a port is kept", scheme: "http", address: "[fd00::1]:8080", model: "m", app: "a", want: "http://[fd00::1]:8080/m-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := URL(tt.scheme, tt.address, tt.model, tt.app)
			assert.Equal(t, tt.want, got)
			_, err := ServedBag(got)
			assert.NoError(t, err, "the URL can be published")
		})
	}
}

func TestServedBag(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string // the "ingress" value
	}{
		// Exactly json.dumps({"url": url}) as the Python provider writes it.
		{name: "plain", url: "http://10.1.2.3/mymodel-myapp", want: `{"url": "http://10.1.2.3/mymodel-myapp"}`},
		{name: "https hostname", url: "https://foo.example.com/cos-grafana", want: `{"url": "https://foo.example.com/cos-grafana"}`},
		{name: "IPv6 literal", url: "http://[fd00::1]/m-a", want: `{"url": "http://[fd00::1]/m-a"}`},
		{name: "non-default port kept", url: "https://foo.example.com:8443/m-a", want: `{"url": "https://foo.example.com:8443/m-a"}`},
		// AnyHttpUrl normalisation, as pydantic serialises the URL.
		{name: "host and scheme lower-cased", url: "HTTP://Foo.Example.COM/m-a", want: `{"url": "http://foo.example.com/m-a"}`},
		{name: "default port dropped", url: "https://foo.example.com:443/m-a", want: `{"url": "https://foo.example.com/m-a"}`},
		{name: "empty path becomes /", url: "http://10.1.2.3", want: `{"url": "http://10.1.2.3/"}`},
		// Expected values below are what pydantic 2.13 serialises for the same input.
		{name: "default port and no path", url: "http://x:80", want: `{"url": "http://x/"}`},
		{name: "non-default port on https", url: "https://x:80/", want: `{"url": "https://x:80/"}`},
		{name: "port leading zero", url: "http://1.2.3.4:08080/a", want: `{"url": "http://1.2.3.4:8080/a"}`},
		{name: "path encode set", url: "http://x/{}|^[]`", want: "{\"url\": \"http://x/%7B%7D|^[]%60\"}"},
		{name: "sub-delimiters kept", url: "http://x/a'b(c)*!", want: `{"url": "http://x/a'b(c)*!"}`},
		{name: "tab dropped", url: "http://x/a\tb\n", want: `{"url": "http://x/ab"}`},
		{name: "space in path", url: "http://x/a b", want: `{"url": "http://x/a%20b"}`},
		{name: "backslash in path", url: `http://x/a\b`, want: `{"url": "http://x/a/b"}`},
		{name: "existing escapes kept", url: "http://x/%41%zz", want: `{"url": "http://x/%41%zz"}`},
		{name: "userinfo, query, fragment", url: "http://user@x/a?q#f", want: `{"url": "http://user@x/a?q#f"}`},
		{name: "query and fragment encode sets", url: "http://x/a?b c'd\"<>#e f`g\"", want: "{\"url\": \"http://x/a?b%20c%27d%22%3C%3E#e%20f%60g%22\"}"},
		{
			name: "unusual requirer names",
			url:  URL("http", "x", "dev-été", `web/0 "x" <&> 🚀`),
			want: `{"url": "http://x/dev-%C3%A9t%C3%A9-web-0%20%22x%22%20%3C&%3E%20%F0%9F%9A%80"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag, err := ServedBag(tt.url)
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"ingress": tt.want}, bag)

			// What we publish, a requirer reads back unchanged.
			got, err := ReadURL(bag)
			require.NoError(t, err)
			var v struct{ URL string }
			require.NoError(t, json.Unmarshal([]byte(tt.want), &v))
			assert.Equal(t, v.URL, got)
		})
	}
}

func TestServedBagRefusesBadURLWithAWipe(t *testing.T) {
	for _, url := range []string{
		"",
		"10.1.2.3/m-a",                          // no scheme: address given without one
		"ftp://10.1.2.3/m-a",                    // not http(s)
		"h2c://10.1.2.3/m-a",                    // a requirer scheme, not a URL scheme
		"http:///m-a",                           // no host
		"http://bad host/m-a",                   // space in host
		"http://x/" + strings.Repeat("a", 2100), // beyond AnyHttpUrl's 2083
	} {
		t.Run(url, func(t *testing.T) {
			bag, err := ServedBag(url)
			require.ErrorIs(t, err, ErrBadURL)
			assert.Equal(t, map[string]string{"ingress": ""}, bag, "an unpublishable URL must leave the bag empty")
		})
	}
}

func TestWipedBag(t *testing.T) {
	assert.Equal(t, map[string]string{"ingress": ""}, WipedBag())
}
