package sessiongen

import (
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/sessiongen/sessiongen/session"
)

const msgpackPath = "github.com/vmihailenco/msgpack/v5"

// fileBuilder turns the go/types view of one output file's session structs
// into the model. The helper functions of composite types belong to the file:
// every root of the file shares them.
type fileBuilder struct {
	pkg     *types.Package
	fset    *token.FileSet
	dir     string            // positions are shown relative to it
	imports map[string]string // path -> name used in the output
	names   map[string]bool   // names taken by imports
	errs    ErrorList

	prefix  string           // helper names start with the file's first root's name
	byType  map[string]*Type // by fully qualified type string
	order   []*Type          // every type, in first-use order
	bases   map[*Type]string // what a composite type's helpers are named after
	guarded map[string]bool
	guards  []Guard
}

func newFileBuilder(pkg *types.Package, fset *token.FileSet, dir string) *fileBuilder {
	return &fileBuilder{pkg: pkg, fset: fset, dir: dir, imports: map[string]string{}, names: map[string]bool{},
		byType: map[string]*Type{}, bases: map[*Type]string{}, guarded: map[string]bool{}}
}

// qualify names a package in the output, importing it under a name that
// clashes neither with the generated code's imports nor with another package.
func (fb *fileBuilder) qualify(p *types.Package) string {
	if p == fb.pkg {
		return ""
	}
	if name, ok := fb.imports[p.Path()]; ok {
		return name
	}
	name := fb.freeName(p.Name())
	fb.imports[p.Path()] = name
	fb.names[name] = true
	return name
}

