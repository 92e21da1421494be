// Package storekit is for writing a session.Store. Applications do not need it:
// they pick a store and hand it to session.New.
//
// A store's exported type embeds Checked, the front that applies the
// contract's argument rules (the Check functions) and refuses a done context
// the same way for every store, and writes the contract's methods as
// statements. Each statement runs through Run (or Exec, for one without a
// result), which refuses a done context, calls it and maps the driver's
// errors to the contract's through the store's Classifier. Operations are
// named by the Op constants, the names the manager's metrics use, so that an
// error and a latency series name an operation alike. Loaded and CheckLoaded
// decide what Load returns; IfNone turns "no row matched" into the method's
// error; Invalid, Unavailable, StoredKey and StoredIdentity build the
// contract's errors for malformed arguments, outages and unreadable rows.
//
// A new store therefore writes only its statements and its error mapping; the
// conformance suite in session/storetest tells whether it keeps the contract.
// docs/RUNTIME.md ("Writing a store") shows one method end to end.
package storekit
