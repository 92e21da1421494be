package wire

// Skip consumes the next value whole, nested values included. It loops instead
// of recursing, so deeply nested hostile input cannot exhaust the stack.
func (r *Reader) Skip() error {
	for pending := 1; pending > 0; pending-- {
		c, err := r.code()
		if err != nil {
			return err
		}
		size, children, err := r.extent(c)
		if err != nil {
			return err
		}
		if children > len(r.b) {
			return ErrTooLong
		}
		pending += children
		if _, err := r.next(size); err != nil {
			return err
		}
	}
	return nil
}

// extent returns, for the value whose format code c was just read, how many
// payload bytes follow (after any length field, which it consumes) and how many
// nested values follow the payload.
func (r *Reader) extent(c byte) (size, children int, err error) {
	switch {
	case c <= 0x7f || c >= 0xe0 || c == codeNil || c == codeTrue || c == codeFalse:
		return 0, 0, nil
	case c >= 0x80 && c <= 0x8f:
		return 0, 2 * int(c&0x0f), nil
	case c >= 0x90 && c <= 0x9f:
		return 0, int(c & 0x0f), nil
	case c >= 0xa0 && c <= 0xbf:
		return int(c & 0x1f), 0, nil
	}
	var n uint64
	switch c {
	case codeBin8, codeStr8:
		n, err = r.uintN(1)
	case codeBin16, codeStr16:
		n, err = r.uintN(2)
	case codeBin32, codeStr32:
		n, err = r.uintN(4)
	case codeExt8:
		n, err = r.uintN(1)
		n++ // the type byte
	case codeExt16:
		n, err = r.uintN(2)
		n++
	case codeExt32:
		n, err = r.uintN(4)
		n++
	case codeFloat32:
		return 4, 0, nil
	case codeFloat64:
		return 8, 0, nil
	case codeUint8, codeUint16, codeUint32, codeUint64:
		return 1 << (c - codeUint8), 0, nil
	case codeInt8, codeInt16, codeInt32, codeInt64:
		return 1 << (c - codeInt8), 0, nil
	case codeFixExt1, codeFixExt2, codeFixExt4, codeFixExt8, codeFixExt16:
		return 1 + 1<<(c-codeFixExt1), 0, nil
	case codeArray16:
		n, err = r.uintN(2)
		return 0, int(n), err
	case codeArray32:
		n, err = r.uintN(4)
		return 0, int(n), err
	case codeMap16:
		n, err = r.uintN(2)
		return 0, 2 * int(n), err
	case codeMap32:
		n, err = r.uintN(4)
		return 0, 2 * int(n), err
	default: // 0xc1 is never used
		return 0, 0, &TypeError{Want: "any value", Code: c}
	}
	if err == nil && n > uint64(len(r.b)) {
		return 0, 0, ErrTooLong
	}
	return int(n), 0, err
}
