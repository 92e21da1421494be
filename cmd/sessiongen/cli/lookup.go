package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// ErrNoMatch and ErrAmbiguous are what a prefix lookup reports besides store
// errors.
var (
	ErrNoMatch   = errors.New("no session has that hash prefix")
	ErrAmbiguous = errors.New("hash prefix is ambiguous")
)

// lookupPage is the page size of the prefix scan.
const lookupPage = 16

// findByPrefix returns the one session whose key starts with p, live or not.
//
// Cost: keys are uniformly random and Store.List pages in key order, so the
// scan starts right before the prefix's range and stops at the first key past
// it: one index range scan reading the matches plus one row, whatever the
// table's size (not a full scan).
func findByPrefix(ctx context.Context, store session.Store, p hashPrefix) (session.Record, error) {
	var matches []session.Record
	after := p.listAfter()
	for {
		page, err := store.List(ctx, after, lookupPage)
		if err != nil {
			return session.Record{}, err
		}
		for _, r := range page {
			if !p.matches(r.Key) {
				return oneMatch(matches)
			}
			matches = append(matches, r)
		}
		if len(page) < lookupPage {
			return oneMatch(matches)
		}
		after = page[len(page)-1].Key
	}
}

// ownerLookupLimit bounds the sessions of one owner a prefix is looked up
// among: far more than a capped owner has (session.Manager.MaxSessionsPerOwner).
const ownerLookupLimit = 10000

// findOwnedByPrefix returns the key of owner's live session whose key starts
// with p.
func findOwnedByPrefix(ctx context.Context, store session.Store, owner string, p hashPrefix) (session.Key, error) {
	recs, err := store.ListOwner(ctx, owner, time.Now(), ownerLookupLimit)
	if err != nil {
		return session.Key{}, err
	}
	if len(recs) == ownerLookupLimit {
		return session.Key{}, fmt.Errorf("user %q has more than %d live sessions: name the session by a prefix without -user", owner, ownerLookupLimit)
	}
	var matches []session.Record
	for _, r := range recs {
		if p.matches(r.Key) {
			matches = append(matches, r)
		}
	}
	rec, err := oneMatch(matches)
	if errors.Is(err, ErrNoMatch) {
		return session.Key{}, fmt.Errorf("%w among user %q's live sessions", ErrNoMatch, owner)
	}
	return rec.Key, err
}

// oneMatch returns the single match, or an error listing the candidates by
// prefixes long enough to tell them apart.
func oneMatch(matches []session.Record) (session.Record, error) {
	switch len(matches) {
	case 0:
		return session.Record{}, ErrNoMatch
	case 1:
		return matches[0], nil
	}
	keys := make([]session.Key, len(matches))
	for i, r := range matches {
		keys[i] = r.Key
	}
	return session.Record{}, fmt.Errorf("%w: %d sessions match: %s", ErrAmbiguous, len(keys), strings.Join(distinctPrefixes(keys), ", "))
}
