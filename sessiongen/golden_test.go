package sessiongen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of testdata/*.txtar")

// TestGolden runs the generator on each testdata/*.txtar archive. The archive's
// comment holds the flags ("-type A,B"); its files are the input package (a
// go.mod is added when missing); want/<name> holds each expected output file,
// or want/error the expected error, with the package directory written $DIR.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, path)
		})
	}
}

func runGolden(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var inputs []txtar.File
	want := map[string][]byte{}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			want[name] = f.Data
			continue
		}
		inputs = append(inputs, f)
		writeFile(t, filepath.Join(dir, f.Name), f.Data)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		writeFile(t, filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"))
	}
	// The comment's first line holds the flags; the rest says what the case is for.
	flags, _, _ := strings.Cut(strings.TrimSpace(string(ar.Comment)), "\n")
	types := strings.TrimPrefix(flags, "-type ")
	outs, err := Generate(Config{Dir: dir, Types: strings.Split(types, ",")})

	got := map[string][]byte{}
	if err != nil {
		got["error"] = []byte(strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n")
	}
	for _, o := range outs {
		rel, _ := filepath.Rel(dir, o.Path)
		got[filepath.ToSlash(rel)] = o.Source
	}
	if *update {
		ar.Files = inputs
		for _, name := range sortedKeys(got) {
			ar.Files = append(ar.Files, txtar.File{Name: "want/" + name, Data: got[name]})
		}
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s differs (run go test -run TestGolden -update to accept):\n--- got\n%s\n--- want\n%s", name, got[name], data)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected output %s:\n%s", name, got[name])
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}
