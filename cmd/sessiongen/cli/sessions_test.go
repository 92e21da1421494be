package cli

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
)

func TestSessionsRevoke(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		db := migrated(t, url)
		later := time.Now().Add(time.Hour)
		var alice, bob []session.Record
		for range 3 {
			alice = append(alice, opstest.Record("alice", []byte{0x80}, later))
		}
		for range 2 {
			bob = append(bob, opstest.Record("bob", []byte{0x80}, later))
		}
		anon := opstest.Record("", []byte{0x80}, later)
		opstest.Create(t, db.Store, append(append(alice, bob...), anon, opstest.Record("carol", []byte{0x80}, later))...)
		if out := mustCLI(t, "sessions", "revoke", "-database-url", url, "-user", "carol"); !strings.Contains(out, `revoked 1 session of user "carol"`) {
			t.Errorf("revoke of one session printed %q", out)
		}

		keep := alice[1].Key
		out := mustCLI(t, "sessions", "revoke", "-database-url", url, "-user", "alice", "-except", keep.String()[:10])
		if want := `revoked 2 sessions of user "alice" (kept ` + keep.Prefix() + ")"; !strings.Contains(out, want) {
			t.Errorf("revoke printed %q, want %q", out, want)
		}
		opstest.SameKeys(t, opstest.Keys(t, db.Store), []session.Key{keep, bob[0].Key, bob[1].Key, anon.Key})

		if out := mustCLI(t, "sessions", "revoke", "-database-url", url, "-user", "bob"); !strings.Contains(out, `revoked 2 sessions of user "bob"`) {
			t.Errorf("revoke printed %q", out)
		}
		opstest.SameKeys(t, opstest.Keys(t, db.Store), []session.Key{keep, anon.Key})

		// -except must name one of the user's live sessions: nothing goes otherwise.
		code, _, errOut := cli(t, "sessions", "revoke", "-database-url", url, "-user", "alice", "-except", anon.Key.String()[:12])
		if code != exitFailure || !strings.Contains(errOut, "no session has that hash prefix among user \"alice\"") {
			t.Errorf("revoke -except <someone else's>: exit %d, stderr %q", code, errOut)
		}
		code, _, _ = cli(t, "sessions", "revoke", "-database-url", url)
		if code != exitUsage {
			t.Errorf("revoke without -user: exit %d, want %d", code, exitUsage)
		}
		// No session matched: exit 1, as the exit table says.
		code, out, errOut = cli(t, "sessions", "revoke", "-database-url", url, "-user", "carol")
		if code != exitFailure || out != "" || !strings.Contains(errOut, `user "carol" has no session: nothing revoked`) {
			t.Errorf("revoke of a user without sessions: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		opstest.SameKeys(t, opstest.Keys(t, db.Store), []session.Key{keep, anon.Key})
	})
}

// visitor is a session payload as generated code would encode it: a map with
// string keys, so that it stays readable without the Go type.
type visitor struct {
	UserID  int64             `msgpack:"user_id"`
	Name    string            `msgpack:"name"`
	Seen    time.Time         `msgpack:"seen"`
	Roles   []string          `msgpack:"roles"`
	Prefs   map[string]string `msgpack:"prefs"`
	CSRF    []byte            `msgpack:"csrf"`
	Balance float64           `msgpack:"balance"`
}

