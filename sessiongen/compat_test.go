package sessiongen

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// compatCase is one change of a session struct: the struct before (Old) and
// after (New), each holding the changed field F and whatever else the case
// needs. In values and declarations, $ stands for the package (old. or new.).
type compatCase struct {
	name     string
	old, new string // struct fields, one per line
	decls    string // declarations both versions share (named types), written to both packages
	oldDecls string // declarations of the old version only
	newDecls string
	// retire lists keys that an intermediate release removed: the baseline
	// schema has them retired, and stored sessions of the old version still
	// hold them.
	retire []string

	// A safe case lists stored values (old) with what the new code must read
	// (new): every one decodes, equal to it.
	values [][2]string
	// A breaking case gives a stored value that the new code must fail to
	// read, or read with a loss: lost is a Go expression over o (the old
	// value) and n (what the new code read) that is true when the value was
	// lost; "" means the decode itself must fail.
	witness, lost string
	// finding is what the checker must say for a breaking case (a part of its
	// reason) and field the Go path it must report it at, e.g. F or F.N.
	finding, field string
}

func (c compatCase) breaking() bool { return c.finding != "" }

// compatCases covers every kind, at the top level and nested in structs,
// slices and maps: for each, the checker's verdict is backed by the generated
// decoder itself (TestCompatTable).
var compatCases = []compatCase{
	// Safe: additions, removals, renames with the key kept, widening.
	{name: "int8 widened to int64", old: "F int8 `session:\"f\"`", new: "F int64 `session:\"f\"`",
		values: [][2]string{{"{F: -128}", "{F: -128}"}, {"{F: 127}", "{F: 127}"}, {"{}", "{}"}}},
	{name: "uint16 widened to uint32", old: "F uint16 `session:\"f\"`", new: "F uint32 `session:\"f\"`",
		values: [][2]string{{"{F: 65535}", "{F: 65535}"}}},
	{name: "uint32 read as the wider int64", old: "F uint32 `session:\"f\"`", new: "F int64 `session:\"f\"`",
		values: [][2]string{{"{F: 4294967295}", "{F: 4294967295}"}}},
	{name: "int32 read as float64, exactly", old: "F int32 `session:\"f\"`", new: "F float64 `session:\"f\"`",
		values: [][2]string{{"{F: -2147483648}", "{F: -2147483648}"}, {"{F: 2147483647}", "{F: 2147483647}"}}},
	{name: "float32 widened to float64", old: "F float32 `session:\"f\"`", new: "F float64 `session:\"f\"`",
		values: [][2]string{{"{F: 1.5}", "{F: 1.5}"}, {"{F: -0.25}", "{F: -0.25}"}}},
	{name: "string read as []byte", old: "F string `session:\"f\"`", new: "F []byte `session:\"f\"`",
		values: [][2]string{{`{F: "héllo"}`, `{F: []byte("héllo")}`}, {`{}`, `{F: []byte{}}`}}},
	{name: "[]byte read as string", old: "F []byte `session:\"f\"`", new: "F string `session:\"f\"`",
		values: [][2]string{{`{F: []byte{0, 255}}`, `{F: "\x00\xff"}`}, {`{}`, `{}`}}},
	{name: "[4]byte widened to [8]byte", old: "F [4]byte `session:\"f\"`", new: "F [8]byte `session:\"f\"`",
		values: [][2]string{{`{F: [4]byte{1, 2, 3, 4}}`, `{F: [8]byte{1, 2, 3, 4}}`}}},
	{name: "[16]byte read as []byte", old: "F [16]byte `session:\"f\"`", new: "F []byte `session:\"f\"`",
		values: [][2]string{{`{F: [16]byte{15: 9}}`, `{F: append(make([]byte, 15), 9)}`}}},
	{name: "a pointer added", old: "F int64 `session:\"f\"`", new: "F *int64 `session:\"f\"`",
		values: [][2]string{{`{F: 5}`, `{F: ptr(int64(5))}`}}},
	{name: "a pointer removed: nil reads as zero", old: "F *int64 `session:\"f\"`", new: "F int64 `session:\"f\"`",
		values: [][2]string{{`{F: ptr(int64(7))}`, `{F: 7}`}, {`{}`, `{}`}}},
	{name: "slice elements widened", old: "F []int32 `session:\"f\"`", new: "F []int64 `session:\"f\"`",
		values: [][2]string{{`{F: []int32{-1, 1 << 30}}`, `{F: []int64{-1, 1 << 30}}`}, {`{}`, `{}`}}},
	{name: "an array read as a slice", old: "F [3]int16 `session:\"f\"`", new: "F []int16 `session:\"f\"`",
		values: [][2]string{{`{F: [3]int16{1, 2, 3}}`, `{F: []int16{1, 2, 3}}`}}},
	{name: "an array widened in length and elements", old: "F [2]int8 `session:\"f\"`", new: "F [4]int32 `session:\"f\"`",
		values: [][2]string{{`{F: [2]int8{-8, 8}}`, `{F: [4]int32{-8, 8}}`}}},
	{name: "map values widened", old: "F map[string]int32 `session:\"f\"`", new: "F map[string]int64 `session:\"f\"`",
		values: [][2]string{{`{F: map[string]int32{"a": -5}}`, `{F: map[string]int64{"a": -5}}`}}},
	{name: "map keys widened", old: "F map[uint8]string `session:\"f\"`", new: "F map[uint16]string `session:\"f\"`",
		values: [][2]string{{`{F: map[uint8]string{255: "x"}}`, `{F: map[uint16]string{255: "x"}}`}}},
	{name: "a nested struct: fields added, removed, reordered, renamed with the key kept, widened",
		old: "F SPoint `session:\"f\"`", new: "F SPoint `session:\"f\"`",
		oldDecls: "type SPoint struct {\n\tX int32 `session:\"x\"`\n\tLabel string `session:\"label\"`\n}",
		newDecls: "type SPoint struct {\n\tZ bool `session:\"z\"`\n\tHoriz int64 `session:\"x\"`\n}",
		values:   [][2]string{{`{F: $SPoint{X: -3, Label: "gone"}}`, `{F: $SPoint{Horiz: -3}}`}}},
	{name: "structs in slices in maps, widened three levels down",
		old: "F map[string][]SDeep `session:\"f\"`", new: "F map[string][]SDeep2 `session:\"f\"`",
		oldDecls: "type SDeep struct {\n\tN int16 `session:\"n\"`\n}",
		newDecls: "type SDeep2 struct {\n\tN int32 `session:\"n\"`\n}",
		values:   [][2]string{{`{F: map[string][]$SDeep{"k": {{N: -300}, {N: 300}}}}`, `{F: map[string][]$SDeep2{"k": {{N: -300}, {N: 300}}}}`}}},
	{name: "time.Time behind a pointer", old: "F time.Time `session:\"f\"`", new: "F *time.Time `session:\"f\"`",
		values: [][2]string{{`{F: time.Unix(1e9, 5).UTC()}`, `{F: ptr(time.Unix(1e9, 5).UTC())}`}}},
	{name: "time.Duration read as int64", old: "F time.Duration `session:\"f\"`", new: "F int64 `session:\"f\"`",
		values: [][2]string{{`{F: -time.Hour}`, `{F: -3600e9}`}}},
	{name: "a TextMarshaler read as its string", old: "F netip.Addr `session:\"f\"`", new: "F string `session:\"f\"`",
		values: [][2]string{{`{F: netip.MustParseAddr("10.1.2.3")}`, `{F: "10.1.2.3"}`}}},
	{name: "a custom type kept", old: "F Cents `session:\"f\"`", new: "F Cents `session:\"f\"`",
		values: [][2]string{{`{F: -99}`, `{F: -99}`}}},
	{name: "a type that contains itself, renamed", old: "F Tree `session:\"f\"`", new: "F Forest `session:\"f\"`",
		oldDecls: "type Tree []Tree", newDecls: "type Forest []Forest",
		values: [][2]string{{`{F: $Tree{{}, {{}}}}`, `{F: $Forest{{}, {{}}}}`}}},
	{name: "a retired key reused with its old type", old: "F int32 `session:\"f\"`", new: "F int64 `session:\"f\"`", retire: []string{"f"},
		values: [][2]string{{`{F: 1}`, `{F: 1}`}}},
	{name: "a deliberate break, accepted with reset=", old: "F int64 `session:\"f\"`\nG string `session:\"g\"`",
		new:    "F string `session:\"f,reset=int64\"`\nG string `session:\"g\"`",
		values: [][2]string{{`{F: 42, G: "kept"}`, `{G: "kept"}`}}},
	{name: "reset= on a nested struct whose field changed kind", old: "F SBox `session:\"f\"`\nG int8 `session:\"g\"`",
		new:      "F SBox `session:\"f,reset=SBox\"`\nG int8 `session:\"g\"`",
		oldDecls: "type SBox struct {\n\tN int64 `session:\"n\"`\n}", newDecls: "type SBox struct {\n\tN bool `session:\"n\"`\n}",
		values: [][2]string{{`{F: $SBox{N: 3}, G: 1}`, `{G: 1}`}}},

	// Breaking: every rule of the checker, each with a stored value that the
	// new code fails to read or reads with a loss.
	{name: "int64 became string", old: "F int64 `session:\"f\"`", new: "F string `session:\"f\"`",
		witness: `{F: 5}`, finding: "int64 -> string: stored int64 values do not decode as string", field: "F"},
	{name: "int64 narrowed to int8", old: "F int64 `session:\"f\"`", new: "F int8 `session:\"f\"`",
		witness: `{F: 300}`, finding: "int64 -> int8: narrowed", field: "F"},
	{name: "int32 became unsigned", old: "F int32 `session:\"f\"`", new: "F uint32 `session:\"f\"`",
		witness: `{F: -1}`, finding: "signed to unsigned", field: "F"},
	{name: "int8 became a wider unsigned", old: "F int8 `session:\"f\"`", new: "F uint64 `session:\"f\"`",
		witness: `{F: -1}`, finding: "signed to unsigned", field: "F"},
	{name: "uint64 read as int64", old: "F uint64 `session:\"f\"`", new: "F int64 `session:\"f\"`",
		witness: `{F: 1<<64 - 1}`, finding: "narrowed", field: "F"},
	{name: "uint8 read as int8", old: "F uint8 `session:\"f\"`", new: "F int8 `session:\"f\"`",
		witness: `{F: 200}`, finding: "narrowed", field: "F"},
	{name: "float64 became int64", old: "F float64 `session:\"f\"`", new: "F int64 `session:\"f\"`",
		witness: `{F: 2}`, finding: "a stored float does not decode as an integer", field: "F"},
	{name: "float64 narrowed to float32", old: "F float64 `session:\"f\"`", new: "F float32 `session:\"f\"`",
		witness: `{F: 0.1}`, lost: "float64(n.F) != o.F", finding: "float64 -> float32: narrowed", field: "F"},
	{name: "int64 read as float64 loses precision", old: "F int64 `session:\"f\"`", new: "F float64 `session:\"f\"`",
		witness: `{F: 1<<53 + 1}`, lost: "int64(n.F) != o.F", finding: "integers beyond 2^53 lose precision", field: "F"},
	{name: "a slice read as a shorter array", old: "F []int64 `session:\"f\"`", new: "F [2]int64 `session:\"f\"`",
		witness: `{F: []int64{1, 2, 3}}`, lost: "len(o.F) > len(n.F)", finding: "a [2] array keeps only 2 elements", field: "F"},
	{name: "an array shortened", old: "F [4]int32 `session:\"f\"`", new: "F [2]int32 `session:\"f\"`",
		witness: `{F: [4]int32{1, 2, 3, 4}}`, lost: "len(o.F) > len(n.F)", finding: "keeps only 2 elements", field: "F"},
	{name: "[]byte read as a [4]byte", old: "F []byte `session:\"f\"`", new: "F [4]byte `session:\"f\"`",
		witness: `{F: []byte("hello")}`, lost: "string(n.F[:]) != string(o.F)", finding: "cut to 4", field: "F"},
	{name: "a struct became a slice", old: "F SKind `session:\"f\"`", new: "F []string `session:\"f\"`",
		oldDecls: "type SKind struct {\n\tA int64 `session:\"a\"`\n}",
		witness:  `{F: $SKind{A: 1}}`, finding: "SKind -> []string", field: "F"},
	{name: "a struct became a map of another value kind", old: "F SMap `session:\"f\"`", new: "F map[string]string `session:\"f\"`",
		oldDecls: "type SMap struct {\n\tA int64 `session:\"a\"`\n}",
		witness:  `{F: $SMap{A: 1}}`, finding: "do not decode", field: "F"},
	{name: "a field of a struct in a slice changed kind", old: "F []SItem `session:\"f\"`", new: "F []SItem `session:\"f\"`",
		oldDecls: "type SItem struct {\n\tN int64 `session:\"n\"`\n}", newDecls: "type SItem struct {\n\tN string `session:\"n\"`\n}",
		witness: `{F: []$SItem{{N: 1}}}`, finding: "int64 -> string", field: "F.N"},
	{name: "map values changed kind", old: "F map[string]int64 `session:\"f\"`", new: "F map[string]bool `session:\"f\"`",
		witness: `{F: map[string]int64{"a": 1}}`, finding: "int64 -> bool", field: "F"},
	{name: "map keys changed kind", old: "F map[int64]string `session:\"f\"`", new: "F map[string]string `session:\"f\"`",
		witness: `{F: map[int64]string{1: "a"}}`, finding: "int64 -> string", field: "F"},
	{name: "time.Time became int64", old: "F time.Time `session:\"f\"`", new: "F int64 `session:\"f\"`",
		witness: `{F: time.Unix(1e9, 0)}`, finding: "time.Time -> int64", field: "F"},
	{name: "string became time.Time", old: "F string `session:\"f\"`", new: "F time.Time `session:\"f\"`",
		witness: `{F: "x"}`, finding: "string -> time.Time", field: "F"},
	{name: "bool became int8", old: "F bool `session:\"f\"`", new: "F int8 `session:\"f\"`",
		witness: `{F: true}`, finding: "bool -> int8", field: "F"},
	{name: "a string became a TextUnmarshaler", old: "F string `session:\"f\"`", new: "F netip.Addr `session:\"f\"`",
		witness: `{F: "not an address"}`, finding: "UnmarshalText decides", field: "F"},
	{name: "a custom type became string", old: "F Cents `session:\"f\"`", new: "F string `session:\"f\"`",
		witness: `{F: 12}`, finding: "a custom type encodes and decodes with its own methods", field: "F"},
	{name: "a pointer field's element narrowed", old: "F *int32 `session:\"f\"`", new: "F *int16 `session:\"f\"`",
		witness: `{F: ptr(int32(1 << 20))}`, finding: "int32 -> int16: narrowed", field: "F"},
	{name: "a retired key reused with another type", old: "F int64 `session:\"f\"`", new: "F string `session:\"f\"`", retire: []string{"f"},
		witness: `{F: 9}`, finding: `key "f" was removed and is reused`, field: "F"},
	{name: "the user field moved to another key", old: "F string `session:\"owner,user\"`", new: "F string `session:\"uid,user\"`",
		witness: `{F: "ann"}`, lost: "(&n).SessionOwner() != (&o).SessionOwner()", finding: `the user field moved from key "owner" to "uid"`, field: "F"},
	{name: "reset= naming another type than the stored one", old: "F int64 `session:\"f\"`", new: "F string `session:\"f,reset=int32\"`",
		witness: `{F: 9}`, lost: `n.F == ""`, finding: "reset=int32 does not name what stored sessions hold under this key (int64)", field: "F"},
}

