package sessiongen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/sessiongen/sessiongen/wire"
)

// The wire schema is what stored sessions hold: for each session type and each
// struct it nests, every key with the type of its value as the decoder sees it
// (msgpack kind, integer width, element types). The generator writes it next
// to the code (<output>.schema) and it is committed with it, so that a review
// sees every change of the wire format as a diff, and `sessiongen check` can
// compare the structs with the schema of an earlier revision.
//
// The text is deterministic and independent of declaration order and Go field
// names (neither is on the wire): sections and keys are sorted.

// schemaHeader opens every schema file.
const schemaHeader = `# Wire schema written by sessiongen: what stored sessions of these types hold.
# Commit it with the generated code. sessiongen check compares the structs with
# this file as of an earlier revision (docs/GENERATOR.md, "Changing a session
# struct"). A retired line remembers a removed key, so that it is not reused
# with another type; delete it once no stored session can still hold the key.
`

// Schema is the wire schema of the session types of one output file.
type Schema struct {
	Format   int64           // wire.FormatVersion the sessions were written in
	Sessions []*SchemaStruct // the session types, by name
	Structs  []*SchemaStruct // the structs they nest, by name
	// Types defines, by name, the types that contain themselves without a
	// struct in between (type Tree []Tree): Key is the name, Type what it is.
	Types []*SchemaKey
}

// SchemaStruct is a session type or a struct it nests.
type SchemaStruct struct {
	Name    string
	Keys    []*SchemaKey // by key
	Retired []*SchemaKey // removed keys, kept to refuse their reuse with another type
}

// SchemaKey is one key of a struct.
type SchemaKey struct {
	Key   string
	Type  string // the value's schema type, e.g. int64, []Item, map[string]*geo.Point
	User  bool
	Flash bool
	Field *Field // the field it was built from; nil when read from a file
}

// schemaOf returns the schema of roots.
func schemaOf(roots []*Root) *Schema {
	s := &Schema{Format: wire.FormatVersion}
	seen := map[*Type]bool{}
	var visit func(t *Type)
	visit = func(t *Type) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		if t.Nested && t.SchemaName != "" {
			s.Types = append(s.Types, &SchemaKey{Key: t.SchemaName, Type: schemaBody(t)})
		}
		if t.Kind == KindStruct && !t.Marker {
			s.Structs = append(s.Structs, structOf(t.SchemaName, t.Fields))
		}
		for _, c := range children(t) {
			visit(c)
		}
	}
	for _, r := range roots {
		s.Sessions = append(s.Sessions, structOf(r.Name, r.Fields))
		seen[r.Type] = true
		for _, f := range r.Fields {
			visit(f.Type)
		}
	}
	s.sort()
	return s
}

func structOf(name string, fields []*Field) *SchemaStruct {
	st := &SchemaStruct{Name: name}
	for _, f := range fields {
		st.Keys = append(st.Keys, &SchemaKey{Key: f.Key, Type: schemaType(f.Type), User: f.User, Flash: f.Flash, Field: f})
	}
	return st
}

func (s *Schema) sort() {
	byName := func(a, b *SchemaStruct) int { return strings.Compare(a.Name, b.Name) }
	byKey := func(a, b *SchemaKey) int { return strings.Compare(a.Key, b.Key) }
	slices.SortFunc(s.Sessions, byName)
	slices.SortFunc(s.Structs, byName)
	slices.SortFunc(s.Types, byKey)
	for _, st := range s.sections() {
		slices.SortFunc(st.Keys, byKey)
		slices.SortFunc(st.Retired, byKey)
	}
}

// sections returns the sessions, then the structs.
func (s *Schema) sections() []*SchemaStruct {
	return append(slices.Clip(s.Sessions), s.Structs...)
}

// lookup returns the section named name: a session type (which may nest
// itself) or a struct.
func (s *Schema) lookup(name string) *SchemaStruct {
	for _, st := range s.sections() {
		if st.Name == name {
			return st
		}
	}
	return nil
}

// typeDef returns the definition of the self-containing type named name.
func (s *Schema) typeDef(name string) *SchemaKey {
	for _, t := range s.Types {
		if t.Key == name {
			return t
		}
	}
	return nil
}

