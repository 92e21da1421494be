package webapp

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/storeurl"
)

func TestAppOnSQLite(t *testing.T) {
	t.Parallel()
	db := openDB(t, sqliteURL(t))
	exerciseApp(t, db, serveApp(t, db))
}

func TestAppOnDirectory(t *testing.T) {
	t.Parallel()
	db := openDB(t, dirURL(t))
	exerciseApp(t, db, serveApp(t, db))
}

func TestAppOnPostgres(t *testing.T) {
	t.Parallel()
	db := openDB(t, testdb.New(t))
	exerciseApp(t, db, serveApp(t, db))
}

func TestAppOnMySQL(t *testing.T) {
	t.Parallel()
	db := openDB(t, mysqlURL(t))
	exerciseApp(t, db, serveApp(t, db))
}

// exerciseApp walks through every feature of the example as users would, in
// order: each step depends on the state the previous ones left.
func exerciseApp(t *testing.T, db *storeurl.DB, srv *httptest.Server) {
	alice := newBrowser(t, srv)

	// Pages only read the session: a visitor without a cookie gets none, and
	// the store gets no row, whatever page it loads.
	for _, path := range []string{"/", "/products", "/cart", "/devices", "/"} {
		if p := alice.get(path); p.user() != "" {
			t.Fatalf("a new visitor is not anonymous on %s:\n%s", path, p)
		}
	}
	if alice.token() != "" {
		t.Fatal("a GET set a session cookie")
	}
	if n := countSessions(t, db); n != 0 {
		t.Fatalf("anonymous GETs stored %d sessions, want 0", n)
	}

	// A POST stores the first thing: the session and its cookie appear.
	alice.post("/cart/add", url.Values{"product": {"honey"}})
	anonymousToken := alice.token()
	if anonymousToken == "" || countSessions(t, db) != 1 {
		t.Fatal("adding to the cart stored no session")
	}

	// Log in: the flash greets once, the token rotates, the cart stays.
	home := alice.login("Alice")
	if !strings.Contains(home.flash(), "Welcome, Alice!") {
		t.Errorf("flash after login = %q", home.flash())
	}
	if home.cartCount() != "1" {
		t.Errorf("cart after login = %q, want 1 (rotation keeps the data)", home.cartCount())
	}
	if alice.token() == anonymousToken || alice.token() == "" {
		t.Errorf("login did not rotate the session token")
	}
	if again := alice.get("/"); again.flash() != "" {
		t.Errorf("second view after login: flash %q (want none: read once)", again.flash())
	}
	checkGETChangesNothing(t, db, alice, "alice")

	// Cart: add, add again, add another, refuse an unknown product, remove;
	// prices come from the catalog, with a total.
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
	if got := cart.prices(); cart.cartCount() != "4" || got != "honey=€8.20 tea=€13.00 mug=€14.00 total=€35.20" {
		t.Fatalf("cart after adding honey, tea, tea, mug: count %q, prices %q:\n%s", cart.cartCount(), got, cart)
	}
	if !strings.Contains(string(cart), "4 items") {
		t.Errorf("the cart does not say 4 items:\n%s", cart)
	}
	cart = alice.post("/cart/remove", url.Values{"product": {"mug"}})
	if cart.cartCount() != "3" || cart.flash() != "Removed Stoneware mug from your cart." || strings.Contains(string(cart), "remove-mug") {
		t.Errorf("after removing the mug: count %q, flash %q", cart.cartCount(), cart.flash())
	}
	if got := cart.prices(); got != "honey=€8.20 tea=€13.00 total=€21.20" {
		t.Errorf("prices after removing the mug: %q", got)
	}
	if p := alice.post("/cart/remove", url.Values{"product": {"mug"}}); p.flash() != "That product is not in your cart." {
		t.Errorf("removing a product not in the cart: flash %q", p.flash())
	}
	one := newBrowser(t, srv)
	if p := one.post("/cart/add", url.Values{"product": {"tea"}}); !strings.Contains(string(p), "Cart (<span id=\"cart-count\">1</span>)") {
		t.Errorf("one tea: header cart count wrong:\n%s", p)
	}
	if s, _ := one.get("/").byID("cart-summary"); s != "1 item, €6.50" {
		t.Errorf("home's cart summary for one tea = %q, want \"1 item, €6.50\"", s)
	}

	checkParallelAddsAllCount(t, alice)

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
	if got := phone.get("/"); got.user() != "" || got.flash() != signedOut {
		t.Errorf("the revoked phone's next page: user %q, notice %q; want anonymous and %q", got.user(), got.flash(), signedOut)
	}
	if got := phone.get("/").flash(); got != "" {
		t.Errorf("the notice shows again on the page after: %q", got)
	}
	if left, _ := alice.get("/devices").devicePrefixes(); len(left) != 1 || left[0] != current {
		t.Errorf("alice's devices after revoking the phone = %v, want only %s", left, current)
	}

	// Log out all others: two more browsers go, alice and bob stay.
	tablet, laptop := newBrowser(t, srv), newBrowser(t, srv)
	tablet.login("Alice")
	laptop.login("alice") // the same user: logins are case-insensitive
	p = alice.post("/devices/revoke-others", nil)
	if p.flash() != "Logged out 2 other devices." {
		t.Errorf("flash after revoking others = %q", p.flash())
	}
	if tablet.get("/").flash() != signedOut || laptop.get("/").user() != "" {
		t.Error("revoke-others left another device of alice logged in")
	}
	if alice.get("/").user() != "Alice" || bob.get("/").user() != "Bob" {
		t.Error("revoke-others logged out the current device or another user")
	}

	// Log out: the old cookie, replayed, is anonymous.
	oldToken := alice.token()
	if home := alice.post("/logout", nil); home.user() != "" || home.flash() != "" {
		t.Fatalf("still logged in, or told of an ended session, after logout:\n%s", home)
	}
	replay := newBrowser(t, srv)
	replay.setToken(oldToken)
	if home := replay.get("/"); home.user() != "" || home.cartCount() != "0" {
		t.Errorf("the logged-out cookie still works: user %q, cart %q", home.user(), home.cartCount())
	}

	checkAnonymousPages(t, newBrowser(t, srv))
	checkCrossOriginRefused(t, srv, bob)
}

