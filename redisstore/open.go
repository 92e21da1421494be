package redisstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/sessiongen/sessiongen/session/storekit"
)

// ParseURL reads a Redis URL into client and store options:
//
//	redis://[user:password@]host:port[/db][?addr=host2:port2&addr=...]
//	rediss://...   (TLS)
//
// One address of a cluster is enough (rueidis discovers the others; more
// addr= seeds survive a seed being down); a single server works as well.
// rueidis's own parameters apply (dial_timeout, write_timeout, client_name,
// ...), and the store's:
//
//	prefix=sg:          Options.Prefix
//	wait=1              Options.WaitReplicas
//	wait_timeout=500ms  Options.WaitTimeout
//	retention=1h        Options.ExpiredRetention
//
// Errors never contain the URL's password.
func ParseURL(rawURL string) (rueidis.ClientOption, Options, error) {
	var opts Options
	u, err := url.Parse(rawURL)
	if err != nil {
		return rueidis.ClientOption{}, opts, storekit.Invalid("redis URL", "cannot parse it")
	}
	q := u.Query()
	var errs []string
	take := func(name string, parse func(string) error) {
		if !q.Has(name) {
			return
		}
		if err := parse(q.Get(name)); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", name, q.Get(name), err))
		}
		q.Del(name)
	}
	take("prefix", func(v string) error { opts.Prefix = v; return nil })
	take("wait", func(v string) (err error) { opts.WaitReplicas, err = strconv.Atoi(v); return err })
	take("wait_timeout", func(v string) (err error) { opts.WaitTimeout, err = time.ParseDuration(v); return err })
	take("retention", func(v string) (err error) { opts.ExpiredRetention, err = time.ParseDuration(v); return err })
	if len(errs) > 0 {
		return rueidis.ClientOption{}, opts, storekit.Invalid("redis URL", fmt.Sprint(errs))
	}
	u.RawQuery = q.Encode()
	co, err := rueidis.ParseURL(u.String())
	if err != nil {
		return rueidis.ClientOption{}, opts, storekit.Invalid("redis URL", "unsupported scheme or parameter")
	}
	defaults := ClientOptions(co.InitAddress)
	co.DisableRetry, co.DisableCache = defaults.DisableRetry, defaults.DisableCache
	if co.ConnWriteTimeout == 0 {
		co.ConnWriteTimeout = defaults.ConnWriteTimeout
	}
	return co, opts, nil
}

// Open connects to the Redis (cluster or single server) that rawURL names
// (see ParseURL), checks that it answers, and returns a store that closes the
// client with Close.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	co, opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	client, err := rueidis.NewClient(co)
	if err != nil {
		return nil, storekit.Unavailable("connect", err)
	}
	if err := client.Do(ctx, client.B().Ping().Build()).Error(); err != nil {
		client.Close()
		return nil, storekit.Unavailable("connect", err)
	}
	s, err := New(client, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.st.ownClient = true
	return s, nil
}
