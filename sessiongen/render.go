package sessiongen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"text/template"

	"github.com/sessiongen/sessiongen/templates"
)

var tmpl = template.Must(template.New("sessiongen").Funcs(template.FuncMap{
	"fill": fill,
	// value is the argument of the appendValue template.
	"value": func(t *Type, x, onErr string) valueArg { return valueArg{t, x, onErr} },
	// into is the argument of the readField, readInto and readVar templates.
	"into": func(t *Type, dst string) intoArg { return intoArg{t, dst} },
}).ParseFS(templates.FS, "*.tmpl"))

type valueArg struct {
	T        *Type
	X, OnErr string // the value's expression; the error to return on failure ("" for err)
}

type intoArg struct {
	T   *Type
	Dst string // where the value goes
}

// fill fills in a code pattern of the model (Type.AppendFmt...) with the
// expressions at hand. An expression *p that the pattern takes the address of
// is written p, not &*p; one whose method the pattern calls is written (*p)
// (*p.Equal(x) would call p.Equal).
func fill(pattern string, exprs ...string) string {
	args := make([]any, len(exprs))
	for i, e := range exprs {
		if deref, ok := strings.CutPrefix(e, "*"); ok {
			if ref := fmt.Sprintf("&%%[%d]s", i+1); strings.Contains(pattern, ref) {
				pattern = strings.ReplaceAll(pattern, ref, fmt.Sprintf("%%[%d]s", i+1))
				e = deref
			}
			if strings.Contains(pattern, fmt.Sprintf("%%[%d]s.", i+1)) {
				e = "(" + e + ")"
			}
		}
		args[i] = e
	}
	return fmt.Sprintf(pattern, args...)
}

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
