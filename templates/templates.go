// Package templates holds the text/templates sessiongen renders, embedded so
// that the generator binary needs no files beside it.
package templates

import "embed"

// FS holds the *.tmpl files. The entry template is "file", defined in file.tmpl.
//
//go:embed *.tmpl
var FS embed.FS
