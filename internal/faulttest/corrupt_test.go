package faulttest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

// Garbage written straight into a session's data column: the visitor's next
// request gets a fresh session (new cookie, zero value) and a log record that
// says why, without the data; the request after that works normally, and the
// unreadable row is left as it was, never overwritten.
func TestCorruptRowResets(t *testing.T) {
	garbage := map[string][]byte{
		"never-used msgpack byte": {0xc1},
		"truncated map":           {0x85, 0xa5, 'c', 'o', 'u'},
		"map16 claiming 65535":    {0xde, 0xff, 0xff},
		"not a map":               []byte("plain text, not msgpack"),
	}
	for name, data := range garbage {
		t.Run(name, func(t *testing.T) {
			pool := testdb.Pool(t)
			a := serveApp(t, pool, nil)
			v := newVisitor(t, a)
			for range 3 {
				v.mustDo(http.MethodPost, "/incr")
			}
			key := onlyKey(t, pool)
			if _, err := pool.Exec(context.Background(),
				"UPDATE sessiongen_sessions SET data = $1 WHERE key = $2", data, key[:]); err != nil {
				t.Fatal(err)
			}

			r := v.mustDo(http.MethodGet, "/")
			if r.body != "0" || !r.setCookie {
				t.Errorf("request on the corrupt row: count %q, Set-Cookie %v; want a fresh session (0) and a new cookie", r.body, r.setCookie)
			}
			log := a.log.String()
			if !strings.Contains(log, "decode_failed") || !strings.Contains(log, key.Prefix()) {
				t.Errorf("no decode_failed record naming key prefix %s in the log:\n%s", key.Prefix(), log)
			}
			if got := v.mustDo(http.MethodPost, "/incr").body; got != "1" {
				t.Errorf("increment after the reset: count %q, want 1", got)
			}
			if got := v.count(); got != 1 {
				t.Errorf("count after the reset and one increment: %d, want 1", got)
			}
			// The unreadable row stays for inspection (or for a rolled-back
			// deploy to read again); it expires like any other.
			var kept []byte
			if err := pool.QueryRow(context.Background(),
				"SELECT data FROM sessiongen_sessions WHERE key = $1", key[:]).Scan(&kept); err != nil || !bytes.Equal(kept, data) {
				t.Errorf("corrupt row after the reset: %x, %v; want it left as it was (%x)", kept, err, data)
			}
			if n := rows(t, pool); n != 2 {
				t.Errorf("%d rows stored, want 2 (the corrupt row, left alone, and the fresh session)", n)
			}
			t.Logf("logged: %s", firstLine(log, "decode_failed"))
		})
	}
}

// firstLine returns the first log line containing s.
func firstLine(log, s string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
