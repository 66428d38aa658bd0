// Package bench measures the packed charm's hooks end to end, its real
// dispatch in a simulated Juju model (tests/jujusim) against a real
// kube-apiserver (tests/kubeenv); it may import any package of the charm
// and of tests. Run it with `make bench`.
package bench
