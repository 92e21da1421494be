package session_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/session"
)

// detached loads the session of token outside any request, as a WebSocket
// loop or a gRPC interceptor does.
func (h *harness) detached(token string) (context.Context, testvisitor.Session) {
	h.t.Helper()
	ctx, err := h.mgr.Load(h.t.Context(), token)
	if err != nil {
		h.t.Fatalf("Load: %v", err)
	}
	return ctx, h.mgr.From(ctx)
}

// issued returns the cookie a detached session must send, remembering its
// token so that the harness checks it never reaches the log.
func (h *harness) issued(s testvisitor.Session) *http.Cookie {
	c := s.Cookie()
	if c != nil && c.Value != "" {
		h.tokensMu.Lock()
		h.tokens = append(h.tokens, c.Value)
		h.tokensMu.Unlock()
	}
	return c
}

func TestDetachedSessionKeepsTheRequestGuarantees(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		b := h.client()
		b.post("/set?name=ann").mustOK(t)
		tok := b.sessionCookie()

		// A change made outside HTTP and committed reaches the browser, which
		// keeps its cookie.
		ctx, s := h.detached(tok)
		if s.IsNew() || s.Name() != "ann" {
			t.Fatalf("Load(browser's token) = %s, new=%v; want the browser's session", describe(s), s.IsNew())
		}
		s.SetCart([]string{"tea"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if c := h.issued(s); c != nil {
			t.Errorf("Cookie after saving an existing session = %v; want nil: the client's token is still current", c)
		}
		if got := b.get("/get").body; !strings.Contains(got, "cart=tea") {
			t.Fatalf("browser sees %q after the detached commit; want cart=tea", got)
		}

		// Two detached loads of one version, in two processes (two managers
		// over one store), change different fields: the second save loses
		// the version race, reloads and merges. (Within one process, commits
		// of one session queue and merge without a lost race.)
		other := testvisitor.NewManager(h.store)
		other.Now, other.Metrics, other.Logger = h.mgr.Now, h.mgr.Metrics, h.mgr.Logger
		ctx1, s1 := h.detached(tok)
		ctx2, err := other.Load(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		s2 := other.From(ctx2)
		s1.SetTheme("dark")
		s2.SetFlash("hi")
		if err := s1.Commit(ctx1); err != nil {
			t.Fatal(err)
		}
		if err := s2.Commit(ctx2); err != nil {
			t.Fatal(err)
		}
		if got := b.get("/get").body; !strings.Contains(got, "flash=hi") || !strings.Contains(got, "theme=dark") {
			t.Fatalf("after two concurrent detached commits the browser sees %q; want both changes", got)
		}
		if h.events.Count(session.EventConflictRetried) == 0 {
			t.Errorf("no conflict_retried event: the second commit should have lost the version race and merged")
		}

		// Logout wins: a detached session loaded before the logout cannot
		// bring the session back, and tells its client to drop the token.
		ctx3, s3 := h.detached(tok)
		b.post("/logout").mustOK(t)
		s3.SetName("ghost")
		if err := s3.Commit(ctx3); err != nil {
			t.Fatalf("Commit of a logged-out session = %v; want nil (the changes are dropped)", err)
		}
		if c := h.issued(s3); c == nil || c.MaxAge >= 0 {
			t.Errorf("Cookie after the session was logged out = %v; want one that deletes the client's cookie", c)
		}
		if _, s := h.detached(tok); !s.IsNew() || s.Name() != "" || !s.Ended() {
			t.Fatalf("the logged-out token loads %s, ended=%v; want an anonymous session that says it ended", describe(s), s.Ended())
		}

		// A client without a token gets a session only when a field is set,
		// and then a cookie with the manager's attributes.
		ctx4, s4 := h.detached("")
		if c := h.issued(s4); c != nil || s4.Ended() {
			t.Errorf("Cookie of a fresh anonymous session = %v; want nil", c)
		}
		s4.SetName("bob")
		if err := s4.Commit(ctx4); err != nil {
			t.Fatal(err)
		}
		c := h.issued(s4)
		if c == nil || c.Name != cookieName || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Fatalf("Cookie after creating = %+v; want the manager's secure session cookie", c)
		}
		if got := h.bare().do(http.MethodGet, "/get", cookieName+"="+c.Value).body; !strings.Contains(got, "name=bob") {
			t.Fatalf("a browser with the issued cookie sees %q; want name=bob", got)
		}

		// Rotating outside HTTP issues a new token; the old one loads nothing
		// (a privilege rotation leaves it a tombstone).
		ctx5, s5 := h.detached(c.Value)
		if err := s5.Rotate(ctx5); err != nil {
			t.Fatal(err)
		}
		rotated := h.issued(s5)
		if rotated == nil || rotated.Value == c.Value {
			t.Fatalf("Cookie after Rotate = %v; want a new token", rotated)
		}
		if got := h.bare().do(http.MethodGet, "/get", cookieName+"="+rotated.Value).body; !strings.Contains(got, "name=bob") {
			t.Errorf("after rotation, the new token sees %q; want name=bob", got)
		}
		if got := h.bare().do(http.MethodGet, "/get", cookieName+"="+c.Value).body; got != describe0 {
			t.Errorf("after rotation, the old token sees %q; want an anonymous session", got)
		}

		// A malformed token costs no store call and is to be dropped.
		loads := h.store.Calls("Load")
		_, s6 := h.detached("not-a-token")
		if h.store.Calls("Load") != loads {
			t.Errorf("Load of a malformed token called the store")
		}
		if c := h.issued(s6); c == nil || c.MaxAge >= 0 || !s6.IsNew() || s6.Ended() {
			t.Errorf("a malformed token gives Cookie %v, new=%v; want a deleting cookie and an anonymous session", c, s6.IsNew())
		}

		// An outage is an error, not an anonymous session, and the error does
		// not carry the token.
		h.store.down.Store(true)
		_, err = h.mgr.Load(t.Context(), rotated.Value)
		h.store.down.Store(false)
		if !errors.Is(err, session.ErrUnavailable) || strings.Contains(err.Error(), rotated.Value) {
			t.Fatalf("Load during an outage = %v; want ErrUnavailable without the token", err)
		}
	})
}

