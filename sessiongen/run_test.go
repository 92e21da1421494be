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
	tmp, env := tempModule(t, "example.com/rich")
	for src, dst := range map[string]string{"rich.go.txt": "rich.go", "other.go.txt": "other/other.go", "main.go.txt": "check/main.go", "names.go.txt": "names.go"} {
		data, err := os.ReadFile(filepath.Join("testdata", "rich", src))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(tmp, dst), data)
	}
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

// tempModule creates, in a temporary directory, a module named path that
// requires this one (replaced by the checkout) and msgpack, with the
// checkout's go.sum, and returns it with the environment for the go command
// there: the shared module cache and flags, and -mod=mod to let the go command
// fill in the module's requirements.
func tempModule(t *testing.T, path string) (dir string, env []string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	goMod := "module " + path + "\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/sessiongen/sessiongen v0.0.0\n" +
		"\tgithub.com/vmihailenco/msgpack/v5 v5.4.1\n)\n\nreplace github.com/sessiongen/sessiongen => " + root + "\n"
	writeFile(t, filepath.Join(dir, "go.mod"), []byte(goMod))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.sum"), sum)
	return dir, append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))
}
