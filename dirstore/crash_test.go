package dirstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// Crash tests: a child process (this test binary, re-run as
// TestCrashHelper) changes a store and is killed with SIGKILL, either at a
// named step inside the change (the step hook blocks there) or at a random
// instant of a stream of large saves. The parent then checks that the store
// holds the state before the change or the state after it, completely,
// never a mix or a torn file, and that Repair leaves no debris.

const (
	crashEnvDir  = "DIRSTORE_CRASH_DIR"
	crashEnvOp   = "DIRSTORE_CRASH_OP"
	crashEnvStep = "DIRSTORE_CRASH_STEP"
)

// crashNow is the clock of every crash test: sessions live a day after it.
var crashNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// crashKey is the key of a named session in the crash tests.
func crashKey(n string) session.Key { return sha256.Sum256([]byte("crash " + n)) }

func crashRecord(key session.Key, owner string, data []byte) session.Record {
	return session.Record{
		Key: key, Owner: owner, Data: data, CreatedAt: crashNow,
		IdleExpiresAt: crashNow.Add(time.Hour), AbsoluteExpiresAt: crashNow.Add(24 * time.Hour),
	}
}

// crashOps are the changes the step tests interrupt, run by the child.
var crashOps = map[string]func(ctx context.Context, s *Store) error{
	"create": func(ctx context.Context, s *Store) error {
		return s.Create(ctx, crashRecord(crashKey("new"), "alice", []byte("created")))
	},
	"save": func(ctx context.Context, s *Store) error {
		rec := crashRecord(crashKey("victim"), "bob", []byte("saved"))
		rec.Version = 1
		_, err := s.Save(ctx, rec, crashNow)
		return err
	},
	"rotate": func(ctx context.Context, s *Store) error {
		return s.Rotate(ctx, crashKey("victim"), crashKey("new"), session.Rotation{Kind: session.RefreshRotation, Until: crashNow.Add(time.Minute)}, crashNow)
	},
	"login": func(ctx context.Context, s *Store) error { // a privilege rotation: the old key becomes a tombstone
		return s.Rotate(ctx, crashKey("victim"), crashKey("new"), session.Rotation{Kind: session.PrivilegeRotation, Until: crashNow.Add(time.Minute)}, crashNow)
	},
	"delete": func(ctx context.Context, s *Store) error {
		return s.Delete(ctx, crashKey("victim"), crashNow)
	},
}

// TestCrashHelper runs one crashOp in a child process, blocking forever at
// the named step so that the parent can kill it there; with the step
// "saves", it saves large payloads until killed. It does nothing unless
// started by a crash test.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("helper process for the crash tests")
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	op, step := os.Getenv(crashEnvOp), os.Getenv(crashEnvStep)
	if op == "saves" {
		saveUntilKilled(t, s)
		return
	}
	s.st.step = func(reached string) {
		if reached == step {
			fmt.Printf("reached %s\n", step)
			select {} // wait for SIGKILL
		}
	}
	err = crashOps[op](t.Context(), s)
	fmt.Printf("finished %s: %v\n", op, err)
}

// startCrashChild starts the helper on dir and returns it with its stdout.
func startCrashChild(t *testing.T, dir, op, step string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnvDir+"="+dir, crashEnvOp+"="+op, crashEnvStep+"="+step)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(out)
}

// waitLine reads the child's output until a line starting with prefix,
// failing on end of output (the child finished without reaching it).
func waitLine(t *testing.T, r *bufio.Reader, prefix string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line)
		}
		if err != nil {
			t.Fatalf("child ended without printing %q (last: %q, %v)", prefix, line, err)
		}
	}
}

// kill9 kills the child with SIGKILL and reaps it.
func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// crashState is what the store says after a crash, read through the Store
// methods only.
type crashState struct {
	victim, fresh session.Record // loaded by the old and the new key (zero if not found)
	superseded    bool           // the old key answered ErrSuperseded
	count         session.Counts
	owners        map[string][]session.Key
}

func readCrashState(t *testing.T, s *Store) crashState {
	t.Helper()
	ctx := t.Context()
	st := crashState{owners: map[string][]session.Key{}}
	for key, dst := range map[session.Key]*session.Record{crashKey("victim"): &st.victim, crashKey("new"): &st.fresh} {
		rec, err := s.Load(ctx, key, crashNow)
		switch {
		case err == nil:
			*dst = rec
		case errors.Is(err, session.ErrSuperseded) && key == crashKey("victim"):
			st.superseded = true
		case !errors.Is(err, session.ErrNotFound):
			t.Fatalf("Load after the crash: %v (a torn or unreadable file?)", err)
		}
	}
	var err error
	if st.count, err = s.Count(ctx, crashNow); err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{"alice", "bob"} {
		recs, err := s.ListOwner(ctx, owner, crashNow, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			st.owners[owner] = append(st.owners[owner], r.Key)
		}
	}
	return st
}

