package session

import (
	"context"
	"sync"
)

// keyLocks queues the commits (saves and Update cycles) of one session within
// this process. Optimistic saves stay correct without it (the version check
// decides), but parallel requests of one visitor would keep invalidating each
// other's reloads, and under enough of them some would run out of retries.
// Queued, they merge in turn: each one rebases onto what the one before it
// wrote, which the queue remembers, so it needs no extra store call either.
// Conflicts can then only come from other processes.
type keyLocks struct {
	mu sync.Mutex
	m  map[Key]*keyLock
	// recent holds the keys of the last few idle entries kept for what they
	// remember, oldest first at next: a request of a burst that reaches the
	// queue just after it emptied still finds the record before it.
	recent [keptIdle]Key
	next   int
}

// keptIdle is how many idle entries keyLocks keeps, and maxKeptData the
// largest record it keeps one for: a bound of a few MB in the worst case.
const (
	keptIdle    = 64
	maxKeptData = 16 << 10
)

// keyLock is one session's queue: a one-slot semaphore and how many requests
// hold or wait for it. When that drops to zero the entry goes, unless it
// remembers a record, which keeps it among the recent idle ones.
type keyLock struct {
	sem  chan struct{}
	refs int

	// Only the holder reads or writes the fields below.

	// last is the record the previous holder wrote (hasLast): the base the
	// next one rebases onto instead of saving at a version already gone.
	last    Record
	hasLast bool
	// heat counts recent version conflicts (other processes writing the
	// session), decaying with each successful save: it lengthens the
	// back-off while the session is contended across processes.
	heat int
}

// lock waits for key's lock, or until ctx is done.
func (l *keyLocks) lock(ctx context.Context, key Key) (*keyLock, error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[Key]*keyLock)
	}
	kl := l.m[key]
	if kl == nil {
		kl = &keyLock{sem: make(chan struct{}, 1)}
		l.m[key] = kl
	}
	kl.refs++
	l.mu.Unlock()
	select {
	case kl.sem <- struct{}{}:
		return kl, nil
	case <-ctx.Done():
		l.release(key, kl, false)
		return nil, canceled(ctx, unavailable("waiting for a concurrent commit", ctx.Err()))
	}
}

// unlock releases key's lock taken by lock.
func (l *keyLocks) unlock(key Key, kl *keyLock) { l.release(key, kl, true) }

func (l *keyLocks) release(key Key, kl *keyLock, held bool) {
	if held {
		<-kl.sem
	}
	l.mu.Lock()
	if kl.refs--; kl.refs == 0 {
		if kl.hasLast && len(kl.last.Data) <= maxKeptData {
			l.keepIdle(key)
		} else {
			delete(l.m, key)
		}
	}
	l.mu.Unlock()
}

// keepIdle keeps key's idle entry among the recent ones, dropping the oldest
// if it is still idle. l.mu is held.
func (l *keyLocks) keepIdle(key Key) {
	old := l.recent[l.next]
	l.recent[l.next] = key
	l.next = (l.next + 1) % keptIdle
	if kl := l.m[old]; kl != nil && kl.refs == 0 && old != key {
		delete(l.m, old)
	}
}

// newer returns the record the previous holder wrote when it is newer than
// version under key: the state a request that loaded version must rebase onto.
func (kl *keyLock) newer(key Key, version int64) (Record, bool) {
	if !kl.hasLast || kl.last.Key != key || kl.last.Version <= version {
		return Record{}, false
	}
	return kl.last, true
}

// wrote remembers rec, just written by the holder, for the next holder, and
// cools the session down.
func (kl *keyLock) wrote(rec Record) {
	kl.last, kl.hasLast = rec, true
	kl.heat /= 2
}

// conflicted records a version conflict with another process.
func (kl *keyLock) conflicted() {
	if kl.heat < maxHeat {
		kl.heat++
	}
}

// maxHeat bounds how far contention lengthens back-off (doublings of the
// first wait).
const maxHeat = 4
