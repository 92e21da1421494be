package sqlitestore_test

import (
	"context"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
)

// TestEmptyPayload: a zero-length payload is data, not NULL; it must be
// stored, saved and loaded back as an empty, non-nil slice.
func TestEmptyPayload(t *testing.T) {
	ctx := context.Background()
	s := openMigrated(t, tempPath(t))
	now := time.Now()
	key := opstest.KeyOf("empty")
	if err := s.Create(ctx, opstest.LiveRecord(key, []byte{}, now)); err != nil {
		t.Fatalf("Create with an empty payload: %v", err)
	}
	rec, err := s.Load(ctx, key, now)
	if err != nil || rec.Data == nil || len(rec.Data) != 0 {
		t.Fatalf("Load = %#v, %v; want an empty, non-nil payload", rec.Data, err)
	}
	if _, err := s.Save(ctx, rec, now); err != nil {
		t.Fatalf("Save of an empty payload: %v", err)
	}
}