// TestCrashAtEveryStep kills a child at every step of Create, Save, Rotate
// and Delete that a crash could interrupt, and checks that the store then
// shows the whole change or none of it, before and after Repair, and that
// Repair leaves only the files of that state.
func TestCrashAtEveryStep(t *testing.T) {
	victim, fresh := crashKey("victim"), crashKey("new")
	type outcome struct {
		name  string
		holds func(st crashState) bool
	}
	none := outcome{"no session", func(st crashState) bool {
		return st.victim.Key.IsZero() && st.fresh.Key.IsZero() && st.count == session.Counts{} && len(st.owners) == 0
	}}
	created := outcome{"the created session", func(st crashState) bool {
		return st.fresh.Key == fresh && string(st.fresh.Data) == "created" && st.victim.Key.IsZero() &&
			st.count == session.Counts{Live: 1} && slices.Equal(st.owners["alice"], []session.Key{fresh}) && len(st.owners) == 1
	}}
	original := outcome{"the original session", func(st crashState) bool {
		return st.victim.Key == victim && st.victim.Version == 1 && string(st.victim.Data) == "original" &&
			st.victim.PrevKey.IsZero() && st.fresh.Key.IsZero() && st.count == session.Counts{Live: 1} &&
			slices.Equal(st.owners["alice"], []session.Key{victim}) && len(st.owners) == 1
	}}
	saved := outcome{"the saved session", func(st crashState) bool {
		return st.victim.Key == victim && st.victim.Version == 2 && string(st.victim.Data) == "saved" &&
			st.victim.Owner == "bob" && st.count == session.Counts{Live: 1} &&
			slices.Equal(st.owners["bob"], []session.Key{victim}) && len(st.owners) == 1
	}}
	rotated := outcome{"the rotated session", func(st crashState) bool {
		return st.fresh.Key == fresh && st.fresh.PrevKey == victim && st.victim.Key == fresh &&
			string(st.fresh.Data) == "original" && st.count == session.Counts{Live: 1} &&
			slices.Equal(st.owners["alice"], []session.Key{fresh}) && len(st.owners) == 1
	}}
	loggedIn := outcome{"the session after a login rotation", func(st crashState) bool {
		return st.fresh.Key == fresh && st.fresh.PrevKey == victim && st.fresh.PrevKind == session.PrivilegeRotation &&
			st.victim.Key.IsZero() && st.superseded && st.count == session.Counts{Live: 1} &&
			slices.Equal(st.owners["alice"], []session.Key{fresh}) && len(st.owners) == 1
	}}
	cases := []struct {
		op, step      string
		before, after outcome
	}{
		{"create", "temp written", none, created},
		{"create", "create: linked", none, created},
		{"create", "owner entry added", none, created},
		{"create", "create: key linked", none, created},
		{"save", "owner entry added", original, saved},
		{"save", "temp written", original, saved},
		{"save", "rewrite: renamed", original, saved},
		{"rotate", "rotate: new key linked", original, rotated},
		{"rotate", "temp written", original, rotated},
		{"rotate", "rewrite: renamed", original, rotated},
		{"login", "rotate: new key linked", original, loggedIn},
		{"login", "rewrite: renamed", original, loggedIn},
		{"delete", "remove: file removed", original, none},
	}
	for _, c := range cases {
		t.Run(c.op+" at "+strings.ReplaceAll(c.step, ":", ""), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "sessions")
			s := migratedForCrash(t, dir)
			if c.op != "create" {
				if err := s.Create(t.Context(), crashRecord(victim, "alice", []byte("original"))); err != nil {
					t.Fatal(err)
				}
			}
			cmd, out := startCrashChild(t, dir, c.op, c.step)
			waitLine(t, out, "reached "+c.step)
			kill9(t, cmd)

			check := func(when string) outcome {
				st := readCrashState(t, s)
				for _, o := range []outcome{c.before, c.after} {
					if o.holds(st) {
						return o
					}
				}
				t.Fatalf("%s: the store shows neither %s nor %s: %+v", when, c.before.name, c.after.name, st)
				return outcome{}
			}
			seen := check("after the crash")
			repaired, err := s.Repair(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if again := check("after Repair"); again.name != seen.name {
				t.Fatalf("Repair changed the outcome from %s to %s", seen.name, again.name)
			}
			t.Logf("outcome: %s; Repair removed %+v", seen.name, repaired)
			wantOnlyFilesOf(t, s, seen.name == none.name)
		})
	}
}

