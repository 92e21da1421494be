package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Options configure a Store. The zero value is usable: prefix "sg:", no WAIT,
// expired sessions kept for an hour.
type Options struct {
	// Prefix starts every key the store writes, so that several applications
	// (or tests) can share a Redis. It must not contain '{' or '}': the store
	// puts its own hash tags after it. Default "sg:".
	Prefix string

	// WaitReplicas is how many replicas must acknowledge a Delete, DeleteOwner
	// or Rotate (Redis WAIT) before it returns; 0 does not wait. Replication is
	// asynchronous: without WAIT an acknowledged logout or rotation can be lost
	// when a master fails over. A write the replicas did not confirm within
	// WaitTimeout fails with an error matching session.ErrUnavailable; it may
	// still have happened (retrying a Delete or DeleteOwner is safe). See
	// docs/REDIS.md for what WAIT does and does not promise.
	WaitReplicas int

	// WaitOnWrite extends WaitReplicas to Create, Save and Touch, so that an
	// acknowledged write of any kind survives the failover of its master (at
	// the cost of a replica round trip on every write).
	WaitOnWrite bool

	// WaitTimeout bounds the wait for WaitReplicas. Default 500ms.
	WaitTimeout time.Duration

	// ExpiredRetention is how long an expired session stays in Redis after its
	// expiry (by the caller's clock) before Redis drops it by TTL: Load can tell
	// it apart from an unknown key (ErrIdleExpired), Count reports it, and a
	// janitor's DeleteExpired removes it earlier. Default one hour; at least a
	// second.
	ExpiredRetention time.Duration
}

// Defaults of Options.
const (
	DefaultPrefix           = "sg:"
	DefaultWaitTimeout      = 500 * time.Millisecond
	DefaultExpiredRetention = time.Hour
)

// Store is a session.Store and session.Leaser on Redis. It is safe for
// concurrent use. Create it with New or Open.
type Store struct {
	storekit.Checked // the contract's argument rules and done contexts, then the statements
	st               *statements
}

// statements holds the client and the key layout. Its methods are the
// store's statements: storekit.Checked calls them only with well-formed
// arguments and a context that was not done.
type statements struct {
	client    rueidis.Client
	keys      layout
	replicas  int64
	waitAll   bool
	waitMs    int64
	retention time.Duration
	ownClient bool

	// pause, when set (tests only, through export_test.go), is called at the
	// named points between the steps of multi-slot operations; an error
	// returned stops the operation there, as a crash of the caller would.
	pause func(point string) error
}

// at calls the test hook at a point between steps.
func (s *statements) at(point string) error {
	if s.pause == nil {
		return nil
	}
	return s.pause(point)
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// New returns a store on client, a rueidis client to a cluster or a single
// server. Closing the store does not close client.
func New(client rueidis.Client, opts Options) (*Store, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, storekit.Invalid("redisstore", "prefix must not contain '{' or '}'")
	}
	if opts.WaitReplicas < 0 || opts.WaitTimeout < 0 || opts.ExpiredRetention < 0 {
		return nil, storekit.Invalid("redisstore", "negative option")
	}
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = DefaultWaitTimeout
	}
	if opts.ExpiredRetention == 0 {
		opts.ExpiredRetention = DefaultExpiredRetention
	}
	opts.ExpiredRetention = max(opts.ExpiredRetention, time.Second)
	st := &statements{
		client:    client,
		keys:      layout{prefix: opts.Prefix},
		replicas:  int64(opts.WaitReplicas),
		waitAll:   opts.WaitOnWrite,
		waitMs:    max(1, opts.WaitTimeout.Milliseconds()),
		retention: opts.ExpiredRetention,
	}
	return &Store{Checked: storekit.Check(st), st: st}, nil
}

// Client returns the rueidis client the store uses.
func (s *Store) Client() rueidis.Client { return s.st.client }

// Close closes the client when the store opened it (Open); a client handed to
// New stays open.
func (s *Store) Close() {
	if s.st.ownClient {
		s.st.client.Close()
	}
}

