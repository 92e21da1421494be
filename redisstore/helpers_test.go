package redisstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/redis/rueidis"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/redisstore/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// clients holds one rueidis client per target for the whole test binary, as an
// application would.
var clients struct {
	mu sync.Mutex
	m  map[string]rueidis.Client
}

func clientFor(t testing.TB, addrs ...string) rueidis.Client {
	t.Helper()
	clients.mu.Lock()
	defer clients.mu.Unlock()
	if clients.m == nil {
		clients.m = map[string]rueidis.Client{}
	}
	id := addrs[0]
	if c, ok := clients.m[id]; ok {
		return c
	}
	c, err := rueidis.NewClient(redisstore.ClientOptions(addrs))
	if err != nil {
		t.Fatal(err)
	}
	clients.m[id] = c
	return c
}

// target is where a test's store lives.
type target struct {
	name string
	open func(t testing.TB, opts redisstore.Options) *redisstore.Store
}

var targets = []target{
	{"cluster", openCluster},
	{"single", openSingle},
}

// openCluster returns a store on the shared cluster under a fresh prefix.
func openCluster(t testing.TB, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	c := redistest.SharedCluster(t)
	return openOn(t, clientFor(t, c.Addrs()...), opts)
}

// openSingle returns a store on a single Redis under a fresh prefix; its keys
// are deleted at the end of the test.
func openSingle(t testing.TB, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	return openOn(t, clientFor(t, redistest.SingleAddr(t)), opts)
}

func openOn(t testing.TB, client rueidis.Client, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	if opts.Prefix == "" {
		opts.Prefix = redistest.Prefix()
	}
	s, err := redisstore.New(client, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deletePrefix(t, client, opts.Prefix) })
	return s
}

// deletePrefix removes every key under prefix from every master.
func deletePrefix(t testing.TB, client rueidis.Client, prefix string) {
	ctx := context.Background()
	for _, node := range client.Nodes() {
		if role, err := node.Do(ctx, node.B().Role().Build()).ToArray(); err != nil || len(role) == 0 {
			continue
		} else if r, _ := role[0].ToString(); r != "master" {
			continue
		}
		var cursor uint64
		for {
			entry, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
			if err != nil {
				t.Logf("cleaning up %s: %v", prefix, err)
				break
			}
			for _, k := range entry.Elements {
				_ = node.Do(ctx, node.B().Unlink().Key(k).Build()).Error()
			}
			if cursor = entry.Cursor; cursor == 0 {
				break
			}
		}
	}
}
