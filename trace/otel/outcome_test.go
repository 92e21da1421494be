package otel_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
	sessionotel "github.com/sessiongen/sessiongen/trace/otel"
)

// TestOutcomeNamesEverySessionError: each contract error has its own class,
// and only the ones an operator must look at mark the span as an error. A
// canceled request (the client went away) is no fault of the service.
func TestOutcomeNamesEverySessionError(t *testing.T) {
	cases := []struct {
		err      error
		class    string
		operator bool
	}{
		{nil, "ok", false},
		{session.ErrIdleExpired, "not_found", false},
		{session.ErrSuperseded, "superseded", false},
		{fmt.Errorf("x: %w", session.ErrConflict), "conflict", false},
		{session.ErrExists, "exists", false},
		{session.ErrCanceled, "canceled", false},
		{storekit.Invalid("list", "limit"), "invalid", true},
		{session.ErrTooLarge, "too_large", true},
		{session.ErrCorrupt, "corrupt", true},
		{storekit.Unavailable("load", errors.New("refused")), "unavailable", true},
		{errors.New("something else"), "other", true},
	}
	for _, c := range cases {
		class, operator := sessionotel.Outcome(c.err)
		if class != c.class || operator != c.operator {
			t.Errorf("Outcome(%v) = %q, %v; want %q, %v", c.err, class, operator, c.class, c.operator)
		}
	}
}
