package wire

import (
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// The generated EncodeMsgpack and DecodeMsgpack methods make msgpack.Marshal,
// msgpack.Unmarshal and msgpack.NewDecoder(r).Decode work on session structs,
// with the bytes of AppendSession and DecodeSession.

// sessionAppender is what generated session types implement.
type sessionAppender interface {
	AppendSession(b []byte) ([]byte, error)
}

// buffers holds scratch buffers of the bridge; buffers that grew past
// maxPooled are dropped rather than kept alive by the pool.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooled = 64 << 10

func release(buf *[]byte, b []byte) {
	if cap(b) > maxPooled {
		return
	}
	*buf = b[:0]
	buffers.Put(buf)
}

// EncodeSession writes v's session encoding to enc: the body of the generated
// EncodeMsgpack, so that msgpack.Marshal of a session struct gives the same
// bytes as AppendSession.
func EncodeSession(enc *msgpack.Encoder, v sessionAppender) error {
	buf := buffers.Get().(*[]byte)
	b, err := v.AppendSession((*buf)[:0])
	if err == nil {
		_, err = enc.Writer().Write(b)
	}
	release(buf, b)
	return err
}

// DecodeSession reads the next value from dec and passes its bytes to decode:
// the body of the generated DecodeMsgpack. At the end of dec's input it
// returns io.EOF, as msgpack/v5 does.
//
// It copies the value out of dec's input one header at a time, so memory grows
// only with the bytes that actually arrive: a header that claims gigabytes
// costs at most as much as the value's bytes read so far (and 4 KiB), and
// nothing at all when the input's size is known (msgpack.Unmarshal).
// msgpack/v5's DecodeRaw is not used: on truncated input its pooled decoder
// grows by a megabyte per call and keeps it.
func DecodeSession(dec *msgpack.Decoder, decode func([]byte) error) error {
	buf := buffers.Get().(*[]byte)
	b, err := copyValue((*buf)[:0], dec.Buffered())
	switch {
	case errors.Is(err, io.EOF) && len(b) == 0:
		err = io.EOF
	case err != nil:
		err = Wrap(err)
	default:
		err = decode(b)
	}
	release(buf, b)
	return err
}

// copyValue appends the next msgpack value of src, whole, to b. Like Skip it
// loops instead of recursing. When src knows how many bytes it holds (a
// *bytes.Reader), lengths beyond that are refused before anything is read.
func copyValue(b []byte, src io.Reader) ([]byte, error) {
	if src == nil {
		return b, io.EOF
	}
	sized, _ := src.(interface{ Len() int })
	var head [5]byte
	for pending := uint64(1); pending > 0; pending-- {
		if _, err := io.ReadFull(src, head[:1]); err != nil {
			return b, truncated(b, err)
		}
		n := 1 + lengthSize(head[0])
		if _, err := io.ReadFull(src, head[1:n]); err != nil {
			return b, truncated(b, err)
		}
		b = append(b, head[:n]...)
		size, children, err := extent(head[0], bigEndian(head[1:n]))
		if err != nil {
			return b, err
		}
		if sized != nil && (size > uint64(sized.Len()) || children > uint64(sized.Len())) {
			return b, ErrTooLong
		}
		pending += children
		if b, err = appendFrom(b, src, size); err != nil {
			return b, err
		}
	}
	return b, nil
}

// appendFrom appends n bytes of src to b. It reserves room a step at a time,
// each step no larger than what b already holds (or minBudget), so that the
// memory it takes stays within twice the bytes that actually arrived.
func appendFrom(b []byte, src io.Reader, n uint64) ([]byte, error) {
	for n > 0 {
		step := int(min(n, uint64(max(len(b), minBudget))))
		start := len(b)
		b = slices.Grow(b, step)[:start+step]
		if _, err := io.ReadFull(src, b[start:]); err != nil {
			return b[:start], truncated(b, err)
		}
		n -= uint64(step)
	}
	return b, nil
}

// truncated turns a read error inside a value into io.ErrUnexpectedEOF; at the
// very start of one (nothing copied yet) io.EOF stays the end of the input.
func truncated(b []byte, err error) error {
	if errors.Is(err, io.EOF) && len(b) > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}
