package sessiongen

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/sessiongen/sessiongen/wire"
)

// tag is a parsed `session:"key,opts"` struct tag.
type tag struct {
	skip      bool
	key       string // "" means the default key
	omitEmpty bool
	user      bool
	flash     bool
	merge     string
	reset     string // the schema type stored values had, which may now fail to decode
}

// parseTag parses the session tag of a field. top reports whether the field is
// a top-level session field: user, flash and merge apply only there.
func parseTag(structTag string, top bool) (tag, error) {
	raw, ok := reflect.StructTag(structTag).Lookup("session")
	if !ok {
		return tag{merge: "ours"}, nil
	}
	if raw == "-" {
		return tag{skip: true}, nil
	}
	parts := strings.Split(raw, ",")
	t := tag{key: parts[0], merge: "ours"}
	if err := checkKey(t.key); err != nil {
		return t, err
	}
	seen := map[string]bool{}
	for _, opt := range parts[1:] {
		name, value, hasValue := strings.Cut(opt, "=")
		if seen[name] {
			return t, fmt.Errorf("option %q given twice", name)
		}
		seen[name] = true
		if hasValue != (name == "merge" || name == "reset") {
			return t, fmt.Errorf("unknown tag option %q (want omitempty, user, flash, merge=ours|theirs|error or reset=<stored type>)", opt)
		}
		switch name {
		case "omitempty":
			t.omitEmpty = true
		case "user":
			t.user = true
		case "flash":
			t.flash = true
		case "merge":
			if value != "ours" && value != "theirs" && value != "error" {
				return t, fmt.Errorf("merge=%s: want merge=ours, merge=theirs or merge=error", value)
			}
			t.merge = value
		case "reset":
			if _, err := parseSchemaType(value); err != nil {
				return t, fmt.Errorf("reset=%s: %v (name the type as the .schema file spells it, e.g. reset=int64)", value, err)
			}
			t.reset = value
		default:
			return t, fmt.Errorf("unknown tag option %q (want omitempty, user, flash, merge=ours|theirs|error or reset=<stored type>)", opt)
		}
		if !top && name != "omitempty" && name != "reset" {
			return t, fmt.Errorf("tag option %q applies only to fields of the session struct itself", name)
		}
	}
	return t, nil
}

// checkKey refuses wire keys that cannot round-trip or that clash with the
// format marker.
func checkKey(key string) error {
	if strings.HasPrefix(key, wire.FormatKey) {
		return fmt.Errorf("key %q: keys starting with %q are reserved for the format marker", key, wire.FormatKey)
	}
	for _, r := range key {
		if !unicode.IsPrint(r) || r == ',' || r == '"' {
			return fmt.Errorf("key %q: keys must be printable and contain no comma or quote", key)
		}
	}
	return nil
}

// SnakeCase is the default wire key of a Go field name: words split at case
// changes, lower-cased and joined with underscores. Acronyms stay one word:
// UserID -> user_id, HTTPServer -> http_server, CartItems -> cart_items.
func SnakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
