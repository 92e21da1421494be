package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// addOwner puts key in owner's index, scored by the session's creation time,
// and keeps the index alive until the session's absolute expiry (seen from
// now) plus the retention.
func (s *statements) addOwner(ctx context.Context, op, owner string, key session.Key, createdUs string, absolute, now time.Time) error {
	_, err := s.runInt(ctx, op, scriptOwnerAdd, []string{s.keys.owner(owner)},
		[]string{hex.EncodeToString(key[:]), createdUs, s.ttlMillis(absolute, now)})
	return err
}

// ownerMembers returns the keys in owner's index, some of which may be stale:
// gone, rotated away or owned by someone else by now.
func (s *statements) ownerMembers(ctx context.Context, op, owner string) ([]string, error) {
	members, err := s.client.Do(ctx, s.client.B().Zrange().Key(s.keys.owner(owner)).Min("0").Max("-1").Build()).AsStrSlice()
	return members, classify(op, err)
}

// forget removes index entries whose session keys no longer exist. Only those:
// an entry whose session exists may belong to a binding in flight.
func (s *statements) forget(ctx context.Context, owner string, members []string) {
	if len(members) == 0 {
		return
	}
	_ = s.client.Do(context.WithoutCancel(ctx), s.client.B().Zrem().Key(s.keys.owner(owner)).Member(members...).Build()).Error()
}

// maxHops bounds how far DeleteOwner follows rotation pointers: each hop is a
// rotation that happened while the revocation ran.
const maxHops = 8

// DeleteOwner implements session.Store: it reads the owner's index, then
// deletes every listed key that still belongs to owner, following rotation
// pointers to the sessions they name. Every session of owner that existed when
// it began is deleted; see the package documentation for why none escapes.
func (s *statements) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = storekit.OpDeleteOwner
	members, err := s.ownerMembers(ctx, op, owner)
	if err != nil {
		return 0, err
	}
	if err := s.at("deleteowner:listed"); err != nil {
		return 0, err
	}
	exceptHex := ""
	if !except.IsZero() {
		exceptHex = hex.EncodeToString(except[:])
	}
	var deleted int64
	var gone []string
	// A pending copy is a session only when a pointer names it (its rotation
	// committed); the pointer and the copy may come in either order.
	pending, targets := map[string]bool{}, map[string]bool{}
	work := slices.DeleteFunc(members, func(m string) bool { return m == exceptHex })
	for hop := 0; len(work) > 0 && hop < maxHops; hop++ {
		replies, err := s.deleteOwned(ctx, op, owner, exceptHex, work)
		if err != nil {
			return deleted, err
		}
		var next []string
		for i, r := range replies {
			switch r.status {
			case "missing":
				gone = append(gone, work[i])
			case "deleted":
				deleted++
				gone = append(gone, work[i])
			case "pending":
				pending[work[i]] = true
				gone = append(gone, work[i])
			case "follow":
				gone = append(gone, work[i])
				if len(r.values) == 1 && r.values[0] != exceptHex {
					targets[r.values[0]] = true
					next = append(next, r.values[0])
				}
			case "kept":
			default:
				return deleted, unexpected(op, r.status)
			}
		}
		work = next
	}
	for m := range pending {
		if targets[m] {
			deleted++
		}
	}
	s.forget(ctx, owner, gone)
	return deleted, nil
}

// scriptReply is one reply of a batch of script calls.
type scriptReply struct {
	status string
	values []string
}

// deleteOwned runs delete_owned on each member: pipelined when the store does
// not wait for replicas, else each with its own WAIT, a few at a time.
func (s *statements) deleteOwned(ctx context.Context, op, owner, exceptHex string, members []string) ([]scriptReply, error) {
	calls := make([]call, 0, len(members))
	for _, m := range members {
		k, ok := parseMember(m)
		if !ok {
			return nil, unexpected(op, "index member "+m)
		}
		calls = append(calls, call{s.keys.sessionKeys(k), []string{m, owner, exceptHex}})
	}
	out := make([]scriptReply, len(calls))
	if s.replicas == 0 {
		for i, res := range scriptDeleteOwned.execMany(ctx, s.client, calls) {
			status, values, err := reply(res)
			if err != nil {
				return nil, classify(op, err)
			}
			out[i] = scriptReply{status, values}
		}
		return out, nil
	}
	errs := make([]error, len(calls))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].status, out[i].values, errs[i] = s.runDurable(ctx, op, scriptDeleteOwned, c.keys, c.args)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ownerPage is how many index members ListOwner reads per round trip, at
// least: enough for one device page plus the stale entries that rotations
// leave (old keys stay indexed until a revocation or a list forgets them).
const ownerPage = 32

// ListOwner implements session.Store: it walks the owner's index newest
// first (its scores are creation times) a page at a time, reading each
// listed session's metadata but not its data, and stops once no older member
// can make the first limit.
func (s *statements) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	const op = storekit.OpListOwner
	var out []session.Record
	var gone []string
	page := max(limit, ownerPage)
	for offset := 0; ; offset += page {
		cmd := s.client.B().Zrange().Key(s.keys.owner(owner)).Min("+inf").Max("-inf").Byscore().Rev().
			Limit(int64(offset), int64(page)).Withscores().Build()
		scored, err := s.client.Do(ctx, cmd).AsZScores()
		if err != nil {
			return nil, classify(op, err)
		}
		members := make([]string, len(scored))
		for i, z := range scored {
			members[i] = z.Member
		}
		recs, missing, err := s.ownedMeta(ctx, op, owner, members)
		if err != nil {
			return nil, err
		}
		gone = append(gone, missing...)
		for _, r := range recs {
			if r.Live(now) {
				out = append(out, r)
			}
		}
		if len(scored) < page || (len(out) >= limit && olderThanPage(out, limit, scored[len(scored)-1].Score)) {
			break
		}
	}
	s.forget(ctx, owner, gone)
	return storekit.Page(out, limit), nil
}

