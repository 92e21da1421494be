package sessiongen

// The model is what the templates see: plain strings and slices, computed from
// go/types by build.go, classify.go and exprs.go, so that templates never touch
// go/types and never switch on a kind to pick a function.

import "go/token"

// File is one generated file.
type File struct {
	Package string   // package clause of the output
	Imports []Import // sorted by path
	Roots   []*Root  // the requested session types in this file, in -type order
	Guards  []Guard  // compile-time guards: the field lists of every struct the code reads
	Helpers []*Type  // composite types with helper functions, shared by every root, in first-use order
	// Renames maps a generated import's name (context, session, wire,
	// msgpack) to the name it gets because the package declares that name.
	Renames map[string]string
}

// Import is one import of the generated file.
type Import struct {
	Name string // "" when the package name is the last path element
	Path string
	Std  bool // standard library: grouped with "context"
}

// Root is one session struct (a -type argument).
type Root struct {
	Name   string   // Go type name, e.g. Visitor
	Type   *Type    // the struct's own type, whose helpers write the format marker
	Fields []*Field // encoded top-level fields; Field.Index is the position here
	Owner  *Field   // the field tagged user, or nil
	// OwnerExpr is SessionOwner's result: the user field as a string, or "".
	OwnerExpr string
	Theirs    string // session.FieldSet literal of merge=theirs fields
	Refuse    string // session.FieldSet literal of merge=error fields
	HasFlash  bool
}

// Guard is a conversion that fails to compile when Type's field list no longer
// matches Struct.
type Guard struct {
	Type   string // e.g. Visitor or geo.Point
	Struct string // e.g. struct{ Name string; Age int }
}

// Field is an encoded struct field.
type Field struct {
	GoName    string // Go field name (the embedded type's name for embedded fields)
	Key       string // wire key
	Index     int    // position among the encoded fields
	Type      *Type
	OmitEmpty bool
	User      bool
	Flash     bool
	Merge     string // ours, theirs or error
	// Reset is the reset=<type> option: the schema type stored sessions hold
	// under this key, which the field's type can no longer read. A stored
	// value that does not decode then reads as the zero value instead of
	// failing the whole session. "" when not given.
	Reset string
	Pos   token.Position // where the field is declared, for sessiongen check
}

// Kind is how a type is encoded.
type Kind string

// The kinds of types the generator encodes.
const (
	KindBool      Kind = "bool"
	KindInt       Kind = "int"   // Bits: 8..64
	KindUint      Kind = "uint"  // Bits: 8..64
	KindFloat     Kind = "float" // Bits: 32 or 64
	KindString    Kind = "string"
	KindBytes     Kind = "bytes"     // []byte
	KindByteArray Kind = "byteArray" // [N]byte
	KindTime      Kind = "time"
	KindDuration  Kind = "duration"
	KindPointer   Kind = "pointer"
	KindSlice     Kind = "slice"
	KindArray     Kind = "array"
	KindMap       Kind = "map"
	KindStruct    Kind = "struct"
	KindCustom    Kind = "custom" // implements msgpack.CustomEncoder and CustomDecoder
	KindText      Kind = "text"   // implements encoding.TextMarshaler and TextUnmarshaler
)

// Type is one distinct Go type the generated code encodes. Scalar kinds are
// written inline at each use; composite kinds (pointer, slice, array, map,
// struct) get three helper functions, shared by every root of the file.
//
// The *Fmt fields are fmt patterns of Go code, filled in by the templates with
// the expressions at hand (%[1]s, and %[2]s for the other operand of Equal).
type Type struct {
	Kind       Kind
	GoType     string // Go type expression in the output file
	Basic      string // for scalar kinds, the underlying Go type (int8, string...)
	Bits       int
	Len        int   // arrays
	Elem       *Type // pointer, slice, array, map value
	Key        *Type // map key
	Fields     []*Field
	Comparable bool
	Marker     bool // struct: the session struct itself, written with the format marker
	Required   int  // struct: entries always written (fields without omitempty, and the marker)

	// Append, Decode and Equal name the helper functions of a composite
	// kind; they are "" for scalar kinds.
	Append, Decode, Equal string

	// AppendFmt is an expression appending the value %[1]s to b. It has type
	// []byte, or ([]byte, error) when Fails.
	AppendFmt string
	// Fails reports whether encoding can fail: the type is, or holds, a type
	// with its own encoder (EncodeMsgpack, MarshalText).
	Fails bool
	// Read is a reader call returning (ReadType, error) when ReadType is set,
	// else a fmt pattern of a call returning error that decodes into %[1]s.
	Read, ReadType string
	// ConvFmt converts %[1]s, read as ReadType, to GoType: just %[1]s when
	// they are the same.
	ConvFmt string
	// EqualFmt and NotEqualFmt compare %[1]s with %[2]s.
	EqualFmt, NotEqualFmt string
	// NonZeroFmt reports whether %[1]s is not the zero value; "" when Go
	// cannot test it (omitempty and flash need it).
	NonZeroFmt string
	// Zero is the zero value as a Go expression.
	Zero string
	// Referenced reports whether another helper calls this type's helpers
	// (only then does a session struct itself need an equal helper).
	Referenced bool
	// Omits reports, for a struct, that some field is omitempty.
	Omits bool
	// SchemaName names a struct, custom or text type in the wire schema: the
	// type name in the session's own package, else import path.Name.
	SchemaName string
	// Nested marks a pointer, slice, array or map type on a cycle of types
	// that passes through no struct: its decoder counts nesting depth, as
	// struct decoders always do.
	Nested bool
}
