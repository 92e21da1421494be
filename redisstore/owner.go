package redisstore

import (
	"bytes"
	"context"
	"encoding/hex"
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
func (s *Store) addOwner(ctx context.Context, op, owner string, key session.Key, createdUs string, absolute, now time.Time) error {
	_, err := s.runInt(ctx, op, scriptOwnerAdd, []string{s.keys.owner(owner)},
		[]string{hex.EncodeToString(key[:]), createdUs, s.ttlMillis(absolute, now)})
	return err
}

// ownerMembers returns the keys in owner's index, some of which may be stale:
// gone, rotated away or owned by someone else by now.
func (s *Store) ownerMembers(ctx context.Context, op, owner string) ([]string, error) {
	members, err := s.client.Do(ctx, s.client.B().Zrange().Key(s.keys.owner(owner)).Min("0").Max("-1").Build()).AsStrSlice()
	return members, classify(op, err)
}

// forget removes index entries whose session keys no longer exist. Only those:
// an entry whose session exists may belong to a binding in flight.
func (s *Store) forget(ctx context.Context, owner string, members []string) {
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
func (s *Store) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = "delete owner"
	if err := storekit.CheckContext(ctx, op); err != nil {
		return 0, err
	}
	if err := storekit.CheckOwner(op, owner); err != nil {
		return 0, err
	}
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
func (s *Store) deleteOwned(ctx context.Context, op, owner, exceptHex string, members []string) ([]scriptReply, error) {
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

// ListOwner implements session.Store: the owner's index, then one pipelined
// read of the listed sessions, keeping those that are live and still the
// owner's.
func (s *Store) ListOwner(ctx context.Context, owner string, now time.Time) ([]session.Record, error) {
	const op = "list owner"
	if err := storekit.CheckContext(ctx, op); err != nil {
		return nil, err
	}
	if err := storekit.CheckOwner(op, owner); err != nil {
		return nil, err
	}
	members, err := s.ownerMembers(ctx, op, owner)
	if err != nil {
		return nil, err
	}
	entries, err := s.readMembers(ctx, op, members)
	if err != nil {
		return nil, err
	}
	var out []session.Record
	var gone []string
	for i, e := range entries {
		switch {
		case e == nil:
			gone = append(gone, members[i])
			continue
		case e.isPointer():
			continue // its target is listed under its own key
		case e.isPending():
			if ok, err := s.resolve(ctx, op, e.rec.Key, e); err != nil || !ok {
				continue
			}
		}
		if e.rec.Owner == owner && e.rec.Live(now) {
			out = append(out, e.rec)
		}
	}
	s.forget(ctx, owner, gone)
	slices.SortFunc(out, func(a, b session.Record) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.Key[:], b.Key[:])
	})
	return out, nil
}

// readMembers reads the hashes of index members in one pipeline; a missing
// hash is a nil entry.
func (s *Store) readMembers(ctx context.Context, op string, members []string) ([]*entry, error) {
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
