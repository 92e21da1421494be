package codec

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// sample is one realistic session, in each codec's variant.
func sample() Plain {
	return Plain{
		Name:     "Ada Lovelace",
		UserID:   1815,
		Admin:    true,
		LastSeen: time.Date(2026, 11, 22, 4, 30, 0, 123456789, time.UTC),
		Roles:    []string{"editor", "reviewer", "billing"},
		Prefs:    map[string]string{"theme": "dark", "lang": "en-GB", "tz": "Europe/London"},
		Profile:  Profile{Email: "ada@example.com", Age: 36},
		CSRF:     bytes.Repeat([]byte{0xa5}, 32),
	}
}

func sampleOurs() Ours {
	p := sample()
	return Ours(p)
}

func sampleMsgp() Msgp {
	p := sample()
	return Msgp{Name: p.Name, UserID: p.UserID, Admin: p.Admin, LastSeen: p.LastSeen, Roles: p.Roles,
		Prefs: p.Prefs, Profile: MsgpProfile(p.Profile), CSRF: p.CSRF}
}

// BenchmarkRoundTrip encodes and decodes one session per op, as a session
// layer does per request that changed it.
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("codec=sessiongen", func(b *testing.B) {
		in := sampleOurs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = in.AppendSession(buf[:0]); err != nil {
				b.Fatal(err)
			}
			var out Ours
			if err := out.DecodeSession(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=msgp", func(b *testing.B) {
		in := sampleMsgp()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = in.MarshalMsg(buf[:0]); err != nil {
				b.Fatal(err)
			}
			var out Msgp
			if _, err := out.UnmarshalMsg(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=msgpack-reflect", func(b *testing.B) { benchReflect(b, msgpack.Marshal, msgpack.Unmarshal) })
	b.Run("codec=json", func(b *testing.B) { benchReflect(b, json.Marshal, json.Unmarshal) })
	b.Run("codec=gob", func(b *testing.B) {
		// A fresh encoder and decoder per session, as a session store that
		// keeps one blob per row must do (gob streams carry type definitions).
		in := sample()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := gob.NewEncoder(&buf).Encode(&in); err != nil {
				b.Fatal(err)
			}
			var out Plain
			if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchReflect round-trips the Plain sample through a reflection-based codec.
func benchReflect(b *testing.B, marshal func(any) ([]byte, error), unmarshal func([]byte, any) error) {
	in := sample()
	for b.Loop() {
		buf, err := marshal(&in)
		if err != nil {
			b.Fatal(err)
		}
		var out Plain
		if err := unmarshal(buf, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode is the encode half alone: the target is 0 allocs/op.
func BenchmarkEncode(b *testing.B) {
	b.Run("codec=sessiongen", func(b *testing.B) {
		in := sampleOurs()
		buf := make([]byte, 0, 512)
		for b.Loop() {
			var err error
			if buf, err = in.AppendSession(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=msgp", func(b *testing.B) {
		in := sampleMsgp()
		buf := make([]byte, 0, 512)
		for b.Loop() {
			var err error
			if buf, err = in.MarshalMsg(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecode is the decode half alone.
func BenchmarkDecode(b *testing.B) {
	in := sampleOurs()
	enc, _ := in.AppendSession(nil)
	b.Run("codec=sessiongen", func(b *testing.B) {
		for b.Loop() {
			var out Ours
			if err := out.DecodeSession(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	m := sampleMsgp()
	encMsgp, _ := m.MarshalMsg(nil)
	b.Run("codec=msgp", func(b *testing.B) {
		for b.Loop() {
			var out Msgp
			if _, err := out.UnmarshalMsg(encMsgp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