func TestLoadKeyActsForAUserWithoutTheirToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		laptop, phone := h.client(), h.client()
		laptop.post("/set?user=alice&name=laptop").mustOK(t)
		phone.post("/set?user=alice&name=phone").mustOK(t)

		// The job finds the user's sessions through one of them, as a
		// "your devices" page does, and keeps only their keys.
		ctx, s := h.detached(laptop.sessionCookie())
		devices, err := s.Devices(ctx)
		if err != nil || len(devices) != 2 {
			t.Fatalf("Devices = %v, %v; want alice's 2 sessions", devices, err)
		}
		for _, d := range devices {
			ctx, err := h.mgr.LoadKey(t.Context(), d.Key)
			if err != nil {
				t.Fatalf("LoadKey(%s): %v", d.Key.Prefix(), err)
			}
			s := h.mgr.From(ctx)
			s.SetFlash("payment received")
			if err := s.Rotate(ctx); err != nil {
				t.Fatalf("Rotate of a session loaded by key = %v; want nil (nothing to rotate without a token)", err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if c := h.issued(s); c != nil {
				t.Errorf("Cookie of a session loaded by key = %v; want nil: there is no client to send it to", c)
			}
		}
		for _, b := range []*client{laptop, phone} {
			r := b.get("/get")
			if !strings.Contains(r.body, "flash=payment received") || len(r.setCookies()) != 0 {
				t.Errorf("after the job a browser sees %q with Set-Cookie %q; want the flash and its own cookie kept", r.body, r.setCookies())
			}
		}

		// A key that names no live session is refused, never recreated.
		phone.post("/logout").mustOK(t)
		for _, d := range devices {
			_, err := h.mgr.LoadKey(t.Context(), d.Key)
			if d.Current && err != nil {
				t.Errorf("LoadKey(laptop) = %v", err)
			}
			if !d.Current && !errors.Is(err, session.ErrNotFound) {
				t.Errorf("LoadKey(logged-out phone) = %v; want ErrNotFound", err)
			}
		}
		if _, err := h.mgr.LoadKey(t.Context(), session.Key{1, 2, 3}); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("LoadKey(unknown) = %v; want ErrNotFound", err)
		}
	})
}

