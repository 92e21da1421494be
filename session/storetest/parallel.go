package storetest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/sessiongen/sessiongen/session"
)

var parallelTests = []subtest{
	{"SaveSameVersionOneWins", parallelSaveSameVersionOneWins},
	{"ReadModifyWriteLosesNothing", parallelReadModifyWriteLosesNothing},
	{"CreateSameKeyOneWins", parallelCreateSameKeyOneWins},
	{"RotateSameKeyOneWins", parallelRotateSameKeyOneWins},
}

// racers is how many goroutines race for one session: enough to overlap on two
// cores, few enough for a SQL store's connection pool.
const racers = 16

// wantOneWinner runs attempt in racers goroutines at once and fails unless
// exactly one returns nil and every other returns an error matching loss. It
// returns the winner's index.
func (f *fixture) wantOneWinner(attempt func(i int) error, loss error, what string) int {
	f.t.Helper()
	var wins, winner atomic.Int64
	concurrently(racers, func(i int) {
		switch err := attempt(i); {
		case err == nil:
			wins.Add(1)
			winner.Store(int64(i))
		case !errors.Is(err, loss):
			f.t.Errorf("%s: a loser got error %v, want one matching %q", what, err, loss)
		}
	})
	if n := wins.Load(); n != 1 {
		f.t.Fatalf("%s: %d of %d goroutines succeeded, want exactly one", what, n, racers)
	}
	return int(winner.Load())
}

func parallelSaveSameVersionOneWins(f *fixture) {
	loaded := f.newSession()
	attempt := func(i int) session.Record {
		rec := loaded
		rec.Data = []byte(fmt.Sprintf("writer %d", i))
		return rec
	}
	w := f.wantOneWinner(func(i int) error {
		_, err := f.store.Save(f.ctx, attempt(i), base)
		return err
	}, session.ErrConflict, "concurrent Saves of the same loaded version")
	want := attempt(w)
	want.Version++
	f.wantLoad(loaded.Key, base, want, "after concurrent Saves the session must hold the winner's data")
}

// parallelReadModifyWriteLosesNothing increments a counter kept in Data from
// several goroutines, each retrying on ErrConflict as the manager does: the
// version check must make every increment count exactly once.
func parallelReadModifyWriteLosesNothing(f *fixture) {
	const writers, increments = 8, 25
	rec := f.newRecord()
	rec.Data = binary.BigEndian.AppendUint64(nil, 0)
	f.mustCreate(rec)
	concurrently(writers, func(int) {
		for range increments {
			if err := f.increment(rec.Key); err != nil {
				f.t.Error(err)
				return
			}
		}
	})
	got := f.mustLoad(rec.Key, base, "Load after concurrent increments")
	if n := binary.BigEndian.Uint64(got.Data); n != writers*increments || got.Version != 1+writers*increments {
		f.t.Fatalf("after %d concurrent increments the counter is %d at version %d, want %d at version %d: the version check let a Save overwrite another",
			writers*increments, n, got.Version, writers*increments, 1+writers*increments)
	}
}

// increment adds one to the counter in the session's Data, retrying while
// other writers win; it gives up after a bound so a broken store cannot hang the suite.
func (f *fixture) increment(key session.Key) error {
	for range 10_000 {
		rec, err := f.store.Load(f.ctx, key, base)
		if err != nil {
			return fmt.Errorf("concurrent increments: Load: %w", err)
		}
		rec.Data = binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(rec.Data)+1)
		switch _, err := f.store.Save(f.ctx, rec, base); {
		case err == nil:
			return nil
		case !errors.Is(err, session.ErrConflict):
			return fmt.Errorf("concurrent increments: Save: %w, want nil or ErrConflict", err)
		}
	}
	return errors.New("an increment kept conflicting: Save never let a fresh version win")
}

func parallelCreateSameKeyOneWins(f *fixture) {
	key := randomKey(f.t)
	attempt := func(i int) session.Record {
		rec := f.newRecord()
		rec.Key, rec.Data = key, []byte(fmt.Sprintf("creator %d", i))
		return rec
	}
	recs := make([]session.Record, racers)
	for i := range recs {
		recs[i] = attempt(i)
	}
	w := f.wantOneWinner(func(i int) error {
		return f.store.Create(f.ctx, recs[i])
	}, session.ErrExists, "concurrent Creates of the same key")
	f.wantLoad(key, base, stored(recs[w]), "after concurrent Creates the session must be the winner's")
}

// parallelRotateSameKeyOneWins rotates one token from many requests at once: it
// may become current under only one new key.
func parallelRotateSameKeyOneWins(f *fixture) {
	orig := f.newSession()
	newKeys := make([]session.Key, racers)
	for i := range newKeys {
		newKeys[i] = randomKey(f.t)
	}
	w := f.wantOneWinner(func(i int) error {
		return f.store.Rotate(f.ctx, orig.Key, newKeys[i], privilege(at(grace)), base)
	}, session.ErrNotFound, "concurrent Rotates of the same key")
	f.wantRows([]session.Record{rotated(orig, newKeys[w], privilege(at(grace)))}, "after concurrent Rotates only the winner's key may hold the session")
}
