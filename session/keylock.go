package session

import (
	"context"
	"sync"
)

// keyLocks serializes Update's read-modify-write cycles on one session within
// this process. Optimistic saves stay correct without it (the version check
// decides), but under many parallel requests of one visitor they keep
// invalidating each other's reloads; queueing them locally turns that into
// one reload each. Requests on other processes still race through the version
// check.
type keyLocks struct {
	mu sync.Mutex
	m  map[Key]*keyLock
}

// keyLock is one session's queue: a one-slot semaphore and how many requests
// hold or wait for it (the entry goes when that drops to zero).
type keyLock struct {
	sem  chan struct{}
	refs int
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
		return nil, unavailable("update: waiting for a concurrent update", ctx.Err())
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
		delete(l.m, key)
	}
	l.mu.Unlock()
}
