package storekit

import (
	"bytes"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// For stores that order an owner's sessions themselves (no SQL ORDER BY):
// the orders that Store.ListOwner and Store.TrimOwner define, in one place.

// NewestFirst orders records as ListOwner returns them: CreatedAt, newest
// first, then key order.
func NewestFirst(a, b session.Record) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return bytes.Compare(a.Key[:], b.Key[:])
}

// MostRecentlyUsedFirst orders records as TrimOwner ranks them: the latest
// idle expiry first, then CreatedAt, newest first, then key order.
func MostRecentlyUsedFirst(a, b session.Record) int {
	if c := b.IdleExpiresAt.Compare(a.IdleExpiresAt); c != 0 {
		return c
	}
	return NewestFirst(a, b)
}

// Trimmed returns the keys that TrimOwner(owner, except, keep, now) removes
// from recs, all the sessions of owner: the expired ones, and the live ones
// other than except beyond the keep most recently used. recs may be in any
// order; it is sorted in place.
func Trimmed(recs []session.Record, except session.Key, keep int, now time.Time) []session.Key {
	slices.SortFunc(recs, MostRecentlyUsedFirst)
	var out []session.Key
	kept := 0
	for i := range recs {
		r := &recs[i]
		switch {
		case r.Key == except:
		case r.Live(now) && kept < keep:
			kept++
		default:
			out = append(out, r.Key)
		}
	}
	return out
}

// Page returns the first limit records of recs in ListOwner's order, without
// their data: the result of ListOwner for a store that gathered all of an
// owner's live sessions. recs is sorted in place.
func Page(recs []session.Record, limit int) []session.Record {
	slices.SortFunc(recs, NewestFirst)
	recs = recs[:min(len(recs), limit)]
	for i := range recs {
		recs[i].Data = nil
	}
	return recs
}
