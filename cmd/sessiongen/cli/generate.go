package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sessiongen/sessiongen/sessiongen"
)

func init() {
	register(command{
		name:    "generate",
		summary: "generate typed session code for struct types (the go:generate form)",
		run:     runGenerate,
	})
}

// runGenerate is `sessiongen [generate] -type T1,T2 [-output file] [dir]`.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(flagOutput(stderr))
	typeList := fs.String("type", "", "comma-separated session struct type names (required)")
	output := fs.String("output", "", "output file, relative to the package dir (default: <source>_session.go next to each type's source file)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sessiongen generate -type T1,T2 [-output file] [package dir]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *typeList == "" || fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	cfg := sessiongen.Config{Dir: ".", Types: splitTypes(*typeList), Output: *output}
	if fs.NArg() == 1 {
		cfg.Dir = fs.Arg(0)
	}
	if err := sessiongen.Write(sessiongen.Generate(cfg)); err != nil {
		fmt.Fprintln(stderr, "sessiongen:", strings.ReplaceAll(err.Error(), "\n", "\nsessiongen: "))
		return 1
	}
	return 0
}

func splitTypes(list string) []string {
	var out []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
