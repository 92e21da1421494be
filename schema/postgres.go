// Package schema embeds the database migrations in golang-migrate format, so an
// application can migrate its database without shipping SQL files.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql
var postgresFiles embed.FS

// Postgres returns the PostgreSQL migrations (NNNNNN_name.up.sql / .down.sql)
// as a file system rooted at their folder, ready for golang-migrate's iofs
// source. pgstore.Migrate applies them.
func Postgres() fs.FS {
	sub, err := fs.Sub(postgresFiles, "postgres")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "postgres" is a constant.
		panic(err)
	}
	return sub
}