// olderThanPage reports whether a member scored score (a creation time in
// µs) is older than the limit-th newest of out, so that it and every member
// after it cannot be listed. It sorts out.
func olderThanPage(out []session.Record, limit int, score float64) bool {
	slices.SortFunc(out, storekit.NewestFirst)
	return score < float64(out[limit-1].CreatedAt.UnixMicro())
}

// ownedMeta reads the metadata of index members in one pipeline and returns
// the sessions that still belong to owner (pending copies settled, pointers
// skipped: their targets are indexed under their own keys), and the members
// whose keys are gone.
func (s *statements) ownedMeta(ctx context.Context, op, owner string, members []string) ([]session.Record, []string, error) {
	if len(members) == 0 {
		return nil, nil, nil
	}
	keys := make([]session.Key, len(members))
	cmds := make(rueidis.Commands, len(members))
	for i, m := range members {
		k, ok := parseMember(m)
		if !ok {
			return nil, nil, unexpected(op, "index member "+m)
		}
		keys[i] = k
		cmds[i] = s.client.B().Hmget().Key(s.keys.session(k)).Field(metaFields...).Build()
	}
	var out []session.Record
	var gone []string
	for i, res := range s.client.DoMulti(ctx, cmds...) {
		values, err := res.ToArray()
		if err != nil {
			return nil, nil, classify(op, err)
		}
		fields := make([]*string, len(values))
		for j, v := range values {
			if str, err := v.ToString(); err == nil {
				fields[j] = &str
			}
		}
		e, err := decodeMeta(op, keys[i], fields)
		switch {
		case err != nil:
			return nil, nil, err
		case e == nil:
			gone = append(gone, members[i])
			continue
		case e.isPointer():
			continue
		case e.isPending():
			if ok, err := s.resolve(ctx, op, keys[i], e); err != nil || !ok {
				continue
			}
		}
		if e.rec.Owner == owner {
			out = append(out, e.rec)
		}
	}
	return out, gone, nil
}

// DeleteOwned implements session.Store with one script on the session's key
// (and a second one after settling a pending rotation copy).
func (s *statements) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	const op = storekit.OpDeleteOwned
	nowUs, err := micros(op, now)
	if err != nil {
		return err
	}
	deleted, err := s.deleteIfOwned(ctx, op, owner, key, nowUs)
	if err == nil && !deleted {
		return session.ErrNotFound
	}
	return err
}

// deleteIfOwned deletes key's session if it is owner's (and live at nowUs,
// unless nowUs is ""), then its owner index entry.
func (s *statements) deleteIfOwned(ctx context.Context, op, owner string, key session.Key, nowUs string) (bool, error) {
	member := hex.EncodeToString(key[:])
	for range 2 {
		status, _, err := s.runDurable(ctx, op, scriptDeleteIfOwned, s.keys.sessionKeys(key), []string{member, owner, nowUs})
		switch {
		case err != nil:
			return false, err
		case status == "deleted":
			s.forget(ctx, owner, []string{member})
			return true, nil
		case status == "notfound":
			return false, nil
		case status == "pending":
			if err := s.resolveKey(ctx, op, key); err != nil {
				return false, notFoundIsFalse(err)
			}
		default:
			return false, unexpected(op, status)
		}
	}
	return false, nil
}

// notFoundIsFalse turns ErrNotFound into no error: "nothing to delete".
func notFoundIsFalse(err error) error {
	if errors.Is(err, session.ErrNotFound) {
		return nil
	}
	return err
}

// TrimOwner implements session.Store: it reads the metadata of every
// session the owner's index lists, ranks them, and deletes the ones beyond
// keep, each with a script that checks the owner again. With the cap
// enforced on every sign-in, the owner has at most a few more than keep.
func (s *statements) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	const op = storekit.OpTrimOwner
	members, err := s.ownerMembers(ctx, op, owner)
	if err != nil {
		return 0, err
	}
	recs, gone, err := s.ownedMeta(ctx, op, owner, members)
	if err != nil {
		return 0, err
	}
	s.forget(ctx, owner, gone)
	var n int64
	for _, key := range storekit.Trimmed(recs, except, keep, now) {
		deleted, err := s.deleteIfOwned(ctx, op, owner, key, "")
		if err != nil {
			return n, err
		}
		if deleted {
			n++
		}
	}
	return n, nil
}

// readMembers reads the hashes of index members in one pipeline; a missing
// hash is a nil entry.
func (s *statements) readMembers(ctx context.Context, op string, members []string) ([]*entry, error) {
	if len(members) == 0 {
		return nil, nil
	}
	keys := make([]session.Key, len(members))
	cmds := make(rueidis.Commands, len(members))
	for i, m := range members {
		k, ok := parseMember(m)
		if !ok {
			return nil, unexpected(op, "index member "+m)
		}
		keys[i] = k
		cmds[i] = s.client.B().Hgetall().Key(s.keys.session(k)).Build()
	}
	out := make([]*entry, len(members))
	for i, res := range s.client.DoMulti(ctx, cmds...) {
		h, err := res.AsStrMap()
		if err != nil {
			return nil, classify(op, err)
		}
		if out[i], err = decodeEntry(op, keys[i], h); err != nil {
			return nil, err
		}
	}
	return out, nil
}
