package storekit_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// TestOpsAreMethodNames keeps the operation names and the contract's methods
// one set: a latency series and an error name an operation the same way.
func TestOpsAreMethodNames(t *testing.T) {
	ops := []string{
		storekit.OpCreate, storekit.OpLoad, storekit.OpSave, storekit.OpTouch, storekit.OpRotate,
		storekit.OpDelete, storekit.OpDeleteOwner, storekit.OpDeleteOwned, storekit.OpTrimOwner, storekit.OpListOwner, storekit.OpList,
		storekit.OpCount, storekit.OpDeleteExpired, storekit.OpAcquireLease, storekit.OpReleaseLease,
	}
	var methods []string
	for _, iface := range []reflect.Type{reflect.TypeFor[session.Store](), reflect.TypeFor[session.Leaser]()} {
		for m := range iface.Methods() {
			methods = append(methods, m.Name)
		}
	}
	slices.Sort(ops)
	slices.Sort(methods)
	if !slices.Equal(ops, methods) {
		t.Errorf("operation names %v, want the Store and Leaser methods %v", ops, methods)
	}
}

func TestRunRefusesDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	_, err := storekit.Run(ctx, storekit.OpLoad, nil, func(context.Context) (int, error) {
		called = true
		return 1, nil
	})
	if called {
		t.Error("Run called the statement with a cancelled context")
	}
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v, want ErrUnavailable and context.Canceled", err)
	}
	err = storekit.Exec(ctx, storekit.OpDelete, nil, func(context.Context) error { called = true; return nil })
	if called || !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Exec with a cancelled context: called %v, err %v", called, err)
	}
}

func TestRunClassifiesFailuresOnly(t *testing.T) {
	driverErr := errors.New("driver: connection refused")
	var seen []string
	classify := func(_ context.Context, op string, err error) error {
		seen = append(seen, op)
		return storekit.Unavailable(op, err)
	}
	v, err := storekit.Run(t.Context(), storekit.OpCount, classify, func(context.Context) (int, error) { return 7, nil })
	if v != 7 || err != nil || len(seen) != 0 {
		t.Errorf("success: %d, %v, classifier called for %v", v, err, seen)
	}
	_, err = storekit.Run(t.Context(), storekit.OpSave, classify, func(context.Context) (int, error) { return 0, driverErr })
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, driverErr) || !slices.Equal(seen, []string{"Save"}) {
		t.Errorf("failure: %v, classifier called for %v", err, seen)
	}
	err = storekit.Exec(t.Context(), storekit.OpDelete, nil, func(context.Context) error { return session.ErrNotFound })
	if err != session.ErrNotFound {
		t.Errorf("nil classifier: %v, want the statement's own error", err)
	}
}

func TestStoredKeyRefusesWrongLength(t *testing.T) {
	want := session.Key{1, 2, 3}
	if k, err := storekit.StoredKey(storekit.OpLoad, "key", want[:]); k != want || err != nil {
		t.Errorf("32 bytes: %v, %v", k, err)
	}
	for _, n := range []int{0, 31, 33} {
		if _, err := storekit.StoredKey(storekit.OpLoad, "key", make([]byte, n)); !errors.Is(err, session.ErrCorrupt) {
			t.Errorf("%d bytes: %v, want ErrCorrupt", n, err)
		}
	}
}

func TestRecordsFailsThePageOnOneBadRow(t *testing.T) {
	convert := func(op string, row []byte) (session.Record, error) {
		k, err := storekit.StoredKey(op, "key", row)
		return session.Record{Key: k}, err
	}
	good := make([]byte, session.KeySize)
	if recs, err := storekit.Records(storekit.OpList, [][]byte{good, good}, convert); len(recs) != 2 || err != nil {
		t.Errorf("two good rows: %d records, %v", len(recs), err)
	}
	if recs, err := storekit.Records(storekit.OpList, [][]byte{good, good[:2]}, convert); recs != nil || !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("one bad row: %v, %v; want no records and ErrCorrupt", recs, err)
	}
}
