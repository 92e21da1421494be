// Package sessiongen generates typed session code from Go structs: accessors,
// a msgpack codec and the session.Codec methods. Its pipeline is load (go/packages
// and go/types) -> model (plain structs, model.go) -> render (the embedded
// text/templates of package templates) -> format (go/format).
package sessiongen

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
)

// Config says what to generate.
type Config struct {
	Dir    string   // directory of the package holding the types; "" means "."
	Types  []string // session struct type names
	Output string   // optional: one output file for all types, relative to Dir
	Env    []string // environment of the go command that loads packages; nil means os.Environ()
}

// Output is one generated file: Go code, or its wire schema.
type Output struct {
	// Path is where it belongs: <source>_session.go next to the source file,
	// or Config.Output; the schema goes next to it, with .schema for .go.
	Path   string
	Source []byte // formatted Go source, or the schema's text
}

// Generate loads the package, builds the model of each requested type and
// renders one file per source file that declares some of them (or the single
// Config.Output file), each followed by its wire schema (schema.go), which
// keeps the keys that the schema file it replaces retired. It writes nothing:
// see Write. A rendering that go/format
// rejects yields a *FormatError carrying the raw text.
func Generate(cfg Config) ([]Output, error) {
	if len(cfg.Types) == 0 {
		return nil, fmt.Errorf("no type given: use -type T1,T2")
	}
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	pkg, typeErrs, err := load(dir, cfg.Env)
	if err != nil {
		return nil, err
	}
	var order []string
	byPath := map[string][]*types.Named{}
	for _, name := range cfg.Types {
		obj, ok := pkg.Types.Scope().Lookup(name).(*types.TypeName)
		if !ok {
			return nil, fmt.Errorf("type %s not found in package %s", name, pkg.PkgPath)
		}
		named, ok := types.Unalias(obj.Type()).(*types.Named)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not a defined type", pkg.Fset.Position(obj.Pos()), name)
		}
		path := outputPath(dir, cfg.Output, pkg.Fset.Position(obj.Pos()).Filename)
		if _, seen := byPath[path]; !seen {
			order = append(order, path)
		}
		byPath[path] = append(byPath[path], named)
	}
	var outs []Output
	var errs ErrorList
	for _, path := range order {
		fb := newFileBuilder(pkg.Types, pkg.Fset, dir)
		var roots []*Root
		for _, named := range byPath[path] {
			roots = append(roots, fb.buildRoot(named))
		}
		errs = append(errs, fb.errs...)
		if len(fb.errs) > 0 {
			continue
		}
		src, err := render(fb.file(roots))
		if err != nil {
			return nil, &FormatError{Path: path, Raw: src, Err: err}
		}
		schema, schemaPath := schemaOf(roots), SchemaPath(path)
		prev, err := readSchema(schemaPath)
		if err != nil {
			return nil, err
		}
		schema.retire(prev)
		outs = append(outs, Output{Path: path, Source: src}, Output{Path: schemaPath, Source: schema.Text()})
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return posLess(errs[i].Pos, errs[j].Pos) })
		if len(typeErrs) > 0 {
			// A field whose type does not compile: the type checker's own
			// messages say why.
			return nil, fmt.Errorf("%w\nthe package has type errors:\n%s", errs, strings.Join(typeErrs, "\n"))
		}
		return nil, errs
	}
	return outs, nil
}

// SchemaPath is where the wire schema of the generated file at path goes.
func SchemaPath(path string) string { return strings.TrimSuffix(path, ".go") + ".schema" }

// outputPath is where the code for types declared in source goes.
func outputPath(dir, output, source string) string {
	if output != "" {
		if filepath.IsAbs(output) {
			return output
		}
		return filepath.Join(dir, output)
	}
	return strings.TrimSuffix(source, ".go") + "_session.go"
}

func posLess(a, b token.Position) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}
