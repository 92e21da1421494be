package cleanup

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiongen/sessiongen/bench/ceiling/freshdb"
	"github.com/sessiongen/sessiongen/pgstore"
)

// template is a seeded database that iterations clone.
type template struct {
	db *freshdb.DB
}

// seededTemplate creates, migrates and seeds the template database, and drops
// it when b ends. It returns the instant the rows were seeded for.
func seededTemplate(b *testing.B) (*template, time.Time) {
	ctx := context.Background()
	db, err := freshdb.Create(ctx, freshdb.ServerURL(), "sessiongen_bench_cleanup_tmpl_")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Drop(context.Background()) })
	// The pool must be closed before cloning: a template may have no sessions.
	pool := openPool(b, db.URL, 2)
	if err := pgstore.Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	now := seed(b, pool)
	pool.Close()
	return &template{db}, now
}

// clone returns the URL of a copy of the template, dropped when b ends.
// FILE_COPY copies the files after a checkpoint: seconds for the ~600 MB
// template, where WAL_LOG would write all of it to the WAL.
func (t *template) clone(b *testing.B) string {
	ctx := context.Background()
	name := "sessiongen_bench_cleanup_" + time.Now().Format("150405_000000")
	server := freshdb.ServerURL()
	admin := func(sql string) {
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	admin("CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{t.name()}.Sanitize() + " STRATEGY FILE_COPY")
	b.Cleanup(func() { admin("DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)") })
	u, err := url.Parse(server)
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// name is the template database's name, the last element of its URL's path.
func (t *template) name() string {
	u, _ := url.Parse(t.db.URL)
	return u.Path[1:]
}
