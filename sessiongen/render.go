package sessiongen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
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
	if len(f.Renames) > 0 {
		return renameImports(src, f.Renames)
	}
	return src, nil
}

// renameImports renames the uses of generated imports that the file template
// imported under the names in renames. The other templates always write the
// plain names; the generated code declares no variable, parameter or type of
// those names, so every selector whose left side is one of them refers to the
// import and is renamed with it.
func renameImports(src []byte, renames map[string]string) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return src, err
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && renames[id.Name] != "" {
				id.Name = renames[id.Name]
			}
		}
		return true
	})
	var out bytes.Buffer
	if err := format.Node(&out, fset, file); err != nil {
		return src, err
	}
	return out.Bytes(), nil
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
