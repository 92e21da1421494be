package dirstore

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	"github.com/sessiongen/sessiongen/session"
)

// The directory layout (layout version 1). Every name below the root is
// derived from a key (itself the SHA-256 of a token) or from the SHA-256 of
// an owner or lease name: nothing a client sends ever becomes a path.
//
//	FORMAT                    "sessiongen directory store" and the layout version
//	sessions/ab/<id>          one file per session, named by its ID (the key it
//	                          was created with) for its whole life
//	keys/ab/<key>             a symlink per key, current or previous, to its
//	                          session file: how Load finds a session
//	owners/ab/<sha256(owner)>/<id>
//	                          a symlink per owned session: the owner index
//	leases/<sha256(name)>     one file per lease (cleanup leader election)
//	tmp/                      files being written; renamed or linked into place
//
// ab is the first byte of the name in hex, so no directory holds more than
// about 1/256 of the sessions; these subdirectories are made when first
// needed. Directories are 0700 and files 0600.
const (
	layoutVersion = 1
	formatFile    = "FORMAT"
	formatText    = "sessiongen directory store\nlayout 1\n"

	sessionsDir = "sessions"
	keysDir     = "keys"
	ownersDir   = "owners"
	leasesDir   = "leases"
	tmpDir      = "tmp"

	dirMode  = 0o700
	fileMode = 0o600
)

// name is the hex form of a key or hash: a file name.
func name(k session.Key) string { return hex.EncodeToString(k[:]) }

// fan is the subdirectory of a key.
func fan(k session.Key) string { return hex.EncodeToString(k[:1]) }

// parseName converts a file name back to the key it names; ok is false for
// any other name (a stray file an operator left, say).
func parseName(s string) (k session.Key, ok bool) {
	if len(s) != 2*session.KeySize {
		return k, false
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return k, false
	}
	return k, name(k) == s // lower case only, so that names sort as keys do
}

// sessionPath is the file of the session with the given ID.
func (s *statements) sessionPath(id session.Key) string {
	return filepath.Join(s.root, sessionsDir, fan(id), name(id))
}

// keyPath is the link by which key finds its session.
func (s *statements) keyPath(key session.Key) string {
	return filepath.Join(s.root, keysDir, fan(key), name(key))
}

// keyTarget is what a key link holds: the session file, relative to the
// link, so that the whole directory can be moved or restored elsewhere.
func keyTarget(id session.Key) string {
	return filepath.Join("..", "..", sessionsDir, fan(id), name(id))
}

// ownerDir is the owner's index directory.
func (s *statements) ownerDir(owner string) string {
	h := session.Key(sha256.Sum256([]byte(owner)))
	return filepath.Join(s.root, ownersDir, fan(h), name(h))
}

// ownerTarget is what an owner index entry holds.
func ownerTarget(id session.Key) string {
	return filepath.Join("..", keyTarget(id))
}

// leasePath is the file of the lease called leaseName.
func (s *statements) leasePath(leaseName string) string {
	h := session.Key(sha256.Sum256([]byte(leaseName)))
	return filepath.Join(s.root, leasesDir, name(h))
}
