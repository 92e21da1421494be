package pgstore_test

import (
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/pgstore"
)

func TestParsePoolConfigSizesThePoolForCommits(t *testing.T) {
	cases := []struct {
		conn string
		want int32
	}{
		{"postgres://u@h/db?sslmode=disable", pgstore.DefaultMaxConns},
		{"host=h dbname=db sslmode=disable", pgstore.DefaultMaxConns},
		// pool_max_conns always wins, whichever the form, also below the default.
		{"postgres://u@h/db?pool_max_conns=4", 4},
		{"postgres://u@h/db?sslmode=disable&pool_max_conns=64", 64},
		{"host=h dbname=db pool_max_conns=7", 7},
	}
	for _, c := range cases {
		cfg, err := pgstore.ParsePoolConfig(c.conn)
		if err != nil {
			t.Errorf("ParsePoolConfig(%q): %v", c.conn, err)
			continue
		}
		if cfg.MaxConns != c.want {
			t.Errorf("ParsePoolConfig(%q).MaxConns = %d, want %d", c.conn, cfg.MaxConns, c.want)
		}
		if _, left := cfg.ConnConfig.RuntimeParams["pool_max_conns"]; left {
			t.Errorf("ParsePoolConfig(%q) sends pool_max_conns to the server", c.conn)
		}
	}
	// pgxpool's default is max(4, CPUs): the point of ours is to be larger.
	if pgstore.DefaultMaxConns <= 4 {
		t.Errorf("DefaultMaxConns = %d, not above pgxpool's default", pgstore.DefaultMaxConns)
	}
}

func TestParsePoolConfigErrorHidesThePassword(t *testing.T) {
	for _, bad := range []string{
		"postgres://u:hunter2@h:notaport/db",
		"postgres://u:hunter2@h/db?pool_max_conns=many",
		"host=h password=hunter2 pool_max_conns=-1",
	} {
		_, err := pgstore.ParsePoolConfig(bad)
		if err == nil {
			t.Errorf("ParsePoolConfig(%q) accepted it", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParsePoolConfig(%q) error shows the password: %v", bad, err)
		}
	}
}