// migratedForCrash opens and migrates a store in dir.
func migratedForCrash(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// wantOnlyFilesOf fails unless the directory holds exactly what its
// sessions need: per session, its file, a link per key the file names and
// an owner entry; no temp file. empty says there should be no session.
func wantOnlyFilesOf(t *testing.T, s *Store, empty bool) {
	t.Helper()
	var files, links, owners, temps []string
	err := filepath.WalkDir(s.st.root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(s.st.root, path)
		switch strings.Split(rel, string(filepath.Separator))[0] {
		case sessionsDir:
			files = append(files, rel)
		case keysDir:
			links = append(links, rel)
		case ownersDir:
			owners = append(owners, rel)
		case tmpDir:
			temps = append(temps, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantLinks := 0
	if !empty {
		if len(files) != 1 {
			t.Fatalf("session files %v, want one", files)
		}
		st, err := s.st.readSession(filepath.Join(s.st.root, files[0]))
		if err != nil {
			t.Fatal(err)
		}
		wantLinks = 1
		if !st.PrevKey.IsZero() {
			wantLinks = 2
		}
	}
	if (len(files) == 0) != empty || len(links) != wantLinks || len(owners) != len(files) || len(temps) != 0 {
		t.Fatalf("after Repair: session files %v, key links %v, owner entries %v, temp files %v", files, links, owners, temps)
	}
}

// The random-instant test: large saves, so that the kill often lands inside
// one (writing, flushing or renaming).
const (
	crashPayload = 512 << 10
	crashRuns    = 8
)

// pattern is the payload of version v: v, repeated. A torn write cannot
// produce a payload that is all one version.
func pattern(v int64) []byte {
	return bytes.Repeat(binary.BigEndian.AppendUint64(nil, uint64(v)), crashPayload/8)
}

// saveUntilKilled saves the victim over and over, announcing each version
// before saving it and after it was saved.
func saveUntilKilled(t *testing.T, s *Store) {
	ctx := t.Context()
	for {
		rec, err := s.Load(ctx, crashKey("victim"), crashNow)
		if err != nil {
			t.Fatal(err)
		}
		rec.Data = pattern(rec.Version + 1)
		fmt.Printf("saving %d\n", rec.Version+1)
		if _, err := s.Save(ctx, rec, crashNow); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("saved %d\n", rec.Version+1)
	}
}

// TestCrashDuringSaves kills a child that saves 512 KiB payloads at random
// instants, and checks that the session always loads whole, at the last
// version the child saw saved or the one it was saving.
func TestCrashDuringSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	dir := filepath.Join(t.TempDir(), "sessions")
	s := migratedForCrash(t, dir)
	rec := crashRecord(crashKey("victim"), "", pattern(1))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for run := range crashRuns {
		cmd, out := startCrashChild(t, dir, "saves", "")
		// Let it save a few times, then kill it a random moment later.
		lines := make(chan string, 1024)
		go func() {
			for {
				line, err := out.ReadString('\n')
				if err != nil {
					close(lines)
					return
				}
				lines <- strings.TrimSpace(line)
			}
		}()
		var last string
		for seen := 0; seen < 3; {
			if last = <-lines; strings.HasPrefix(last, "saved ") {
				seen++
			}
		}
		time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
		kill9(t, cmd)
		for line := range lines {
			last = line
		}
		acked, inFlight := versionsAfter(t, last)

		got, err := s.Load(t.Context(), rec.Key, crashNow)
		if err != nil {
			t.Fatalf("run %d: Load after kill -9: %v", run, err)
		}
		if got.Version != acked && got.Version != inFlight {
			t.Fatalf("run %d: version %d after the child last printed %q", run, got.Version, last)
		}
		if !bytes.Equal(got.Data, pattern(got.Version)) {
			t.Fatalf("run %d: version %d holds a payload that is not that version's (torn?)", run, got.Version)
		}
		if got.Version == acked {
			outcomes["old"]++
		} else {
			outcomes["new"]++
		}
		repaired, err := s.Repair(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		outcomes["temp files swept"] += repaired.TempFiles
	}
	t.Logf("after %d kills: %v", crashRuns, outcomes)
}

// versionsAfter reads the child's last line: after "saved v" the session
// must be at v; after "saving v" at v-1 (not saved yet) or v.
func versionsAfter(t *testing.T, last string) (acked, inFlight int64) {
	t.Helper()
	verb, num, _ := strings.Cut(last, " ")
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		t.Fatalf("unexpected child output %q", last)
	}
	if verb == "saved" {
		return v, v
	}
	return v - 1, v
}
