package session

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestKeyLocks: one holder per key, other keys unaffected, a waiter gives up
// with its context (canceled: not an outage; timed out: an outage), and entries do not outlive their users.
func TestKeyLocks(t *testing.T) {
	var l keyLocks
	a, b := Key{1}, Key{2}
	ka, err := l.lock(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := l.lock(t.Context(), b)
	if err != nil {
		t.Fatalf("another key blocked: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // the client is gone while a is held: the waiter gives up, and it is no outage
	if _, err := l.lock(ctx, a); !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("second holder of a, client gone: %v, want ErrCanceled, not ErrUnavailable", err)
	}
	ctx, cancel = context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel() // the deadline passed while a is held: that stays an outage signal
	if _, err := l.lock(ctx, a); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second holder of a, deadline passed: %v, want ErrUnavailable wrapping DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		kl, err := l.lock(t.Context(), a)
		if err == nil {
			l.unlock(a, kl)
		}
		got <- err
	}()
	l.unlock(a, ka)
	if err := <-got; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}
	l.unlock(b, kb)
	if len(l.m) != 0 {
		t.Fatalf("%d lock entries left", len(l.m))
	}
}

// TestKeyLocksRememberBounded: an entry that remembers a written record
// outlives its queue (so that a late request of a burst rebases onto it), but
// only the last keptIdle of them do, and a large record is not kept at all.
func TestKeyLocksRememberBounded(t *testing.T) {
	var l keyLocks
	write := func(key Key, size int) {
		kl, err := l.lock(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		kl.wrote(Record{Key: key, Version: 2, Data: make([]byte, size)})
		l.unlock(key, kl)
	}
	write(Key{1}, 10)
	kl, _ := l.lock(t.Context(), Key{1})
	if rec, ok := kl.newer(Key{1}, 1); !ok || rec.Version != 2 {
		t.Fatalf("the record written before the queue emptied is gone: %v %v", rec, ok)
	}
	if _, ok := kl.newer(Key{1}, 2); ok {
		t.Fatal("a record as old as the request's is offered as newer")
	}
	l.unlock(Key{1}, kl)
	for i := range 3 * keptIdle {
		write(Key{2, byte(i), byte(i >> 8)}, 10)
	}
	if len(l.m) != keptIdle {
		t.Fatalf("%d idle entries kept, want %d", len(l.m), keptIdle)
	}
	write(Key{3}, maxKeptData+1)
	if l.m[Key{3}] != nil {
		t.Fatal("an entry with a large record was kept")
	}
}