// schemaType spells t as the schema does: Go's syntax for what the decoder
// reads. Named scalar types are their underlying type (the wire does not know
// the name); structs are named, custom and text types are named with what
// decodes them, and so are types that contain themselves (Schema.Types).
func schemaType(t *Type) string {
	if t.Nested && t.SchemaName != "" {
		return t.SchemaName
	}
	return schemaBody(t)
}

// schemaBody spells t without naming it.
func schemaBody(t *Type) string {
	switch t.Kind {
	case KindInt, KindUint, KindFloat:
		return fmt.Sprintf("%s%d", t.Kind, t.Bits)
	case KindBytes:
		return "[]byte"
	case KindByteArray:
		return fmt.Sprintf("[%d]byte", t.Len)
	case KindTime:
		return "time.Time"
	case KindDuration:
		return "time.Duration"
	case KindPointer:
		return "*" + schemaType(t.Elem)
	case KindSlice:
		return "[]" + schemaType(t.Elem)
	case KindArray:
		return fmt.Sprintf("[%d]%s", t.Len, schemaType(t.Elem))
	case KindMap:
		return "map[" + schemaType(t.Key) + "]" + schemaType(t.Elem)
	case KindStruct:
		return t.SchemaName
	case KindCustom, KindText:
		return string(t.Kind) + "(" + t.SchemaName + ")"
	}
	return string(t.Kind) // bool, string
}

// Text renders the schema as the text of a .schema file.
func (s *Schema) Text() []byte {
	var b bytes.Buffer
	b.WriteString(schemaHeader)
	fmt.Fprintf(&b, "format %d\n", s.Format)
	if len(s.Types) > 0 {
		b.WriteByte('\n')
	}
	for _, t := range s.Types {
		fmt.Fprintf(&b, "type %s %s\n", t.Key, t.Type)
	}
	for _, sec := range []struct {
		word string
		list []*SchemaStruct
	}{{"session", s.Sessions}, {"struct", s.Structs}} {
		for _, st := range sec.list {
			fmt.Fprintf(&b, "\n%s %s\n", sec.word, st.Name)
			for _, k := range st.Keys {
				fmt.Fprintf(&b, "\t%s %s", strconv.Quote(k.Key), k.Type)
				if k.User {
					b.WriteString(" user")
				}
				if k.Flash {
					b.WriteString(" flash")
				}
				b.WriteByte('\n')
			}
			for _, k := range st.Retired {
				fmt.Fprintf(&b, "\tretired %s %s\n", strconv.Quote(k.Key), k.Type)
			}
		}
	}
	return b.Bytes()
}

