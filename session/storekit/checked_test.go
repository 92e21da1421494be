package storekit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// unreachable is a Statements whose every method panics (nil interfaces):
// the front must answer these calls itself.
type unreachable struct {
	session.Store
	session.Leaser
}

var front = storekit.Check(unreachable{})

// TestCheckedRefusesBadArguments: each malformed call fails with ErrInvalid
// (ErrTooLarge for an oversized payload) before reaching the statements, even
// with a done context.
func TestCheckedRefusesBadArguments(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now := time.Now()
	calls := map[string]func() error{
		"Create nil data": func() error { return front.Create(ctx, session.Record{}) },
		"Save oversized": func() error {
			_, err := front.Save(ctx, session.Record{Data: make([]byte, session.MaxDataSize+1)}, now)
			return err
		},
		"Rotate unknown kind": func() error {
			return front.Rotate(ctx, session.Key{1}, session.Key{2}, session.Rotation{Kind: 9, Until: now}, now)
		},
		"DeleteOwner empty owner": func() error { _, err := front.DeleteOwner(ctx, "", session.Key{}); return err },
		"DeleteOwned empty owner": func() error { return front.DeleteOwned(ctx, "", session.Key{1}, now) },
		"TrimOwner negative keep": func() error { _, err := front.TrimOwner(ctx, "alice", session.Key{}, -1, now); return err },
		"ListOwner zero limit":    func() error { _, err := front.ListOwner(ctx, "alice", now, 0); return err },
		"List zero limit":         func() error { _, err := front.List(ctx, session.Key{}, 0); return err },
		"DeleteExpired zero limit": func() error {
			_, _, err := front.DeleteExpired(ctx, time.Time{}, now, 0)
			return err
		},
		"AcquireLease empty name": func() error {
			_, err := front.AcquireLease(ctx, "", "me", time.Second, now)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, session.ErrInvalid) && !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("%s: %v, want ErrInvalid or ErrTooLarge", name, err)
		}
	}
}

// TestCheckedRefusesDoneContext: every method with well-formed arguments and
// a cancelled context fails with ErrUnavailable and context.Canceled, before
// reaching the statements.
func TestCheckedRefusesDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now := time.Now()
	rec := session.Record{Data: []byte{0x80}, IdleExpiresAt: now, AbsoluteExpiresAt: now}
	calls := map[string]func() error{
		"Create": func() error { return front.Create(ctx, rec) },
		"Load":   func() error { _, err := front.Load(ctx, session.Key{1}, now); return err },
		"Save":   func() error { _, err := front.Save(ctx, rec, now); return err },
		"Touch":  func() error { return front.Touch(ctx, session.Key{1}, now, now) },
		"Rotate": func() error {
			return front.Rotate(ctx, session.Key{1}, session.Key{2}, session.Rotation{Kind: session.RefreshRotation, Until: now}, now)
		},
		"Delete":        func() error { return front.Delete(ctx, session.Key{1}, now) },
		"DeleteOwner":   func() error { _, err := front.DeleteOwner(ctx, "alice", session.Key{}); return err },
		"DeleteOwned":   func() error { return front.DeleteOwned(ctx, "alice", session.Key{1}, now) },
		"TrimOwner":     func() error { _, err := front.TrimOwner(ctx, "alice", session.Key{}, 1, now); return err },
		"ListOwner":     func() error { _, err := front.ListOwner(ctx, "alice", now, 10); return err },
		"List":          func() error { _, err := front.List(ctx, session.Key{}, 10); return err },
		"Count":         func() error { _, err := front.Count(ctx, now); return err },
		"DeleteExpired": func() error { _, _, err := front.DeleteExpired(ctx, time.Time{}, now, 10); return err },
		"AcquireLease":  func() error { _, err := front.AcquireLease(ctx, "cleanup", "me", time.Second, now); return err },
		"ReleaseLease":  func() error { return front.ReleaseLease(ctx, "cleanup", "me") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want ErrUnavailable and context.Canceled", name, err)
		}
	}
}
