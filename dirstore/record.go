package dirstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// The file format (format version 1). Every session and lease file is
//
//	"SGDS"              magic, 4 bytes
//	version             1 byte: formatVersion
//	kind                1 byte: kindSession or kindLease
//	field*              tag (1 byte), length (uvarint), value
//	crc                 4 bytes, big-endian CRC-32C of everything before it
//
// Integers are varints (zig-zag for signed values); times are unix
// microseconds, the precision the SQL stores keep. A tag below 0x80 may be
// ignored by a reader that does not know it: such fields are kept as they are
// and written back on every rewrite, so that an older binary during a rolling
// deploy never strips what a newer one added. A tag of 0x80 or above must be
// understood: a reader that does not know it refuses the file (ErrCorrupt,
// "written by a newer version"), so that a field that takes rights away (a
// tombstone on a previous key, say) can never be silently ignored. Data is
// written last among the known fields, so that a metadata-only reader can stop
// before it.
//
// The CRC catches torn or damaged files: a file is replaced by rename, never
// rewritten in place, so a torn file means a disk or filesystem fault (or a
// power loss with Options.NoSync), which Load reports as ErrCorrupt.
const (
	magic         = "SGDS"
	formatVersion = 1
	headerSize    = len(magic) + 2
	crcSize       = 4

	kindSession = 's'
	kindLease   = 'l'

	// mustUnderstand is the first tag that a reader must know.
	mustUnderstand = 0x80

	// maxFileSize bounds what a reader accepts: the largest payload plus
	// room for every other field. A larger file is refused unread.
	maxFileSize = session.MaxDataSize + 64<<10
)

// Session field tags.
const (
	tagKey       = 0x01 // current key, 32 bytes
	tagID        = 0x02 // the file's name: the key the session was created with
	tagOwner     = 0x03 // absent for an anonymous session
	tagVersion   = 0x04
	tagCreated   = 0x05
	tagIdle      = 0x06
	tagAbsolute  = 0x07
	tagPrevKey   = 0x08 // with tagPrevUntil, or neither
	tagPrevUntil = 0x09
	tagRefresh   = 0x0a // empty; present when the previous key is a refresh's grace key, absent for a tombstone
	tagRemember  = 0x0b // empty; present when the cookie is persistent
	tagDevice    = 0x0c // absent when unknown
	tagIPPrefix  = 0x0d // text; absent when unknown
	tagData      = 0x0f // last known field
)

// Lease field tags.
const (
	tagLeaseName   = 0x01
	tagLeaseHolder = 0x02
	tagLeaseUntil  = 0x03
)

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errFormat is wrapped by every decoding error; callers turn it into
// session.ErrCorrupt with the file's name.
var errFormat = errors.New("dirstore: bad file")

// stored is a session as its file holds it: the record, the file's ID (the
// key it was created with, which names the file for its whole life), and the
// fields this binary does not know, carried through rewrites.
type stored struct {
	session.Record
	ID      session.Key
	unknown []byte // raw optional fields of tags this binary does not know
}

// field is one tag-length-value entry.
type field struct {
	tag   byte
	value []byte
}

// appendField appends one field.
func appendField(b []byte, tag byte, value []byte) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// appendVarint appends a field holding a signed integer.
func appendVarint(b []byte, tag byte, v int64) []byte {
	var buf [binary.MaxVarintLen64]byte
	return appendField(b, tag, binary.AppendVarint(buf[:0], v))
}

// appendTime appends a field holding t in unix microseconds.
func appendTime(b []byte, tag byte, t time.Time) []byte {
	return appendVarint(b, tag, t.UnixMicro())
}

// begin starts a file of the given kind.
func begin(kind byte, sizeHint int) []byte {
	b := make([]byte, 0, headerSize+sizeHint+crcSize)
	b = append(b, magic...)
	return append(b, formatVersion, kind)
}

