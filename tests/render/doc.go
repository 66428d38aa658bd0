// Package render checks that every object the planner renders, in every
// golden scenario and every example, is accepted by a real kube-apiserver
// enforcing the Gateway API and Istio CRD schemas and survives unpruned; it
// may import the charm's planner and input packages and tests/kubeenv.
package render
