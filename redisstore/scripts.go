package redisstore

import (
	"context"
	"crypto/sha1"
	"embed"
	"encoding/hex"

	"github.com/redis/rueidis"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// script is one Lua script, run with EVALSHA and, when the node answers NOSCRIPT
// (a restarted or freshly promoted master), again with EVAL, which also loads
// it there. No preloading is needed.
type script struct {
	name string
	src  string
	sha  string
}

func loadScript(name string) *script {
	src, err := luaFiles.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	sum := sha1.Sum(src)
	return &script{name: name, src: string(src), sha: hex.EncodeToString(sum[:])}
}

// The store's scripts; lua/NAME.lua says what each does and with which KEYS and ARGV.
var (
	scriptCreate        = loadScript("create")
	scriptSave          = loadScript("save")
	scriptTouch         = loadScript("touch")
	scriptDelete        = loadScript("delete")
	scriptDeletePrev    = loadScript("delete_prev")
	scriptRotatePrepare = loadScript("rotate_prepare")
	scriptRotateCommit  = loadScript("rotate_commit")
	scriptRotateFinish  = loadScript("rotate_finish")
	scriptDeleteOwned   = loadScript("delete_owned")
	scriptDeleteIfOwned = loadScript("delete_if_owned")
	scriptOwnerAdd      = loadScript("owner_add")
	scriptDeleteExpired = loadScript("delete_expired")
	scriptLeaseAcquire  = loadScript("lease_acquire")
	scriptLeaseRelease  = loadScript("lease_release")
)

func (s *script) evalsha(b rueidis.Builder, keys, args []string) rueidis.Completed {
	return b.Evalsha().Sha1(s.sha).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
}

func (s *script) eval(b rueidis.Builder, keys, args []string) rueidis.Completed {
	return b.Eval().Script(s.src).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
}

// exec runs the script once on c.
func (s *script) exec(ctx context.Context, c rueidis.Client, keys, args []string) rueidis.RedisResult {
	res := c.Do(ctx, s.evalsha(c.B(), keys, args))
	if isNoScript(res.Error()) {
		res = c.Do(ctx, s.eval(c.B(), keys, args))
	}
	return res
}

// call is one execution of a script in a batch.
type call struct {
	keys, args []string
}

// execMany runs the script once per call, pipelined (rueidis groups the calls
// by node and sends each node's share in one round trip), retrying with EVAL
// the calls a node answered NOSCRIPT.
func (s *script) execMany(ctx context.Context, c rueidis.Client, calls []call) []rueidis.RedisResult {
	if len(calls) == 0 {
		return nil
	}
	cmds := make(rueidis.Commands, len(calls))
	for i, cl := range calls {
		cmds[i] = s.evalsha(c.B(), cl.keys, cl.args)
	}
	res := c.DoMulti(ctx, cmds...)
	var again []int
	for i, r := range res {
		if isNoScript(r.Error()) {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		retry := make(rueidis.Commands, len(again))
		for j, i := range again {
			retry[j] = s.eval(c.B(), calls[i].keys, calls[i].args)
		}
		for j, r := range c.DoMulti(ctx, retry...) {
			res[again[j]] = r
		}
	}
	return res
}

func isNoScript(err error) bool {
	re, ok := rueidis.IsRedisErr(err)
	return ok && re.IsNoScript()
}

// reply reads a script's {status, values...} reply.
func reply(res rueidis.RedisResult) (status string, values []string, err error) {
	arr, err := res.ToArray()
	if err != nil {
		return "", nil, err
	}
	out := make([]string, 0, len(arr))
	for _, m := range arr {
		s, err := m.ToString()
		if err != nil {
			if n, ierr := m.AsInt64(); ierr == nil {
				s = formatInt(n)
			} else {
				return "", nil, err
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "", nil, errEmptyReply
	}
	return out[0], out[1:], nil
}