// freeName returns base, or base followed by a number, whichever is first
// free in the output file: not a generated import, not an import already
// named, and not declared at package level (the generated file shares the
// package's scope, so an import named like a package-level var does not
// compile).
func (fb *fileBuilder) freeName(base string) string {
	name := base
	for i := 2; ; i++ {
		_, reserved := reservedImports[name]
		if !reserved && !fb.names[name] && fb.pkg.Scope().Lookup(name) == nil {
			return name
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
}

// file returns the model of the output file.
func (fb *fileBuilder) file(roots []*Root) *File {
	f := &File{Package: fb.pkg.Name(), Roots: roots, Guards: fb.guards, Helpers: fb.nameHelpers()}
	for _, h := range fb.order {
		setExprs(h)
	}
	markFailing(f.Helpers)
	markNested(f.Helpers)
	for _, h := range f.Helpers {
		for _, c := range children(h) {
			c.Referenced = true
		}
	}
	for _, r := range roots {
		r.OwnerExpr = ownerExpr(r.Owner)
	}
	for path, name := range fb.imports {
		imp := Import{Path: path, Std: !strings.Contains(strings.Split(path, "/")[0], ".")}
		if name != filepath.Base(path) {
			imp.Name = name
		}
		f.Imports = append(f.Imports, imp)
	}
	sort.Slice(f.Imports, func(i, j int) bool { return f.Imports[i].Path < f.Imports[j].Path })
	for _, name := range slices.Sorted(maps.Keys(reservedImports)) {
		if fb.pkg.Scope().Lookup(name) != nil {
			if f.Renames == nil {
				f.Renames = map[string]string{}
			}
			f.Renames[name] = fb.freeName(name + "pkg")
			fb.names[f.Renames[name]] = true
		}
	}
	return f
}

// rootBuilder builds one session struct.
type rootBuilder struct {
	*fileBuilder
	root *Root
}

func (fb *fileBuilder) buildRoot(named *types.Named) *Root {
	rb := &rootBuilder{fileBuilder: fb, root: &Root{Name: named.Obj().Name()}}
	if fb.prefix == "" {
		fb.prefix = capitalize(rb.root.Name)
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok || named.TypeParams().Len() > 0 {
		fb.fail(named.Obj().Pos(), named.Obj().Name(), "a session type must be a non-generic struct type")
		return rb.root
	}
	rb.guard(named, st)
	// The root is always encoded as a struct, even if it has other codec
	// methods: registered before its fields so that a recursive use finds it.
	h := &Type{Kind: KindStruct, GoType: rb.root.Name, Marker: true, Comparable: types.Comparable(named), Zero: rb.root.Name + "{}",
		SchemaName: rb.root.Name}
	h.NonZeroFmt = nonZeroFmt(h)
	fb.add(h, types.TypeString(named, nil), "")
	fb.bases[h] = capitalize(rb.root.Name) + "Session" // unprefixed: root names are unique
	rb.root.Type = h
	rb.root.Fields = rb.fields(st, rb.root.Name, true)
	h.Fields = rb.root.Fields
	h.Required, h.Omits = 1+countRequired(h.Fields), countRequired(h.Fields) < len(h.Fields)
	if len(rb.root.Fields) > session.MaxFields {
		fb.fail(named.Obj().Pos(), rb.root.Name, fmt.Sprintf("%d encoded fields, more than the %d a session.FieldSet holds", len(rb.root.Fields), session.MaxFields))
	}
	rb.policy()
	return rb.root
}

// add records h, the model of the type whose fully qualified string is key;
// if it turns out composite, its helpers are named after the file's prefix
// and name.
func (fb *fileBuilder) add(h *Type, key, name string) {
	fb.byType[key] = h
	fb.order = append(fb.order, h)
	fb.bases[h] = fb.prefix + name
}

// nameHelpers names the helper functions of the file's composite types and
// returns those types, in first-use order.
func (fb *fileBuilder) nameHelpers() []*Type {
	var helpers []*Type
	taken := map[string]bool{}
	for _, h := range fb.order {
		if !composite(h.Kind) {
			continue
		}
		base := fb.bases[h]
		name := base
		for i := 2; taken[name] || fb.declared(name); i++ {
			name = fmt.Sprintf("%s%d", base, i)
		}
		taken[name] = true
		h.Append, h.Decode, h.Equal = "append"+name, "decode"+name, "equal"+name
		helpers = append(helpers, h)
	}
	return helpers
}

// declared reports whether the package declares a helper named after fragment.
func (fb *fileBuilder) declared(fragment string) bool {
	for _, verb := range []string{"append", "decode", "equal"} {
		if fb.pkg.Scope().Lookup(verb+fragment) != nil {
			return true
		}
	}
	return false
}

func (fb *fileBuilder) fail(pos token.Pos, field, reason string) {
	p := fb.fset.Position(pos)
	if rel, err := filepath.Rel(fb.dir, p.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		p.Filename = rel
	}
	fb.errs = append(fb.errs, &Error{Pos: p, Field: field, Reason: reason})
}

// fields returns the encoded fields of st. top marks the session struct itself,
// where user, flash and merge apply and accessors are generated.
func (rb *rootBuilder) fields(st *types.Struct, owner string, top bool) []*Field {
	var out []*Field
	keys := map[string]string{}
	var user string
	for i := 0; i < st.NumFields(); i++ {
		v := st.Field(i)
		name := owner + "." + v.Name()
		if !v.Exported() {
			continue // like encoding/json and msgpack: unexported fields are not stored
		}
		tg, err := parseTag(st.Tag(i), top)
		if err != nil {
			rb.fail(v.Pos(), name, err.Error())
			continue
		}
		if tg.skip {
			continue
		}
		if tg.key == "" {
			tg.key = SnakeCase(v.Name())
		}
		if prev, dup := keys[tg.key]; dup {
			rb.fail(v.Pos(), name, fmt.Sprintf("key %q is already used by field %s", tg.key, prev))
			continue
		}
		keys[tg.key] = v.Name()
		f := &Field{GoName: v.Name(), Key: tg.key, Index: len(out), OmitEmpty: tg.omitEmpty,
			User: tg.user, Flash: tg.flash, Merge: tg.merge, Reset: tg.reset, Pos: rb.fset.Position(v.Pos())}
		f.Type = rb.typeOf(v.Type(), v.Pos(), name)
		switch {
		case (tg.omitEmpty || tg.flash) && f.Type.NonZeroFmt == "":
			rb.fail(v.Pos(), name, fmt.Sprintf("omitempty and flash need a type whose zero value can be tested; %s is not comparable", f.Type.GoType))
		case tg.user && user != "":
			rb.fail(v.Pos(), name, fmt.Sprintf("only one field may be tagged user; %s already is", user))
		case tg.user && f.Type.Kind != KindString && f.Type.Kind != KindInt && f.Type.Kind != KindUint:
			rb.fail(v.Pos(), name, fmt.Sprintf("the user field must be a string or an integer, not %s", f.Type.GoType))
		}
		if tg.user && user == "" {
			user = v.Name()
			rb.root.Owner = f
		}
		if top {
			rb.checkAccessors(v, f)
		}
		out = append(out, f)
	}
	return out
}

// ownerExpr is the expression SessionOwner returns for the user field f (nil
// when there is none), in a method whose receiver is v.
func ownerExpr(f *Field) string {
	if f == nil {
		return `""`
	}
	field := "v." + f.GoName
	switch f.Type.Kind {
	case KindInt:
		return "wire.FormatInt(" + fill(conv(f.Type, "int64"), field) + ")"
	case KindUint:
		return "wire.FormatUint(" + fill(conv(f.Type, "uint64"), field) + ")"
	}
	return fill(conv(f.Type, "string"), field)
}

func countRequired(fields []*Field) int {
	n := 0
	for _, f := range fields {
		if !f.OmitEmpty {
			n++
		}
	}
	return n
}

// checkAccessors refuses fields whose generated names would shadow a method of
// session.Session or collide with the codec's methods.
func (rb *rootBuilder) checkAccessors(v *types.Var, f *Field) {
	name := rb.root.Name + "." + v.Name()
	if reservedMethods[v.Name()] {
		rb.fail(v.Pos(), name, fmt.Sprintf("the name %s is taken by a generated codec method: rename the field", v.Name()))
	}
	accessors := []string{v.Name(), "Set" + v.Name()}
	if f.Flash {
		accessors = append(accessors, "Pop"+v.Name())
	}
	for _, a := range accessors {
		if reservedAccessors[a] {
			rb.fail(v.Pos(), name, fmt.Sprintf("accessor %s would shadow (*session.Session).%s: rename the field", a, a))
		}
	}
	if f.Flash {
		rb.root.HasFlash = true
	}
}

// policy computes the merge policy sets and checks that accessors of different
// fields do not collide (field Foo's setter is a field named SetFoo's getter).
func (rb *rootBuilder) policy() {
	var theirs, refuse session.FieldSet
	getters := map[string]bool{}
	for _, f := range rb.root.Fields {
		getters[f.GoName] = true
		switch f.Merge {
		case "theirs":
			theirs.Add(f.Index)
		case "error":
			refuse.Add(f.Index)
		}
	}
	for _, f := range rb.root.Fields {
		for _, a := range []string{"Set" + f.GoName, "Pop" + f.GoName} {
			if getters[a] {
				rb.fail(token.NoPos, rb.root.Name+"."+a, fmt.Sprintf("its getter %s collides with an accessor of field %s", a, f.GoName))
			}
		}
	}
	rb.root.Theirs, rb.root.Refuse = fieldSetLiteral(theirs), fieldSetLiteral(refuse)
}

func fieldSetLiteral(s session.FieldSet) string {
	words := s[:]
	for len(words) > 0 && words[len(words)-1] == 0 {
		words = words[:len(words)-1]
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = fmt.Sprintf("%#x", w)
	}
	return "session.FieldSet{" + strings.Join(parts, ", ") + "}"
}

// guard records a compile-time guard for a named struct whose fields the
// generated code reads. A struct of another package gets one only when all its
// fields are exported (the only case the conversion can be written).
func (fb *fileBuilder) guard(named *types.Named, st *types.Struct) {
	key := types.TypeString(named, nil)
	if fb.guarded[key] {
		return
	}
	fb.guarded[key] = true
	var fields []string
	for i := 0; i < st.NumFields(); i++ {
		v := st.Field(i)
		if named.Obj().Pkg() != fb.pkg && !v.Exported() {
			return
		}
		typ := types.TypeString(v.Type(), fb.qualify)
		if v.Embedded() {
			fields = append(fields, typ)
		} else {
			fields = append(fields, v.Name()+" "+typ)
		}
	}
	fb.guards = append(fb.guards, Guard{
		Type:   types.TypeString(named, fb.qualify),
		Struct: "struct{ " + strings.Join(fields, "; ") + " }",
	})
}

func capitalize(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
