package sessiongen

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// Every schema the golden archives hold reads back to the same text: what
// generate writes, check and the next generate can read.
func TestSchemaTextRoundTrips(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	n := 0
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".schema") || !strings.HasPrefix(f.Name, "want/") {
				continue
			}
			n++
			s, err := ParseSchema(f.Name, f.Data)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if got := string(s.Text()); got != string(f.Data) {
				t.Errorf("%s: %s reads back as\n%s", path, f.Name, got)
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d schemas in the golden archives", n)
	}
}

func TestParseSchemaRefusesWhatItCannotRead(t *testing.T) {
	for _, c := range []struct{ text, err string }{
		{"session V\n\t\"a\" int64\n", "no format line"},
		{"format 1\n\t\"a\" int64\n", "x.schema:2: a key outside a session or struct section"},
		{"format 1\nsession V\n\ta int64\n", "x.schema:3: a key must start with a quoted key"},
		{"format 1\nsession V\n\t\"a\" int65\n", `x.schema: key "a": type int65 names int65, which this file does not define`},
		{"format 1\nsession V\n\t\"a\" map[string\n", "map key not followed by ]"},
		{"format 1\nsession V\n\t\"a\" int64 admin\n", `unknown role "admin"`},
		{"format 1\nsession V\n\tretired \"a\" int64 user\n", `unknown role "user"`},
		{"format one\n", `format "one" is not a number`},
		{"format 1\nenum V\n", `unknown line "enum V"`},
	} {
		_, err := ParseSchema("x.schema", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.err)
		}
	}
}

// Sessions stored in another format version than this build reads fail to
// decode (wire.Reader.Format): the checker says so.
func TestCheckFormatVersion(t *testing.T) {
	text := "format 0\n\nsession V\n\t\"a\" int64\n"
	old, err := ParseSchema("old", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := ParseSchema("cur", []byte(strings.Replace(text, "format 0", "format 1", 1)))
	found := CompareSchemas(old, cur)
	if len(found) != 1 || !strings.Contains(found[0].String(), "sessions were stored in format 0; this build reads only format 1") {
		t.Fatalf("findings %v", found)
	}
	if found := CompareSchemas(cur, cur); len(found) != 0 {
		t.Fatalf("the same format: %v", found)
	}
}

// FuzzParseSchema: any text; no panic; what parses reads back from its own
// Text unchanged, and compared with itself it has no finding.
func FuzzParseSchema(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, ".schema") {
				f.Add(file.Data)
			}
		}
	}
	f.Add([]byte("format 1\ntype T *T\nsession S\n\t\"a\" map[int8][2]T user flash\n\tretired \"b\" custom(x/y.Z)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchema("f", data)
		if err != nil {
			return
		}
		text := s.Text()
		again, err := ParseSchema("f", text)
		if err != nil {
			t.Fatalf("%q parsed, its text %q does not: %v", data, text, err)
		}
		if !bytes.Equal(again.Text(), text) {
			t.Fatalf("%q reads back as %q", text, again.Text())
		}
		if found := CompareSchemas(s, again); len(found) != 0 {
			t.Fatalf("%q compared with itself: %v", text, found)
		}
	})
}
