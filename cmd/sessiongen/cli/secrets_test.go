package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/storeurl"
)

// plantedPassword is the database password the secrets test plants. The local
// test server trusts loopback connections, so a URL carrying it still works.
const plantedPassword = "Pl4nted-Passw0rd-9f3e"

// TestNoSecretInAnyOutput plants a database password (in a URL's user part,
// in a password parameter, in DATABASE_URL) and a session token (as
// arguments), then runs the CLI as a process of its own through every output
// path: help and usage text, usage errors with the URL or the token where they
// do not belong, connection failures (nothing listening; a wrong password on a
// real PostgreSQL server), migrate errors, cleanup progress and logs, the
// sessions commands; then the janitor's logs and the library's errors. No
// output may hold the password, the token in any usual encoding, or a whole
// session key, whether run masks the passwords it knows or not (every case
// also runs in-process without the mask). Every case checks its exit code and
// a piece of its expected output, so a path that did not run cannot pass.
func TestNoSecretInAnyOutput(t *testing.T) {
	pg, password := withPassword(t, testdb.New(t), plantedPassword)
	refusedAddr := testdb.ClosedAddr(t)
	refused := "postgres://app:" + password + "@" + refusedAddr + "/app?sslmode=disable&connect_timeout=5"
	inQuery := "postgres://app@" + refusedAddr + "/app?sslmode=disable&password=" + url.QueryEscape(password)
	unparsable := "postgres://app:" + password + "@[::1/app"
	wrong := wrongPasswordURL(t, password)
	// A token whose cookie form starts with "-": the flag package takes it
	// for a flag and quotes it in its error.
	token, _ := opstest.Token()
	for token[0]>>2 != 62 { // base64url's "-"
		token, _ = opstest.Token()
	}
	tokenArg := base64.RawURLEncoding.EncodeToString(token)
	// And one that reads as an argument.
	plain, _ := opstest.Token()
	for plain[0]>>2 >= 62 {
		plain, _ = opstest.Token()
	}
	plainArg := base64.RawURLEncoding.EncodeToString(plain)

	if code, out := runProcess(t, []string{"DATABASE_URL=" + pg}, "migrate", "up"); code != exitOK {
		t.Fatalf("migrate up: exit %d: %s", code, out)
	}
	db, err := storeurl.Open(t.Context(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	later := time.Now().Add(time.Hour)
	alice := []session.Record{opstest.Record("alice", []byte{0x80}, later), opstest.Record("alice", []byte{0x80}, later), opstest.Record("alice", []byte{0x80}, later)}
	opstest.Create(t, db.Store, alice...)
	expired, _ := opstest.Mix(t, db.Store, time.Now(), 5, 0)
	keys := append(expired, alice[0].Key, alice[1].Key, alice[2].Key)
	secrets := append(append(secretForms(password, token), secretForms(password, plain)...), keyStrings(keys)...)
	keep := alice[0].Key.String()[:12]

	cases := []struct {
		args []string
		code int
		want string
	}{
		// Help and usage text.
		{nil, exitUsage, "usage: sessiongen <command>"},
		{[]string{"-h"}, exitOK, "usage: sessiongen <command>"},
		{[]string{"generate", "-h"}, exitOK, "usage: sessiongen generate"},
		{[]string{"migrate", "-h"}, exitOK, "-database-url URL"},
		{[]string{"cleanup", "-h"}, exitOK, "-progress mode"},
		{[]string{"migrations", "-h"}, exitOK, "-engine database"},
		{[]string{"sessions"}, exitUsage, "usage: sessiongen sessions"},
		{[]string{"sessions", "count", "-h"}, exitOK, "-database-url URL"},
		{[]string{"sessions", "list", "-h"}, exitOK, "-limit"},
		{[]string{"sessions", "show", "-h"}, exitOK, "<hash-prefix>"},
		{[]string{"sessions", "revoke", "-h"}, exitOK, "-except"},
		// Usage errors, some with a URL or a token where it does not belong.
		{[]string{refused}, exitUsage, "unknown command"},
		{[]string{"migrate", refused, "up"}, exitUsage, "unknown action"},
		{[]string{"migrate", "force", refused}, exitUsage, "bad number"},
		{[]string{"cleanup", refused}, exitUsage, "unexpected argument"},
		{[]string{"cleanup", "-batch=" + refused}, exitUsage, "invalid value for flag -batch"},
		{[]string{"cleanup", "-lease-ttl", tokenArg}, exitUsage, "invalid value for flag -lease-ttl"},
		{[]string{"cleanup", "-batch", "0"}, exitUsage, "-batch and -lease-ttl must be positive"},
		{[]string{"sessions", refused}, exitUsage, "unknown action"},
		{[]string{plainArg}, exitUsage, "unknown command (an argument of 43 characters, not shown)"},
		{[]string{"migrate", plainArg}, exitUsage, "unknown action (an argument of 43 characters"},
		{[]string{"migrate", "force", plainArg}, exitUsage, "bad number (an argument"},
		{[]string{"cleanup", plainArg}, exitUsage, "unexpected argument (an argument"},
		{[]string{"sessions", plainArg}, exitUsage, "unknown action (an argument"},
		{[]string{"migrations", "-engine", "postgres", "-dir", ".", plainArg}, exitUsage, "unexpected argument (an argument"},
		{[]string{"sessions", "count", "-no-such-flag"}, exitUsage, "flag provided but not defined"},
		{[]string{"sessions", "show", tokenArg}, exitUsage, "flag provided but not defined (an argument starting with -"},
		{[]string{"sessions", "show", "--", tokenArg}, exitUsage, "raw tokens are never accepted"},
		{[]string{"sessions", "count", "--" + tokenArg}, exitUsage, "bad flag syntax"},
		{[]string{"sessions", "revoke", "-user", "alice", "-except", tokenArg}, exitUsage, "raw tokens are never accepted"},
		// Connection failures.
		{[]string{"sessions", "count", "-database-url", refused}, exitFailure, "connection refused"},
		{[]string{"migrate", "-database-url=" + refused, "up"}, exitFailure, "connection refused"},
		{[]string{"cleanup", "-database-url", inQuery}, exitFailure, "connection refused"},
		{[]string{"sessions", "list", "-database-url", unparsable}, exitFailure, "cannot parse PostgreSQL URL"},
		{[]string{"cleanup", "-database-url", wrong}, exitFailure, "password authentication failed"},
		{[]string{"migrate", "-database-url", wrong, "up"}, exitFailure, "password authentication failed"},
		// migrate, and its errors.
		{[]string{"migrate", "up"}, exitOK, "version: 2"},
		{[]string{"migrate", "version"}, exitOK, "version: 2"},
		{[]string{"migrate", "force", "99"}, exitUsage, "no migration has version 99"},
		// The sessions commands.
		{[]string{"sessions", "count"}, exitOK, "expired  5"},
		{[]string{"sessions", "list"}, exitOK, "alice"},
		{[]string{"sessions", "list", "-user", "alice"}, exitOK, "alice"},
		{[]string{"sessions", "show", keep}, exitOK, "owner             alice"},
		{[]string{"sessions", "show", "0000000000000000"}, exitFailure, "no session has that hash prefix"},
		{[]string{"sessions", "revoke", "-user", "nobody"}, exitFailure, `user "nobody" has no session`},
		{[]string{"sessions", "revoke", "-user", "alice", "-except", keep}, exitOK, "revoked 2 sessions"},
		// cleanup: dry run, log lines, the bar.
		{[]string{"cleanup", "-dry-run"}, exitOK, "5 expired sessions would be deleted"},
		{[]string{"cleanup", "-progress", "log", "-batch", "2"}, exitOK, `msg="session cleanup batch"`},
		{[]string{"cleanup", "-progress", "bar"}, exitOK, "deleted 0 expired sessions"},
	}
	label := strings.NewReplacer(password, "<password>", tokenArg, "<token>", plainArg, "<token2>").Replace
	for _, c := range cases {
		code, out := runProcess(t, []string{"DATABASE_URL=" + pg}, c.args...)
		name := label("sessiongen " + strings.Join(c.args, " "))
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d and %q in:\n%s", name, code, c.code, c.want, out)
		}
		assertHidden(t, name, out, secrets)
		// Again in-process, without run's mask: no path may rely on it.
		t.Setenv("DATABASE_URL", pg)
		var direct bytes.Buffer
		if code := dispatch(c.args, &direct, &direct); code != c.code {
			t.Errorf("%s: exit %d in-process, want %d", name, code, c.code)
		}
		assertHidden(t, name+" (unmasked)", direct.String(), secrets)
	}

	// Every command, today's and those added later: help, and a token where
	// an argument goes.
	for name := range commands {
		for _, args := range [][]string{{name, "-h"}, {name, plainArg}, {name, tokenArg}, {name, "-x=" + tokenArg}} {
			_, out := runProcess(t, []string{"DATABASE_URL=" + pg}, args...)
			assertHidden(t, label("sessiongen "+strings.Join(args, " ")), out, secrets)
		}
	}

	// A cleanup while another instance holds the lease (exit 3).
	if ok, err := db.Leaser.AcquireLease(t.Context(), janitor.LeaseName, "someone-else", time.Minute, time.Now()); !ok || err != nil {
		t.Fatalf("taking the lease: %v %v", ok, err)
	}
	code, out := runProcess(t, []string{"DATABASE_URL=" + pg}, "cleanup")
	if code != exitNotLeader || !strings.Contains(out, "another instance holds") {
		t.Errorf("cleanup under a held lease: exit %d:\n%s", code, out)
	}
	assertHidden(t, "cleanup under a held lease", out, secrets)
	if err := db.Leaser.ReleaseLease(t.Context(), janitor.LeaseName, "someone-else"); err != nil {
		t.Fatal(err)
	}

	t.Run("janitor logs", func(t *testing.T) { janitorLogsHide(t, pg, secrets) })
	t.Run("library errors", func(t *testing.T) {
		for _, u := range []string{refused, inQuery, unparsable, wrong} {
			_, err := storeurl.Open(t.Context(), u)
			if err == nil {
				t.Fatalf("opening %s succeeded", storeurl.Redact(u))
			}
			assertHidden(t, "storeurl.Open("+storeurl.Redact(u)+")", err.Error(), secrets)
			assertHidden(t, "storeurl.Redact", storeurl.Redact(u), secrets)
		}
		closed, err := storeurl.Open(t.Context(), pg)
		if err != nil {
			t.Fatal(err)
		}
		closed.Close()
		if err := closed.Migrate(t.Context()); err == nil {
			t.Error("migrating through a closed pool succeeded")
		} else {
			assertHidden(t, "Migrate on a closed pool", err.Error(), secrets)
		}
	})
}

// janitorLogsHide runs janitor rounds that delete, that find the lease taken,
// and that fail (closed pool), logging at debug level, and checks that the log
// holds no secret.
func janitorLogsHide(t *testing.T, pg string, secrets []string) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := storeurl.Open(t.Context(), pg)
	if err != nil {
		t.Fatal(err)
	}
	opstest.Mix(t, db.Store, time.Now(), 3, 0)
	j := &janitor.Janitor{Store: db.Store, Logger: logger}
	if res, err := j.RunOnce(t.Context()); err != nil || res.Deleted != 3 {
		t.Fatalf("janitor round: deleted %d, %v", res.Deleted, err)
	}
	if ok, err := db.Leaser.AcquireLease(t.Context(), janitor.LeaseName, "someone-else", time.Minute, time.Now()); !ok || err != nil {
		t.Fatalf("taking the lease: %v %v", ok, err)
	}
	if _, err := j.RunOnce(t.Context()); !errors.Is(err, janitor.ErrNotLeader) {
		t.Fatalf("janitor round under a held lease: %v", err)
	}
	db.Close()
	if _, err := j.RunOnce(t.Context()); err == nil {
		t.Fatal("janitor round on a closed pool succeeded")
	}
	for _, want := range []string{`msg="session cleanup" event=cleanup deleted=3`, "not the leader", "session cleanup failed"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("janitor log lacks %q:\n%s", want, logs.String())
		}
	}
	assertHidden(t, "janitor log", logs.String(), secrets)
}