// micros converts a time to the integer microseconds the scripts compare.
// Scripts compute in Lua doubles, exact to 2^53 µs (about 285 years either side
// of 1970); times outside that are refused.
func micros(op string, t time.Time) (string, error) {
	us := t.UnixMicro()
	if us > maxMicros || us < -maxMicros {
		return "", storekit.Invalid(op, "time out of range: "+t.String())
	}
	return formatInt(us), nil
}

const maxMicros = 1 << 53

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// ttlMillis is how long Redis keeps a session that expires at expiry, seen from
// now (both on the caller's clock): until then plus the retention.
func (s *statements) ttlMillis(expiry, now time.Time) string {
	return formatInt(max(0, expiry.Sub(now).Milliseconds()) + s.retention.Milliseconds())
}

func (s *statements) retentionMillis() string { return formatInt(s.retention.Milliseconds()) }

var errEmptyReply = errors.New("redisstore: empty script reply")

// errNotReplicated is the cause when WAIT timed out short of WaitReplicas.
var errNotReplicated = errors.New("redisstore: write not confirmed by the replicas in time (WAIT)")

// classify maps a client error to the contract's errors: everything that is
// not a reply to a well-formed command (network, timeouts, cluster down, a
// master failing over, a closed client) is ErrUnavailable, never ErrNotFound.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if re, ok := rueidis.IsRedisErr(err); ok {
		msg := re.Error()
		for _, transient := range []string{"CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN", "READONLY", "MOVED", "ASK", "BUSY", "NOREPLICAS", "OOM"} {
			if strings.HasPrefix(msg, transient) {
				return storekit.Unavailable(op, err)
			}
		}
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return storekit.Unavailable(op, err)
}

// run runs a script once and reads its {status, values...} reply.
func (s *statements) run(ctx context.Context, op string, sc *script, keys, args []string) (string, []string, error) {
	status, values, err := reply(sc.exec(ctx, s.client, keys, args))
	return status, values, classify(op, err)
}

// runWrite runs a Create, Save or Touch script: durably when WaitOnWrite is set.
func (s *statements) runWrite(ctx context.Context, op string, sc *script, keys, args []string) (string, []string, error) {
	if s.waitAll {
		return s.runDurable(ctx, op, sc, keys, args)
	}
	return s.run(ctx, op, sc, keys, args)
}

// runDurable is run followed by WAIT on the same connection, when the store
// waits for replicas.
func (s *statements) runDurable(ctx context.Context, op string, sc *script, keys, args []string) (string, []string, error) {
	if s.replicas == 0 {
		return s.run(ctx, op, sc, keys, args)
	}
	var status string
	var values []string
	err := s.client.Dedicated(func(c rueidis.DedicatedClient) error {
		wait := c.B().Wait().Numreplicas(s.replicas).Timeout(s.waitMs).Build()
		res := c.DoMulti(ctx, sc.evalsha(c.B(), keys, args), wait)
		if isNoScript(res[0].Error()) {
			wait = c.B().Wait().Numreplicas(s.replicas).Timeout(s.waitMs).Build()
			res = c.DoMulti(ctx, sc.eval(c.B(), keys, args), wait)
		}
		var err error
		if status, values, err = reply(res[0]); err != nil {
			return err
		}
		acked, err := res[1].AsInt64()
		if err != nil {
			return err
		}
		if acked < s.replicas {
			return fmt.Errorf("%w: %d of %d replicas", errNotReplicated, acked, s.replicas)
		}
		return nil
	})
	if errors.Is(err, errNotReplicated) {
		return status, values, storekit.Unavailable(op, err)
	}
	return status, values, classify(op, err)
}

// unexpected reports a script status the caller does not handle: a bug or a
// key written by something else.
func unexpected(op, status string) error {
	return fmt.Errorf("%w: %s: unexpected script reply %q", session.ErrCorrupt, op, status)
}
