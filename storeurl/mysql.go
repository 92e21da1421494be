package storeurl

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"

	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/schema"
)

// mysqlDefaultPort is the port of a mysql:// URL that names none.
const mysqlDefaultPort = "3306"

// MySQLConfig converts a mysql:// or mariadb:// URL to the driver
// configuration mysqlstore.OpenConfig takes. Two spellings are understood:
//
//	mysql://user:pass@host:3306/db?tls=true              a URL (port 3306 by default)
//	mysql://user:pass@/db?socket=/run/mysqld/mysqld.sock  a unix socket
//	mysql://user:pass@tcp(host:3306)/db?tls=true         golang-migrate's: mysql:// and a driver DSN
//
// Query parameters are go-sql-driver/mysql's (tls, timeout, charset, ...);
// the store sets the ones its statements rely on itself. The error never
// contains the password.
func MySQLConfig(rawURL string) (*mysql.Config, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || (scheme != "mysql" && scheme != "mariadb") {
		return nil, fmt.Errorf("%w: want mysql:// or mariadb://", ErrUnsupported)
	}
	if strings.Contains(rest, "@tcp(") || strings.Contains(rest, "@unix(") || strings.HasPrefix(rest, "tcp(") || strings.HasPrefix(rest, "unix(") {
		cfg, err := mysql.ParseDSN(rest)
		if err != nil {
			return nil, fmt.Errorf("%w: cannot parse MySQL DSN", ErrUnsupported)
		}
		return cfg, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote the URL, password included.
		return nil, fmt.Errorf("%w: cannot parse MySQL URL", ErrUnsupported)
	}
	query := u.Query()
	address := "tcp(" + hostPort(u) + ")"
	if socket := query.Get("socket"); socket != "" {
		address = "unix(" + socket + ")"
		query.Del("socket")
	}
	// Everything but the credentials goes through the driver's own parser, so
	// that every parameter means what the driver's documentation says.
	dsn := address + "/" + strings.TrimPrefix(u.Path, "/")
	if len(query) > 0 {
		dsn += "?" + query.Encode()
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: MySQL URL parameters: %v", ErrUnsupported, err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	return cfg, nil
}

// hostPort returns the URL's host and port, with the default port when it
// names none.
func hostPort(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = mysqlDefaultPort
	}
	return net.JoinHostPort(host, port)
}

func openMySQL(ctx context.Context, rawURL string) (*DB, error) {
	cfg, err := MySQLConfig(rawURL)
	if err != nil {
		return nil, err
	}
	store, err := mysqlstore.OpenConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := store.DB()
	return &DB{
		Kind:       MySQL,
		Store:      store,
		Leaser:     store,
		SQL:        db,
		migrations: schema.MySQL(),
		migrator: func() (*migrate.Migrate, error) {
			return mysqlstore.NewMigrator(context.Background(), db)
		},
		up:    func(ctx context.Context) error { return mysqlstore.Migrate(ctx, db) },
		close: func() { _ = store.Close() },
	}, nil
}
