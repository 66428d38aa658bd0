package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Expected values computed with the reference charm's label helper.
func TestLabels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		model, app, instance, telemetry string
	}{
		{"cos", "istio-ingress-k8s", "cos-istio-ingress-k8s", "charms.canonical.com/cos.istio-ingress-k8s.telemetry"},
		{"a-very-long-model-name-x", "istio-ingress-k8s", "a-very-long-model-name-x-istio-ingress-k8s",
			"charms.canonical.com/a-very-long-mo.istio-ingr.34e960.telemetry"},
		{"a-very-long-model-name-that-goes-on-and-on-and-on", "istio-ingress-k8s-with-a-rather-long-application-name",
			"a-very-long-model-name-tha-istio-ingress-k8s-with-a-rath-9957c2",
			"charms.canonical.com/a-very-long.istio-ingress.de3baf.telemetry"},
		{strings.Repeat("m", 80), "a", strings.Repeat("m", 54) + "-a-ca648d",
			"charms.canonical.com/" + strings.Repeat("m", 23) + ".a.30103e.telemetry"},
	}
	for _, tc := range cases {
		t.Run(tc.instance, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.instance, InstanceLabel(tc.model, tc.app))
			assert.Equal(t, tc.telemetry, TelemetryLabelKey(tc.model, tc.app))
			assert.LessOrEqual(t, len(InstanceLabel(tc.model, tc.app)), 63)
			assert.LessOrEqual(t, len(TelemetryLabelKey(tc.model, tc.app)), 63)
		})
	}
}

// sha is the 16-hex-digit sha256 prefix a sanitised name carries.
func sha(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])[:16]
}

func TestObjectName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		parts []string
		want  string
	}{
		{"valid names are kept as the reference charm renders them", []string{"tempo", "otlp", "grpcroute", "http-4317", "istio-ingress-k8s"},
			"tempo-otlp-grpcroute-http-4317-istio-ingress-k8s"},
		{"uppercase and underscores are sanitised with a hash", []string{"app", "My_Route"}, "app-my-route-" + sha("app-My_Route")},
		{"a sanitised twin of a valid name stays distinct", []string{"app", "my-route"}, "app-my-route"},
		{"nothing valid left", []string{"_", "_"}, "x-" + sha("_-_")},
		{"longer than 63 is kept: routes and policies take 253 characters", []string{strings.Repeat("a", 70), "httproute", "http-80", "gw"},
			strings.Repeat("a", 70) + "-httproute-http-80-gw"},
		{"dots are kept as the Python charm writes them", []string{"app", "v1.api"}, "app-v1.api"},
		{"too long is cut and hashed", []string{strings.Repeat("a", 300)}, strings.Repeat("a", 236) + "-" + sha(strings.Repeat("a", 300))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := objectName(tc.parts...)
			assert.Equal(t, tc.want, got)
			assert.True(t, isObjectName(got), "%q is not a DNS-1123 subdomain", got)
		})
	}
}

func TestHostnamesOverlap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b []string
		want bool
		host string
	}{
		{"both any", nil, nil, true, "*"},
		{"any and one", nil, []string{"a.example.com"}, true, "a.example.com"},
		{"same", []string{"a.example.com"}, []string{"x.org", "a.example.com"}, true, "a.example.com"},
		{"disjoint", []string{"a.example.com"}, []string{"b.example.com"}, false, ""},
		{"wildcard covers", []string{"*.example.com"}, []string{"a.b.example.com"}, true, "a.b.example.com"},
		{"wildcard excludes apex", []string{"*.example.com"}, []string{"example.com"}, false, ""},
		{"nested wildcards", []string{"*.b.example.com"}, []string{"*.example.com"}, true, "*.b.example.com"},
		{"wildcard suffix is label aligned", []string{"*.example.com"}, []string{"badexample.com"}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host, ok := hostnamesOverlap(tc.a, tc.b)
			assert.Equal(t, tc.want, ok)
			assert.Equal(t, tc.host, host)
		})
	}
}
