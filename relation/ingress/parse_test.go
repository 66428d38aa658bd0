package ingress

import (
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minimal is the smallest bag the Python requirer writes: model, name, port.
func minimal(extra map[string]string) map[string]string {
	bag := map[string]string{"model": `"mymodel"`, "name": `"myapp"`, "port": `8080`}
	for k, v := range extra {
		if v == "<delete>" {
			delete(bag, k)
			continue
		}
		bag[k] = v
	}
	return bag
}

func TestParseRequirerAppDataAccepts(t *testing.T) {
	base := Request{Model: "mymodel", Name: "myapp", Port: 8080, Scheme: "http"}
	tests := []struct {
		name  string
		bag   map[string]string
		want  Request
		check *HealthCheck
	}{
		{name: "minimal bag defaults to http, no prefix stripping", bag: minimal(nil), want: base},
		{
			name: "every field set",
			bag: minimal(map[string]string{
				"strip-prefix": "true", "redirect-https": "true", "scheme": `"https"`,
			}),
			want: Request{Model: "mymodel", Name: "myapp", Port: 8080, StripPrefix: true, RedirectHTTPS: true, Scheme: "https"},
		},
		{name: "h2c scheme", bag: minimal(map[string]string{"scheme": `"h2c"`}), want: Request{Model: "mymodel", Name: "myapp", Port: 8080, Scheme: "h2c"}},
		{
			name: "unknown keys and Juju's own keys are ignored",
			bag:  minimal(map[string]string{"ingress-address": "10.0.0.1", "future-field": "not json at all"}),
			want: base,
		},
		{name: "null booleans mean false", bag: minimal(map[string]string{"strip-prefix": "null", "redirect-https": "null"}), want: base},
		{name: "empty value is a deleted key", bag: minimal(map[string]string{"strip-prefix": "", "scheme": ""}), want: base},
		{name: "lax boolean 1", bag: minimal(map[string]string{"strip-prefix": "1"}), want: Request{Model: "mymodel", Name: "myapp", Port: 8080, StripPrefix: true, Scheme: "http"}},
		{name: "lax boolean string", bag: minimal(map[string]string{"strip-prefix": `"Yes"`}), want: Request{Model: "mymodel", Name: "myapp", Port: 8080, StripPrefix: true, Scheme: "http"}},
		{name: "explicit false", bag: minimal(map[string]string{"strip-prefix": "false", "redirect-https": `"off"`}), want: base},
		{name: "lowest port", bag: minimal(map[string]string{"port": "1"}), want: Request{Model: "mymodel", Name: "myapp", Port: 1, Scheme: "http"}},
		{name: "highest TCP port", bag: minimal(map[string]string{"port": "65535"}), want: Request{Model: "mymodel", Name: "myapp", Port: 65535, Scheme: "http"}},
		{name: "whitespace around JSON", bag: minimal(map[string]string{"port": " 8080\n", "model": ` "mymodel" `}), want: base},
		{
			name:  "health check with defaults",
			bag:   minimal(map[string]string{"healthcheck_params": `{"path": "/health"}`}),
			want:  base,
			check: &HealthCheck{Path: "/health"},
		},
		{
			name:  "health check with every member and an unknown one",
			bag:   minimal(map[string]string{"healthcheck_params": `{"path": "/h", "scheme": "https", "hostname": "x.local", "port": 9000, "interval": "10s", "timeout": "1s", "extra": [1]}`}),
			want:  base,
			check: &HealthCheck{Path: "/h", Scheme: "https", Hostname: "x.local", Port: 9000, Interval: "10s", Timeout: "1s"},
		},
		{
			name:  "health check nullable members",
			bag:   minimal(map[string]string{"healthcheck_params": `{"path": "/h", "scheme": null, "hostname": null, "port": null}`}),
			want:  base,
			check: &HealthCheck{Path: "/h"},
		},
		{
			name:  "health check port in the forms pydantic coerces",
			bag:   minimal(map[string]string{"healthcheck_params": `{"path": "/h", "port": " 9000 "}`}),
			want:  base,
			check: &HealthCheck{Path: "/h", Port: 9000},
		},
		{
			name:  "health check port as an integral float",
			bag:   minimal(map[string]string{"healthcheck_params": `{"path": "/h", "port": 9e3}`}),
			want:  base,
			check: &HealthCheck{Path: "/h", Port: 9000},
		},
		{name: "null health check", bag: minimal(map[string]string{"healthcheck_params": "null"}), want: base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequirerAppData(tt.bag)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Request)
			assert.Equal(t, tt.check, got.HealthCheck)

			req, err := ParseAppData(tt.bag)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *req)
		})
	}
}

