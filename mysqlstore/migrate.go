package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	mysqlmigrate "github.com/golang-migrate/migrate/v4/database/mysql"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/sessiongen/sessiongen/schema"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// MigrationsTable is where golang-migrate records the applied schema version:
// a name of our own, so that an application using golang-migrate for its own
// tables in the same database keeps its "schema_migrations".
const MigrationsTable = "sessiongen_schema_migrations"

// NewMigrator returns a golang-migrate instance over the embedded migrations
// in schema.MySQL() on one connection taken from db (the store's DB()), for
// the CLI: Up, Steps(-1), Version, Force. Closing it returns the connection
// and leaves db open.
//
// Several processes may migrate at once: golang-migrate serialises them with
// GET_LOCK on the database. Each migration is one DDL statement, because DDL
// is not transactional on MariaDB or MySQL: a file of several statements that
// failed halfway would be left half-applied, and "dirty".
func NewMigrator(ctx context.Context, db *sql.DB) (*migrate.Migrate, error) {
	src, err := iofs.New(schema.MySQL(), ".")
	if err != nil {
		return nil, fmt.Errorf("mysqlstore: migrations: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, storekit.Unavailable("migrate", err)
	}
	driver, err := mysqlmigrate.WithConnection(ctx, conn, &mysqlmigrate.Config{MigrationsTable: MigrationsTable})
	if err != nil {
		return nil, storekit.Unavailable("migrate", errors.Join(err, conn.Close()))
	}
	m, err := migrate.NewWithInstance("iofs", src, "mysql", driver)
	if err != nil {
		return nil, fmt.Errorf("mysqlstore: migrator: %w", errors.Join(err, driver.Close()))
	}
	return m, nil
}

// Migrate applies every pending migration to db; an up-to-date database is
// success. It does not close db. Cancelling ctx stops after the migration in
// progress.
func Migrate(ctx context.Context, db *sql.DB) (err error) {
	if err := storekit.CheckContext(ctx, "migrate"); err != nil {
		return err
	}
	m, err := NewMigrator(ctx, db)
	if err != nil {
		return err
	}
	defer func() {
		if srcErr, dbErr := m.Close(); err == nil {
			err = errors.Join(srcErr, dbErr)
		}
	}()
	done := make(chan error, 1)
	go func() { done <- m.Up() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		m.GracefulStop <- true
		<-done
		return storekit.Unavailable("migrate", ctx.Err())
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("mysqlstore: migrate: %w", err)
	}
	return nil
}
