package sessiongen

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"text/template"

	"github.com/sessiongen/sessiongen/templates"
)

var tmpl = template.Must(template.New("sessiongen").Funcs(template.FuncMap{
	// zero renders a zero test (Field.ZeroFmt) of the Go expression expr.
	"zero": func(zeroFmt, expr string) string { return fmt.Sprintf(zeroFmt, expr) },
}).ParseFS(templates.FS, "*.tmpl"))

// render executes the templates for f and formats the result. On a format
// failure it returns the raw text with the error.
func render(f *File) ([]byte, error) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "file", f); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return buf.Bytes(), err
	}
	return src, nil
}

// FormatError means the rendered code is not valid Go: a generator bug. Raw is
// the unformatted text, which Write saves as <Path>.broken for debugging.
type FormatError struct {
	Path string
	Raw  []byte
	Err  error
}

// Error implements error.
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: generated code does not parse (raw output in %s.broken): %v", e.Path, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

// Write writes the outputs of Generate, or, given the error of Generate, saves
// the raw text of a *FormatError as <file>.broken. It returns err (or a write
// error) so that callers can write `return sessiongen.Write(sessiongen.Generate(cfg))`.
func Write(outs []Output, err error) error {
	if fe, ok := err.(*FormatError); ok && fe.Raw != nil {
		if werr := os.WriteFile(fe.Path+".broken", fe.Raw, 0o644); werr != nil {
			return fmt.Errorf("%w (and saving the raw output failed: %v)", err, werr)
		}
	}
	if err != nil {
		return err
	}
	for _, o := range outs {
		if err := os.WriteFile(o.Path, o.Source, 0o644); err != nil {
			return err
		}
	}
	return nil
}
