package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// checkRepo is a git repository holding one package with a session struct,
// the way an application keeps one: a commit per release.
type checkRepo struct {
	t   *testing.T
	dir string
}

func newCheckRepo(t *testing.T) *checkRepo {
	r := &checkRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.write("go.mod", "module example.com/app\n\ngo 1.26\n")
	t.Chdir(r.dir)
	return r
}

func (r *checkRepo) write(name, data string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(data), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *checkRepo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = r.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// release writes the struct, generates, and commits (tagged when tag != "").
func (r *checkRepo) release(src, tag string) {
	r.t.Helper()
	r.write("visitor.go", src)
	mustCLI(r.t, "generate", "-type", "Visitor", r.dir)
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "release")
	if tag != "" {
		r.git("tag", tag)
	}
}

const visitorV1 = `package app

type Visitor struct {
	UserID string ` + "`session:\"uid,user\"`" + `
	Visits int64  ` + "`session:\"visits\"`" + `
	Theme  string ` + "`session:\"theme\"`" + `
}
`

// The whole loop a developer sees: a release, a breaking change caught with
// file:line against the last tag, the same change accepted with reset=, and a
// removed key whose reuse with another type a later release still refuses.
func TestCheckAgainstGit(t *testing.T) {
	r := newCheckRepo(t)
	r.release(visitorV1, "v1")

	r.write("visitor.go", strings.Replace(visitorV1, "Visits int64 ", "Visits string", 1))
	code, out, errOut := cli(t, "check")
	if code != exitFailure || !strings.Contains(out, `visitor.go:5: Visitor.Visits (key visits): int64 -> string: stored int64 values do not decode as string`) ||
		!strings.Contains(out, "reset=int64") || !strings.Contains(errOut, `v1 (the last tag`) {
		t.Fatalf("a kind change: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	r.write("visitor.go", strings.Replace(visitorV1, "Visits int64  `session:\"visits\"`", "Visits string `session:\"visits,reset=int64\"`", 1))
	if code, out, errOut := cli(t, "check", "./..."); code != exitOK {
		t.Fatalf("the break accepted with reset=int64: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	r.write("visitor.go", strings.Replace(visitorV1, "Visits int64  `session:\"visits\"`", "Visits string `session:\"visits,reset=int32\"`", 1))
	if code, out, _ := cli(t, "check"); code != exitFailure || !strings.Contains(out, "reset=int32 does not name what stored sessions hold under this key (int64)") {
		t.Fatalf("reset naming the wrong type: exit %d\n%s", code, out)
	}

	// v2 removes theme; v3 brings it back as an integer.
	r.release(strings.Replace(visitorV1, "\tTheme  string `session:\"theme\"`\n", "", 1), "v2")
	schema, err := os.ReadFile("visitor_session.schema")
	if err != nil || !strings.Contains(string(schema), "\tretired \"theme\" string\n") {
		t.Fatalf("v2's schema does not retire theme: %v\n%s", err, schema)
	}
	r.write("visitor.go", strings.Replace(visitorV1, "Theme  string", "Theme  int32 ", 1))
	code, out, _ = cli(t, "check")
	if code != exitFailure || !strings.Contains(out, `visitor.go:6: Visitor.Theme (key theme): key "theme" was removed and is reused`) {
		t.Fatalf("a retired key reused with another type: exit %d\n%s", code, out)
	}
	// Against v1 the same change is a plain kind change; the moved user field
	// is reported too.
	r.write("visitor.go", strings.Replace(strings.Replace(visitorV1, "Theme  string", "Theme  int32 ", 1), `uid,user`, `user_id,user`, 1))
	code, out, _ = cli(t, "check", "-against", "v1", ".")
	if code != exitFailure || !strings.Contains(out, "visitor.go:4: Visitor.UserID (key user_id): the user field moved from key \"uid\" to \"user_id\"") ||
		!strings.Contains(out, "visitor.go:6: Visitor.Theme (key theme): string -> int32") {
		t.Fatalf("against v1: exit %d\n%s", code, out)
	}

	// A schema kept elsewhere as the baseline.
	if err := os.WriteFile(filepath.Join(t.TempDir(), "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "released.schema")
	if err := os.WriteFile(saved, schema, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = cli(t, "check", "-baseline", saved, r.dir)
	if code != exitFailure || !strings.Contains(out, `key "theme" was removed and is reused`) {
		t.Fatalf("-baseline: exit %d\n%s", code, out)
	}
}

func TestCheckUsage(t *testing.T) {
	r := newCheckRepo(t)
	r.release(visitorV1, "")
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"check", "-baseline", "x.schema", "./..."}, exitUsage, "-baseline compares one package directory"},
		{[]string{"check", "-against", "v9"}, exitFailure, "revision \"v9\" is not in this clone"},
		{[]string{"check", "nowhere"}, exitFailure, "package directory \"nowhere\""},
		{[]string{"check"}, exitFailure, "no baseline: no tag"},
	} {
		if code, out, errOut := cli(t, c.args...); code != c.code || !strings.Contains(errOut, c.err) {
			t.Errorf("%v: exit %d, want %d with %q\nstdout %s\nstderr %s", c.args, code, c.code, c.err, out, errOut)
		}
	}
}
