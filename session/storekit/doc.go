// Package storekit is for writing a session.Store. Applications do not need it:
// they pick a store and hand it to session.New.
//
// A store method checks its arguments with the Check functions, then runs its
// statement through Run (or Exec, for a statement without a result), which
// refuses a context that is already done, calls the statement and maps the
// driver's errors to the contract's through the store's Classifier. Operations
// are named by the Op constants, the names the manager's metrics use, so that
// an error and a latency series name an operation alike. Load decides what it
// returns with CheckLoaded. Invalid, Unavailable and StoredKey build the
// contract's errors for malformed arguments, outages and unreadable rows.
//
// A new store therefore writes only its statements and its error mapping; the
// conformance suite in session/storetest tells whether it keeps the contract.
package storekit
