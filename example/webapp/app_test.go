package webapp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

func TestAppOnSQLite(t *testing.T) {
	t.Parallel()
	exerciseApp(t, serveApp(t, openDB(t, sqliteURL(t))))
}

func TestAppOnDirectory(t *testing.T) {
	t.Parallel()
	exerciseApp(t, serveApp(t, openDB(t, dirURL(t))))
}

func TestAppOnPostgres(t *testing.T) {
	t.Parallel()
	exerciseApp(t, serveApp(t, openDB(t, testdb.New(t))))
}

// exerciseApp walks through every feature of the example as users would, in
// order: each step depends on the state the previous ones left.
func exerciseApp(t *testing.T, srv *httptest.Server) {
	alice := newBrowser(t, srv)

	home := alice.get("/")
	if _, ok := home.byID("anonymous"); !ok || home.user() != "" {
		t.Fatalf("a new visitor is not anonymous:\n%s", home)
	}
	if home.visits() != "1" {
		t.Fatalf("first page view shows visits %q, want 1", home.visits())
	}
	anonymousToken := alice.token()
	if anonymousToken == "" {
		t.Fatal("the first page view set no session cookie (the counter changed the session)")
	}

	// Log in: the flash greets once, the token rotates, the counter goes on.
	home = alice.login("Alice")
	if !strings.Contains(home.flash(), "Welcome, Alice!") {
		t.Errorf("flash after login = %q", home.flash())
	}
	if home.visits() != "2" {
		t.Errorf("visits after login = %q, want 2 (rotation keeps the data)", home.visits())
	}
	if alice.token() == anonymousToken || alice.token() == "" {
		t.Errorf("login did not rotate the session token")
	}
	if again := alice.get("/"); again.flash() != "" || again.visits() != "3" {
		t.Errorf("second view after login: flash %q (want none: read once), visits %q (want 3)", again.flash(), again.visits())
	}

	// Cart: add, add again, add another, refuse an unknown product, remove.
	for _, id := range []string{"tea", "tea", "mug"} {
		p := alice.post("/cart/add", url.Values{"product": {id}})
		if !strings.HasPrefix(p.flash(), "Added ") {
			t.Errorf("flash after adding %s = %q", id, p.flash())
		}
	}
	if p := alice.post("/cart/add", url.Values{"product": {"caviar"}}); p.flash() != "There is no such product." {
		t.Errorf("flash after adding an unknown product = %q", p.flash())
	}
	cart := alice.get("/cart")
	if cart.cartCount() != "3" || !strings.Contains(string(cart), "Green tea") || !strings.Contains(string(cart), "Stoneware mug") {
		t.Fatalf("cart after adding tea, tea, mug (count %q):\n%s", cart.cartCount(), cart)
	}
	cart = alice.post("/cart/remove", url.Values{"product": {"mug"}})
	if cart.cartCount() != "2" || cart.flash() != "Removed Stoneware mug from your cart." || strings.Contains(string(cart), "remove-mug") {
		t.Errorf("after removing the mug: count %q, flash %q", cart.cartCount(), cart.flash())
	}

	checkCounterIsAtomic(t, alice)

	// A preference: the theme is kept across pages.
	if p := alice.post("/theme", url.Values{"theme": {"dark"}}); !strings.Contains(string(p), `<body class="dark">`) {
		t.Error("the dark theme was not applied")
	}
	if p := alice.post("/theme", url.Values{"theme": {"light"}}); strings.Contains(string(p), `class="dark"`) {
		t.Error("the light theme was not applied")
	}

	// Devices: a second browser as the same user, and one of another user.
	phone, bob := newBrowser(t, srv), newBrowser(t, srv)
	phone.login("Alice")
	bob.login("Bob")
	devices := alice.get("/devices")
	all, current := devices.devicePrefixes()
	if len(all) != 2 || current == "" {
		t.Fatalf("alice's devices = %v, current %q; want 2 with one current:\n%s", all, current, devices)
	}
	if strings.Contains(string(devices), alice.token()) || strings.Contains(string(devices), phone.token()) {
		t.Fatal("the devices page shows a session token")
	}
	phoneDevice := all[0]
	if phoneDevice == current {
		phoneDevice = all[1]
	}

	// Revoking a device that is not one of alice's own is refused.
	bobDevices, bobDevice := bob.get("/devices").devicePrefixes()
	if len(bobDevices) != 1 {
		t.Fatalf("bob's devices = %v", bobDevices)
	}
	for _, prefix := range []string{bobDevice, current, "", "zz"} {
		p := alice.post("/devices/revoke", url.Values{"device": {prefix}})
		if !strings.HasPrefix(p.flash(), "That device is not one of your other devices") {
			t.Errorf("revoking %q: flash %q, want a refusal", prefix, p.flash())
		}
	}
	if bob.get("/").user() != "Bob" || alice.get("/").user() != "Alice" {
		t.Fatal("a refused revoke logged someone out")
	}

	// Revoke the phone: its next request is anonymous, alice stays in.
	p := alice.post("/devices/revoke", url.Values{"device": {phoneDevice}})
	if p.flash() != "Logged out device "+phoneDevice+"." {
		t.Errorf("flash after revoking the phone = %q", p.flash())
	}
	if got := phone.get("/").user(); got != "" {
		t.Errorf("the revoked phone still shows user %q", got)
	}
	if left, _ := alice.get("/devices").devicePrefixes(); len(left) != 1 || left[0] != current {
		t.Errorf("alice's devices after revoking the phone = %v, want only %s", left, current)
	}

	// Log out all others: two more browsers go, alice and bob stay.
	tablet, laptop := newBrowser(t, srv), newBrowser(t, srv)
	tablet.login("Alice")
	laptop.login("alice") // the same user: logins are case-insensitive
	p = alice.post("/devices/revoke-others", nil)
	if p.flash() != "Logged out 2 other device(s)." {
		t.Errorf("flash after revoking others = %q", p.flash())
	}
	if tablet.get("/").user() != "" || laptop.get("/").user() != "" {
		t.Error("revoke-others left another device of alice logged in")
	}
	if alice.get("/").user() != "Alice" || bob.get("/").user() != "Bob" {
		t.Error("revoke-others logged out the current device or another user")
	}

	// Log out: the old cookie, replayed, is anonymous.
	oldToken := alice.token()
	if home := alice.post("/logout", nil); home.user() != "" {
		t.Fatalf("still logged in after logout:\n%s", home)
	}
	replay := newBrowser(t, srv)
	replay.setToken(oldToken)
	if home := replay.get("/"); home.user() != "" || home.cartCount() != "0" {
		t.Errorf("the logged-out cookie still works: user %q, cart %q", home.user(), home.cartCount())
	}

	checkAnonymousPages(t, newBrowser(t, srv))
	checkCrossOriginRefused(t, srv, bob)
}

