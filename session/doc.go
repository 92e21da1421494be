// Package session is the runtime of sessiongen: typed, persistent web sessions.
//
// A session is a Go struct declared by the application. The sessiongen generator
// emits its msgpack codec, merge logic and typed accessors; this package loads and
// saves it through a Store, keeps concurrent requests from losing each other's
// writes, rotates tokens and manages the cookie.
//
// Stores live in packages of their own (memstore, pgstore, sqlitestore) and all
// pass the one conformance suite in session/storetest. Writing a store? Start
// from session/storekit, its toolkit.
package session
