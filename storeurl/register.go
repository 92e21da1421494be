package storeurl

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/golang-migrate/migrate/v4"

	"github.com/sessiongen/sessiongen/session"
)

// Driver opens a store kept in a module of its own, for the URL schemes it is
// registered under.
type Driver struct {
	// Kind names the store in messages, e.g. "redis".
	Kind Kind
	// Open connects to what rawURL names and checks that it answers. Its
	// errors must not contain the URL's password.
	Open func(ctx context.Context, rawURL string) (Opened, error)
}

// Opened is what a Driver's Open returns.
type Opened struct {
	// Store is the session store.
	Store session.Store
	// Leaser elects the cleanup leader; nil when the store has none.
	Leaser session.Leaser
	// Close releases the connections.
	Close func()
}

// ErrNoMigrations is what Migrator returns for a store without a schema to
// migrate (Migrate itself succeeds: there is nothing to do, or, for a
// directory store, it creates or checks the layout).
var ErrNoMigrations = errors.New("storeurl: this store has no schema migrations")

var drivers struct {
	mu sync.RWMutex
	m  map[string]Driver
}

// builtin are the schemes Open handles itself.
var builtin = []string{"postgres", "postgresql", "mysql", "mariadb", "sqlite", "file", "dir"}

// Register makes Open and Parse understand URLs with scheme (without "://",
// e.g. "redis") through d. Call it from the init of the store's registering
// package. It panics when scheme is built in or already registered, as
// database/sql.Register does: two stores claiming one scheme is a build error.
func Register(scheme string, d Driver) {
	scheme = strings.ToLower(scheme)
	if d.Open == nil || d.Kind == "" || scheme == "" {
		panic("storeurl: Register needs a scheme, a Kind and an Open func")
	}
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	for _, b := range builtin {
		if scheme == b {
			panic("storeurl: Register of built-in scheme " + scheme)
		}
	}
	if _, dup := drivers.m[scheme]; dup {
		panic("storeurl: Register called twice for scheme " + scheme)
	}
	if drivers.m == nil {
		drivers.m = map[string]Driver{}
	}
	drivers.m[scheme] = d
}

// driverFor returns the registered driver of rawURL's scheme.
func driverFor(rawURL string) (Driver, bool) {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return Driver{}, false
	}
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	d, ok := drivers.m[strings.ToLower(scheme)]
	return d, ok
}

// noMigrations is the empty file system of a store without a schema.
var noMigrations embed.FS

func (d Driver) open(ctx context.Context, rawURL string) (*DB, error) {
	o, err := d.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	if o.Store == nil || o.Close == nil {
		return nil, fmt.Errorf("storeurl: driver %s returned no store", d.Kind)
	}
	return &DB{
		Kind:       d.Kind,
		Store:      o.Store,
		Leaser:     o.Leaser,
		migrations: noMigrations,
		migrator:   func() (*migrate.Migrate, error) { return nil, ErrNoMigrations },
		up:         func(context.Context) error { return nil },
		close:      o.Close,
	}, nil
}
