package sessiongen

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"
)

// typeOf returns the model of t, creating it on first use in the file.
// Problems are recorded at pos for field.
func (rb *rootBuilder) typeOf(t types.Type, pos token.Pos, field string) *Type {
	t = types.Unalias(t)
	key := types.TypeString(t, nil)
	if h, ok := rb.byType[key]; ok {
		return h
	}
	h := &Type{GoType: types.TypeString(t, rb.qualify), Comparable: types.Comparable(t), SchemaName: schemaName(t, rb.pkg)}
	h.Zero = zeroValue(t, h.GoType)
	rb.add(h, key, typeName(t, rb.pkg)) // before recursing: recursive types refer to themselves
	if reason := rb.classify(h, t, pos, field); reason != "" {
		rb.fail(pos, field, fmt.Sprintf("unsupported type %s: %s", h.GoType, reason))
	}
	h.NonZeroFmt = nonZeroFmt(h) // the caller checks omitempty with it
	return h
}

// schemaName is how the wire schema names t when t is a named type: by its
// name in the session's package, else by import path and name, which does not
// depend on what the generated file imports it as.
func schemaName(t types.Type, pkg *types.Package) string {
	named, ok := t.(*types.Named)
	if !ok {
		return ""
	}
	if p := named.Obj().Pkg(); p != nil && p != pkg {
		return p.Path() + "." + named.Obj().Name()
	}
	return named.Obj().Name()
}

func typeName(t types.Type, pkg *types.Package) string {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && p != pkg {
			return capitalize(p.Name()) + capitalize(t.Obj().Name())
		}
		return capitalize(t.Obj().Name())
	case *types.Basic:
		return capitalize(t.Name())
	case *types.Pointer:
		return "Ptr" + typeName(t.Elem(), pkg)
	case *types.Slice:
		return "Slice" + typeName(t.Elem(), pkg)
	case *types.Array:
		return fmt.Sprintf("Array%d%s", t.Len(), typeName(t.Elem(), pkg))
	case *types.Map:
		return "Map" + typeName(t.Key(), pkg) + typeName(t.Elem(), pkg)
	}
	return "Type"
}

// classify fills h for t and returns why t is unsupported, or "".
func (rb *rootBuilder) classify(h *Type, t types.Type, pos token.Pos, field string) string {
	if named, ok := t.(*types.Named); ok {
		if named.TypeArgs().Len() > 0 {
			return "generic types are not supported"
		}
		if p := named.Obj().Pkg(); p != nil && p.Path() == "time" {
			switch named.Obj().Name() {
			case "Time":
				h.Kind = KindTime
				return ""
			case "Duration":
				h.Kind = KindDuration
				return ""
			}
		}
		if hasCustomCodec(t) {
			h.Kind = KindCustom
			return ""
		}
		if hasTextCodec(t) {
			h.Kind = KindText
			return ""
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return classifyBasic(h, u)
	case *types.Slice:
		if isByte(u.Elem()) {
			h.Kind = KindBytes
			return ""
		}
		h.Kind, h.Elem = KindSlice, rb.typeOf(u.Elem(), pos, field)
	case *types.Array:
		h.Len = int(u.Len())
		if isByte(u.Elem()) {
			h.Kind = KindByteArray
			return ""
		}
		h.Kind, h.Elem = KindArray, rb.typeOf(u.Elem(), pos, field)
	case *types.Map:
		h.Kind, h.Key, h.Elem = KindMap, rb.typeOf(u.Key(), pos, field), rb.typeOf(u.Elem(), pos, field)
		if k := h.Key.Kind; k != KindString && k != KindInt && k != KindUint {
			return "map keys must be strings or integers"
		}
	case *types.Pointer:
		h.Kind, h.Elem = KindPointer, rb.typeOf(u.Elem(), pos, field)
	case *types.Struct:
		named, ok := t.(*types.Named)
		if !ok {
			return "anonymous struct types are not supported: declare a named struct type"
		}
		h.Kind = KindStruct
		rb.guard(named, u)
		h.Fields = rb.fields(u, named.Obj().Name(), false)
		h.Required = countRequired(h.Fields)
		h.Omits = h.Required < len(h.Fields)
	case *types.Chan:
		return "channels cannot be stored in a session"
	case *types.Signature:
		return "functions cannot be stored in a session"
	case *types.Interface:
		return "interface types (any) cannot be decoded without reflection: use a concrete type"
	default:
		return "this kind of type cannot be stored in a session"
	}
	return ""
}

func classifyBasic(h *Type, u *types.Basic) string {
	h.Basic = u.Name()
	switch k := u.Kind(); {
	case k == types.Bool:
		h.Kind = KindBool
	case k == types.String:
		h.Kind = KindString
	case k == types.Float32:
		h.Kind, h.Bits = KindFloat, 32
	case k == types.Float64:
		h.Kind, h.Bits = KindFloat, 64
	case k == types.Invalid:
		return "its type does not compile"
	case k == types.Uintptr:
		return "uintptr holds a memory address, which means nothing in another process"
	case k == types.UnsafePointer:
		return "unsafe.Pointer holds a memory address, which means nothing in another process"
	case u.Info()&types.IsComplex != 0:
		return "complex numbers have no msgpack representation"
	case u.Info()&types.IsUnsigned != 0:
		h.Kind, h.Bits = KindUint, intBits(k)
	case u.Info()&types.IsInteger != 0:
		h.Kind, h.Bits = KindInt, intBits(k)
	default:
		return "this basic type cannot be stored in a session"
	}
	return ""
}

// intBits is the width of an integer kind; int and uint are checked against 64
// bits and converted, which is exact on 64-bit platforms.
func intBits(k types.BasicKind) int {
	switch k {
	case types.Int8, types.Uint8:
		return 8
	case types.Int16, types.Uint16:
		return 16
	case types.Int32, types.Uint32:
		return 32
	}
	return 64
}

func isByte(t types.Type) bool {
	b, ok := types.Unalias(t).(*types.Basic)
	return ok && b.Kind() == types.Uint8
}

// hasCustomCodec reports whether *t has msgpack/v5's EncodeMsgpack and
// DecodeMsgpack methods.
func hasCustomCodec(t types.Type) bool {
	return hasMethod(t, "EncodeMsgpack", "*"+msgpackPath+".Encoder", "error") &&
		hasMethod(t, "DecodeMsgpack", "*"+msgpackPath+".Decoder", "error")
}

// hasTextCodec reports whether *t has MarshalText and UnmarshalText.
func hasTextCodec(t types.Type) bool {
	return hasMethod(t, "MarshalText", "", "[]byte,error") && hasMethod(t, "UnmarshalText", "[]byte", "error")
}

// hasMethod reports whether the method set of *t has method name with one
// parameter of type param ("" for none) and the given comma-separated results.
func hasMethod(t types.Type, name, param, results string) bool {
	sel := types.NewMethodSet(types.NewPointer(t)).Lookup(nil, name)
	if sel == nil {
		return false
	}
	sig := sel.Type().(*types.Signature)
	var params, res []string
	for i := 0; i < sig.Params().Len(); i++ {
		params = append(params, types.TypeString(sig.Params().At(i).Type(), nil))
	}
	for i := 0; i < sig.Results().Len(); i++ {
		res = append(res, types.TypeString(sig.Results().At(i).Type(), nil))
	}
	return strings.Join(params, ",") == param && strings.Join(res, ",") == results && !sig.Variadic()
}