func TestParseAppDataRejects(t *testing.T) {
	tests := []struct {
		name    string
		bag     map[string]string
		wantErr string
		kind    error
	}{
		{name: "empty bag: requirer has not published", bag: map[string]string{}, wantErr: "model: required", kind: ErrMissing},
		{name: "nil bag", bag: nil, wantErr: "model: required", kind: ErrMissing},
		{name: "no name", bag: minimal(map[string]string{"name": "<delete>"}), wantErr: "name: required", kind: ErrMissing},
		{name: "no port", bag: minimal(map[string]string{"port": "<delete>"}), wantErr: "port: required", kind: ErrMissing},
		{name: "model not JSON (raw string)", bag: minimal(map[string]string{"model": "mymodel"}), wantErr: `model: not valid JSON: "mymodel"`, kind: ErrInvalid},
		{name: "model is a number", bag: minimal(map[string]string{"model": "42"}), wantErr: "model: must be a JSON string", kind: ErrInvalid},
		{name: "model is null", bag: minimal(map[string]string{"model": "null"}), wantErr: "model: must be a JSON string", kind: ErrInvalid},
		{name: "empty name", bag: minimal(map[string]string{"name": `""`}), wantErr: "name: must not be empty", kind: ErrInvalid},
		{name: "port zero", bag: minimal(map[string]string{"port": "0"}), wantErr: "port: must be between 1 and 65535", kind: ErrInvalid},
		{name: "port negative", bag: minimal(map[string]string{"port": "-80"}), wantErr: "port: must be between 1 and 65535", kind: ErrInvalid},
		{name: "port too high", bag: minimal(map[string]string{"port": "65536"}), wantErr: "port: must be between 1 and 65535", kind: ErrInvalid},
		{name: "port beyond int64", bag: minimal(map[string]string{"port": "99999999999999999999999"}), wantErr: "port: must be between 1 and 65535", kind: ErrInvalid},
		{name: "port as float", bag: minimal(map[string]string{"port": "8080.0"}), wantErr: "port: must be a JSON integer", kind: ErrInvalid},
		{name: "port with exponent", bag: minimal(map[string]string{"port": "8e3"}), wantErr: "port: must be a JSON integer", kind: ErrInvalid},
		{name: "port as string", bag: minimal(map[string]string{"port": `"8080"`}), wantErr: "port: must be a JSON integer", kind: ErrInvalid},
		{name: "port as bool", bag: minimal(map[string]string{"port": "true"}), wantErr: "port: must be a JSON integer", kind: ErrInvalid},
		{name: "trailing garbage", bag: minimal(map[string]string{"port": "8080 8081"}), wantErr: `port: not valid JSON: "8080 8081"`, kind: ErrInvalid},
		{name: "unknown scheme", bag: minimal(map[string]string{"scheme": `"ftp"`}), wantErr: "scheme: must be one of http, https, h2c", kind: ErrInvalid},
		{name: "upper-case scheme", bag: minimal(map[string]string{"scheme": `"HTTPS"`}), wantErr: "scheme: must be one of http, https, h2c", kind: ErrInvalid},
		{name: "null scheme", bag: minimal(map[string]string{"scheme": "null"}), wantErr: "scheme: must be one of http, https, h2c", kind: ErrInvalid},
		{name: "bad strip-prefix", bag: minimal(map[string]string{"strip-prefix": `"maybe"`}), wantErr: "strip-prefix: must be a JSON boolean", kind: ErrInvalid},
		{name: "strip-prefix 2", bag: minimal(map[string]string{"strip-prefix": "2"}), wantErr: "strip-prefix: must be a JSON boolean", kind: ErrInvalid},
		{name: "bad redirect-https", bag: minimal(map[string]string{"redirect-https": "[]"}), wantErr: "redirect-https: must be a JSON boolean", kind: ErrInvalid},
		{name: "health check not an object", bag: minimal(map[string]string{"healthcheck_params": `"/health"`}), wantErr: "healthcheck_params: must be a JSON object", kind: ErrInvalid},
		{name: "health check without path", bag: minimal(map[string]string{"healthcheck_params": `{"interval": "10s"}`}), wantErr: "healthcheck_params.path: required", kind: ErrMissing},
		{name: "health check path not a string", bag: minimal(map[string]string{"healthcheck_params": `{"path": 1}`}), wantErr: "healthcheck_params.path: must be a JSON string", kind: ErrInvalid},
		{name: "health check null interval", bag: minimal(map[string]string{"healthcheck_params": `{"path": "/", "interval": null}`}), wantErr: "healthcheck_params.interval: must be a JSON string", kind: ErrInvalid},
		{name: "health check port as float", bag: minimal(map[string]string{"healthcheck_params": `{"path": "/", "port": 1.5}`}), wantErr: "healthcheck_params.port: must be an integer", kind: ErrInvalid},
		{name: "health check port as a word", bag: minimal(map[string]string{"healthcheck_params": `{"path": "/", "port": "http"}`}), wantErr: "healthcheck_params.port: must be an integer", kind: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAppData(tt.bag)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.Equal(t, tt.wantErr, err.Error())
			assert.ErrorIs(t, err, tt.kind)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
		})
	}
}

