package sessiongen

import (
	"fmt"
	"go/types"
)

// composite reports whether values of kind k are written by helper functions
// rather than inline.
func composite(k Kind) bool {
	switch k {
	case KindPointer, KindSlice, KindArray, KindMap, KindStruct:
		return true
	}
	return false
}

// setExprs fills in the Go code patterns with which the templates write, read,
// compare and zero-test values of h. Scalars map to one wire call each;
// composites to their helpers, which take slices, maps and pointers by value and
// arrays and structs by address.
func setExprs(h *Type) {
	h.EqualFmt, h.NotEqualFmt = "%[1]s == %[2]s", "%[1]s != %[2]s"
	h.NonZeroFmt = nonZeroFmt(h)
	defer func() {
		h.ConvFmt = "%[1]s"
		if h.ReadType != "" && h.ReadType != h.GoType {
			h.ConvFmt = h.GoType + "(%[1]s)"
		}
	}()
	switch h.Kind {
	case KindBool:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendBool(b, "+conv(h, "bool")+")", "r.Bool()", "bool"
	case KindInt:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendInt(b, "+conv(h, "int64")+")", fmt.Sprintf("r.Int(%d)", h.Bits), "int64"
	case KindUint:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendUint(b, "+conv(h, "uint64")+")", fmt.Sprintf("r.Uint(%d)", h.Bits), "uint64"
	case KindFloat:
		basic := fmt.Sprintf("float%d", h.Bits)
		h.AppendFmt = fmt.Sprintf("wire.AppendFloat%d(b, %s)", h.Bits, conv(h, basic))
		h.Read, h.ReadType = fmt.Sprintf("r.Float%d()", h.Bits), basic
		// NaN equals NaN here: a NaN field that did not change is not "changed".
		arg1, arg2 := conv(h, "float64"), fmt.Sprintf(conv(h, "float64"), "%[2]s")
		h.EqualFmt = "wire.SameFloat(" + arg1 + ", " + arg2 + ")"
		h.NotEqualFmt = "!" + h.EqualFmt
	case KindString:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendString(b, "+conv(h, "string")+")", "r.String()", "string"
	case KindBytes:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendBytes(b, "+conv(h, "[]byte")+")", "r.Bytes()", "[]byte"
		h.EqualFmt, h.NotEqualFmt = "string(%[1]s) == string(%[2]s)", "string(%[1]s) != string(%[2]s)"
	case KindByteArray:
		h.AppendFmt, h.Read = "wire.AppendBytes(b, %[1]s[:])", "r.ByteArray(%[1]s[:])"
	case KindTime:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendTime(b, %[1]s)", "r.Time()", h.GoType
		h.EqualFmt, h.NotEqualFmt = "%[1]s.Equal(%[2]s)", "!%[1]s.Equal(%[2]s)"
	case KindDuration:
		h.AppendFmt, h.Read, h.ReadType = "wire.AppendDuration(b, %[1]s)", "r.Duration()", h.GoType
	case KindCustom, KindText:
		wireName := map[Kind]string{KindCustom: "Custom", KindText: "Text"}[h.Kind]
		h.AppendFmt, h.Fails = "wire.Append"+wireName+"(b, &%[1]s)", true
		h.Read = "r.Decode" + wireName + "(&%[1]s)"
		if !h.Comparable {
			h.EqualFmt = "wire.Equal" + wireName + "(&%[1]s, &%[2]s)"
			h.NotEqualFmt = "!" + h.EqualFmt
		}
	case KindPointer, KindSlice, KindMap:
		h.AppendFmt, h.Read = h.Append+"(b, %[1]s)", h.Decode+"(r, &%[1]s)"
		h.EqualFmt = h.Equal + "(%[1]s, %[2]s)"
		h.NotEqualFmt = "!" + h.EqualFmt
	case KindArray, KindStruct:
		h.AppendFmt, h.Read = h.Append+"(b, &%[1]s)", h.Decode+"(r, &%[1]s)"
		h.EqualFmt = h.Equal + "(&%[1]s, &%[2]s)"
		h.NotEqualFmt = "!" + h.EqualFmt
	}
}

// conv returns the pattern of %[1]s converted to the basic type a wire
// function takes, or %[1]s alone when it already has that type.
func conv(h *Type, basic string) string {
	if h.GoType == basic {
		return "%[1]s"
	}
	return basic + "(%[1]s)"
}

// nonZeroFmt returns the test that %[1]s is not zero, or "" when Go cannot
// test it.
func nonZeroFmt(h *Type) string {
	switch h.Kind {
	case KindBool:
		return "%[1]s"
	case KindBytes, KindSlice, KindMap:
		return "len(%[1]s) != 0"
	case KindTime:
		return "!%[1]s.IsZero()"
	}
	if !h.Comparable || h.Zero == "" {
		return ""
	}
	if h.Zero[len(h.Zero)-1] == '}' {
		return "%[1]s != (" + h.Zero + ")" // a composite literal in an if needs parentheses
	}
	return "%[1]s != " + h.Zero
}

// zeroValue returns the zero value of t, whose name in the output is goType,
// as a Go expression.
func zeroValue(t types.Type, goType string) string {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "false"
		case u.Info()&types.IsString != 0:
			return `""`
		case u.Info()&types.IsNumeric != 0:
			return "0"
		}
	case *types.Struct, *types.Array:
		return goType + "{}"
	case *types.Pointer, *types.Slice, *types.Map:
		return "nil"
	}
	return ""
}

// markFailing sets Fails on every composite type that holds, at any depth, a
// type whose encoder can fail. It iterates to a fixed point: recursive types
// refer to each other.
func markFailing(helpers []*Type) {
	for changed := true; changed; {
		changed = false
		for _, h := range helpers {
			if h.Fails {
				continue
			}
			for _, c := range children(h) {
				if c.Fails {
					h.Fails, changed = true, true
					break
				}
			}
		}
	}
}

// children returns the types a composite type's helpers call for.
func children(h *Type) []*Type {
	var out []*Type
	for _, f := range h.Fields {
		out = append(out, f.Type)
	}
	for _, c := range []*Type{h.Key, h.Elem} {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// markNested sets Nested on the non-struct composite types that can contain
// themselves without passing through a struct (type Tree []Tree): their
// decoders recurse without a struct decoder's depth count, so they count it
// themselves.
func markNested(helpers []*Type) {
	for _, h := range helpers {
		if h.Kind != KindStruct {
			h.Nested = reaches(h, h, map[*Type]bool{})
		}
	}
}

// reaches reports whether target can be reached from h through non-struct
// types.
func reaches(h, target *Type, seen map[*Type]bool) bool {
	for _, c := range children(h) {
		if c == target {
			return true
		}
		if c.Kind == KindStruct || seen[c] {
			continue
		}
		seen[c] = true
		if reaches(c, target, seen) {
			return true
		}
	}
	return false
}
