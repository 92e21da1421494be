package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	sqlitemigrate "github.com/golang-migrate/migrate/v4/database/sqlite"

	"github.com/sessiongen/sessiongen/schema"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// MigrationsTable is where golang-migrate records the schema version: a name of
// our own, so that an application using golang-migrate for its own tables in
// the same file keeps its "schema_migrations".
const MigrationsTable = "sessiongen_schema_migrations"

// NewMigrator returns a golang-migrate instance over the embedded migrations in
// schema.SQLite() and db (modernc driver), for the CLI: Up, Steps(-1), Version.
//
// Closing the migrator closes db (golang-migrate's sqlite driver owns the
// handle it is given): give it a handle of its own, or do not Close it.
// golang-migrate's sqlite driver locks only within one process; migrate from
// one process at a time (at deploy, or at start-up before forking workers).
func NewMigrator(db *sql.DB) (*migrate.Migrate, error) {
	driver, err := sqlitemigrate.WithInstance(db, &sqlitemigrate.Config{MigrationsTable: MigrationsTable})
	if err != nil {
		return nil, storekit.Unavailable("migrate", err)
	}
	m, err := schema.NewMigrator(schema.SQLite(), "sqlite", driver)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	return m, nil
}

// Migrate applies every pending migration to db; an up-to-date database is
// success. It does not close db. Cancelling ctx stops after the migration in
// progress, with an ErrUnavailable.
func Migrate(ctx context.Context, db *sql.DB) error {
	if err := storekit.CheckContext(ctx, "migrate"); err != nil {
		return err
	}
	m, err := NewMigrator(db)
	if err != nil {
		return err
	}
	// Not m.Close(): it would close db, which belongs to the caller.
	if err := schema.Up(ctx, m); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			if !errors.Is(err, ctxErr) {
				err = errors.Join(ctxErr, err)
			}
			return storekit.Unavailable("migrate", err)
		}
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	return nil
}