// finish appends the checksum.
func finish(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// encode returns the file contents of s.
func (s stored) encode() []byte {
	b := begin(kindSession, 2*session.KeySize+len(s.Owner)+len(s.Data)+len(s.unknown)+128)
	b = appendField(b, tagKey, s.Key[:])
	b = appendField(b, tagID, s.ID[:])
	if s.Owner != "" {
		b = appendField(b, tagOwner, []byte(s.Owner))
	}
	b = appendVarint(b, tagVersion, s.Version)
	b = appendTime(b, tagCreated, s.CreatedAt)
	b = appendTime(b, tagIdle, s.IdleExpiresAt)
	b = appendTime(b, tagAbsolute, s.AbsoluteExpiresAt)
	if !s.PrevKey.IsZero() {
		b = appendField(b, tagPrevKey, s.PrevKey[:])
		b = appendTime(b, tagPrevUntil, s.PrevExpiresAt)
		if s.PrevKind == session.RefreshRotation {
			b = appendField(b, tagRefresh, nil)
		}
	}
	if s.RememberMe {
		b = appendField(b, tagRemember, nil)
	}
	if s.Device != "" {
		b = appendField(b, tagDevice, []byte(s.Device))
	}
	if s.IPPrefix.IsValid() {
		b = appendField(b, tagIPPrefix, []byte(s.IPPrefix.String()))
	}
	b = appendField(b, tagData, s.Data)
	b = append(b, s.unknown...)
	return finish(b)
}

// body checks the envelope of a file of the given kind (size, magic,
// version, checksum) and returns the fields it holds, still encoded.
func body(b []byte, kind byte) ([]byte, error) {
	switch {
	case len(b) > maxFileSize:
		return nil, fmt.Errorf("%w: %d bytes, more than %d", errFormat, len(b), maxFileSize)
	case len(b) < headerSize+crcSize:
		return nil, fmt.Errorf("%w: %d bytes, too short", errFormat, len(b))
	case string(b[:len(magic)]) != magic:
		return nil, fmt.Errorf("%w: not a sessiongen directory-store file", errFormat)
	case b[len(magic)] != formatVersion:
		return nil, fmt.Errorf("%w: format version %d, this binary reads %d (written by a newer version?)", errFormat, b[len(magic)], formatVersion)
	case b[len(magic)+1] != kind:
		return nil, fmt.Errorf("%w: kind %q, want %q", errFormat, b[len(magic)+1], kind)
	}
	content, sum := b[:len(b)-crcSize], binary.BigEndian.Uint32(b[len(b)-crcSize:])
	if crc32.Checksum(content, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (torn or damaged file)", errFormat)
	}
	return content[headerSize:], nil
}

// next splits the first field off rest.
func next(rest []byte) (f field, tail []byte, err error) {
	tag := rest[0]
	n, w := binary.Uvarint(rest[1:])
	if w <= 0 || n > uint64(len(rest)-1-w) {
		return field{}, nil, fmt.Errorf("%w: field 0x%02x: bad length", errFormat, tag)
	}
	start := 1 + w
	end := start + int(n)
	return field{tag, rest[start:end:end]}, rest[end:], nil
}

// fieldReader decodes the values of known fields, remembering the first
// error and which tags it has seen.
type fieldReader struct {
	seen [mustUnderstand]bool
	err  error
}

func (r *fieldReader) fail(tag byte, why string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: field 0x%02x: %s", errFormat, tag, why)
	}
}

// first records tag as seen and reports a duplicate.
func (r *fieldReader) first(tag byte) bool {
	if r.seen[tag] {
		r.fail(tag, "repeated")
		return false
	}
	r.seen[tag] = true
	return true
}

func (r *fieldReader) key(f field, dst *session.Key) {
	if len(f.value) != session.KeySize {
		r.fail(f.tag, fmt.Sprintf("%d bytes, want %d", len(f.value), session.KeySize))
		return
	}
	copy(dst[:], f.value)
}

func (r *fieldReader) varint(f field) int64 {
	v, w := binary.Varint(f.value)
	if w <= 0 || w != len(f.value) {
		r.fail(f.tag, "bad integer")
	}
	return v
}

func (r *fieldReader) time(f field) time.Time {
	return time.UnixMicro(r.varint(f)).UTC()
}

// require reports the first of tags that was not seen.
func (r *fieldReader) require(tags ...byte) {
	for _, tag := range tags {
		if !r.seen[tag] {
			r.fail(tag, "missing")
			return
		}
	}
}

