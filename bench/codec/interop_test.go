package codec

import (
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// The generated codec's bytes are read by tinylib/msgp and by msgpack/v5
// reflection, and it reads theirs: sessions stay readable by other tools.

func TestTinylibReadsOurBytes(t *testing.T) {
	in := sampleOurs()
	b, err := in.AppendSession(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got Msgp
	rest, err := got.UnmarshalMsg(b)
	if err != nil || len(rest) != 0 {
		t.Fatalf("tinylib/msgp: %v, %d bytes left", err, len(rest))
	}
	got.LastSeen = got.LastSeen.UTC()
	if want := sampleMsgp(); !reflect.DeepEqual(got, want) {
		t.Fatalf("tinylib/msgp read\n%+v\nwant\n%+v", got, want)
	}
}

func TestWeReadTinylibBytes(t *testing.T) {
	m := sampleMsgp()
	b, err := m.MarshalMsg(nil)
	if err != nil {
		t.Fatal(err)
	}
	expectOurs(t, b)
}

// expectOurs decodes b with the generated codec and compares with the sample.
func expectOurs(t *testing.T, b []byte) {
	t.Helper()
	var got Ours
	if err := got.DecodeSession(b); err != nil {
		t.Fatal(err)
	}
	if want := sampleOurs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("read\n%+v\nwant\n%+v", got, want)
	}
}

func TestReflectionInterop(t *testing.T) {
	in := sampleOurs()
	b, _ := in.AppendSession(nil)
	var plain Plain
	if err := msgpack.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	plain.LastSeen = plain.LastSeen.UTC()
	if want := sample(); !reflect.DeepEqual(plain, want) {
		t.Fatalf("reflection read\n%+v\nwant\n%+v", plain, want)
	}
	rb, err := msgpack.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	expectOurs(t, rb)
}
