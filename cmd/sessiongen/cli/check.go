package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sessiongen/sessiongen/sessiongen"
)

func init() {
	register(command{
		name:    "check",
		summary: "fail when a session struct changed in a way stored sessions cannot survive (against git or a saved schema)",
		run:     runCheck,
	})
}

const checkSynopsis = `check [-against REV | -baseline FILE] [packages]

Compares the session structs of the packages with their wire schema
(<source>_session.schema, written by generate) as of an earlier revision,
and reports every change that sessions stored then would not survive: a key
whose type changed so that stored values no longer decode (at any depth), an
integer narrowed or made unsigned, a float read as an integer, a [N]byte or
[N]T that would cut stored values, a removed key reused with another type, the
user field moved to another key. Additions, removals, reorders, Go renames with
the key kept and widening are fine. Each finding is printed as file:line.

packages: directories, or DIR/... for every directory below DIR that has a
schema (default ./...). The baseline is, by default, the schema files in git at:
the last tag if HEAD has one behind it (what was released), else the merge base
with origin's default branch, else (on that branch) HEAD's parent. -baseline
compares one package with a schema file kept elsewhere instead.

A deliberate break is accepted when the field's tag names the type stored
sessions hold: session:"key,reset=int64". Stored values that no longer decode
then read as the field's zero value instead of failing the whole session.

exit status: 0 nothing breaks, 1 a finding or an error, 2 usage`

func runCheck(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(flagOutput(stderr))
	against := fl.String("against", "", "the git `revision` whose schema files are the baseline (default: see above)")
	baseline := fl.String("baseline", "", "a schema `file` to compare one package with, instead of git")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: sessiongen %s\n\nflags:\n", checkSynopsis)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	patterns := fl.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	if *baseline != "" && (*against != "" || len(fl.Args()) > 1 || strings.HasSuffix(patterns[0], "...")) {
		fmt.Fprintln(stderr, "sessiongen check: -baseline compares one package directory: give at most one, and no -against")
		return exitUsage
	}
	var (
		c   checker
		err error
	)
	if *baseline != "" {
		err = c.againstFile(*baseline, fl.Args())
	} else {
		err = c.againstGit(*against, patterns)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sessiongen check:", strings.ReplaceAll(err.Error(), "\n", "\nsessiongen check: "))
		return exitFailure
	}
	for _, f := range c.findings {
		fmt.Fprintln(stdout, f)
	}
	if n := len(c.findings); n > 0 {
		fmt.Fprintf(stderr, "sessiongen check: %d change(s) that sessions stored at %s would not survive\n", n, c.baseline)
		return exitFailure
	}
	fmt.Fprintf(stderr, "sessiongen check: %d package(s), nothing that sessions stored at %s would not survive\n", c.packages, c.baseline)
	return exitOK
}

// checker collects the findings of every package checked.
type checker struct {
	baseline string // what the findings are relative to, for the summary
	packages int
	findings []*sessiongen.Finding
}

// againstFile checks one package against one schema file.
func (c *checker) againstFile(path string, dirs []string) error {
	dir := "."
	if len(dirs) == 1 {
		dir = dirs[0]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the baseline: %w", err)
	}
	s, err := sessiongen.ParseSchema(path, data)
	if err != nil {
		return err
	}
	c.baseline = path
	return c.check(dir, []*sessiongen.Schema{s})
}

