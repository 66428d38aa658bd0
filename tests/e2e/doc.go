// Package e2e drives the packed charm through its life in a simulated Juju
// model (tests/jujusim) against a real kube-apiserver (tests/kubeenv),
// related to simulated applications and to the packed requirer test charm;
// it may import any package of the charm and of tests.
package e2e
