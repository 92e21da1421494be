package cli

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sessiongen/sessiongen/storeurl"
)

// The CLI's output must never carry a database password: not in usage text,
// not in an error that echoes an argument, not in a log line. Commands never
// print the database URL, and quote echoed arguments through quoted; as a last
// line of defence, run also masks every password it was given wherever it
// would appear in the output (secretFilter).

// quoted returns arg quoted for a message, with any password it carries
// masked: a URL pasted where an action or argument belongs is echoed safely.
func quoted(arg string) string { return strconv.Quote(storeurl.Redact(arg)) }

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
