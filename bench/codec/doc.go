// Package codec benchmarks the session codec sessiongen generates against the
// encodings a session library could use instead: encoding/gob, encoding/json,
// msgpack/v5 reflection and tinylib/msgp generated code, on one realistic
// 8-field session struct. Each codec gets its own copy of the struct, so that
// no codec picks up another's methods (msgpack reflection would otherwise call
// the generated EncodeMsgpack). See docs/bench/codec.md.
package codec
