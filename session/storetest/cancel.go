package storetest

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// storeCall is one Store method called with the given context on a store that
// holds rec, a live session of "alice", and a second session that idles out
// after a minute (so that DeleteExpired has a row to delete).
type storeCall func(f *fixture, ctx context.Context, rec session.Record) error

var cancelledContextTests = []subtest{
	cancelled("Create", func(f *fixture, ctx context.Context, _ session.Record) error {
		return f.store.Create(ctx, f.newRecord())
	}),
	cancelled("Load", func(f *fixture, ctx context.Context, rec session.Record) error {
		_, err := f.store.Load(ctx, rec.Key, base)
		return err
	}),
	cancelled("Save", func(f *fixture, ctx context.Context, rec session.Record) error {
		rec.Data = []byte("changed")
		_, err := f.store.Save(ctx, rec, base)
		return err
	}),
	cancelled("Touch", func(f *fixture, ctx context.Context, rec session.Record) error {
		return f.store.Touch(ctx, rec.Key, at(time.Hour), base)
	}),
	cancelled("Rotate", func(f *fixture, ctx context.Context, rec session.Record) error {
		return f.store.Rotate(ctx, rec.Key, randomKey(f.t), privilege(at(grace)), base)
	}),
	cancelled("Delete", func(f *fixture, ctx context.Context, rec session.Record) error {
		return f.store.Delete(ctx, rec.Key, base)
	}),
	cancelled("DeleteOwner", func(f *fixture, ctx context.Context, rec session.Record) error {
		_, err := f.store.DeleteOwner(ctx, rec.Owner, session.Key{})
		return err
	}),
	cancelled("DeleteOwned", func(f *fixture, ctx context.Context, rec session.Record) error {
		return f.store.DeleteOwned(ctx, rec.Owner, rec.Key, base)
	}),
	cancelled("TrimOwner", func(f *fixture, ctx context.Context, rec session.Record) error {
		_, err := f.store.TrimOwner(ctx, rec.Owner, session.Key{}, 0, base)
		return err
	}),
	cancelled("ListOwner", func(f *fixture, ctx context.Context, rec session.Record) error {
		_, err := f.store.ListOwner(ctx, rec.Owner, base, 10)
		return err
	}),
	cancelled("List", func(f *fixture, ctx context.Context, _ session.Record) error {
		_, err := f.store.List(ctx, session.Key{}, 10)
		return err
	}),
	cancelled("Count", func(f *fixture, ctx context.Context, _ session.Record) error {
		_, err := f.store.Count(ctx, base)
		return err
	}),
	cancelled("DeleteExpired", func(f *fixture, ctx context.Context, _ session.Record) error {
		_, _, err := f.store.DeleteExpired(ctx, time.Time{}, at(2*lifetime), 10)
		return err
	}),
}

// cancelled makes the subtest that calls a method with an already-cancelled
// context: it must fail with an error matching both session.ErrUnavailable
// (so that no caller takes it for "no session") and context.Canceled, and
// must change nothing.
func cancelled(method string, call storeCall) subtest {
	return subtest{method, func(f *fixture) {
		rec := f.newRecord()
		rec.Owner = "alice"
		rec = f.mustCreate(rec)
		f.newSessionExpiring(at(time.Minute), at(lifetime))
		before := f.rows()

		f.wantCancelled(call(f, cancelledContext(f), rec), method)
		f.wantRows(before, method+" with a cancelled context changed the store")
	}}
}

func cancelledContext(f *fixture) context.Context {
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	return ctx
}

// wantCancelled fails unless err is what a call with a cancelled context must return.
func (f *fixture) wantCancelled(err error, method string) {
	f.t.Helper()
	what := method + " with a cancelled context"
	f.wantErr(err, session.ErrUnavailable, what)
	f.wantErr(err, context.Canceled, what)
}
