// Package resource is the vocabulary the planner and the apply layer share:
// the Kubernetes kinds the charm manages, the scopes and labels that garbage
// collection works by, and object ids; it imports only Kubernetes'
// apimachinery.
package resource