func TestSessionsShowListCount(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		db := migrated(t, url)
		seen := time.Date(2026, 11, 22, 4, 0, 0, 123000000, time.UTC)
		payload, err := msgpack.Marshal(visitor{UserID: 42, Name: "Dana", Seen: seen, Roles: []string{"admin"},
			Prefs: map[string]string{"theme": "dark"}, CSRF: []byte{1, 2, 3}, Balance: 1.5})
		if err != nil {
			t.Fatal(err)
		}
		token, key := opstest.Token()
		rec := opstest.Record("dana", payload, time.Now().Add(time.Hour))
		rec.Key = key
		expired := opstest.Record("erin", []byte{0x80}, time.Now().Add(-time.Hour))
		expired.AbsoluteExpiresAt = time.Now().Add(time.Hour)
		opstest.Create(t, db.Store, rec, expired)

		show := mustCLI(t, "sessions", "show", "-database-url", url, strings.ToUpper(key.String()[:8]))
		for _, want := range []string{"key               " + key.Prefix(), "owner             dana", "state             live", "version           1",
			`"user_id": 42`, `"name": "Dana"`, `"seen": "2026-11-22T04:00:00.123Z"`, `"roles": [`, `"theme": "dark"`,
			`"csrf": "` + base64.StdEncoding.EncodeToString([]byte{1, 2, 3}) + `"`, `"balance": 1.5`} {
			if !strings.Contains(show, want) {
				t.Errorf("show lacks %q:\n%s", want, show)
			}
		}
		var decoded map[string]any
		if err := json.Unmarshal([]byte(show[strings.Index(show, "{"):]), &decoded); err != nil {
			t.Errorf("show's payload is not JSON: %v", err)
		}

		byUser := mustCLI(t, "sessions", "list", "-database-url", url, "-user", "dana")
		all := mustCLI(t, "sessions", "list", "-database-url", url)
		if !strings.Contains(byUser, key.Prefix()) || strings.Contains(byUser, expired.Key.Prefix()) {
			t.Errorf("list -user dana:\n%s", byUser)
		}
		if row(all, key.Prefix()) != "dana live" || row(all, expired.Key.Prefix()) != "erin idle-expired" {
			t.Errorf("list:\n%s", all)
		}
		if out := mustCLI(t, "sessions", "count", "-database-url", url); out != "live     1\nexpired  1\n" {
			t.Errorf("count printed %q", out)
		}
		for name, out := range map[string]string{"show": show, "list": byUser + all} {
			assertNoSecrets(t, name, out, token, key)
		}
	})
}

// assertNoSecrets fails when out holds the token in any usual encoding, or a
// whole key.
func assertNoSecrets(t *testing.T, name, out string, token []byte, key session.Key) {
	t.Helper()
	for _, secret := range []string{hex.EncodeToString(token), base64.RawURLEncoding.EncodeToString(token),
		base64.StdEncoding.EncodeToString(token), key.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("%s printed a token or a whole key", name)
		}
	}
}

func TestSessionsShowPrefixErrors(t *testing.T) {
	url := "sqlite://" + t.TempDir() + "/p.db"
	db := migrated(t, url)
	// Two keys sharing their first 15 hex digits, and a third elsewhere.
	a, b, c := opstest.Record("", []byte{0x80}, time.Now().Add(time.Hour)), opstest.Record("", []byte{0x80}, time.Now().Add(time.Hour)), opstest.Record("", []byte{0xc1}, time.Now().Add(time.Hour))
	copy(b.Key[:7], a.Key[:7])
	b.Key[7] = a.Key[7] ^ 0x0f
	opstest.Create(t, db.Store, a, b, c)
	token, _ := opstest.Token()
	for token[0]>>2 == 62 { // a cookie form starting with "-" is taken for a flag (TestNoSecretInAnyOutput)
		token, _ = opstest.Token()
	}

	cases := []struct {
		arg      string
		code     int
		want     string
		notWants []string
	}{
		{a.Key.String()[:12], exitFailure, "hash prefix is ambiguous: 2 sessions match: " + minPair(a.Key.String()[:16], b.Key.String()[:16]), nil},
		{a.Key.String()[:16], exitOK, "key               " + a.Key.Prefix(), nil},
		{"0123456789abcdef0123", exitFailure, "no session has that hash prefix", nil},
		{a.Key.String()[:7], exitUsage, "want 8 to 64 hex digits", nil},
		{base64.RawURLEncoding.EncodeToString(token), exitUsage, "raw tokens are never accepted", []string{base64.RawURLEncoding.EncodeToString(token)}},
		{c.Key.String(), exitFailure, "payload is not valid msgpack", nil}, // 0xc1 is never used in msgpack
	}
	for _, tc := range cases {
		code, out, errOut := cli(t, "sessions", "show", "-database-url", url, tc.arg)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("show %s: exit %d\nstdout %s\nstderr %s\nwant exit %d and %q", tc.arg, code, out, errOut, tc.code, tc.want)
		}
		for _, nw := range tc.notWants {
			if strings.Contains(out+errOut, nw) {
				t.Errorf("show %s echoed the rejected argument", tc.arg)
			}
		}
	}
}

// row returns the owner and state columns of list's row for prefix.
func row(list, prefix string) string {
	for line := range strings.Lines(list) {
		if f := strings.Fields(line); len(f) > 2 && f[0] == prefix {
			return f[1] + " " + f[2]
		}
	}
	return ""
}

// minPair lists two prefixes in key order, as the ambiguity error does.
func minPair(x, y string) string {
	if x > y {
		x, y = y, x
	}
	return x + ", " + y
}
