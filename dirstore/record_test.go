package dirstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// sample is a session with every field set, a previous key and an unknown
// optional field.
func sample() stored {
	st := stored{
		Record: session.Record{
			Key: crashKey("current"), Owner: "user:42 ünïcödé", Data: []byte{0, 1, 0xc1, 0xff},
			Version: 7, CreatedAt: micro(crashNow), IdleExpiresAt: micro(crashNow.Add(time.Hour)),
			AbsoluteExpiresAt: micro(crashNow.Add(24 * time.Hour)),
			PrevKey:           crashKey("previous"), PrevExpiresAt: micro(crashNow.Add(time.Minute)),
			PrevKind: session.RefreshRotation, RememberMe: true, Device: "Firefox on Linux",
			IPPrefix: netip.MustParsePrefix("192.0.2.0/24"),
		},
		ID: crashKey("first"),
	}
	st.unknown = appendField(nil, 0x30, []byte("from a newer binary"))
	return st
}

// reseal recomputes the checksum of a file whose body a test edited.
func reseal(b []byte) []byte {
	body := b[:len(b)-crcSize]
	return binary.BigEndian.AppendUint32(body[:len(body):len(body)], crc32.Checksum(body, castagnoli))
}

func TestRecordRoundTrip(t *testing.T) {
	for _, st := range []stored{sample(), {Record: session.Record{Key: crashKey("anon"), Data: []byte{}, Version: 1}, ID: crashKey("anon")}} {
		got, err := decodeSession(st.encode())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, st) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, st)
		}
	}
}

// TestRecordRefusesDamage: every kind of damage is a typed decoding error,
// never a panic and never a record that differs from what was written.
func TestRecordRefusesDamage(t *testing.T) {
	good := sample().encode()
	withTag := func(tag byte) []byte { // a file with one more field, resealed
		b := bytes.Clone(good[:len(good)-crcSize])
		return reseal(append(appendField(b, tag, []byte{1}), 0, 0, 0, 0))
	}
	cases := map[string][]byte{
		"empty":                 nil,
		"truncated":             good[:len(good)/2],
		"one byte flipped":      func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 1; return b }(),
		"newer format version":  func() []byte { b := bytes.Clone(good); b[4] = formatVersion + 1; return reseal(b) }(),
		"lease kind":            func() []byte { b := bytes.Clone(good); b[5] = kindLease; return reseal(b) }(),
		"not ours":              []byte("#!/bin/sh\necho hello\n"),
		"must-understand field": withTag(mustUnderstand),
		"repeated field":        withTag(tagVersion),
		"length past the end":   reseal(append(append(bytes.Clone(good[:len(good)-crcSize]), tagOwner, 0x7f), 0, 0, 0, 0)),
		"missing data": func() []byte {
			b := appendField(begin(kindSession, 0), tagKey, make([]byte, 32))
			b = appendField(b, tagID, make([]byte, 32))
			b = appendVarint(b, tagVersion, 1)
			for _, tag := range []byte{tagCreated, tagIdle, tagAbsolute} {
				b = appendTime(b, tag, crashNow)
			}
			return finish(b)
		}(),
		"zero version":             (&stored{Record: session.Record{Data: []byte{}}}).encode(),
		"previous key without end": reseal(append(appendField(bytes.Clone(good[:headerSize]), tagPrevKey, make([]byte, 32)), 0, 0, 0, 0)),
	}
	for name, b := range cases {
		_, err := decodeSession(b)
		if !errors.Is(err, errFormat) {
			t.Errorf("%s: decode = %v, want a format error", name, err)
		}
	}
}

// TestRecordKeepsUnknownFields: an optional field this binary does not know
// survives a Save, so that a rolling deploy's older binary strips nothing.
func TestRecordKeepsUnknownFields(t *testing.T) {
	s := migratedForCrash(t, t.TempDir()+"/sessions")
	st := sample()
	st.ID, st.PrevKey, st.PrevExpiresAt = st.Key, session.Key{}, time.Time{}
	st.Version = 1
	if err := s.st.create(&st); err != nil {
		t.Fatal(err)
	}
	rec := st.Record
	rec.Data = []byte("saved by an older binary")
	if _, err := s.Save(t.Context(), rec, crashNow); err != nil {
		t.Fatal(err)
	}
	got, err := s.st.readSession(s.st.sessionPath(st.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.unknown, st.unknown) || string(got.Data) != "saved by an older binary" {
		t.Fatalf("after Save: unknown fields %q, data %q", got.unknown, got.Data)
	}
}

// TestDecodeAllocations: decoding does not copy the payload, whatever its
// size: Data aliases the file's bytes, and only the text fields (owner,
// device, IP prefix) are made.
func TestDecodeAllocations(t *testing.T) {
	allocs := func(size int) float64 {
		st := sample()
		st.unknown = nil
		st.Data = bytes.Repeat([]byte{0xa5}, size)
		b := st.encode()
		return testing.AllocsPerRun(20, func() {
			if _, err := decodeSession(b); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(16), allocs(session.MaxDataSize)
	if large != small || large > 3 {
		t.Fatalf("decoding made %v allocations with a 16-byte payload, %v with %d bytes; want the same, at most 3", small, large, session.MaxDataSize)
	}
}

func FuzzDecodeSession(f *testing.F) {
	f.Add(sample().encode())
	f.Add((&stored{Record: session.Record{Data: []byte{}, Version: 1}}).encode())
	f.Add([]byte(magic + "\x01s"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeSession(b)
		if err != nil {
			if !errors.Is(err, errFormat) {
				t.Fatalf("error %v is not a format error", err)
			}
			return
		}
		// What decodes re-encodes to a file that decodes to the same record.
		again, err := decodeSession(st.encode())
		if err != nil {
			t.Fatalf("re-encoding a decoded file: %v", err)
		}
		if !reflect.DeepEqual(again, st) {
			t.Fatalf("re-encoded record differs:\n got %+v\nwant %+v", again, st)
		}
	})
}

func FuzzDecodeLease(f *testing.F) {
	f.Add((&lease{name: "janitor", holder: "host:1", until: micro(crashNow)}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := decodeLease(b)
		if err != nil {
			if !errors.Is(err, errFormat) {
				t.Fatalf("error %v is not a format error", err)
			}
			return
		}
		if again, err := decodeLease(l.encode()); err != nil || again != l {
			t.Fatalf("lease round trip: %+v, %v; want %+v", again, err, l)
		}
	})
}
