package sessiongen

import (
	"fmt"
	"go/types"
	"path/filepath"
	"strings"
)

// Check compares the session types of the package in dir with baselines, the
// schemas of an earlier revision (one per generated file of the package), and
// returns every change that sessions stored under the baseline would not
// survive: see CompareSchemas. Session types the baseline does not name are
// new, and those the package no longer declares are gone: neither is
// compared. env is as in Config.
func Check(dir string, env []string, baselines []*Schema) ([]*Finding, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	old := mergeSchemas(baselines)
	pkg, typeErrs, err := load(dir, env)
	if err != nil {
		return nil, err
	}
	fb := newFileBuilder(pkg.Types, pkg.Fset, dir)
	var roots []*Root
	for _, s := range old.Sessions {
		obj, ok := pkg.Types.Scope().Lookup(s.Name).(*types.TypeName)
		if !ok {
			continue
		}
		if named, ok := types.Unalias(obj.Type()).(*types.Named); ok {
			roots = append(roots, fb.buildRoot(named))
		}
	}
	if len(fb.errs) > 0 {
		if len(typeErrs) > 0 {
			return nil, fmt.Errorf("%w\nthe package has type errors:\n%s", fb.errs, strings.Join(typeErrs, "\n"))
		}
		return nil, fb.errs
	}
	fb.file(roots) // marks the types that contain themselves, which the schema names
	return CompareSchemas(old, schemaOf(roots)), nil
}

// mergeSchemas joins the schemas of one package's generated files. Structs and
// type definitions that several of them hold are the same package's types:
// the first copy is kept.
func mergeSchemas(list []*Schema) *Schema {
	out := &Schema{Format: -1}
	for _, s := range list {
		if out.Format < 0 || s.Format < out.Format {
			out.Format = s.Format // the oldest format stored is the one to read
		}
		out.Sessions = append(out.Sessions, s.Sessions...)
		for _, st := range s.Structs {
			if out.lookup(st.Name) == nil {
				out.Structs = append(out.Structs, st)
			}
		}
		for _, t := range s.Types {
			if out.typeDef(t.Key) == nil {
				out.Types = append(out.Types, t)
			}
		}
	}
	out.sort()
	return out
}
