package sessiongen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileAndRun generates code for testdata/rich (a field of every
// supported kind, a type of another package, an embedded struct, a custom
// msgpack encoder, TextMarshalers, a recursive type) in a temporary module, then
// runs one program there that round-trips random values and checks Diff/Merge
// and setter change tracking through the real manager.
func TestCompileAndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	goMod := "module example.com/rich\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/sessiongen/sessiongen v0.0.0\n" +
		"\tgithub.com/vmihailenco/msgpack/v5 v5.4.1\n)\n\nreplace github.com/sessiongen/sessiongen => " + root + "\n"
	writeFile(t, filepath.Join(tmp, "go.mod"), []byte(goMod))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tmp, "go.sum"), sum)
	for src, dst := range map[string]string{"rich.go.txt": "rich.go", "other.go.txt": "other/other.go", "main.go.txt": "check/main.go", "names.go.txt": "names.go"} {
		data, err := os.ReadFile(filepath.Join("testdata", "rich", src))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(tmp, dst), data)
	}
	// Share the module cache and flags, and let the go command fill in the
	// temporary module's requirements.
	env := append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))

	outs, err := Generate(Config{Dir: tmp, Types: []string{"Rich"}, Env: env})
	if err := Write(outs, err); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || filepath.Base(outs[0].Path) != "rich_session.go" || filepath.Base(outs[1].Path) != "rich_session.schema" {
		t.Fatalf("outputs %v, want rich_session.go and its schema", outputPaths(outs))
	}
	again, err := Generate(Config{Dir: tmp, Types: []string{"Rich"}, Env: env})
	if err != nil || string(again[0].Source) != string(outs[0].Source) || string(again[1].Source) != string(outs[1].Source) {
		t.Fatalf("a second run (with the generated file present) gave different output: %v", err)
	}

	cmd := exec.Command("go", "run", "./check")
	cmd.Dir, cmd.Env = tmp, env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all checks passed") {
		t.Fatalf("go run: %v\n%s", err, out)
	}
}

func outputPaths(outs []Output) []string {
	var paths []string
	for _, o := range outs {
		paths = append(paths, o.Path)
	}
	return paths
}
