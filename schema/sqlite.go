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
func SQLite() fs.FS { return folder(sqliteFiles, "sqlite") }
