package storekit

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// Statements is what a store writes when it uses Checked: the session.Store
// and session.Leaser methods, which Checked calls only with arguments that
// keep the contract's rules and a context that was not done when the call
// began. They still classify their own errors (see Run).
type Statements interface {
	session.Store
	session.Leaser
}

// Checked is the front of a store: a session.Store and session.Leaser that
// applies the contract's argument rules (the Check functions) and refuses a
// done context, the same way for every store, then calls the store's
// Statements. A store embeds it, so that its exported type has the contract's
// methods and its own code has only statements:
//
//	type Store struct{ storekit.Checked }
//
//	func New(db *DB) *Store { return &Store{storekit.Check(&statements{db: db})} }
//
// Arguments are checked before the context, so that a malformed call fails
// as malformed whatever the state of its context.
type Checked struct {
	st Statements
}

// Check returns the front of st.
func Check(st Statements) Checked { return Checked{st: st} }

var (
	_ session.Store  = Checked{}
	_ session.Leaser = Checked{}
)

// Create implements session.Store.
func (c Checked) Create(ctx context.Context, rec session.Record) error {
	if err := CheckRecord(OpCreate, &rec); err != nil {
		return err
	}
	if err := CheckContext(ctx, OpCreate); err != nil {
		return err
	}
	return c.st.Create(ctx, rec)
}

// Load implements session.Store. Its results are named so that the large
// Record is copied once on its way out, not twice: this is the hot call.
func (c Checked) Load(ctx context.Context, key session.Key, now time.Time) (rec session.Record, err error) {
	if err = CheckContext(ctx, OpLoad); err != nil {
		return rec, err
	}
	rec, err = c.st.Load(ctx, key, now)
	return
}

// Save implements session.Store.
func (c Checked) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	if err := CheckData(OpSave, rec.Data); err != nil {
		return 0, err
	}
	if err := CheckContext(ctx, OpSave); err != nil {
		return 0, err
	}
	return c.st.Save(ctx, rec, now)
}

// Touch implements session.Store.
func (c Checked) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	if err := CheckContext(ctx, OpTouch); err != nil {
		return err
	}
	return c.st.Touch(ctx, key, idleExpiresAt, now)
}

// Rotate implements session.Store.
func (c Checked) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	if err := CheckRotation(OpRotate, &r); err != nil {
		return err
	}
	if err := CheckContext(ctx, OpRotate); err != nil {
		return err
	}
	return c.st.Rotate(ctx, oldKey, newKey, r, now)
}

// Delete implements session.Store.
func (c Checked) Delete(ctx context.Context, key session.Key, now time.Time) error {
	if err := CheckContext(ctx, OpDelete); err != nil {
		return err
	}
	return c.st.Delete(ctx, key, now)
}

// DeleteOwner implements session.Store.
func (c Checked) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	if err := checkOwnerCall(ctx, OpDeleteOwner, owner); err != nil {
		return 0, err
	}
	return c.st.DeleteOwner(ctx, owner, except)
}

// DeleteOwned implements session.Store.
func (c Checked) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	if err := checkOwnerCall(ctx, OpDeleteOwned, owner); err != nil {
		return err
	}
	return c.st.DeleteOwned(ctx, owner, key, now)
}

// TrimOwner implements session.Store.
func (c Checked) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	if err := CheckKeep(OpTrimOwner, keep); err != nil {
		return 0, err
	}
	if err := checkOwnerCall(ctx, OpTrimOwner, owner); err != nil {
		return 0, err
	}
	return c.st.TrimOwner(ctx, owner, except, keep, now)
}

// ListOwner implements session.Store.
func (c Checked) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	if err := CheckLimit(OpListOwner, limit); err != nil {
		return nil, err
	}
	if err := checkOwnerCall(ctx, OpListOwner, owner); err != nil {
		return nil, err
	}
	return c.st.ListOwner(ctx, owner, now, limit)
}

// List implements session.Store.
func (c Checked) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	if err := checkLimitCall(ctx, OpList, limit); err != nil {
		return nil, err
	}
	return c.st.List(ctx, after, limit)
}

// Count implements session.Store.
func (c Checked) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	if err := CheckContext(ctx, OpCount); err != nil {
		return session.Counts{}, err
	}
	return c.st.Count(ctx, now)
}

// DeleteExpired implements session.Store.
func (c Checked) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	if err := checkLimitCall(ctx, OpDeleteExpired, limit); err != nil {
		return 0, time.Time{}, err
	}
	return c.st.DeleteExpired(ctx, from, now, limit)
}

// AcquireLease implements session.Leaser.
func (c Checked) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := CheckLease(OpAcquireLease, name, holder, ttl); err != nil {
		return false, err
	}
	if err := CheckContext(ctx, OpAcquireLease); err != nil {
		return false, err
	}
	return c.st.AcquireLease(ctx, name, holder, ttl, now)
}

// ReleaseLease implements session.Leaser.
func (c Checked) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := CheckContext(ctx, OpReleaseLease); err != nil {
		return err
	}
	return c.st.ReleaseLease(ctx, name, holder)
}

// checkOwnerCall applies the rules of the owner-addressed methods.
func checkOwnerCall(ctx context.Context, op, owner string) error {
	if err := CheckOwner(op, owner); err != nil {
		return err
	}
	return CheckContext(ctx, op)
}

// checkLimitCall applies the rules of the paged methods.
func checkLimitCall(ctx context.Context, op string, limit int) error {
	if err := CheckLimit(op, limit); err != nil {
		return err
	}
	return CheckContext(ctx, op)
}
