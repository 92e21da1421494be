package schema

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// NewMigrator returns a golang-migrate instance that applies the migrations
// in files (Postgres(), SQLite(), ...) through driver, registered under
// driverName. On failure it closes the migration source, not the driver: the
// caller knows what the driver owns.
func NewMigrator(files fs.FS, driverName string, driver database.Driver) (*migrate.Migrate, error) {
	src, err := iofs.New(files, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations source: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, driverName, driver)
	if err != nil {
		_ = src.Close()
		return nil, fmt.Errorf("migrator: %w", err)
	}
	return m, nil
}

// Up applies every pending migration with m; a database that is already
// current is success. When ctx ends first, Up stops after the migration in
// progress and returns ctx's error.
func Up(ctx context.Context, m *migrate.Migrate) error {
	done := make(chan error, 1)
	go func() { done <- m.Up() }()
	select {
	case err := <-done:
		if errors.Is(err, migrate.ErrNoChange) {
			return nil
		}
		return err
	case <-ctx.Done():
		m.GracefulStop <- true
		<-done
		return ctx.Err()
	}
}
