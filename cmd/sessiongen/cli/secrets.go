package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/sessiongen/sessiongen/storeurl"
)

// The CLI's output must never carry a database password or a session token:
// not in usage text, not in an error that echoes an argument, not in a log
// line. Commands never print the database URL, quote echoed arguments through
// quoted, and give their flag sets flagOutput; as a last line of defence, run
// also masks every password it was given wherever it would appear in the
// output (secretFilter).

// flagOutput is the output to give every flag.FlagSet: the flag package's
// error lines quote what was typed (`invalid value "..." for flag -batch`,
// `flag provided but not defined: -...`), and a token or URL pasted in the
// wrong place must not be echoed. It names the flag, never the value.
func flagOutput(w io.Writer) io.Writer { return flagErrors{w} }

type flagErrors struct{ w io.Writer }

var (
	flagValueError = regexp.MustCompile(`^(invalid (?:boolean )?value) ".*" (for (?:flag )?-[\w.-]+: .*\n)$`)
	flagNameError  = regexp.MustCompile(`^flag provided but not defined: (.*)\n$`)
	safeFlagName   = regexp.MustCompile(`^--?[a-z][a-z0-9-]{0,30}$`)
)

func (f flagErrors) Write(p []byte) (int, error) {
	out := p
	switch {
	case flagValueError.Match(p):
		out = flagValueError.ReplaceAll(p, []byte("$1 $2"))
	case bytes.HasPrefix(p, []byte("bad flag syntax: ")):
		out = []byte("bad flag syntax (an argument starting with - that is not a flag; not shown)\n")
	case flagNameError.Match(p) && !safeFlagName.Match(flagNameError.FindSubmatch(p)[1]):
		out = []byte("flag provided but not defined (an argument starting with - that is not a flag; not shown)\n")
	}
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// quoted returns arg quoted for a message: a URL pasted where an action or
// argument belongs with its password masked, a word (a mistyped action) as
// it is, and anything else (a token pasted in the wrong place) not at all.
func quoted(arg string) string {
	switch {
	case strings.Contains(arg, "://"):
		return strconv.Quote(storeurl.Redact(arg))
	case plainWord.MatchString(arg):
		return strconv.Quote(arg)
	}
	return fmt.Sprintf("(an argument of %d characters, not shown)", len(arg))
}

// plainWord is what quoted echoes: shorter than a session token (43
// characters) and without the characters of an encoded secret.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9._-]{0,32}$`)

// passwordsIn returns the passwords carried by the command line (as a flag's
// value, -flag=value, or a stray argument) and by DATABASE_URL.
func passwordsIn(args []string) []string {
	var secrets []string
	for _, a := range append(args, os.Getenv("DATABASE_URL")) {
		secrets = append(secrets, storeurl.Passwords(a)...)
		if _, value, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			secrets = append(secrets, storeurl.Passwords(value)...)
		}
	}
	return secrets
}

// secretFilter writes to w with every occurrence of a secret replaced by
// "xxxxx". Each write of the CLI is a whole message, so a secret is never
// split across two writes.
type secretFilter struct {
	w       io.Writer
	secrets [][]byte
}

// hideSecrets returns w itself when there is nothing to hide, else a filter.
func hideSecrets(w io.Writer, secrets []string) io.Writer {
	if len(secrets) == 0 {
		return w
	}
	f := &secretFilter{w: w}
	for _, s := range secrets {
		f.secrets = append(f.secrets, []byte(s))
	}
	return f
}

func (f *secretFilter) Write(p []byte) (int, error) {
	out := p
	for _, s := range f.secrets {
		if bytes.Contains(out, s) {
			out = bytes.ReplaceAll(out, s, []byte("xxxxx"))
		}
	}
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the filtered writer, so that isTerminal sees the terminal.
func (f *secretFilter) Unwrap() io.Writer { return f.w }
