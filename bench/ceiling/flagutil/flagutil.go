// Package flagutil holds the command-line helpers the benchmark commands
// share.
package flagutil

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Ints parses a comma-separated list of positive integers ("1,8,32").
func Ints(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// Command is how to rerun this program from the bench module: "go run
// ./<dir>" and the arguments it was given, for the reports.
func Command(dir string) string {
	return strings.Join(append([]string{"go run ./" + dir}, os.Args[1:]...), " ")
}

// WriteReport writes a report to standard output and, when path is not
// empty, to the file at path as well.
func WriteReport(path string, write func(w io.Writer)) error {
	if path == "" {
		write(os.Stdout)
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write(io.MultiWriter(os.Stdout, f))
	return f.Close()
}