// ParseSchema reads the text of a .schema file; name is used in errors.
func ParseSchema(name string, data []byte) (*Schema, error) {
	s := &Schema{Format: -1}
	var cur *SchemaStruct
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasPrefix(line, "\t") {
			if cur == nil {
				return nil, fail("a key outside a session or struct section")
			}
			k, retired, err := parseKeyLine(trimmed)
			if err != nil {
				return nil, fail("%v", err)
			}
			if retired {
				cur.Retired = append(cur.Retired, k)
			} else {
				cur.Keys = append(cur.Keys, k)
			}
			continue
		}
		word, arg, _ := strings.Cut(trimmed, " ")
		switch word {
		case "format":
			v, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				return nil, fail("format %q is not a number", arg)
			}
			s.Format = v
		case "type":
			name, typ, _ := strings.Cut(arg, " ")
			def, err := parseSchemaType(typ)
			if err != nil || name == "" || !composite(def.kind) || def.kind == KindStruct {
				return nil, fail("want type <name> <pointer, slice, array or map type>")
			}
			s.Types = append(s.Types, &SchemaKey{Key: name, Type: typ})
		case "session", "struct":
			if arg == "" || strings.ContainsAny(arg, " \t") {
				return nil, fail("%s needs one name", word)
			}
			cur = &SchemaStruct{Name: arg}
			if word == "session" {
				s.Sessions = append(s.Sessions, cur)
			} else {
				s.Structs = append(s.Structs, cur)
			}
		default:
			return nil, fail("unknown line %q (want format, type, session, struct, or a tab-indented key)", trimmed)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if s.Format < 0 {
		return nil, fmt.Errorf("%s: no format line", name)
	}
	if err := s.unique(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if err := s.resolves(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	s.sort()
	return s, nil
}

// unique checks that names are not repeated: sections, type definitions, and
// keys within a section (live and retired together).
func (s *Schema) unique() error {
	names := map[string]bool{}
	for _, t := range s.Types {
		if names[t.Key] {
			return fmt.Errorf("type %s is defined twice", t.Key)
		}
		names[t.Key] = true
	}
	for _, st := range s.sections() {
		if names[st.Name] {
			return fmt.Errorf("%s is defined twice", st.Name)
		}
		names[st.Name] = true
		keys := map[string]bool{}
		for _, k := range append(slices.Clip(st.Keys), st.Retired...) {
			if keys[k.Key] {
				return fmt.Errorf("%s: key %q is listed twice", st.Name, k.Key)
			}
			keys[k.Key] = true
		}
	}
	return nil
}

// resolves checks that every name a type refers to is a section or a type
// definition of s.
func (s *Schema) resolves() error {
	keys := slices.Clone(s.Types)
	for _, st := range s.sections() {
		keys = append(append(keys, st.Keys...), st.Retired...)
	}
	for _, k := range keys {
		for _, name := range structNames(k.Type) {
			if s.lookup(name) == nil && s.typeDef(name) == nil {
				return fmt.Errorf("key %q: type %s names %s, which this file does not define", k.Key, k.Type, name)
			}
		}
	}
	return nil
}

// parseKeyLine reads `"key" type [user] [flash]` or `retired "key" type`.
func parseKeyLine(line string) (k *SchemaKey, retired bool, err error) {
	if rest, ok := strings.CutPrefix(line, "retired "); ok {
		line, retired = rest, true
	}
	quoted, err := strconv.QuotedPrefix(line)
	if err != nil {
		return nil, false, fmt.Errorf("a key must start with a quoted key: %q", line)
	}
	k = &SchemaKey{}
	k.Key, _ = strconv.Unquote(quoted)
	words := strings.Fields(line[len(quoted):])
	if len(words) == 0 {
		return nil, false, fmt.Errorf("key %q has no type", k.Key)
	}
	k.Type = words[0]
	if _, err := parseSchemaType(k.Type); err != nil {
		return nil, false, fmt.Errorf("key %q: %v", k.Key, err)
	}
	for _, w := range words[1:] {
		switch {
		case w == "user" && !retired:
			k.User = true
		case w == "flash" && !retired:
			k.Flash = true
		default:
			return nil, false, fmt.Errorf("key %q: unknown role %q", k.Key, w)
		}
	}
	return k, retired, nil
}

// readSchema reads the schema file at path; nil when there is none.
func readSchema(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseSchema(path, data)
}

// retire carries into s what prev, the schema file s replaces, remembers:
// each key of a section of prev that s no longer has becomes a retired key of
// s's section of the same name, with its last type, and the structs those
// types name come along when s does not define them itself.
func (s *Schema) retire(prev *Schema) {
	if prev == nil {
		return
	}
	var needed []string
	for _, st := range s.sections() {
		old := prev.lookup(st.Name)
		if old == nil {
			continue
		}
		live := map[string]bool{}
		for _, k := range st.Keys {
			live[k.Key] = true
		}
		for _, k := range append(slices.Clip(old.Keys), old.Retired...) {
			if !live[k.Key] {
				st.Retired = append(st.Retired, &SchemaKey{Key: k.Key, Type: k.Type})
				live[k.Key] = true
				needed = append(needed, structNames(k.Type)...)
			}
		}
	}
	for len(needed) > 0 {
		name := needed[len(needed)-1]
		needed = needed[:len(needed)-1]
		if s.typeDef(name) == nil {
			if def := prev.typeDef(name); def != nil {
				s.Types = append(s.Types, def)
				needed = append(needed, structNames(def.Type)...)
			}
		}
		old := prev.lookup(name)
		if s.lookup(name) != nil || old == nil {
			continue
		}
		s.Structs = append(s.Structs, old)
		for _, k := range append(slices.Clip(old.Keys), old.Retired...) {
			needed = append(needed, structNames(k.Type)...)
		}
	}
	s.sort()
}

// structNames returns the struct names a schema type refers to.
func structNames(typ string) []string {
	t, err := parseSchemaType(typ)
	if err != nil {
		return nil
	}
	var out []string
	var walk func(t *schemaTypeExpr)
	walk = func(t *schemaTypeExpr) {
		if t == nil {
			return
		}
		if t.kind == KindStruct {
			out = append(out, t.name)
		}
		walk(t.key)
		walk(t.elem)
	}
	walk(t)
	return out
}
