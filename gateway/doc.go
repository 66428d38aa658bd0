// Package gateway is the charm's pure planner, turning every relation's
// request, the config and the TLS state into a Plan (the Kubernetes
// objects to apply and each relation's result); it may import resource,
// juju (for relation ids), the relation packages (for their requests) and
// the Kubernetes and Gateway API types, and does no I/O.
//
// Build settles conflicts by age: the older relation keeps what it asked
// for, and a newer one whose routes would take any of its traffic is
// refused as a whole. Names follow the Python charm's where Kubernetes
// allows them (names.go), the Gateway API objects are rendered with the
// typed structs of sigs.k8s.io/gateway-api (render.go) and each relation
// interface feeds the planner through its own file (from_ingress.go,
// from_route.go). Given the same Input, Build returns the same Plan, which
// is what `charm render` prints and what most tests check.
package gateway
