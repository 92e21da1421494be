// Package cli is the sessiongen command: code generation and the database
// subcommands (migrate, sessions, cleanup). cmd/sessiongen runs it; a binary
// that registers another store with storeurl (redisstore/cmd/sessiongen, for
// Redis) runs the same commands by calling Main.
package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand. Each lives in a file of its own and registers itself
// in init, so that adding one never edits this file.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Main runs the sessiongen command line args (without the program name) and
// returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int { return run(args, stdout, stderr) }

// main is what a test binary re-executed as the CLI runs (see runProcess).
func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// run dispatches to a subcommand, with every password given on the command
// line or in DATABASE_URL masked in its output.
func run(args []string, stdout, stderr io.Writer) int {
	secrets := passwordsIn(args)
	return dispatch(args, hideSecrets(stdout, secrets), hideSecrets(stderr, secrets))
}

// dispatch runs the subcommand args name. Bare flags (the go:generate form)
// mean generate.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name, rest := args[0], args[1:]
	if strings.HasPrefix(name, "-") {
		name, rest = "generate", args
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "sessiongen: unknown command %s\n\n", quoted(name))
		usage(stderr)
		return 2
	}
	return c.run(rest, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sessiongen <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `sessiongen <command> -h` for a command's flags.")
}
