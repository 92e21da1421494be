package sessiongen

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/sessiongen/sessiongen/wire"
)

// The checker's rules are the decoder's (wire.Reader and the templates),
// stated for a stored value of the baseline type read by the current code:
//
//   - integers are range-checked: a narrower integer, or a signed one read as
//     unsigned, or an unsigned one read as a signed one of the same width or
//     narrower, fails for the values that do not fit;
//   - floats read float32, float64 and integers: an integer wider than the
//     float's mantissa loses precision, and float64 read as float32 loses it;
//     a float never reads as an integer;
//   - str and bin read as each other: string, []byte and the text of a
//     TextMarshaler are one kind; a [N]byte keeps only N bytes;
//   - nil reads as the zero value of every built-in kind, so a pointer may be
//     added or removed; a custom or text type decides for itself;
//   - arrays and slices read each other's elements; a [N]T drops elements past
//     N; maps read key by key and value by value;
//   - structs read keys: unknown keys are skipped, missing ones stay zero, and
//     kept keys follow these rules, at any depth;
//   - a custom type's DecodeMsgpack, or a TextUnmarshaler's UnmarshalText,
//     decides what it reads: the checker trusts it only for the same type;
//   - anything else (bool, time.Time, map vs struct...) fails to decode.

// Finding is a change of a session struct that sessions stored under the
// baseline would not survive.
type Finding struct {
	Pos    token.Position // the field in the current source; zero for the format version
	Field  string         // Go path of the field, e.g. Visitor.Cart.Items
	Key    string         // path of wire keys, e.g. cart.items
	Reason string
	// Reset is the tag option that would accept the break at this field
	// (reset=<stored type>), "" when none can.
	Reset string
}

// String formats the finding as file:line: field (key): reason.
func (f *Finding) String() string {
	var b strings.Builder
	if f.Pos.IsValid() {
		fmt.Fprintf(&b, "%s:%d: ", f.Pos.Filename, f.Pos.Line)
	}
	fmt.Fprintf(&b, "%s (key %s): %s", f.Field, f.Key, f.Reason)
	if f.Reset != "" {
		fmt.Fprintf(&b, "; keep the type, store it under a new key, or accept the loss with the tag option reset=%s", f.Reset)
	}
	return b.String()
}

// CompareSchemas returns the findings of cur, the schema of the current
// source (built by Check; one read from a file gives findings without
// positions, named by key), against old, the baseline's. Session types that
// old does not have are new: nothing stored can break them.
func CompareSchemas(old, cur *Schema) []*Finding {
	c := &comparer{old: old, cur: cur, structs: map[[2]string][]*Finding{}, types: map[[2]string]bool{}}
	if old.Format != cur.Format {
		c.out = append(c.out, &Finding{Field: "format", Key: wire.FormatKey,
			Reason: fmt.Sprintf("sessions were stored in format %d; this build reads only format %d", old.Format, cur.Format)})
	}
	for _, s := range cur.Sessions {
		o := old.lookup(s.Name)
		if o == nil {
			continue
		}
		c.out = append(c.out, c.compareStruct(o, s, s.Name, "")...)
		c.user(o, s)
	}
	return dedupe(c.out)
}

type comparer struct {
	old, cur *Schema
	out      []*Finding
	// structs caches the findings of each pair of structs compared (old name,
	// current name); nil while a pair is being compared (recursive types).
	structs map[[2]string][]*Finding
	types   map[[2]string]bool // pairs of self-containing types being compared
}

// user reports a user field that moved to another key: stored sessions then
// read no owner, and revoking a user's sessions misses them.
func (c *comparer) user(old, cur *SchemaStruct) {
	o, n := userKey(old), userKey(cur)
	if o == nil || n == nil || o.Key == n.Key {
		return
	}
	c.out = append(c.out, &Finding{Pos: n.field().Pos, Field: cur.Name + "." + n.field().GoName, Key: n.Key,
		Reason: fmt.Sprintf("the user field moved from key %q to %q: sessions stored before read no owner, so revoking "+
			"the user's sessions (RevokeAll, sign out everywhere) and listing them miss them; keep the key with session:%q",
			o.Key, n.Key, o.Key+",user")})
}

// field returns the field k was built from, or for a key read from a file
// a field without position named after the key.
func (k *SchemaKey) field() *Field {
	if k.Field != nil {
		return k.Field
	}
	return &Field{GoName: k.Key, Key: k.Key}
}

