package ingress

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pythonRequirerCases are databags exactly as the Python traefik ingress v2
// requirer writes them: every value through json.dumps (ASCII-only escapes,
// ", " and ": " separators), fields at their default left out
// (model_dump(by_alias=True, exclude_defaults=True)).
var pythonRequirerCases = []struct {
	name string
	bag  map[string]string
	data AppData
}{
	{
		name: "defaults only",
		bag:  map[string]string{"model": `"cos"`, "name": `"grafana"`, "port": `3000`},
		data: AppData{Request: Request{Model: "cos", Name: "grafana", Port: 3000, Scheme: "http"}},
	},
	{
		name: "this charm as an upstream-ingress requirer over TLS",
		bag:  map[string]string{"model": `"edge"`, "name": `"istio-ingress-k8s"`, "port": `443`, "strip-prefix": `true`, "scheme": `"https"`},
		data: AppData{Request: Request{Model: "edge", Name: "istio-ingress-k8s", Port: 443, StripPrefix: true, Scheme: "https"}},
	},
	{
		name: "every field, unusual characters, health check",
		bag: map[string]string{
			"model":              `"dev-\u00e9t\u00e9"`,
			"name":               `"web/0 \"x\" <&> \\ \ud83d\ude80"`,
			"port":               `8443`,
			"healthcheck_params": `{"path": "/healthz", "port": 9000, "interval": "10s"}`,
			"strip-prefix":       `true`,
			"redirect-https":     `true`,
			"scheme":             `"https"`,
		},
		data: AppData{
			Request: Request{
				Model: "dev-été", Name: `web/0 "x" <&> \ 🚀`, Port: 8443,
				StripPrefix: true, RedirectHTTPS: true, Scheme: "https",
			},
			HealthCheck: &HealthCheck{Path: "/healthz", Port: 9000, Interval: "10s"},
		},
	},
	{
		name: "h2c with a full health check",
		bag: map[string]string{
			"model": `"m"`, "name": `"grpc-app"`, "port": `50051`, "scheme": `"h2c"`,
			"healthcheck_params": `{"path": "/grpc.health.v1.Health/Check", "scheme": "h2c", "hostname": "grpc.local", "port": 50052, "interval": "5s", "timeout": "2s"}`,
		},
		data: AppData{
			Request:     Request{Model: "m", Name: "grpc-app", Port: 50051, Scheme: "h2c"},
			HealthCheck: &HealthCheck{Path: "/grpc.health.v1.Health/Check", Scheme: "h2c", Hostname: "grpc.local", Port: 50052, Interval: "5s", Timeout: "2s"},
		},
	},
}

func TestPythonRequirerBagsRoundTrip(t *testing.T) {
	for _, tt := range pythonRequirerCases {
		t.Run(tt.name, func(t *testing.T) {
			// Our provider parser reads what the Python requirer wrote.
			parsed, err := ParseRequirerAppData(tt.bag)
			require.NoError(t, err)
			assert.Equal(t, tt.data, *parsed)

			// Our requirer writer writes byte-for-byte what the Python one does.
			ours, err := tt.data.Bag()
			require.NoError(t, err)
			assert.Equal(t, tt.bag, ours)

			// And our provider parser reads our writer's bag back.
			req, err := ParseAppData(ours)
			require.NoError(t, err)
			assert.Equal(t, tt.data.Request, *req)
		})
	}
}

func TestUnusualNamesReachTheURL(t *testing.T) {
	req, err := ParseAppData(pythonRequirerCases[2].bag)
	require.NoError(t, err)
	assert.Equal(t, `https://10.1.2.3/dev-été-web-0 "x" <&> \ 🚀`, URL("https", "10.1.2.3", req.Model, req.Name))
}

func TestAppDataBagDefaultsAndRefusals(t *testing.T) {
	t.Run("empty scheme means http and is omitted", func(t *testing.T) {
		bag, err := AppData{Request: Request{Model: "m", Name: "a", Port: 80}}.Bag()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"model": `"m"`, "name": `"a"`, "port": "80"}, bag)
	})
	t.Run("health check defaults are omitted", func(t *testing.T) {
		bag, err := AppData{Request: Request{Model: "m", Name: "a", Port: 80}, HealthCheck: &HealthCheck{Path: "/", Interval: "30s", Timeout: "5s"}}.Bag()
		require.NoError(t, err)
		assert.Equal(t, `{"path": "/"}`, bag["healthcheck_params"])
	})
	tests := []struct {
		name    string
		data    AppData
		wantErr string
	}{
		{name: "no model", data: AppData{Request: Request{Name: "a", Port: 80}}, wantErr: "model: required"},
		{name: "no name", data: AppData{Request: Request{Model: "m", Port: 80}}, wantErr: "name: required"},
		{name: "no port", data: AppData{Request: Request{Model: "m", Name: "a"}}, wantErr: "port: must be between 1 and 65534"},
		{name: "65535 is refused by Python providers", data: AppData{Request: Request{Model: "m", Name: "a", Port: 65535}}, wantErr: "port: must be between 1 and 65534"},
		{name: "bad scheme", data: AppData{Request: Request{Model: "m", Name: "a", Port: 80, Scheme: "ws"}}, wantErr: "scheme: must be one of http, https, h2c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag, err := tt.data.Bag()
			require.EqualError(t, err, tt.wantErr)
			assert.Nil(t, bag)
		})
	}
}