// centsDecl is a type with its own msgpack encoder (an integer count), which
// both packages declare.
const centsDecl = `type Cents int64

func (c *Cents) EncodeMsgpack(e *msgpack.Encoder) error { return e.EncodeInt(int64(*c)) }

func (c *Cents) DecodeMsgpack(d *msgpack.Decoder) error {
	v, err := d.DecodeInt64()
	*c = Cents(v)
	return err
}`

// TestCompatTable generates an old and a new package holding every case's
// two struct versions (C00, C01...) in one temporary module, then:
//   - runs sessiongen's checker on the new package against the old package's
//     schema: it must report every breaking case, at the file:line of the
//     field named, and nothing for the safe ones;
//   - builds and runs one program that encodes each case's stored values
//     with the old code and decodes them with the new: every safe value must
//     decode equal to what the case says, every breaking witness must fail
//     to decode or lose its value.
//
// One module, one build, one run for the whole table: a build per case would
// take minutes on a loaded machine. It runs in parallel with the package's
// other tests, as it mostly waits for the go command.
func TestCompatTable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	t.Parallel()
	var safe, breaking int
	for _, c := range compatCases {
		if c.breaking() {
			breaking++
		} else {
			safe++
		}
	}
	if safe < 10 || breaking < 10 {
		t.Fatalf("the table has %d safe and %d breaking cases: want at least 10 of each", safe, breaking)
	}
	tmp, env := tempModule(t, "example.com/compat")

	var names []string
	for i := range compatCases {
		names = append(names, fmt.Sprintf("C%02d", i))
	}
	oldSrc, newSrc := compatPackage("old", false), compatPackage("new", true)
	writeFile(t, filepath.Join(tmp, "old", "types.go"), []byte(oldSrc))
	writeFile(t, filepath.Join(tmp, "new", "types.go"), []byte(newSrc))
	writeFile(t, filepath.Join(tmp, "main.go"), []byte(compatMain()))
	var baseline *Schema
	for _, side := range []string{"old", "new"} {
		outs, err := Generate(Config{Dir: filepath.Join(tmp, side), Types: names, Env: env})
		if err := Write(outs, err); err != nil {
			t.Fatalf("generating %s: %v", side, err)
		}
		if side == "old" {
			if baseline, err = ParseSchema("old", outs[1].Source); err != nil {
				t.Fatal(err)
			}
		}
	}
	retireKeys(baseline)

	// The checker's verdicts.
	found, err := Check(filepath.Join(tmp, "new"), env, []*Schema{baseline})
	if err != nil {
		t.Fatal(err)
	}
	byCase := map[string][]*Finding{}
	for _, f := range found {
		name, _, _ := strings.Cut(f.Field, ".")
		byCase[name] = append(byCase[name], f)
	}
	lines := strings.Split(newSrc, "\n")
	for i, c := range compatCases {
		got := byCase[names[i]]
		if !c.breaking() {
			for _, f := range got {
				t.Errorf("%s (%s): safe, but the checker says %s", names[i], c.name, f)
			}
			continue
		}
		want := names[i] + "." + c.field
		j := slices.IndexFunc(got, func(f *Finding) bool { return f.Field == want && strings.Contains(f.Reason, c.finding) })
		if j < 0 {
			t.Errorf("%s (%s): the checker did not report %q at %s; it said %v", names[i], c.name, c.finding, want, got)
			continue
		}
		f := got[j]
		last := want[strings.LastIndexByte(want, '.')+1:]
		if filepath.Base(f.Pos.Filename) != "types.go" || f.Pos.Line < 1 || f.Pos.Line > len(lines) ||
			!strings.HasPrefix(strings.TrimSpace(lines[f.Pos.Line-1]), last+" ") {
			t.Errorf("%s (%s): finding at %s, which is not the declaration of %s", names[i], c.name, f.Pos, want)
		}
	}

	// The decoder's verdicts.
	cmd := exec.Command("go", "run", ".")
	cmd.Dir, cmd.Env = tmp, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	results := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, result, _ := strings.Cut(line, " ")
		results[id] = result
	}
	for i, c := range compatCases {
		if c.breaking() {
			id := names[i] + "/witness"
			want := "lost"
			if c.lost == "" {
				want = "error"
			}
			if r := results[id]; !strings.HasPrefix(r, want) {
				t.Errorf("%s (%s): the stored value %s read by the new code: %q, want %s", names[i], c.name, c.witness, r, want)
			}
			continue
		}
		for j, v := range c.values {
			if r := results[fmt.Sprintf("%s/%d", names[i], j)]; r != "same" {
				t.Errorf("%s (%s): the stored value %s read by the new code: %q, want %s", names[i], c.name, v[0], r, v[1])
			}
		}
	}
	t.Logf("%d safe and %d breaking cases; %d values decoded", safe, breaking, len(results))
}

