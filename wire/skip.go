package wire

// Skip consumes the next value whole, nested values included. It loops instead
// of recursing, so deeply nested hostile input cannot exhaust the stack.
func (r *Reader) Skip() error {
	for pending := 1; pending > 0; pending-- {
		c, err := r.code()
		if err != nil {
			return err
		}
		var length uint64
		if n := lengthSize(c); n > 0 {
			if length, err = r.uintN(n); err != nil {
				return err
			}
		}
		size, children, err := extent(c, length)
		if err != nil {
			return err
		}
		if children > uint64(len(r.b)) {
			return ErrTooLong
		}
		pending += int(children)
		if size > uint64(len(r.b)) {
			return ErrTooLong
		}
		r.b = r.b[size:]
	}
	return nil
}

// lengthSize is the size of the length field that follows format code c: 0, 1,
// 2 or 4 bytes.
func lengthSize(c byte) int {
	switch c {
	case codeBin8, codeStr8, codeExt8:
		return 1
	case codeBin16, codeStr16, codeExt16, codeArray16, codeMap16:
		return 2
	case codeBin32, codeStr32, codeExt32, codeArray32, codeMap32:
		return 4
	}
	return 0
}

// extent returns, for the value whose format code is c and whose length field
// (lengthSize(c) bytes, 0 if none) holds length, how many payload bytes follow
// and how many nested values follow the payload.
func extent(c byte, length uint64) (size, children uint64, err error) {
	switch {
	case c <= 0x7f || c >= 0xe0 || c == codeNil || c == codeTrue || c == codeFalse:
		return 0, 0, nil
	case c >= 0x80 && c <= 0x8f:
		return 0, 2 * uint64(c&0x0f), nil
	case c >= 0x90 && c <= 0x9f:
		return 0, uint64(c & 0x0f), nil
	case c >= 0xa0 && c <= 0xbf:
		return uint64(c & 0x1f), 0, nil
	}
	switch c {
	case codeBin8, codeBin16, codeBin32, codeStr8, codeStr16, codeStr32:
		return length, 0, nil
	case codeExt8, codeExt16, codeExt32:
		return length + 1, 0, nil // the type byte
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
	case codeArray16, codeArray32:
		return 0, length, nil
	case codeMap16, codeMap32:
		return 0, 2 * length, nil
	}
	return 0, 0, &TypeError{Want: "any value", Code: c} // 0xc1 is never used
}
