package redisstore

import (
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// FuzzDecodeEntry feeds decodeEntry hashes as a damaged or foreign key could
// hold them: it must return an entry or an error matching ErrCorrupt, never
// panic, and never return a session without its fields.
func FuzzDecodeEntry(f *testing.F) {
	f.Add("d", "data", "v", "1", "c", "1893553445000000", "i", "1893555245000000", "a", "1893639845000000", "p", strings.Repeat("ab", 32), "pu", "1")
	f.Add("n", strings.Repeat("0f", 32), "g", "1893553505000000", "o", "alice", "i", "1", "k", "r", "", "", "", "")
	f.Add("d", "", "v", "x", "c", "", "i", "-", "a", "9999999999999999999999", "pf", "zz", "o", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6, k7, v7 string) {
		h := map[string]string{k1: v1, k2: v2, k3: v3, k4: v4, k5: v5, k6: v6, k7: v7}
		e, err := decodeEntry("fuzz", session.Key{1}, h)
		switch {
		case err != nil:
			if !strings.Contains(err.Error(), session.ErrCorrupt.Error()) {
				t.Fatalf("error %v does not match ErrCorrupt", err)
			}
		case e == nil:
			t.Fatal("a non-empty hash decoded to nothing")
		case !e.isPointer() && e.rec.Data == nil:
			t.Fatal("a session decoded with nil Data")
		}
	})
}

// FuzzParseURL: any string gives client options or an ErrInvalid, never a
// panic, and no error repeats a password the URL carried.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379", "redis://u:s3cret@h:1/2?addr=h2:3&prefix=p:&wait=1&wait_timeout=5ms&retention=2h",
		"rediss://h", "redis://h?wait=x", "redis://h?prefix={bad}", "unix:///tmp/r.sock", "http://h", "redis://[::1", "%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_, _, err := ParseURL(raw)
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), session.ErrInvalid.Error()) {
			t.Fatalf("ParseURL(%q): error %v does not match ErrInvalid", raw, err)
		}
		if _, pw, ok := strings.Cut(raw, ":"); ok && strings.Contains(raw, "@") {
			if at := strings.LastIndex(pw, "@"); at > 0 {
				if _, secret, ok := strings.Cut(pw[:at], ":"); ok && len(secret) >= 6 && strings.Contains(err.Error(), secret) {
					t.Fatalf("ParseURL error repeats the password: %v", err)
				}
			}
		}
	})
}
