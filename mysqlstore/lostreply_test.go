package mysqlstore_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/session"
)

// A Save whose commit the client never hears of (the connection dies after
// the server committed, before its reply arrives) must not come back as
// ErrConflict: the runtime answers a conflict by reloading and running the
// caller's update again, which would apply it twice (a counter incremented
// twice for one request). The store reports ErrUnavailable, the "did it
// commit?" answer, and the session holds the save exactly once.
func TestSaveWithLostReplyIsUnavailable(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.MySQLDSN(t)
	direct := testdb.OpenMySQL(t, dsn, true)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newReplyDropper(t, cfg.Addr, "-- name: SaveSession ")
	cfg.Addr = proxy.ln.Addr().String()
	s, err := mysqlstore.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := session.Record{Key: randomKey(t), Data: []byte("created"), CreatedAt: now,
		IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(2 * time.Hour)}
	if err := direct.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Version, rec.Data = 1, []byte("saved once")
	proxy.armed.Store(true)
	_, err = s.Save(ctx, rec, now)
	if n := proxy.cut.Load(); n != 1 {
		t.Fatalf("the proxy cut %d connections after the save, want 1", n)
	}
	if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrConflict) {
		t.Errorf("Save whose reply was lost: %v, want ErrUnavailable (it may have committed), not ErrConflict", err)
	}
	got, err := direct.Load(ctx, rec.Key, now)
	if err != nil || got.Version != 2 || string(got.Data) != "saved once" {
		t.Fatalf("after the lost reply: version %d data %q, %v; want the save applied once (version 2)", got.Version, got.Data, err)
	}
	// The store is not stuck on the cut connection.
	rec.Version, rec.Data = 2, []byte("saved again")
	if v, err := s.Save(ctx, rec, now); err != nil || v != 3 {
		t.Errorf("next Save: version %d, %v; want 3", v, err)
	}
}

// replyDropper is a TCP proxy between the store and the server that, once
// armed, forwards the next statement starting with prefix and then cuts the
// connection instead of forwarding the server's reply.
type replyDropper struct {
	ln     net.Listener
	target string
	prefix []byte
	armed  atomic.Bool
	cut    atomic.Int64 // connections cut so far
	wg     sync.WaitGroup
}

func newReplyDropper(t *testing.T, target, prefix string) *replyDropper {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &replyDropper{ln: ln, target: target, prefix: []byte(prefix)}
	p.wg.Go(p.accept)
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *replyDropper) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.wg.Go(func() { p.serve(client, server) })
	}
}

// serve copies server replies to the client as they come, and client packets
// to the server one at a time, looking at each: a COM_QUERY (sequence 0,
// command byte 3) whose text starts with p.prefix, while armed, marks the
// connection to be cut as soon as the server answers.
func (p *replyDropper) serve(client, server net.Conn) {
	defer client.Close()
	defer server.Close()
	var cutNext atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && cutNext.Load() {
				// The server answered the statement: it ran (and, in
				// autocommit, committed). The client never hears of it.
				p.cut.Add(1)
				client.Close()
				return
			}
			if n > 0 {
				if _, err := client.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				client.Close()
				return
			}
		}
	}()
	header := make([]byte, 4)
	for {
		if _, err := io.ReadFull(client, header); err != nil {
			break
		}
		length := int(binary.LittleEndian.Uint32(append(header[:3:3], 0)))
		payload := make([]byte, length)
		if _, err := io.ReadFull(client, payload); err != nil {
			break
		}
		if header[3] == 0 && length > 0 && payload[0] == 3 && bytes.HasPrefix(payload[1:], p.prefix) && p.armed.CompareAndSwap(true, false) {
			cutNext.Store(true)
		}
		if _, err := server.Write(append(header, payload...)); err != nil {
			break
		}
	}
	server.Close()
	<-done
}