// compatPackage is the source of one side of the table: each case's struct,
// named C<i>, and its declarations.
func compatPackage(pkg string, isNew bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"net/netip\"\n\t\"time\"\n\n\t\"github.com/vmihailenco/msgpack/v5\"\n)\n\n", pkg)
	b.WriteString("var (\n\t_ netip.Addr\n\t_ time.Time\n)\n\n" + centsDecl + "\n")
	for i, c := range compatCases {
		fields, decls := c.old, c.oldDecls
		if isNew {
			fields, decls = c.new, c.newDecls
		}
		fmt.Fprintf(&b, "\n// C%02d: %s.\ntype C%02d struct {\n", i, c.name, i)
		for _, f := range strings.Split(fields, "\n") {
			fmt.Fprintf(&b, "\t%s\n", f)
		}
		b.WriteString("}\n")
		for _, d := range []string{c.decls, decls} {
			if d != "" {
				b.WriteString("\n" + d + "\n")
			}
		}
	}
	return b.String()
}

// compatMain is the program that decodes each case's stored values.
func compatMain() string {
	var b strings.Builder
	b.WriteString(`package main

import (
	"fmt"
	"net/netip"
	"reflect"
	"time"

	"example.com/compat/new"
	"example.com/compat/old"
)

var (
	_ netip.Addr
	_ time.Time
)

func ptr[T any](v T) *T { return &v }

// decode writes o with the old code and reads it with the new.
func decode[O, N any, PO interface {
	*O
	AppendSession([]byte) ([]byte, error)
}, PN interface {
	*N
	DecodeSession([]byte) error
}](o O) (N, error) {
	var n N
	b, err := PO(&o).AppendSession(nil)
	if err != nil {
		return n, fmt.Errorf("the old code failed to encode: %w", err)
	}
	return n, PN(&n).DecodeSession(b)
}

// same reports a stored value that must decode equal to want.
func same[O, N any, PO interface {
	*O
	AppendSession([]byte) ([]byte, error)
}, PN interface {
	*N
	DecodeSession([]byte) error
}](id string, o O, want N) {
	n, err := decode[O, N, PO, PN](o)
	switch {
	case err != nil:
		fmt.Println(id, "error:", err)
	case !reflect.DeepEqual(n, want):
		fmt.Printf("%s differs: %#v\n", id, n)
	default:
		fmt.Println(id, "same")
	}
}

func main() {
`)
	for i, c := range compatCases {
		name := fmt.Sprintf("C%02d", i)
		oldLit := "old." + name + strings.ReplaceAll(c.witness, "$", "old.")
		if !c.breaking() {
			for j, v := range c.values {
				fmt.Fprintf(&b, "\tsame(%q, old.%s%s, new.%s%s)\n", fmt.Sprintf("%s/%d", name, j),
					name, strings.ReplaceAll(v[0], "$", "old."), name, strings.ReplaceAll(v[1], "$", "new."))
			}
			continue
		}
		lost := c.lost
		if lost == "" {
			lost = "false"
		}
		fmt.Fprintf(&b, `	{
		o := %s
		n, err := decode[old.%s, new.%s](o)
		switch {
		case err != nil:
			fmt.Println("%s/witness", "error:", err)
		case %s:
			fmt.Printf("%s/witness lost: %%#v\n", n)
		default:
			fmt.Printf("%s/witness survived: %%#v\n", n)
		}
	}
`, oldLit, name, name, name, lost, name, name)
	}
	b.WriteString("}\n")
	return b.String()
}

