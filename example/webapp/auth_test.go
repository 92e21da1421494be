package webapp

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCleanName checks the login name filter on any input: it never panics,
// and what it accepts is short, trimmed, made of allowed characters, and
// accepted unchanged a second time.
func FuzzCleanName(f *testing.F) {
	for _, seed := range []string{"Alice", "  Alice   Smith ", "", "   ", "<script>", "Zoë-Ann_2.0", strings.Repeat("x", maxNameLen+1), "a\u00a0b", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, ok := cleanName(raw)
		if !ok {
			if name != "" {
				t.Fatalf("cleanName(%q) refused but returned %q", raw, name)
			}
			return
		}
		if n := utf8.RuneCountInString(name); n == 0 || n > maxNameLen {
			t.Fatalf("cleanName(%q) = %q: %d characters", raw, name, n)
		}
		if name != strings.TrimSpace(name) || strings.Contains(name, "  ") {
			t.Fatalf("cleanName(%q) = %q: not trimmed", raw, name)
		}
		for _, c := range name {
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(" .-_", c) {
				t.Fatalf("cleanName(%q) = %q: contains %q", raw, name, c)
			}
		}
		if again, ok := cleanName(name); !ok || again != name {
			t.Fatalf("cleanName(%q) = %q, but cleaning that again gives %q, %v", raw, name, again, ok)
		}
	})
}

func TestCleanName(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"Alice", "Alice", true},
		{"  Alice \t Smith\n", "Alice Smith", true},
		{"Zoë-Ann_2.0", "Zoë-Ann_2.0", true},
		{"", "", false},
		{" \t ", "", false},
		{"<script>", "", false},
		{"a/b", "", false},
		{strings.Repeat("é", maxNameLen), strings.Repeat("é", maxNameLen), true},
		{strings.Repeat("é", maxNameLen+1), "", false},
	}
	for _, c := range cases {
		if got, ok := cleanName(c.raw); got != c.want || ok != c.ok {
			t.Errorf("cleanName(%q) = %q, %v; want %q, %v", c.raw, got, ok, c.want, c.ok)
		}
	}
}
