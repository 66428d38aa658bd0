// Package juju is the charm's client for Juju hook tools and the hook
// environment, and imports only the standard library.
//
// ContextFromEnv turns the JUJU_* variables of one hook into a Context.
// Client has one method per hook tool, building exactly the argv Juju accepts
// (the same argv the Python ops framework builds), asking for --format=json
// wherever the tool supports it, and passing data through stdin or 0600 files
// rather than argv so that relation data and secret content never show up in
// process listings or error messages.
//
// Failures come back as a *ToolError (tool, argv, exit code, stderr). When
// stderr says why, the error also matches one of ErrRelationNotFound,
// ErrSecretNotFound or ErrNotLeader with errors.Is, while errors.As still
// reaches the *ToolError.
//
// # Leadership by construction
//
// Writing application-level data (the app databag, application status,
// application-owned secrets, leader settings) is only legal on the leader
// unit. Those operations are not methods of Client: they live on *Leader,
// and the only way to get a usable *Leader is Client.Leader, which asks
// is-leader and returns ErrNotLeader on any other unit. Code holding only a
// *Client therefore cannot write application data, and the type signature of
// a function tells whether it may.
//
// Every dependency is injected: a Runner executes the tools (ExecRunner in
// production, a fake in tests), so the package keeps no mutable state.
package juju