// checkCounterIsAtomic loads pages in parallel and checks that every view was
// counted: the counter goes through Session.Update.
func checkCounterIsAtomic(t *testing.T, b *browser) {
	t.Helper()
	before, err := strconv.Atoi(b.get("/").visits())
	if err != nil {
		t.Fatal(err)
	}
	const parallel = 8
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() { b.get("/cart") })
	}
	wg.Wait()
	after, err := strconv.Atoi(b.get("/").visits())
	if err != nil {
		t.Fatal(err)
	}
	if want := before + parallel + 1; after != want {
		t.Errorf("visits after %d parallel views = %d, want %d", parallel, after, want)
	}
}

// checkAnonymousPages checks what a visitor who is not logged in gets.
func checkAnonymousPages(t *testing.T, b *browser) {
	t.Helper()
	if p := b.get("/devices"); p.flash() != "Log in to see and manage your devices." {
		t.Errorf("anonymous devices page: flash %q", p.flash())
	}
	if p := b.post("/devices/revoke-others", nil); p.user() != "" || p.flash() == "" {
		t.Errorf("anonymous revoke-others: user %q, flash %q", p.user(), p.flash())
	}
	for _, name := range []string{"", "   ", "<script>", strings.Repeat("x", maxNameLen+1)} {
		if p := b.post("/login", url.Values{"name": {name}}); p.user() != "" || !strings.HasPrefix(p.flash(), "Type a name") {
			t.Errorf("login as %q: user %q, flash %q", name, p.user(), p.flash())
		}
	}
}

// checkCrossOriginRefused checks that a state-changing POST from another site
// is refused even though the browser would attach the cookie.
func checkCrossOriginRefused(t *testing.T, srv *httptest.Server, b *browser) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /logout: status %d, want 403", resp.StatusCode)
	}
	if b.get("/").user() == "" {
		t.Error("a cross-site POST logged the user out")
	}
}