func userKey(s *SchemaStruct) *SchemaKey {
	for _, k := range s.Keys {
		if k.User {
			return k
		}
	}
	return nil
}

// compareStruct compares the keys that old and cur share, and keys of cur
// that old retired. goPath and keyPath lead to the struct.
func (c *comparer) compareStruct(old, cur *SchemaStruct, goPath, keyPath string) []*Finding {
	pair := [2]string{old.Name, cur.Name}
	if found, seen := c.structs[pair]; seen {
		return found
	}
	c.structs[pair] = nil
	stored := map[string]*SchemaKey{}
	for _, k := range old.Retired {
		stored[k.Key] = k
	}
	live := map[string]bool{}
	for _, k := range old.Keys {
		stored[k.Key], live[k.Key] = k, true
	}
	var out []*Finding
	for _, k := range cur.Keys {
		o := stored[k.Key]
		if o == nil {
			continue
		}
		f := k.field()
		at := &Finding{Pos: f.Pos, Field: goPath + "." + f.GoName, Key: strings.TrimPrefix(keyPath+"."+k.Key, ".")}
		found := c.compareType(mustParse(o.Type), mustParse(k.Type), at)
		if !live[k.Key] {
			for _, x := range found {
				x.Reason = fmt.Sprintf("key %q was removed and is reused (the schema keeps it retired, as stored sessions may still hold it): %s", k.Key, x.Reason)
			}
		}
		out = append(out, c.accept(found, f, o.Type, at)...)
	}
	c.structs[pair] = out
	return out
}

// accept applies the field's reset option to the findings of its value: the
// option must name the type stored sessions hold, and then accepts them.
func (c *comparer) accept(found []*Finding, f *Field, stored string, at *Finding) []*Finding {
	if f.Reset == "" {
		for _, x := range found {
			if x.Pos == at.Pos {
				x.Reset = stored
			}
		}
		return found
	}
	if len(found) == 0 || mustParse(f.Reset).String() == mustParse(stored).String() {
		return nil
	}
	x := *at
	x.Reason = fmt.Sprintf("reset=%s does not name what stored sessions hold under this key (%s): %s", f.Reset, stored, found[0].Reason)
	return []*Finding{&x}
}

// compareType compares a stored value of type o with what the current type n
// reads. at is where findings about this value are reported.
func (c *comparer) compareType(o, n *schemaTypeExpr, at *Finding) []*Finding {
	o, n, pair := c.resolve(o, n)
	if pair != nil {
		if c.types[*pair] {
			return nil
		}
		c.types[*pair] = true
		defer delete(c.types, *pair)
	}
	fail := func(format string, args ...any) []*Finding {
		x := *at
		x.Reason = fmt.Sprintf(format, args...)
		return []*Finding{&x}
	}
	// A pointer adds nil to what its element reads, and nil reads as the
	// zero value of every built-in kind.
	if n.kind == KindPointer {
		if o.kind == KindPointer {
			o = o.elem
		}
		return c.compareType(o, n.elem, at)
	}
	if o.kind == KindPointer {
		if n.kind == KindCustom || n.kind == KindText {
			return fail("stored nil pointers would be read by %s's own decoder, which may refuse nil", n)
		}
		o = o.elem
	}
	switch {
	case o.kind == KindStruct && n.kind == KindStruct:
		os, ns := c.old.lookup(o.name), c.cur.lookup(n.name)
		if os == nil || ns == nil {
			return fail("struct %s or %s is not in its schema", o.name, n.name)
		}
		return c.compareStruct(os, ns, at.Field, at.Key)
	case listKind(o.kind) && listKind(n.kind):
		var out []*Finding
		if n.kind == KindArray && (o.kind == KindSlice || o.len > n.len) {
			out = fail("a [%d] array keeps only %d elements of the stored %s: the rest are dropped", n.len, n.len, o)
		}
		elem := *at
		elem.Key += "[]"
		return append(out, c.compareType(o.elem, n.elem, &elem)...)
	case o.kind == KindMap && n.kind == KindMap:
		k, v := *at, *at
		k.Key, v.Key = at.Key+"{key}", at.Key+"{}"
		return append(c.compareType(o.key, n.key, &k), c.compareType(o.elem, n.elem, &v)...)
	}
	if reason := scalarChange(o, n); reason != "" {
		return fail("%s", reason)
	}
	return nil
}

