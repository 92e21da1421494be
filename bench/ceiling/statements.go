package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessiongen/sessiongen/gen/pgdb"
)

// The statements every side runs are taken from gen/pgdb itself, so that
// pgbench, raw pgx and pgstore cannot drift apart: recorder is a pgdb.DBTX
// that runs nothing and remembers the SQL text a generated method sent.
type recorder struct{ sql string }

var errRecorded = errors.New("recorded, not run")

func (r *recorder) Exec(_ context.Context, sql string, _ ...any) (pgconn.CommandTag, error) {
	r.sql = sql
	return pgconn.CommandTag{}, errRecorded
}

func (r *recorder) Query(_ context.Context, sql string, _ ...any) (pgx.Rows, error) {
	r.sql = sql
	return nil, errRecorded
}

func (r *recorder) QueryRow(_ context.Context, sql string, _ ...any) pgx.Row {
	r.sql = sql
	return recordedRow{}
}

type recordedRow struct{}

func (recordedRow) Scan(...any) error { return errRecorded }

// statementOf returns the SQL text call sends through pgdb, without sqlc's
// leading "-- name:" comment.
func statementOf(call func(q *pgdb.Queries)) string {
	r := &recorder{}
	call(pgdb.New(r))
	sql := r.sql
	if strings.HasPrefix(sql, "-- name:") {
		_, sql, _ = strings.Cut(sql, "\n")
	}
	return strings.TrimSpace(sql)
}

// The hit paths of pgstore.Load and pgstore.Save, exactly as pgstore sends
// them.
var (
	loadSQL = statementOf(func(q *pgdb.Queries) { _, _ = q.LoadSession(context.Background(), nil) })
	saveSQL = statementOf(func(q *pgdb.Queries) {
		_, _ = q.SaveSession(context.Background(), pgdb.SaveSessionParams{})
	})
)

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// pgbenchStatement turns a generated statement into a pgbench script line:
// parameter $n, the n-th field of params (sqlc numbers parameters in the
// order of its Params struct's fields, or names the single one), becomes the
// pgbench expression vars gives for that field's name. pgbench sends each
// :variable as a parameter of its prepared statement, so the server runs the
// same statement text with the same parameters as pgx does; the key, which
// pgbench cannot compute as bytes, is built by keySQL on the server.
func pgbenchStatement(sql string, params reflect.Type, vars map[string]string) (string, error) {
	var names []string
	if params.Kind() == reflect.Struct {
		for i := range params.NumField() {
			names = append(names, params.Field(i).Name)
		}
	} else {
		names = []string{"Key"} // a single parameter is passed bare: LoadSession's key
	}
	var missing error
	out := placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		if n < 1 || n > len(names) {
			missing = fmt.Errorf("statement has parameter %s, params have %d fields", p, len(names))
			return p
		}
		v, ok := vars[names[n-1]]
		if !ok {
			missing = fmt.Errorf("no pgbench expression for parameter %s (%s)", p, names[n-1])
		}
		return v
	})
	return out + ";\n", missing
}

// loadScript is pgstore.Load's hit-path statement on a uniformly random row.
func loadScript(rows int) (string, error) {
	stmt, err := pgbenchStatement(loadSQL, reflect.TypeFor[[]byte](), map[string]string{"Key": "(" + keySQL + ")"})
	return fmt.Sprintf("\\set id random(1, %d)\n", rows) + stmt, err
}

// saveScript is pgstore.Save's hit-path statement over the per-client walk
// (see walk): each pgbench client walks its own key range with a per-client
// counter :i, so the version it names is always the current one; savedCount
// checks afterwards that every transaction pgbench counted did update its
// row. Data, remember-me, idle expiry and now come from -D variables
// (saveVars), the same values the Go sides send; the owner is the literal ”
// (an anonymous session, like the filled rows).
func saveScript(rows, clients int) (string, error) {
	span := rows / clients
	stmt, err := pgbenchStatement(saveSQL, reflect.TypeFor[pgdb.SaveSessionParams](), map[string]string{
		"Key":           "(" + keySQL + ")",
		"Now":           ":now",
		"Owner":         "''", // pgbench refuses an empty -D value: the literal, for anonymous sessions
		"Data":          ":data",
		"RememberMe":    ":remember",
		"IdleExpiresAt": ":idle",
		"Version":       ":v",
	})
	return fmt.Sprintf(`\set id :client_id * %[1]d + :i %% %[1]d + 1
\set v 1 + :i / %[1]d
%s\set i :i + 1
`, span, stmt), err
}

// saveVars are the -D variables of saveScript.
func saveVars(data []byte, exp expiries) map[string]string {
	return map[string]string{
		"i": "0", "now": exp.now.Format(time.RFC3339Nano), "data": byteaLiteral(data),
		"remember": "false", "idle": exp.idle.Format(time.RFC3339Nano),
	}
}
