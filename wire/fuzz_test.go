package wire

import (
	"bytes"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// FuzzSkip: Skip never panics, and when it succeeds msgpack/v5 agrees on where
// the value ends.
func FuzzSkip(f *testing.F) {
	for _, v := range []any{nil, 1, -200, "s", []any{1, "x", map[string]any{"a": []byte{1}}}, 1.5} {
		b, _ := msgpack.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		if err := r.Skip(); err != nil {
			return
		}
		used := len(b) - r.Len()
		br := bytes.NewReader(b)
		if err := msgpack.NewDecoder(br).Skip(); err != nil {
			t.Fatalf("we skipped %d bytes of %x, msgpack/v5 failed: %v", used, b, err)
		}
		if theirs := len(b) - br.Len(); theirs != used {
			t.Fatalf("%x: we skipped %d bytes, msgpack/v5 %d", b, used, theirs)
		}
	})
}
