// Package lostupdate runs the same two concurrency tests against scs and
// sessiongen, each on a memory store and on PostgreSQL, through HTTP:
//
//   - concurrent increments: 16 clients holding the same session cookie send
//     100 counter increments each, all at once;
//   - disjoint fields: in each round, 4 requests on the same session set 4
//     different fields at the same moment.
//
// It counts the updates that were acknowledged (200) and yet are missing
// afterwards. The tests fail if sessiongen loses any; scs's losses are only
// reported (they are the expected behaviour of a last-writer-wins store).
// TestMain prints a markdown table of all counts and writes it to
// $LOSTUPDATE_REPORT when that is set.
package lostupdate