// TestSessionAfterAnUpgrade plays a WebSocket: the upgrade request goes
// through the middleware, then the handler takes the connection over and
// serves messages for as long as it is open. Each message loads the session
// as it is now from the upgrade request's cookie (LoadHeader) and changes it
// through Update, so that the socket and the browser's ordinary requests
// change one session at the same time without losing anything, and a logout
// elsewhere ends the socket's access at once.
func TestSessionAfterAnUpgrade(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		h.mux.HandleFunc("GET /lines", func(w http.ResponseWriter, r *http.Request) {
			upgrade := r.Header.Clone()
			conn, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer conn.Close()
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: lines\r\n\r\n")
			rw.Flush()
			for {
				item, err := rw.ReadString('\n')
				if err != nil {
					return
				}
				fmt.Fprintln(rw, h.socketMessage(upgrade, strings.TrimSpace(item)))
				rw.Flush()
			}
		})
		b := h.client()
		b.post("/set?name=ann").mustOK(t)
		tok := b.sessionCookie()
		cfg := h.srv.Client().Transport.(*http.Transport).TLSClientConfig
		conn, err := tls.Dial("tcp", h.srv.Listener.Addr().String(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /lines HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: lines\r\nCookie: %s=%s\r\n\r\n", cookieName, tok)
		rd := bufio.NewReader(conn)
		resp, err := http.ReadResponse(rd, nil)
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("upgrade: %v, %v", resp, err)
		}
		send := func(item string) string {
			t.Helper()
			fmt.Fprintln(conn, item)
			reply, err := rd.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(reply)
		}

		const n = 8
		var wg sync.WaitGroup
		wg.Go(func() {
			for range n {
				b.post("/incr").mustOK(t)
			}
		})
		for i := range n {
			if got := send(fmt.Sprint("item", i)); got != "ok" {
				t.Errorf("message %d: %q", i, got)
			}
		}
		wg.Wait()
		got := b.get("/get").body
		if !strings.Contains(got, fmt.Sprintf("count=%d ", n)) || !strings.Contains(got, "cart=item0,item1,item2,item3,item4,item5,item6,item7 ") {
			t.Fatalf("after %d socket messages and %d parallel requests the session is %q; want every item and every increment", n, n, got)
		}

		b.post("/logout").mustOK(t)
		if got := send("late"); got != "signed out" {
			t.Fatalf("a socket message after the logout got %q; want signed out", got)
		}
		if got := h.bare().do(http.MethodGet, "/get", cookieName+"="+tok).body; strings.Contains(got, "late") || !strings.Contains(got, "name= ") {
			t.Fatalf("the logged-out session came back: %q", got)
		}
	})
}

// socketMessage adds item to the cart of the session the upgrade request's
// cookie names, as it is stored now.
func (h *harness) socketMessage(upgrade http.Header, item string) string {
	ctx, err := h.mgr.LoadHeader(context.Background(), upgrade)
	if err != nil {
		return "unavailable"
	}
	s := h.mgr.From(ctx)
	if s.IsNew() {
		return "signed out"
	}
	err = s.Update(ctx, func(v *testvisitor.Visitor) error {
		v.Cart = append(v.Cart, item)
		return nil
	})
	if err != nil {
		return err.Error()
	}
	return "ok"
}
