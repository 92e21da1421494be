package storetest

import (
	"errors"
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

var leaserTests = []subtest{
	{"AcquireAndRenew", leaseAcquireAndRenew},
	{"RefusedWhileHeld", leaseRefusedWhileHeld},
	{"TakenOverAfterExpiry", leaseTakenOverAfterExpiry},
	{"ReleaseByNonHolder", leaseReleaseByNonHolder},
	{"ReleaseByHolder", leaseReleaseByHolder},
	{"NamesIndependent", leaseNamesIndependent},
	{"ParallelAcquireOneWins", leaseParallelAcquireOneWins},
	{"CancelledContext", leaseCancelledContext},
}

const (
	leaseName = "janitor"
	leaseTTL  = 10 * time.Second
)

// leaser returns the store as a session.Leaser, skipping stores that are not one.
func (f *fixture) leaser() session.Leaser {
	f.t.Helper()
	l, ok := f.store.(session.Leaser)
	if !ok {
		f.t.Skip("the store does not implement session.Leaser")
	}
	return l
}

// wantAcquire fails unless AcquireLease(name, holder) at now returns want and no error.
func (f *fixture) wantAcquire(name, holder string, now time.Time, want bool, what string) {
	f.t.Helper()
	got, err := f.leaser().AcquireLease(f.ctx, name, holder, leaseTTL, now)
	if err != nil {
		f.t.Fatalf("%s: AcquireLease(%q, %q): %v", what, name, holder, err)
	}
	if got != want {
		f.t.Fatalf("%s: AcquireLease(%q, %q) = %v, want %v", what, name, holder, got, want)
	}
}

func (f *fixture) mustRelease(name, holder string) {
	f.t.Helper()
	if err := f.leaser().ReleaseLease(f.ctx, name, holder); err != nil {
		f.t.Fatalf("ReleaseLease(%q, %q): %v", name, holder, err)
	}
}

func leaseAcquireAndRenew(f *fixture) {
	f.wantAcquire(leaseName, "a", base, true, "AcquireLease of a free lease")
	f.wantAcquire(leaseName, "a", at(leaseTTL/2), true, "AcquireLease by the holder must renew the lease")
	// The renewal runs until leaseTTL/2+leaseTTL: the first term has passed.
	f.wantAcquire(leaseName, "b", at(leaseTTL+time.Second), false, "AcquireLease by another holder after the first term but within the renewed one")
	f.wantAcquire(leaseName, "b", at(leaseTTL/2+leaseTTL+time.Second), true, "AcquireLease by another holder after the renewed term")
}

func leaseRefusedWhileHeld(f *fixture) {
	f.wantAcquire(leaseName, "a", base, true, "AcquireLease of a free lease")
	f.wantAcquire(leaseName, "b", base, false, "AcquireLease while another holder's lease is unexpired")
	f.wantAcquire(leaseName, "b", at(leaseTTL-tick), false, "AcquireLease one microsecond before another holder's lease expires")
}

func leaseTakenOverAfterExpiry(f *fixture) {
	f.wantAcquire(leaseName, "a", base, true, "AcquireLease of a free lease")
	f.wantAcquire(leaseName, "b", at(leaseTTL+time.Second), true, "AcquireLease after the holder's lease expired")
	f.wantAcquire(leaseName, "a", at(leaseTTL+2*time.Second), false, "AcquireLease by the former holder after it was taken over")
}

func leaseReleaseByNonHolder(f *fixture) {
	f.mustRelease(leaseName, "b") // held by no one
	f.wantAcquire(leaseName, "a", base, true, "AcquireLease of a free lease")
	f.mustRelease(leaseName, "b")
	f.wantAcquire(leaseName, "b", at(time.Second), false, "ReleaseLease by a non-holder freed the lease")
}

func leaseReleaseByHolder(f *fixture) {
	f.wantAcquire(leaseName, "a", base, true, "AcquireLease of a free lease")
	f.mustRelease(leaseName, "a")
	f.wantAcquire(leaseName, "b", at(time.Second), true, "AcquireLease after the holder released the lease")
}

func leaseNamesIndependent(f *fixture) {
	f.wantAcquire("janitor", "a", base, true, "AcquireLease of a free lease")
	f.wantAcquire("reporter", "b", base, true, "AcquireLease of another name while the first is held")
}

func leaseParallelAcquireOneWins(f *fixture) {
	l := f.leaser()
	f.wantOneWinner(func(i int) error {
		ok, err := l.AcquireLease(f.ctx, leaseName, fmt.Sprintf("holder %d", i), leaseTTL, base)
		switch {
		case err != nil:
			return err
		case !ok:
			return errLeaseRefused
		}
		return nil
	}, errLeaseRefused, "concurrent AcquireLease of a free lease")
}

// errLeaseRefused stands for AcquireLease's (false, nil) in wantOneWinner.
var errLeaseRefused = errors.New("lease refused")

func leaseCancelledContext(f *fixture) {
	l := f.leaser()
	_, err := l.AcquireLease(cancelledContext(f), leaseName, "a", leaseTTL, base)
	f.wantCancelled(err, "AcquireLease")
	f.wantAcquire(leaseName, "b", base, true, "AcquireLease with a cancelled context took the lease")
	f.wantCancelled(l.ReleaseLease(cancelledContext(f), leaseName, "b"), "ReleaseLease")
	f.wantAcquire(leaseName, "a", at(time.Second), false, "ReleaseLease with a cancelled context freed the lease")
}