// checkParallelAddsAllCount adds a product from parallel requests and checks
// that every one was counted: the cart changes through Session.Update.
func checkParallelAddsAllCount(t *testing.T, b *browser) {
	t.Helper()
	before, err := strconv.Atoi(b.get("/").cartCount())
	if err != nil {
		t.Fatal(err)
	}
	const parallel = 8
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() { b.post("/cart/add", url.Values{"product": {"pot"}}) })
	}
	wg.Wait()
	after, err := strconv.Atoi(b.get("/").cartCount())
	if err != nil {
		t.Fatal(err)
	}
	if want := before + parallel; after != want {
		t.Errorf("cart count after %d parallel adds = %d, want %d", parallel, after, want)
	}
}

// checkGETChangesNothing loads every page of a logged-in user and checks that
// the stored session (its version and payload) did not change.
func checkGETChangesNothing(t *testing.T, db *storeurl.DB, b *browser, owner string) {
	t.Helper()
	before := ownerSessions(t, db, owner)
	for _, path := range []string{"/", "/products", "/cart", "/devices", "/"} {
		b.get(path)
	}
	after := ownerSessions(t, db, owner)
	if len(before) != len(after) {
		t.Fatalf("GETs changed %s's sessions from %d to %d", owner, len(before), len(after))
	}
	for i := range before {
		if before[i].Version != after[i].Version || !bytes.Equal(before[i].Data, after[i].Data) {
			t.Errorf("GETs changed a session of %s: version %d -> %d", owner, before[i].Version, after[i].Version)
		}
	}
}

// ownerSessions returns owner's live sessions as stored, payload included.
func ownerSessions(t *testing.T, db *storeurl.DB, owner string) []session.Record {
	t.Helper()
	now := time.Now()
	recs, err := db.Store.ListOwner(t.Context(), owner, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs { // ListOwner reads metadata only
		if recs[i], err = db.Store.Load(t.Context(), r.Key, now); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// countSessions counts the stored sessions, live or not.
func countSessions(t *testing.T, db *storeurl.DB) int64 {
	t.Helper()
	n, err := db.Store.Count(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n.Live + n.Expired
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
