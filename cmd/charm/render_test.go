package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tlscert"
	"github.com/canonical/istio-ingress-k8s-go/tlscert/tlscerttest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const examplesDir = "../../examples"

// renderCLI runs the CLI as a person would (no JUJU_DISPATCH_PATH).
func renderCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runWith(t.Context(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut, nil)
	return code, out.String(), errOut.String()
}

// renderCLIStdin renders a file given on standard input.
func renderCLIStdin(t *testing.T, file string) (code int, stdout, stderr string) {
	t.Helper()
	return renderCLI(t, file, "render", "-")
}

// TestRenderExamples renders every example the README points at: the
// manifests are the checked-in golden output and stderr ends with the status.
func TestRenderExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := renderCLI(t, "", "render", file)
			require.Equal(t, 0, code, stderr)
			golden, err := os.ReadFile(filepath.Join("../../snapshot/inputfile/testdata", name+".yaml"))
			require.NoError(t, err)
			assert.Equal(t, string(golden), stdout)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			assert.True(t, strings.HasPrefix(lines[len(lines)-1], "status: "), stderr)

			code, jsonOut, stderr := renderCLI(t, "", "render", "-o", "json", file)
			require.Equal(t, 0, code, stderr)
			var list struct {
				Kind  string           `json:"kind"`
				Items []map[string]any `json:"items"`
			}
			require.NoError(t, json.Unmarshal([]byte(jsonOut), &list))
			assert.Equal(t, "List", list.Kind)
			assert.Len(t, list.Items, strings.Count(stdout, "\n---\n")+1, "the same objects as the YAML stream")
		})
	}
}

func TestRenderSummary(t *testing.T) {
	t.Parallel()
	ingressRel := `{"endpoint":"ingress","id":1,"app":"web","app_data":{"model":"\"m\"","name":"\"web\"","port":"8080"}}`
	routeRel := `{"endpoint":"istio-ingress-route","id":2,"app":"api","app_data":{"config":"{\"model\":\"m\",\"listeners\":[{\"port\":8080,\"protocol\":\"HTTP\"}]}"}}`
	file := func(extra string) string {
		return `{"app":"gw","model":"m",` + extra + `"relations":[` + ingressRel + `,` + routeRel + `]}`
	}
	cases := []struct {
		name  string
		input string
		want  []string
	}{
		{"load balancer IP", file(`"address":"10.0.0.1",`), []string{
			"served   web (ingress:1): http://10.0.0.1/m-web\n",
			"served   api (istio-ingress-route:2): external_host 10.0.0.1\n",
			"status: ok\n",
		}},
		{"IPv6 load balancer address", file(`"address":"fd00::1",`), []string{
			"served   web (ingress:1): http://[fd00::1]/m-web\n",
			"served   api (istio-ingress-route:2): external_host fd00::1\n",
		}},
		{"TLS and a hostname", file(`"address":"10.0.0.1","tls":true,"config":{"external_hostname":"gw.example.com"},`), []string{
			"served   web (ingress:1): https://gw.example.com/m-web\n",
		}},
		{"no address yet", file(``), []string{
			"served   web (ingress:1): nothing published until the gateway has an address\n",
			"status: ok\n",
		}},
		{"invalid external_hostname", file(`"address":"10.0.0.1","config":{"external_hostname":"bad_host"},`), []string{
			"served   web (ingress:1): nothing published while external_hostname is invalid\n",
			`status: external_hostname "bad_host" is not a valid hostname (RFC 1123)` + "\n",
		}},
		{"relation on another endpoint", `{"app":"gw","model":"m","relations":[{"endpoint":"peers","id":3,"app":"gw"}]}`, []string{
			"ignored  gw (peers:3): endpoint peers does not affect these manifests\n",
			"status: ok\n",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := renderCLIStdin(t, tc.input)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, "kind: Gateway")
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"app":"a","model":"m","units":"3"}`), 0o600))
	good := filepath.Join(examplesDir, "tempo.json")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"render"}, "accepts 1 arg(s), received 0"},
		{"two files", []string{"render", good, good}, "accepts 1 arg(s), received 2"},
		{"missing file", []string{"render", filepath.Join(dir, "nope.json")}, "read input file: open " + filepath.Join(dir, "nope.json") + ": no such file or directory"},
		{"bad file names the file", []string{"render", bad}, bad + ": decode input file: line 1: units: want an integer, got string"},
		{"unknown output format", []string{"render", "-o", "xml", good}, `--output must be yaml or json, not "xml"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := renderCLI(t, "", tc.args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout, "nothing half-written to the manifests stream")
			assert.Equal(t, "Error: "+tc.want+"\n", stderr, "one line saying what is wrong")
		})
	}
}

func TestRenderStdinErrorsSayStandardInput(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := renderCLIStdin(t, `[]`)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "Error: standard input: decode input file: the file must hold a JSON object, not array\n", stderr)
}

// certFile is a render input serving a certificate for gw.example.com
// valid from notBefore to notAfter, with keyPEM given as its key.
func certFile(t *testing.T, notBefore, notAfter time.Time, keyPEM func(own *tlscert.Key) string) string {
	t.Helper()
	ca, err := tlscerttest.NewCA("render CA", notBefore, false)
	require.NoError(t, err)
	key, err := tlscert.GenerateKey(rand.Reader)
	require.NoError(t, err)
	csr, err := tlscert.NewCSR(rand.Reader, key, tlscert.NewSANs("gw.example.com"), "gw.example.com")
	require.NoError(t, err)
	leaf, err := ca.Sign(csr, notBefore, notAfter)
	require.NoError(t, err)
	cert, _ := json.Marshal(map[string]any{"certificate": leaf, "ca": ca.CAPEM(), "chain": ca.Chain(leaf), "key": keyPEM(key)})
	return `{"app":"gw","model":"m","address":"10.0.0.1","config":{"external_hostname":"gw.example.com"},"certificate":` + string(cert) +
		`,"relations":[{"endpoint":"ingress","id":1,"app":"web","app_data":{"model":"\"m\"","name":"\"web\"","port":"8080"}}]}`
}

func TestRenderCertificate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	own := func(k *tlscert.Key) string { return k.PEM() }

	code, stdout, stderr := renderCLIStdin(t, certFile(t, now.Add(-time.Hour), now.Add(24*time.Hour), own))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "type: kubernetes.io/tls")
	assert.Contains(t, stdout, "certificateRefs:\n      - name: gw-gateway-tls")
	assert.NotContains(t, stdout+stderr, "PRIVATE KEY", "render never prints the key")
	assert.Contains(t, stdout, tlscert.RedactedKey)
	assert.Contains(t, stderr, "certificate: serving certificate gw.example.com")
	assert.Contains(t, stderr, "served   web (ingress:1): https://gw.example.com/m-web")

	code, stdout, stderr = renderCLIStdin(t, certFile(t, now.Add(-48*time.Hour), now.Add(-time.Hour), own))
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "kind: Secret")
	assert.Contains(t, stderr, "it is not valid now")
	assert.Contains(t, stderr, "http://gw.example.com/m-web")

	other, err := tlscert.GenerateKey(rand.Reader)
	require.NoError(t, err)
	code, _, stderr = renderCLIStdin(t, certFile(t, now.Add(-time.Hour), now.Add(time.Hour), func(*tlscert.Key) string { return other.PEM() }))
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, "not for the private key given")
	assert.NotContains(t, stderr, "PRIVATE KEY")
}