// resolve replaces the names of self-containing types by their definitions;
// pair names the two definitions when both were names.
func (c *comparer) resolve(o, n *schemaTypeExpr) (ro, rn *schemaTypeExpr, pair *[2]string) {
	ro, rn = o, n
	var names [2]string
	if o.kind == KindStruct {
		if def := c.old.typeDef(o.name); def != nil {
			ro, names[0] = mustParse(def.Type), o.name
		}
	}
	if n.kind == KindStruct {
		if def := c.cur.typeDef(n.name); def != nil {
			rn, names[1] = mustParse(def.Type), n.name
		}
	}
	if names[0] != "" || names[1] != "" {
		pair = &names
	}
	return ro, rn, pair
}

func listKind(k Kind) bool { return k == KindSlice || k == KindArray }

// scalarChange says why a stored value of scalar type o does not survive being
// read as n, or returns "". Composite kinds that do not match end here too.
func scalarChange(o, n *schemaTypeExpr) string {
	if o.String() == n.String() {
		return ""
	}
	switch {
	case o.kind == KindCustom || n.kind == KindCustom:
		return fmt.Sprintf("%s -> %s: a custom type encodes and decodes with its own methods; the check cannot tell that stored values decode", o, n)
	case isInteger(o) && isInteger(n):
		return integerChange(o, n)
	case isInteger(o) && n.kind == KindFloat:
		if mantissa := map[int]int{32: 24, 64: 53}[n.bits]; magnitudeBits(o) > mantissa {
			return fmt.Sprintf("%s -> %s: integers beyond 2^%d lose precision", o, n, mantissa)
		}
		return ""
	case o.kind == KindFloat && n.kind == KindFloat:
		if n.bits >= o.bits {
			return ""
		}
		return fmt.Sprintf("%s -> %s: narrowed: stored values lose precision, and large ones become infinite", o, n)
	case o.kind == KindFloat && isInteger(n):
		return fmt.Sprintf("%s -> %s: a stored float does not decode as an integer", o, n)
	case stringLike(o) && (n.kind == KindString || n.kind == KindBytes):
		return ""
	case stringLike(o) && n.kind == KindByteArray:
		if o.kind == KindByteArray && o.len <= n.len {
			return ""
		}
		return fmt.Sprintf("%s -> %s: stored values longer than %d bytes are cut to %d", o, n, n.len, n.len)
	case stringLike(o) && n.kind == KindText:
		return fmt.Sprintf("%s -> %s: its UnmarshalText decides which stored strings decode; the check cannot tell", o, n)
	}
	return fmt.Sprintf("%s -> %s: stored %s values do not decode as %s", o, n, o, n)
}

func isInteger(t *schemaTypeExpr) bool {
	return t.kind == KindInt || t.kind == KindUint || t.kind == KindDuration
}

func stringLike(t *schemaTypeExpr) bool {
	return t.kind == KindString || t.kind == KindBytes || t.kind == KindByteArray || t.kind == KindText
}

// magnitudeBits is how many bits an integer type's largest value needs.
func magnitudeBits(t *schemaTypeExpr) int {
	if t.kind == KindUint {
		return t.bits
	}
	return t.bits - 1
}

// integerChange: Reader.Int and Reader.Uint read any msgpack integer that fits
// the field's type and refuse the others.
func integerChange(o, n *schemaTypeExpr) string {
	oSigned, nSigned := o.kind != KindUint, n.kind != KindUint
	switch {
	case oSigned && !nSigned:
		return fmt.Sprintf("%s -> %s: signed to unsigned: stored negative values do not decode", o, n)
	case magnitudeBits(n) < magnitudeBits(o):
		return fmt.Sprintf("%s -> %s: narrowed: stored values outside %s's range do not decode", o, n, n)
	}
	return "" // widening, or an unsigned type read as a wider signed one
}

func mustParse(typ string) *schemaTypeExpr {
	t, err := parseSchemaType(typ)
	if err != nil {
		panic(fmt.Sprintf("sessiongen: schema type %q was checked when read: %v", typ, err))
	}
	return t
}

// dedupe drops repeated findings (a struct used by several fields is
// compared once, and reported at its own fields) and sorts them by position.
func dedupe(found []*Finding) []*Finding {
	seen := map[string]bool{}
	var out []*Finding
	for _, f := range found {
		if s := f.String(); !seen[s] {
			seen[s] = true
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b *Finding) int {
		if posLess(a.Pos, b.Pos) {
			return -1
		}
		if posLess(b.Pos, a.Pos) {
			return 1
		}
		return 0
	})
	return out
}
