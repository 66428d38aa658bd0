// Package wire is the toolkit every relation package shares to read and write
// Juju databags: field errors that name the offending key, pydantic's lax
// integers, Python-compatible JSON encoding and the bag diff that turns what
// we hold into what we want; it imports only the standard library.
package wire
