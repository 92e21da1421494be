// Package session is the runtime of sessiongen: typed, persistent web sessions.
//
// A session is a Go struct declared by the application. The sessiongen generator
// emits its msgpack codec, merge logic and typed accessors; this package loads and
// saves it through a Store, keeps concurrent requests from losing each other's
// writes, rotates tokens and manages the cookie.
//
// An application uses New, the Manager and its Session, CookieConfig, Device,
// Key (to name a session in a log or a device list), the errors, Metrics and
// the Event names. The other names are contracts it passes along without
// calling them:
//   - Store, Leaser, Record, Rotation, RotationKind and Counts are what a
//     store implements. Stores live in packages of their own (memstore,
//     sqlitestore, pgstore, mysqlstore, dirstore, and redisstore in a module
//     of its own) and all pass the one conformance suite in session/storetest.
//     Writing a store? Start from session/storekit, its toolkit.
//   - Codec, FieldSet and MaxFields are what the sessiongen generator emits
//     and checks for a session struct.
package session
