package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sessiongen/sessiongen/schema"
)

// MigrationsTable is where golang-migrate records the applied sessiongen schema
// version. It is not golang-migrate's default (schema_migrations), so that an
// application migrating its own tables with golang-migrate in the same
// database keeps its own version history.
const MigrationsTable = "sessiongen_schema_migrations"

// NewMigrator returns a golang-migrate instance for the embedded PostgreSQL
// schema (schema.Postgres) on pool, for tools that need more than Migrate
// (the CLI's down, version, force). Close it before closing the pool: it holds
// one of the pool's connections for its lock, and pool.Close waits for it.
func NewMigrator(pool *pgxpool.Pool) (*migrate.Migrate, error) {
	// Closing this *sql.DB (the migrator's Close does) leaves the pool open.
	db := stdlib.OpenDBFromPool(pool)
	driver, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{MigrationsTable: MigrationsTable})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pgstore: migrations driver: %w", err)
	}
	m, err := schema.NewMigrator(schema.Postgres(), "pgx5", driver)
	if err != nil {
		_ = driver.Close()
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return m, nil
}

// Migrate applies every pending migration of the embedded schema. A database
// that is already current is not an error, and several processes may migrate
// at once (golang-migrate serialises them with an advisory lock). When ctx ends
// first, Migrate stops after the migration in progress and returns ctx's error.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	m, err := NewMigrator(pool)
	if err != nil {
		return err
	}
	defer func() {
		if srcErr, dbErr := m.Close(); err == nil {
			err = errors.Join(srcErr, dbErr)
		}
	}()
	if err := schema.Up(ctx, m); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}
