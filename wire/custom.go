package wire

import (
	"bytes"
	"errors"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// appendWriter lets a msgpack.Encoder append straight into a caller's slice:
// it implements the io.ByteWriter msgpack/v5 looks for, so nothing is buffered.
type appendWriter struct{ b []byte }

// Write implements io.Writer.
func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// WriteByte implements io.ByteWriter.
func (w *appendWriter) WriteByte(c byte) error { w.b = append(w.b, c); return nil }

type pooledEncoder struct {
	w   appendWriter
	enc *msgpack.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &pooledEncoder{}
	e.enc = msgpack.NewEncoder(&e.w)
	return e
}}

type pooledDecoder struct {
	r   bytes.Reader
	dec *msgpack.Decoder
}

var decoders = sync.Pool{New: func() any {
	d := &pooledDecoder{}
	d.dec = msgpack.NewDecoder(&d.r)
	return d
}}

// AppendCustom appends what v's EncodeMsgpack writes, through a pooled encoder
// that appends to b: no allocation once the pool is warm and b has room.
func AppendCustom(b []byte, v msgpack.CustomEncoder) ([]byte, error) {
	e := encoders.Get().(*pooledEncoder)
	e.w.b = b
	err := v.EncodeMsgpack(e.enc)
	b = e.w.b
	e.w.b = nil // the pool must not keep the caller's memory alive
	encoders.Put(e)
	return b, err
}

// DecodeCustom reads the next value with v's DecodeMsgpack, which must consume
// exactly that value.
func (r *Reader) DecodeCustom(v msgpack.CustomDecoder) error {
	raw, err := r.Raw()
	if err != nil {
		return err
	}
	d := decoders.Get().(*pooledDecoder)
	d.r.Reset(raw)
	err = v.DecodeMsgpack(d.dec)
	if err == nil && d.r.Len() != 0 {
		err = errors.New("custom decoder left bytes of its value unread")
	}
	d.r.Reset(nil)
	decoders.Put(d)
	return err
}
