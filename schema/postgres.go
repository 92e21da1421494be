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
func Postgres() fs.FS { return folder(postgresFiles, "postgres") }

// folder returns the embedded folder dir of files as a file system rooted there.
func folder(files embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		// fs.Sub fails only on an invalid path, and dir is a constant.
		panic(err)
	}
	return sub
}
