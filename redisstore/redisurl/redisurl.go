// Package redisurl registers redis:// and rediss:// URLs with storeurl, so
// that storeurl.Open (and the sessiongen CLI and example built with it) open a
// redisstore from a URL. Import it for its side effect:
//
//	import _ "github.com/sessiongen/sessiongen/redisstore/redisurl"
//
// It is a package of its own so that an application that builds its store
// with redisstore.New does not link storeurl's PostgreSQL and SQLite drivers.
package redisurl

import (
	"context"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/storeurl"
)

// Kind is the storeurl.Kind of a Redis store.
const Kind storeurl.Kind = "redis"

func init() {
	d := storeurl.Driver{Kind: Kind, Open: open}
	storeurl.Register("redis", d)
	storeurl.Register("rediss", d)
}

func open(ctx context.Context, rawURL string) (storeurl.Opened, error) {
	s, err := redisstore.Open(ctx, rawURL)
	if err != nil {
		return storeurl.Opened{}, err
	}
	return storeurl.Opened{Store: s, Leaser: s, Close: s.Close}, nil
}