func TestParseUnitData(t *testing.T) {
	tests := []struct {
		name    string
		bag     map[string]string
		want    *UnitData
		wantErr string
	}{
		{
			name: "host and IPv4, with Juju's own keys",
			bag:  map[string]string{"host": `"myapp-0.myapp-endpoints.mymodel.svc.cluster.local"`, "ip": `"10.1.42.7"`, "ingress-address": "10.1.42.7", "egress-subnets": "10.1.42.7/32"},
			want: &UnitData{Host: "myapp-0.myapp-endpoints.mymodel.svc.cluster.local", IP: netip.MustParseAddr("10.1.42.7")},
		},
		{name: "IPv6", bag: map[string]string{"host": `"h"`, "ip": `"fd00::1"`}, want: &UnitData{Host: "h", IP: netip.MustParseAddr("fd00::1")}},
		{name: "null ip", bag: map[string]string{"host": `"h"`, "ip": "null"}, want: &UnitData{Host: "h"}},
		{name: "no ip (older library)", bag: map[string]string{"host": `"h"`}, want: &UnitData{Host: "h"}},
		{name: "no host", bag: map[string]string{"ip": `"10.0.0.1"`}, wantErr: "host: required"},
		{name: "host not JSON", bag: map[string]string{"host": "h.local"}, wantErr: `host: not valid JSON: "h.local"`},
		{name: "host a number", bag: map[string]string{"host": "1"}, wantErr: "host: must be a JSON string"},
		{name: "ip a number", bag: map[string]string{"host": `"h"`, "ip": "1"}, wantErr: "ip: must be a JSON string or null"},
		{name: "ip a hostname", bag: map[string]string{"host": `"h"`, "ip": `"lb.example.com"`}, wantErr: `ip: "lb.example.com" is not a valid IP address`},
		{name: "ip with leading zeros", bag: map[string]string{"host": `"h"`, "ip": `"010.1.1.1"`}, wantErr: `ip: "010.1.1.1" is not a valid IP address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUnitData(tt.bag)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// A bag padded with megabytes of ignored JSON is refused for its size
// without being parsed.
func TestParseAppDataRefusesAHugeBagUnparsed(t *testing.T) {
	bag := map[string]string{KeyModel: `"m"`, KeyName: `"app"`, KeyPort: "8080", "padding": `[` + strings.Repeat(`{"a":[1,2,3]},`, 600000) + `0]`}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ParseAppData(bag)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "at most 65536")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}
