package schema

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

// SQLite returns the SQLite migrations (NNNNNN_name.up.sql / .down.sql) as a
// file system rooted at their folder, ready for golang-migrate's iofs source.
// sqlitestore.Migrate applies them.
func SQLite() fs.FS {
	sub, err := fs.Sub(sqliteFiles, "sqlite")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "sqlite" is a constant.
		panic(err)
	}
	return sub
}