func TestUnitDataBag(t *testing.T) {
	tests := []struct {
		name    string
		data    UnitData
		want    map[string]string // as the Python requirer writes it
		wantErr string
	}{
		{
			name: "host and IPv4",
			data: UnitData{Host: "istio-ingress-k8s-0.istio-ingress-k8s-endpoints.edge.svc.cluster.local", IP: netip.MustParseAddr("10.152.183.5")},
			want: map[string]string{"host": `"istio-ingress-k8s-0.istio-ingress-k8s-endpoints.edge.svc.cluster.local"`, "ip": `"10.152.183.5"`},
		},
		{name: "IPv6 in canonical form", data: UnitData{Host: "h", IP: netip.MustParseAddr("FD00:0:0::1")}, want: map[string]string{"host": `"h"`, "ip": `"fd00::1"`}},
		{name: "unknown ip is left out", data: UnitData{Host: "h"}, want: map[string]string{"host": `"h"`}},
		{name: "host required", data: UnitData{IP: netip.MustParseAddr("10.0.0.1")}, wantErr: "host: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag, err := tt.data.Bag()
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, bag)
			back, err := ParseUnitData(bag)
			require.NoError(t, err)
			assert.Equal(t, tt.data, *back)
		})
	}
}

func TestReadURL(t *testing.T) {
	tests := []struct {
		name    string
		bag     map[string]string
		want    string
		wantErr string
		kind    error
	}{
		{name: "as the Python provider writes it", bag: map[string]string{"ingress": `{"url": "http://10.1.2.3/mymodel-myapp"}`}, want: "http://10.1.2.3/mymodel-myapp"},
		{name: "compact JSON and extra members", bag: map[string]string{"ingress": `{"url":"https://foo.example.com/m-a","x":1}`}, want: "https://foo.example.com/m-a"},
		{name: "normalised like AnyHttpUrl", bag: map[string]string{"ingress": `{"url": "HTTPS://Foo.example.com:443"}`}, want: "https://foo.example.com/"},
		{name: "nothing published", bag: map[string]string{}, kind: ErrNoURL, wantErr: "no ingress URL published: required"},
		{name: "wiped", bag: map[string]string{"ingress": ""}, kind: ErrNoURL, wantErr: "no ingress URL published: required"},
		{name: "null", bag: map[string]string{"ingress": "null"}, kind: ErrNoURL, wantErr: "no ingress URL published: required"},
		{name: "not JSON", bag: map[string]string{"ingress": "http://x/"}, kind: ErrInvalid, wantErr: `ingress: not valid JSON: "http://x/"`},
		{name: "not an object", bag: map[string]string{"ingress": `"http://x/"`}, kind: ErrInvalid, wantErr: "ingress: must be a JSON object"},
		{name: "url not a string", bag: map[string]string{"ingress": `{"url": 1}`}, kind: ErrInvalid, wantErr: "ingress.url: must be a JSON string"},
		{name: "url not http", bag: map[string]string{"ingress": `{"url": "ftp://x/"}`}, kind: ErrBadURL, wantErr: `ingress.url: rejected: not a valid http(s) URL: "ftp://x/": scheme must be http or https`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadURL(tt.bag)
			if tt.kind != nil {
				require.ErrorIs(t, err, tt.kind)
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := ReadURL(nil)
	assert.ErrorIs(t, err, ErrMissing, "not published yet is a missing-data condition")
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		url, scheme, address string
	}{
		{"https://traefik.example.com/edge-istio-ingress-k8s", "https", "traefik.example.com/edge-istio-ingress-k8s"},
		{"http://10.0.0.5/", "http", "10.0.0.5"},
		{"http://10.0.0.5:8080/a/b/", "http", "10.0.0.5:8080/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			scheme, address, err := SplitURL(tt.url)
			require.NoError(t, err)
			assert.Equal(t, tt.scheme, scheme)
			assert.Equal(t, tt.address, address)
		})
	}
	_, _, err := SplitURL("10.0.0.5/x")
	assert.ErrorIs(t, err, ErrBadURL)
}
