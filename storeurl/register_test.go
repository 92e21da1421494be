package storeurl_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/storeurl"
)

// TestRegisteredScheme: a store registered for a scheme is opened by Open,
// named by Parse, migrates as a no-op and says it has no migrator; built-in
// and duplicate schemes are refused.
func TestRegisteredScheme(t *testing.T) {
	closed := false
	storeurl.Register("memtest", storeurl.Driver{Kind: "memtest", Open: func(_ context.Context, rawURL string) (storeurl.Opened, error) {
		if rawURL != "memtest://anything?x=1" {
			t.Errorf("Open got %q", rawURL)
		}
		s := memstore.New()
		return storeurl.Opened{Store: s, Close: func() { closed = true }}, nil
	}})
	kind, target, err := storeurl.Parse("memtest://anything?x=1")
	if err != nil || kind != "memtest" || target != "memtest://anything?x=1" {
		t.Fatalf("Parse = %q, %q, %v", kind, target, err)
	}
	db, err := storeurl.Open(t.Context(), "memtest://anything?x=1")
	if err != nil {
		t.Fatal(err)
	}
	if db.Kind != "memtest" || db.Store == nil || db.Migrate(t.Context()) != nil {
		t.Fatalf("opened %+v", db)
	}
	if _, err := db.Migrator(); !errors.Is(err, storeurl.ErrNoMigrations) {
		t.Fatalf("Migrator of a store without migrations: %v", err)
	}
	db.Close()
	if !closed {
		t.Fatal("Close did not reach the driver")
	}
	for _, scheme := range []string{"postgres", "sqlite", "memtest"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", scheme)
				}
			}()
			storeurl.Register(scheme, storeurl.Driver{Kind: "x", Open: func(context.Context, string) (storeurl.Opened, error) { return storeurl.Opened{}, nil }})
		}()
	}
}