// retireKeys moves the keys the cases retire from the baseline's live keys
// to its retired ones, as an intermediate release that removed them would
// have.
func retireKeys(s *Schema) {
	for i, c := range compatCases {
		st := s.lookup(fmt.Sprintf("C%02d", i))
		for _, key := range c.retire {
			j := slices.IndexFunc(st.Keys, func(k *SchemaKey) bool { return k.Key == key })
			st.Retired = append(st.Retired, st.Keys[j])
			st.Keys = slices.Delete(st.Keys, j, j+1)
		}
	}
}

// The rolling-deploy fixture (internal/fixture/compat.go) passes the check
// one way: VisitorV2 against VisitorV1's committed schema. The other way, a
// VisitorV1 build reading what VisitorV2 stored, narrows visits: the check
// refuses it, as TestRollingDeploy's decode does for a value that does not
// fit.
func TestRollingDeployFixtureAgainstTheCheck(t *testing.T) {
	asStoredBy := func(from, to string) *Schema {
		data, err := os.ReadFile("internal/fixture/compat_session.schema")
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSchema("compat_session.schema", data)
		if err != nil {
			t.Fatal(err)
		}
		st := s.lookup(from)
		st.Name, s.Sessions = to, []*SchemaStruct{st}
		return s
	}
	found, err := Check("internal/fixture", nil, []*Schema{asStoredBy("VisitorV1", "VisitorV2")})
	if err != nil || len(found) != 0 {
		t.Fatalf("V2 reading V1's sessions: %v %v", found, err)
	}
	found, err = Check("internal/fixture", nil, []*Schema{asStoredBy("VisitorV2", "VisitorV1")})
	if err != nil || len(found) != 1 || !strings.Contains(found[0].String(), "compat.go:12: VisitorV1.Visits (key visits): int64 -> int32: narrowed") {
		t.Fatalf("V1 reading V2's sessions: %v %v", found, err)
	}
}
