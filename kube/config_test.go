package kube

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]
users: [{name: u, user: {token: secret-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600))
	saDir := filepath.Join(dir, "sa")
	require.NoError(t, os.MkdirAll(saDir, 0o700))
	for _, f := range []string{"token", "ca.crt"} {
		require.NoError(t, os.WriteFile(filepath.Join(saDir, f), []byte("x"), 0o600))
	}

	tests := []struct {
		name      string
		env       map[string]string
		saDir     string
		wantHost  string
		wantToken string
		wantErr   string
	}{
		{name: "KUBECONFIG wins", env: map[string]string{"KUBECONFIG": kubeconfig, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"},
			saDir: saDir, wantHost: "https://10.0.0.1:6443", wantToken: "secret-token"},
		{name: "in cluster", env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"},
			saDir: saDir, wantHost: "https://10.96.0.1:443"},
		{name: "in cluster, IPv6", env: map[string]string{"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"},
			saDir: saDir, wantHost: "https://[fd00::1]:443"},
		{name: "in cluster without a service account", env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"},
			saDir: filepath.Join(dir, "none"), wantErr: "in-cluster service account"},
		{name: "nowhere", env: map[string]string{}, saDir: saDir, wantErr: ErrNoCluster.Error()},
		{name: "unreadable KUBECONFIG", env: map[string]string{"KUBECONFIG": filepath.Join(dir, "missing")}, saDir: saDir, wantErr: "load KUBECONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := configFromEnv(func(k string) string { return tt.env[k] }, tt.saDir)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantHost, cfg.Host)
			assert.Equal(t, tt.wantToken, cfg.BearerToken)
		})
	}
}
