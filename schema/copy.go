package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4/source"
)

// An application that keeps one golang-migrate folder for all its tables takes
// our migrations into it as files of its own, numbered in its sequence, with
// our file name kept after a "sessiongen_" marker:
//
//	db/migrations/000007_add_orders.up.sql
//	db/migrations/000008_sessiongen_000001_create_sessions.up.sql
//	db/migrations/000008_sessiongen_000001_create_sessions.down.sql
//
// The marker is how Missing recognises what was taken in, whatever number the
// application gave it.

// copiedMarker separates the application's version from our file name.
const copiedMarker = "sessiongen_"

// Missing returns the up files of ours (Postgres(), SQLite(), ...) that the
// application's migrations folder dir has not taken in yet, in order. Run it
// in a test or in CI after upgrading sessiongen: a new name means a new
// migration to copy (CopyInto).
func Missing(dir string, ours fs.FS) ([]string, error) {
	taken, _, _, err := readFolder(dir)
	if err != nil {
		return nil, err
	}
	up, err := upFiles(ours)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, name := range up {
		if !taken[name] {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// CopyInto writes the migrations of ours that dir lacks (see Missing) into dir,
// up and down files, numbered after the highest version already there so
// that golang-migrate applies them next: the next number of a sequence
// (zero-padded to the folder's width), or the current UTC time for folders
// numbered by timestamp (YYYYMMDDhhmmss, or Unix seconds). It returns the names
// of the files written. Each file starts with a comment naming its origin.
func CopyInto(dir string, ours fs.FS, now time.Time) ([]string, error) {
	missing, err := Missing(dir, ours)
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	_, highest, width, err := readFolder(dir)
	if err != nil {
		return nil, err
	}
	version := firstVersion(highest, now)
	var written []string
	for _, up := range missing {
		base := strings.TrimSuffix(up, ".up.sql")
		for _, name := range []string{up, base + ".down.sql"} {
			body, err := fs.ReadFile(ours, name)
			if errors.Is(err, fs.ErrNotExist) && name != up {
				continue // a migration without a down file
			}
			if err != nil {
				return written, err
			}
			target := fmt.Sprintf("%0*d_%s%s", width, version, copiedMarker, name)
			header := fmt.Sprintf("-- %s of github.com/sessiongen/sessiongen/schema, taken in by sessiongen migrations.\n"+
				"-- Do not edit: a later sessiongen version ships changes as a new migration.\n", name)
			if err := os.WriteFile(filepath.Join(dir, target), append([]byte(header), body...), 0o644); err != nil {
				return written, err
			}
			written = append(written, target)
		}
		version++
	}
	return written, nil
}

// readFolder reads an application's migrations folder: which of our files it
// has taken in, its highest version, and the width its versions are written
// with (6 for an empty folder).
func readFolder(dir string) (taken map[string]bool, highest uint64, width int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, 0, err
	}
	taken, width = map[string]bool{}, 6
	for _, e := range entries {
		m, err := source.DefaultParse(e.Name())
		if err != nil {
			continue // not a migration (a README, ...)
		}
		digits, _, _ := strings.Cut(e.Name(), "_")
		if uint64(m.Version) >= highest {
			highest, width = uint64(m.Version), len(digits)
		}
		// 000008_sessiongen_000001_create_sessions.up.sql took in 000001_create_sessions.up.sql.
		if ours, ok := strings.CutPrefix(strings.TrimPrefix(e.Name(), digits+"_"), copiedMarker); ok && m.Direction == source.Up {
			taken[ours] = true
		}
	}
	return taken, highest, width, nil
}

// firstVersion returns the version of the first file to add after highest: a
// timestamp for folders numbered by time, else the next in sequence.
func firstVersion(highest uint64, now time.Time) uint64 {
	var v uint64
	switch {
	case highest >= 1e13: // YYYYMMDDhhmmss
		v, _ = strconv.ParseUint(now.UTC().Format("20060102150405"), 10, 64)
	case highest >= 1e9 && highest < 1e11: // Unix seconds
		v = uint64(now.Unix())
	}
	return max(v, highest+1)
}

// upFiles lists the up files of a migrations folder, in version order.
func upFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var up []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".up.sql") {
			up = append(up, e.Name())
		}
	}
	slices.Sort(up) // versions are zero-padded: lexical order is version order
	return up, nil
}