// assertHidden fails when out holds any of secrets.
func assertHidden(t *testing.T, name, out string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s: output holds a secret (%.4s...):\n%s", name, s, strings.ReplaceAll(out, s, "<SECRET>"))
		}
	}
}

// secretForms lists the password, and the token in every usual encoding.
func secretForms(password string, token []byte) []string {
	return []string{password, url.QueryEscape(password), hex.EncodeToString(token),
		base64.RawURLEncoding.EncodeToString(token), base64.URLEncoding.EncodeToString(token),
		base64.StdEncoding.EncodeToString(token), base64.RawStdEncoding.EncodeToString(token)}
}

// keyStrings lists whole session keys in hex.
func keyStrings(keys []session.Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.String())
	}
	return out
}

// withPassword returns rawURL with password in its user part, and the
// password it now carries (its own, if it had one: the server may need it).
func withPassword(t *testing.T, rawURL, password string) (string, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	if own, ok := u.User.Password(); ok && own != "" {
		return rawURL, own
	}
	user := "postgres"
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, password)
	return u.String(), password
}

// wrongPasswordURL starts a PostgreSQL cluster of the test's own that checks
// passwords on TCP (scram-sha-256) and has a role "app", and returns a URL
// that logs in as app with password, which is not app's password.
func wrongPasswordURL(t *testing.T, password string) string {
	t.Helper()
	cluster := testdb.NewCluster(t, testdb.ClusterOptions{TCP: true})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, cluster.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var hbaFile string
	if err := admin.QueryRow(ctx, "SHOW hba_file").Scan(&hbaFile); err != nil {
		t.Fatal(err)
	}
	// The server writes its own pg_hba.conf (it runs as another user): the
	// superuser keeps trust, everybody else needs a password on TCP.
	for _, sql := range []string{
		"COPY (SELECT unnest(ARRAY['local all all trust', 'host all postgres 127.0.0.1/32 trust', " +
			"'host all all 127.0.0.1/32 scram-sha-256'])) TO " + quoteLiteral(hbaFile),
		"SELECT pg_reload_conf()",
		"CREATE ROLE app LOGIN PASSWORD 'the-right-password-is-not-planted'",
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(cluster.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("app", password)
	// The reload is asynchronous: wait until the server refuses the password.
	for {
		conn, err := pgx.Connect(ctx, u.String())
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "28P01" {
			return u.String()
		}
		if conn != nil {
			conn.Close(ctx)
		}
		if ctx.Err() != nil {
			t.Fatalf("the cluster never refused the wrong password: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
