package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
)

// stmtCache is the handle the generated queries run on. It prepares each
// query once and keeps the *sql.Stmt, which database/sql prepares again on
// each pooled connection the first time it runs there and then reuses: SQLite
// compiles the SQL once per connection instead of on every call. Preparing is
// lazy, so New needs no schema yet (Migrate may run after it), and a query
// that fails to prepare (no schema) is not cached and fails as usual.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // query text -> *sql.Stmt
}

var _ sqlitedb.DBTX = (*stmtCache)(nil)

// prepared returns the cached statement for query, preparing it on first use.
func (c *stmtCache) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded {
		st.Close() // another goroutine prepared it first
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// ExecContext implements sqlitedb.DBTX.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext implements sqlitedb.DBTX.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext implements sqlitedb.DBTX. A *sql.Row cannot be built with an
// error, so a query that fails to prepare runs unprepared and reports its own
// failure through the row.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.prepared(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// PrepareContext implements sqlitedb.DBTX.
func (c *stmtCache) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.db.PrepareContext(ctx, query)
}

// close closes the cached statements.
func (c *stmtCache) close() error {
	var errs []error
	c.stmts.Range(func(query, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		c.stmts.Delete(query)
		return true
	})
	return errors.Join(errs...)
}
