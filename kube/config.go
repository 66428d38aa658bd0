package kube

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// serviceAccountDir is where Kubernetes mounts a pod's API credentials.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// ErrNoCluster means neither KUBECONFIG nor an in-cluster service account is available.
var ErrNoCluster = errors.New("no Kubernetes API configured: KUBECONFIG is unset and this is not a pod (KUBERNETES_SERVICE_HOST unset)")

// ConfigFromEnv returns the client config the charm uses: the kubeconfig
// file(s) named by KUBECONFIG when set, else the pod's service account.
func ConfigFromEnv(getenv func(string) string) (*rest.Config, error) {
	return configFromEnv(getenv, serviceAccountDir)
}

func configFromEnv(getenv func(string) string, saDir string) (*rest.Config, error) {
	if paths := getenv("KUBECONFIG"); paths != "" {
		rules := &clientcmd.ClientConfigLoadingRules{Precedence: filepath.SplitList(paths)}
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("load KUBECONFIG %s: %w", paths, err)
		}
		return cfg, nil
	}
	host, port := getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, ErrNoCluster
	}
	tokenFile := filepath.Join(saDir, "token")
	caFile := filepath.Join(saDir, "ca.crt")
	// Same shape as rest.InClusterConfig, but from getenv so it can be tested;
	// BearerTokenFile makes client-go re-read the rotated token.
	for _, f := range []string{tokenFile, caFile} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("in-cluster service account: %w", err)
		}
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		TLSClientConfig: rest.TLSClientConfig{CAFile: caFile},
		BearerTokenFile: tokenFile,
	}, nil
}
