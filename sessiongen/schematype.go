package sessiongen

import (
	"fmt"
	"strconv"
	"strings"
)

// schemaTypeExpr is a parsed schema type (see schemaType): what the checker
// compares.
type schemaTypeExpr struct {
	kind Kind
	bits int // int, uint, float
	len  int // array, byteArray
	elem *schemaTypeExpr
	key  *schemaTypeExpr
	name string // struct, custom, text
}

// parseSchemaType parses a schema type written by schemaType.
func parseSchemaType(s string) (*schemaTypeExpr, error) {
	t, rest, err := parseTypePrefix(s)
	if err == nil && rest != "" {
		err = fmt.Errorf("unexpected %q after the type", rest)
	}
	if err != nil {
		return nil, fmt.Errorf("schema type %q: %v", s, err)
	}
	return t, nil
}

// scalarKinds are the schema's words for scalar types.
var scalarKinds = map[string]*schemaTypeExpr{
	"bool": {kind: KindBool}, "string": {kind: KindString}, "[]byte": {kind: KindBytes},
	"time.Time": {kind: KindTime}, "time.Duration": {kind: KindDuration, bits: 64},
	"float32": {kind: KindFloat, bits: 32}, "float64": {kind: KindFloat, bits: 64},
}

func init() {
	for _, bits := range []int{8, 16, 32, 64} {
		scalarKinds[fmt.Sprint("int", bits)] = &schemaTypeExpr{kind: KindInt, bits: bits}
		scalarKinds[fmt.Sprint("uint", bits)] = &schemaTypeExpr{kind: KindUint, bits: bits}
	}
}

// parseTypePrefix parses the type at the start of s and returns what follows.
func parseTypePrefix(s string) (*schemaTypeExpr, string, error) {
	switch {
	case s == "":
		return nil, "", fmt.Errorf("missing type")
	case strings.HasPrefix(s, "*"):
		elem, rest, err := parseTypePrefix(s[1:])
		return &schemaTypeExpr{kind: KindPointer, elem: elem}, rest, err
	case strings.HasPrefix(s, "[]byte") && !isNameByte(s, len("[]byte")):
		return scalarKinds["[]byte"], s[len("[]byte"):], nil
	case strings.HasPrefix(s, "[]"):
		elem, rest, err := parseTypePrefix(s[2:])
		return &schemaTypeExpr{kind: KindSlice, elem: elem}, rest, err
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		n, err := strconv.Atoi(s[1:max(end, 1)])
		if end < 0 || err != nil || n < 0 {
			return nil, "", fmt.Errorf("bad array length in %q", s)
		}
		s = s[end+1:]
		if strings.HasPrefix(s, "byte") && !isNameByte(s, len("byte")) {
			return &schemaTypeExpr{kind: KindByteArray, len: n}, s[len("byte"):], nil
		}
		elem, rest, err := parseTypePrefix(s)
		return &schemaTypeExpr{kind: KindArray, len: n, elem: elem}, rest, err
	case strings.HasPrefix(s, "map["):
		key, rest, err := parseTypePrefix(s[len("map["):])
		if err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(rest, "]") {
			return nil, "", fmt.Errorf("map key not followed by ]")
		}
		if key.kind != KindString && key.kind != KindInt && key.kind != KindUint {
			return nil, "", fmt.Errorf("map keys are strings or integers, not %s", key)
		}
		elem, rest, err := parseTypePrefix(rest[1:])
		return &schemaTypeExpr{kind: KindMap, key: key, elem: elem}, rest, err
	}
	for _, k := range []Kind{KindCustom, KindText} {
		if inner, ok := strings.CutPrefix(s, string(k)+"("); ok {
			end := strings.IndexByte(inner, ')')
			if end <= 0 {
				return nil, "", fmt.Errorf("%s( needs a type name and )", k)
			}
			return &schemaTypeExpr{kind: k, name: inner[:end]}, inner[end+1:], nil
		}
	}
	end := 0
	for end < len(s) && isNameByte(s, end) {
		end++
	}
	word, rest := s[:end], s[end:]
	if word == "" {
		return nil, "", fmt.Errorf("unexpected %q", s)
	}
	if t, ok := scalarKinds[word]; ok {
		return t, rest, nil
	}
	return &schemaTypeExpr{kind: KindStruct, name: word}, rest, nil
}

// isNameByte reports whether s[i] can be part of a type name (an import path
// and a Go identifier).
func isNameByte(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '.' || c == '/' || c == '_' || c == '-' || c == '~' || c == '+' || c >= '0' && c <= '9' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// String spells t as schemaType does.
func (t *schemaTypeExpr) String() string {
	switch t.kind {
	case KindPointer:
		return "*" + t.elem.String()
	case KindSlice:
		return "[]" + t.elem.String()
	case KindArray:
		return fmt.Sprintf("[%d]%s", t.len, t.elem)
	case KindByteArray:
		return fmt.Sprintf("[%d]byte", t.len)
	case KindMap:
		return "map[" + t.key.String() + "]" + t.elem.String()
	case KindStruct:
		return t.name
	case KindCustom, KindText:
		return string(t.kind) + "(" + t.name + ")"
	}
	for word, s := range scalarKinds {
		if *s == *t {
			return word
		}
	}
	return string(t.kind)
}
