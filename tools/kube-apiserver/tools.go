//go:build tools

// Package tools pins kube-apiserver so the test environment can build a real API server
// from the published Kubernetes modules, without touching the charm's own go.mod.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
