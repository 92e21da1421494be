package schema

import (
	"embed"
	"io/fs"
)

//go:embed mysql/*.sql
var mysqlFiles embed.FS

// MySQL returns the MariaDB / MySQL migrations (NNNNNN_name.up.sql /
// .down.sql, one statement each) as a file system rooted at their folder,
// ready for golang-migrate's iofs source. mysqlstore.Migrate applies them.
func MySQL() fs.FS { return folder(mysqlFiles, "mysql") }
