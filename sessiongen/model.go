package sessiongen

// The model is what the templates see: plain strings and slices, computed from
// go/types by build.go, so that templates never touch go/types.

// File is one generated file.
type File struct {
	Package string   // package clause of the output
	Imports []Import // sorted by path
	Roots   []*Root  // the requested session types in this file, in -type order
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
	Name     string   // Go type name, e.g. Visitor
	Helper   *Type    // the struct's own type, whose helpers write the format marker
	Fields   []*Field // encoded top-level fields; Field.Index is the position here
	Guards   []Guard  // compile-time guards: the root's and nested structs' field lists
	Helpers  []*Type  // every composite or named type the fields use, in first-use order
	Owner    *Field   // the field tagged user, or nil
	Theirs   string   // session.FieldSet literal of merge=theirs fields
	Refuse   string   // session.FieldSet literal of merge=error fields
	HasFlash bool
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
	ZeroFmt   string // fmt pattern of a Go expression reporting whether %[1]s is zero; "" when unknown
	User      bool
	Flash     bool
	Merge     string // ours, theirs or error
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

// Type is one distinct Go type the generated code encodes, with its helper
// functions' names.
type Type struct {
	Kind       Kind
	GoType     string // Go type expression in the output file
	Basic      string // for scalar kinds, the underlying Go type (int8, string...) to convert through
	Bits       int
	Len        int   // arrays
	Elem       *Type // pointer, slice, array, map value
	Key        *Type // map key
	Fields     []*Field
	Comparable bool
	Marker     bool // struct: the session struct itself, written with the format marker
	Required   int  // struct: entries always written (fields without omitempty, and the marker)
	// Append, Decode and Equal are the generated helper function names.
	Append, Decode, Equal string
}
