package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sessiongen/sessiongen/internal/allocs"
	"github.com/vmihailenco/msgpack/v5"
)

// copyValue copies exactly the bytes Skip skips, from a reader whose size is
// known and from one whose size is not, and stops at the value's end.
func TestCopyValueAgreesWithSkip(t *testing.T) {
	v := map[string]any{
		"a": []any{1, -1, 1 << 40, "s", []byte{1}, 1.5, nil, true},
		"m": map[string]any{"t": time.Now(), "big": strings.Repeat("y", 70000), "n": map[int]int{1: 2}},
	}
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, 0xc3)
	for _, src := range []io.Reader{bytes.NewReader(b), iotest.OneByteReader(bytes.NewReader(b))} {
		got, err := copyValue(nil, src)
		if err != nil || !bytes.Equal(got, b[:len(b)-1]) {
			t.Fatalf("%T: copied %d of %d bytes: %v", src, len(got), len(b)-1, err)
		}
		if rest, _ := io.ReadAll(src); !bytes.Equal(rest, []byte{0xc3}) {
			t.Fatalf("%T: left %x after the value", src, rest)
		}
	}
}

func TestCopyValueTruncated(t *testing.T) {
	if _, err := copyValue(nil, bytes.NewReader(nil)); err != io.EOF {
		t.Fatalf("empty input: %v, want io.EOF", err)
	}
	if _, err := copyValue(nil, iotest.OneByteReader(bytes.NewReader([]byte{0x92, 0x01}))); err != io.ErrUnexpectedEOF {
		t.Fatalf("array cut short: %v, want io.ErrUnexpectedEOF", err)
	}
	claim := []byte{codeBin32, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3}
	if _, err := copyValue(nil, bytes.NewReader(claim)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("a 2 GiB claim over a sized reader: %v, want ErrTooLong", err)
	}
	// Over a reader of unknown size, the claim costs only what arrives.
	var err error
	grew := allocs.Bytes(func() { _, err = copyValue(nil, iotest.OneByteReader(bytes.NewReader(claim))) })
	if err != io.ErrUnexpectedEOF || grew > 4*minBudget {
		t.Fatalf("a 2 GiB claim over an unsized reader: %v, %d bytes allocated", err, grew)
	}
}