// unknownField keeps an optional field this binary does not know, or refuses
// a must-understand one.
func (r *fieldReader) unknownField(f field, unknown []byte) []byte {
	if f.tag >= mustUnderstand {
		r.fail(f.tag, "must be understood: written by a newer version of sessiongen")
		return unknown
	}
	return appendField(unknown, f.tag, f.value)
}

// decodeSession parses a session file. Data aliases b.
func decodeSession(b []byte) (stored, error) {
	rest, err := body(b, kindSession)
	if err != nil {
		return stored{}, err
	}
	var s stored
	var r fieldReader
	for len(rest) > 0 && r.err == nil {
		var f field
		if f, rest, err = next(rest); err != nil {
			return stored{}, err
		}
		if f.tag < mustUnderstand && !r.first(f.tag) {
			break
		}
		switch f.tag {
		case tagKey:
			r.key(f, &s.Key)
		case tagID:
			r.key(f, &s.ID)
		case tagOwner:
			if len(f.value) == 0 {
				r.fail(f.tag, "empty (an anonymous session has no owner field)")
			}
			s.Owner = string(f.value)
		case tagVersion:
			s.Version = r.varint(f)
		case tagCreated:
			s.CreatedAt = r.time(f)
		case tagIdle:
			s.IdleExpiresAt = r.time(f)
		case tagAbsolute:
			s.AbsoluteExpiresAt = r.time(f)
		case tagPrevKey:
			r.key(f, &s.PrevKey)
		case tagPrevUntil:
			s.PrevExpiresAt = r.time(f)
		case tagRefresh:
			s.PrevKind = session.RefreshRotation
		case tagRemember:
			s.RememberMe = true
		case tagDevice:
			s.Device = string(f.value)
		case tagIPPrefix:
			var err error
			if s.IPPrefix, err = storekit.StoredPrefix("read", "ip prefix", string(f.value)); err != nil || !s.IPPrefix.IsValid() {
				r.fail(f.tag, "not a masked IP prefix")
			}
		case tagData:
			s.Data = f.value
		default:
			s.unknown = r.unknownField(f, s.unknown)
		}
	}
	r.require(tagKey, tagID, tagVersion, tagCreated, tagIdle, tagAbsolute, tagData)
	if r.seen[tagVersion] && s.Version < 1 {
		r.fail(tagVersion, "not positive")
	}
	if r.seen[tagPrevKey] != r.seen[tagPrevUntil] {
		r.fail(tagPrevKey, "previous key and its grace window must come together")
	}
	if r.seen[tagRefresh] && !r.seen[tagPrevKey] {
		r.fail(tagRefresh, "a rotation kind without a previous key")
	}
	if r.seen[tagPrevKey] && s.PrevKey.IsZero() {
		r.fail(tagPrevKey, "zero previous key")
	}
	if r.err != nil {
		return stored{}, r.err
	}
	return s, nil
}

// lease is a lease file's contents.
type lease struct {
	name, holder string
	until        time.Time
}

func (l *lease) encode() []byte {
	b := begin(kindLease, len(l.name)+len(l.holder)+32)
	b = appendField(b, tagLeaseName, []byte(l.name))
	b = appendField(b, tagLeaseHolder, []byte(l.holder))
	b = appendTime(b, tagLeaseUntil, l.until)
	return finish(b)
}

func decodeLease(b []byte) (lease, error) {
	rest, err := body(b, kindLease)
	if err != nil {
		return lease{}, err
	}
	var l lease
	var r fieldReader
	for len(rest) > 0 && r.err == nil {
		var f field
		if f, rest, err = next(rest); err != nil {
			return lease{}, err
		}
		if f.tag < mustUnderstand && !r.first(f.tag) {
			break
		}
		switch f.tag {
		case tagLeaseName:
			l.name = string(f.value)
		case tagLeaseHolder:
			l.holder = string(f.value)
		case tagLeaseUntil:
			l.until = r.time(f)
		default:
			r.unknownField(f, nil)
		}
	}
	r.require(tagLeaseName, tagLeaseHolder, tagLeaseUntil)
	if r.err != nil {
		return lease{}, r.err
	}
	return l, nil
}
