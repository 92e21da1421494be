package redisstore

import (
	"cmp"
	"context"
	"encoding/hex"
	"slices"
	"time"

	"github.com/redis/rueidis"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// The admin methods (List, Count, DeleteExpired) walk all 1024 buckets: a
// cluster-wide scan of the bucket indexes, pipelined per node, never a scan of
// the keyspace.

// walkChunk is how many buckets one pipelined round of List reads.
const walkChunk = 64

// List implements session.Store: the buckets follow key order, and each
// bucket's key index is read in byte order from the cursor.
func (s *statements) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	const op = storekit.OpList
	bucket, start := bucketOf(after), "("+hex.EncodeToString(after[:])
	var out []session.Record
	for bucket < buckets && len(out) < limit {
		need := limit - len(out)
		last := min(bucket+walkChunk, buckets)
		cmds := make(rueidis.Commands, 0, last-bucket)
		for b := bucket; b < last; b++ {
			from := "-"
			if b == bucket {
				from = start
			}
			cmds = append(cmds, s.client.B().Zrange().Key(s.keys.keys(b)).Min(from).Max("+").Bylex().Limit(0, int64(need)).Build())
		}
		var members []string
		next, nextStart := last, "-"
	walk:
		for i, res := range s.client.DoMulti(ctx, cmds...) {
			page, err := res.AsStrSlice()
			if err != nil {
				return nil, classify(op, err)
			}
			for _, m := range page {
				members = append(members, m)
				if len(members) == need {
					next, nextStart = bucket+i, "("+m
					break walk
				}
			}
		}
		entries, err := s.readMembers(ctx, op, members)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e != nil && !e.isPointer() && !e.isPending() {
				out = append(out, e.rec)
			}
		}
		bucket, start = next, nextStart
	}
	return out, nil
}

// Count implements session.Store with two ZCOUNTs per bucket: the idle expiry
// is never after the absolute one, so it alone decides liveness. Expired
// counts every index entry awaiting cleanup, including those whose session
// Redis already dropped by TTL.
func (s *statements) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	const op = storekit.OpCount
	nowUs, err := micros(op, now)
	if err != nil {
		return session.Counts{}, err
	}
	cmds := make(rueidis.Commands, 0, 2*buckets)
	for b := range buckets {
		cmds = append(cmds,
			s.client.B().Zcount().Key(s.keys.expiries(b)).Min("("+nowUs).Max("+inf").Build(),
			s.client.B().Zcount().Key(s.keys.expiries(b)).Min("-inf").Max(nowUs).Build())
	}
	var c session.Counts
	for i, res := range s.client.DoMulti(ctx, cmds...) {
		n, err := res.AsInt64()
		if err != nil {
			return session.Counts{}, classify(op, err)
		}
		if i%2 == 0 {
			c.Live += n
		} else {
			c.Expired += n
		}
	}
	return c, nil
}

// expiring is one entry of a bucket's expiry index.
type expiring struct {
	bucket int
	member string
	score  int64
}

// DeleteExpired implements session.Store. The batch must be the earliest
// expiries across all buckets: each bucket is read a few entries deep, and the
// buckets that might hold more entries before the batch's last expiry are read
// deeper until none can.
func (s *statements) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	const op = storekit.OpDeleteExpired
	nowUs, err := micros(op, now)
	if err != nil {
		return 0, time.Time{}, err
	}
	lo := "-inf"
	if us := from.UnixMicro(); !from.IsZero() && us > -maxMicros {
		lo = formatInt(min(us, maxMicros))
	}
	depth := make([]int, buckets)     // entries read so far per bucket
	deepest := make([]int64, buckets) // expiry of the last entry read per bucket
	more := make([]bool, buckets)     // the last read filled its page
	var found []expiring
	want := make([]int, buckets)
	for b := range want {
		want[b] = b
	}
	for step := max(2, 2*limit/buckets+1); len(want) > 0; step *= 2 {
		cmds := make(rueidis.Commands, len(want))
		for i, b := range want {
			cmds[i] = s.client.B().Zrange().Key(s.keys.expiries(b)).Min(lo).Max(nowUs).Byscore().
				Limit(int64(depth[b]), int64(step)).Withscores().Build()
		}
		for i, res := range s.client.DoMulti(ctx, cmds...) {
			page, err := res.AsZScores()
			if err != nil {
				return 0, time.Time{}, classify(op, err)
			}
			b := want[i]
			for _, z := range page {
				found = append(found, expiring{b, z.Member, int64(z.Score)})
				deepest[b] = int64(z.Score)
			}
			depth[b] += len(page)
			more[b] = len(page) == step
		}
		slices.SortFunc(found, func(x, y expiring) int {
			return cmp.Or(cmp.Compare(x.score, y.score), cmp.Compare(x.bucket, y.bucket), cmp.Compare(x.member, y.member))
		})
		threshold := int64(maxMicros) // while the batch is not full, any expiry may join it
		if len(found) >= limit {
			found = found[:limit]
			threshold = found[limit-1].score
		}
		// A bucket whose page was full may hold more entries at or before the
		// threshold: read it deeper.
		want = want[:0]
		for b := range buckets {
			if more[b] && deepest[b] <= threshold {
				want = append(want, b)
			}
		}
	}
	calls := make([]call, len(found))
	for i, e := range found {
		calls[i] = call{[]string{s.keys.sessionHex(e.bucket, e.member), s.keys.expiries(e.bucket), s.keys.keys(e.bucket)}, []string{e.member, nowUs}}
	}
	deleted, last := 0, int64(0)
	for i, res := range scriptDeleteExpired.execMany(ctx, s.client, calls) {
		n, err := res.AsInt64()
		if err != nil {
			return deleted, time.UnixMicro(last).UTC(), classify(op, err)
		}
		if n == 1 {
			deleted++
			last = max(last, found[i].score)
		}
	}
	if deleted == 0 {
		return 0, time.Time{}, nil
	}
	return deleted, time.UnixMicro(last).UTC(), nil
}