// againstGit checks every package the patterns name against its schema files
// at rev (default: defaultBaseline).
func (c *checker) againstGit(rev string, patterns []string) error {
	for _, p := range patterns {
		if _, _, err := patternRoot(p); err != nil {
			return err
		}
	}
	top, err := git(".", "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("the baseline comes from git, and this is not a git work tree (or use -baseline): %v", err)
	}
	why, shown := "given with -against", quoted(rev)
	if rev == "" {
		if rev, why, err = defaultBaseline(top); err != nil {
			return err
		}
		shown = rev
	}
	commit, err := git(top, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return fmt.Errorf("revision %s is not in this clone (a shallow clone needs the history: git fetch --unshallow)", shown)
	}
	c.baseline = fmt.Sprintf("%s (%s, %s)", shown, why, commit[:min(12, len(commit))])
	files, err := git(top, "ls-tree", "-r", "--name-only", "-z", commit)
	if err != nil {
		return err
	}
	byDir := map[string][]string{} // package dir (absolute) -> its schema files at rev
	for _, f := range strings.Split(files, "\x00") {
		if strings.HasSuffix(f, ".schema") && !slices.Contains(strings.Split(f, "/"), "testdata") {
			dir := filepath.Join(top, filepath.Dir(filepath.FromSlash(f)))
			byDir[dir] = append(byDir[dir], f)
		}
	}
	dirs, err := matchDirs(patterns, byDir)
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		var schemas []*sessiongen.Schema
		for _, f := range byDir[dir] {
			data, err := git(top, "show", commit+":"+f)
			if err != nil {
				return err
			}
			s, err := sessiongen.ParseSchema(rev+":"+f, []byte(data))
			if err != nil {
				return err
			}
			schemas = append(schemas, s)
		}
		if err := c.check(dir, schemas); err != nil {
			return err
		}
	}
	return nil
}

// check runs the checker on one package, with positions relative to the
// working directory.
func (c *checker) check(dir string, baselines []*sessiongen.Schema) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("package directory %s: not found", quoted(dir))
	}
	found, err := sessiongen.Check(dir, nil, baselines)
	if err != nil {
		return err
	}
	wd, _ := os.Getwd()
	for _, f := range found {
		if rel, err := filepath.Rel(wd, f.Pos.Filename); err == nil && f.Pos.IsValid() {
			f.Pos.Filename = rel
		}
	}
	c.packages++
	c.findings = append(c.findings, found...)
	return nil
}

// matchDirs returns the package directories of byDir that the patterns name,
// sorted: a directory, or DIR/... for DIR and everything below it.
func matchDirs(patterns []string, byDir map[string][]string) ([]string, error) {
	var out []string
	for _, p := range patterns {
		abs, recursive, err := patternRoot(p)
		if err != nil {
			return nil, err
		}
		for dir := range byDir {
			if dir == abs || recursive && strings.HasPrefix(dir, abs+string(filepath.Separator)) {
				out = append(out, dir)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// patternRoot returns the directory a package pattern starts at, and whether
// it takes the directories below it too.
func patternRoot(p string) (abs string, recursive bool, err error) {
	root, recursive := strings.CutSuffix(filepath.ToSlash(p), "/...")
	if root == "..." {
		root, recursive = ".", true
	}
	if abs, err = filepath.Abs(filepath.FromSlash(root)); err != nil {
		return "", false, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", false, fmt.Errorf("package directory %s: %w", quoted(p), fs.ErrNotExist)
	}
	return abs, recursive, nil
}

// defaultBaseline picks the revision whose sessions are in the stores: the
// last tag (a release) if there is one, else the merge base with origin's
// default branch (what a branch started from), else HEAD's parent (on the
// default branch itself, the commit before the last one).
func defaultBaseline(top string) (rev, why string, err error) {
	if tag, err := git(top, "describe", "--tags", "--abbrev=0", "HEAD"); err == nil {
		return tag, "the last tag", nil
	}
	head, err := git(top, "rev-parse", "HEAD")
	if err != nil {
		return "", "", fmt.Errorf("no commit to compare with: %v", err)
	}
	if branch, err := git(top, "rev-parse", "--abbrev-ref", "origin/HEAD"); err == nil {
		if base, err := git(top, "merge-base", "HEAD", branch); err == nil && base != head {
			return base, "the merge base with " + branch, nil
		}
	}
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"); err == nil {
		return "HEAD~1", "HEAD's parent", nil
	}
	return "", "", errors.New("no baseline: no tag, no merge base with origin's default branch, no parent commit " +
		"(a shallow clone needs its history: git fetch --unshallow); pass -against REV")
}

// git runs git in dir and returns its trimmed output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(errOut.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimSpace(out.String()), nil
}
