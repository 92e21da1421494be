package dirstore

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/sessiongen/sessiongen/session/storekit"
)

// Leases are files in leases/, changed under their flock like sessions, so
// one cleanup leader is elected among the processes sharing the directory.
// An unreadable lease file counts as a free lease: a lease only elects who
// cleans up, and two cleanups at once are safe (each deletion is locked and
// re-checked), so a damaged file must not stop cleanup for good.

// heldLease is a lease file under its lock; l is zero when the lease is free.
type heldLease struct {
	*held
	l lease
}

// lockLease opens and locks the file of the lease called name, retrying
// when its holder replaced or removed it while we waited. With create, a
// missing file is created empty (a free lease); without, it is errAbsent.
func (s *statements) lockLease(ctx context.Context, name string, create bool) (*heldLease, error) {
	path := s.leasePath(name)
	flag := 0
	if create {
		flag = os.O_CREATE
	}
	for {
		h, err := s.hold(ctx, path, flag)
		if err != nil {
			return nil, err
		}
		if ok, err := h.stillAt(path); !ok || err != nil {
			h.release()
			if err != nil {
				return nil, err
			}
			continue
		}
		l, err := decodeLease(h.b)
		if err != nil || l.name != name {
			l = lease{}
		}
		return &heldLease{h, l}, nil
	}
}

// AcquireLease implements session.Leaser.
func (s *statements) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	return run(ctx, s, storekit.OpAcquireLease, func(ctx context.Context) (bool, error) {
		h, err := s.lockLease(ctx, name, true)
		if err != nil {
			return false, err
		}
		defer h.release()
		if h.l.holder != "" && h.l.holder != holder && now.Before(h.l.until) {
			return false, nil
		}
		next := lease{name: name, holder: holder, until: micro(now.Add(ttl))}
		t, err := s.writeTemp(next.encode())
		if err != nil {
			return false, err
		}
		defer t.discard()
		if err := os.Rename(t.path, s.leasePath(name)); err != nil {
			return false, err
		}
		return true, nil
	})
}

// ReleaseLease implements session.Leaser.
func (s *statements) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.exec(ctx, storekit.OpReleaseLease, func(ctx context.Context) error {
		h, err := s.lockLease(ctx, name, false)
		if errors.Is(err, errAbsent) {
			return nil
		}
		if err != nil {
			return err
		}
		defer h.release()
		if h.l.holder != holder {
			return nil
		}
		return os.Remove(s.leasePath(name))
	})
}
