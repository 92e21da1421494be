package testvisitor

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/sessiongen/sessiongen/wire"
	"github.com/vmihailenco/msgpack/v5"
)

type decoder struct {
	dec *msgpack.Decoder
	r   bytes.Reader
	key [16]byte
}

var decoders = sync.Pool{New: func() any { d := new(decoder); d.dec = msgpack.NewDecoder(&d.r); return d }}

// AppendSession implements session.Codec: a map keyed by wire names, so that
// builds with more or fewer fields read each other's sessions. It writes with
// msgpack/v5's Encoder, through wire's pooled encoder that appends to b.
func (v *Visitor) AppendSession(b []byte) ([]byte, error) {
	return wire.AppendCustom(b, (*encoding)(v))
}

// encoding is a Visitor as a msgpack.CustomEncoder.
type encoding Visitor

// EncodeMsgpack implements msgpack.CustomEncoder.
func (v *encoding) EncodeMsgpack(e *msgpack.Encoder) error {
	err := e.EncodeMapLen(numFields)
	str := func(k, s string) {
		if err == nil {
			err = e.EncodeString(k)
		}
		if err == nil {
			err = e.EncodeString(s)
		}
	}
	str(keys[FieldName], v.Name)
	if err == nil {
		err = e.EncodeString(keys[FieldCount])
	}
	if err == nil {
		err = e.EncodeInt(v.Count)
	}
	if err == nil {
		err = e.EncodeString(keys[FieldCart])
	}
	if err == nil {
		err = e.EncodeArrayLen(len(v.Cart))
	}
	for _, item := range v.Cart {
		if err == nil {
			err = e.EncodeString(item)
		}
	}
	str(keys[FieldFlash], v.Flash)
	str(keys[FieldUserID], v.UserID)
	str(keys[FieldRole], v.Role)
	str(keys[FieldTheme], v.Theme)
	return err
}

// errTrailing reports bytes after the session map.
var errTrailing = errors.New("testvisitor: trailing bytes after session")

// DecodeSession implements session.Codec. On error the value is left zero.
func (v *Visitor) DecodeSession(b []byte) error {
	d := decoders.Get().(*decoder)
	d.r.Reset(b)
	var out Visitor
	err := out.decode(d)
	if err == nil && d.r.Len() != 0 {
		err = errTrailing
	}
	d.r.Reset(nil)
	decoders.Put(d)
	if err != nil {
		*v = Visitor{}
		return fmt.Errorf("testvisitor: decode: %w", err)
	}
	*v = out
	return nil
}

func (v *Visitor) decode(d *decoder) error {
	n, err := d.dec.DecodeMapLen()
	if err != nil {
		return err
	}
	if n < 0 || n > d.r.Len() {
		return fmt.Errorf("bad map length %d", n)
	}
	for range n {
		// Read the key into scratch space: no allocation per key.
		kl, err := d.dec.DecodeBytesLen()
		if err != nil {
			return err
		}
		if kl < 0 || kl > len(d.key) {
			if err := d.skipN(kl); err != nil {
				return err
			}
			if err := d.dec.Skip(); err != nil {
				return err
			}
			continue
		}
		if err := d.dec.ReadFull(d.key[:kl]); err != nil {
			return err
		}
		if err := v.decodeField(d, string(d.key[:kl])); err != nil {
			return err
		}
	}
	return nil
}

// skipN discards the n bytes of an over-long key.
func (d *decoder) skipN(n int) error {
	if n < 0 {
		return nil // nil key
	}
	if n > d.r.Len() {
		return fmt.Errorf("key length %d past end", n)
	}
	_, err := d.r.Seek(int64(n), 1)
	return err
}

func (v *Visitor) decodeField(d *decoder, key string) (err error) {
	switch key {
	case "name":
		v.Name, err = d.dec.DecodeString()
	case "count":
		v.Count, err = d.dec.DecodeInt64()
	case "cart":
		var n int
		if n, err = d.dec.DecodeArrayLen(); err != nil || n <= 0 {
			return err
		}
		if n > d.r.Len() {
			return fmt.Errorf("bad cart length %d", n)
		}
		v.Cart = make([]string, n)
		for i := range v.Cart {
			if v.Cart[i], err = d.dec.DecodeString(); err != nil {
				return err
			}
		}
	case "flash":
		v.Flash, err = d.dec.DecodeString()
	case "user_id":
		v.UserID, err = d.dec.DecodeString()
	case "role":
		v.Role, err = d.dec.DecodeString()
	case "theme":
		v.Theme, err = d.dec.DecodeString()
	default:
		err = d.dec.Skip()
	}
	return err
}
