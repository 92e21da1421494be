package e2e

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// screenshotPath, when set, receives the PNG of the devices page taken on the
// SQLite run (docs/devices.png is made this way).
var screenshotPath = flag.String("screenshot", "", "write the devices page screenshot to this `file`")

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// TestBrowser runs issue 5's browser scenario on SQLite and on PostgreSQL,
// one after the other (two Chromiums at once are too much for a small CI
// machine).
func TestBrowser(t *testing.T) {
	findChromium(t) // fail first, and clearly, when Chromium is missing
	bin := buildExample(t)
	t.Run("sqlite", func(t *testing.T) {
		browse(t, startExample(t, bin, filepath.Join(t.TempDir(), "example.db")), *screenshotPath)
	})
	t.Run("postgres", func(t *testing.T) {
		browse(t, startExample(t, bin, newPostgresDatabase(t)), "")
	})
}

// exampleLifetime is the example's absolute session lifetime (the library's
// default, which the example keeps).
const exampleLifetime = 24 * time.Hour

// minLinkContrast is WCAG 2's level AA for normal text.
const minLinkContrast = 4.5

// browse walks through the steps against the example served at base.
func browse(t *testing.T, base, screenshotTo string) {
	browser := startBrowser(t)
	first := newVisitor(t, browser, "first browser", base)

	// 0. Pages only read the session: a visitor who just looks around gets
	// no cookie (and the app no row).
	for _, path := range []string{"/", "/products", "/cart", "/devices"} {
		first.open(path)
	}
	if c := first.findSessionCookie(); c != nil {
		t.Errorf("step 0: looking at pages set a session cookie")
	}

	// 1. Log in without "remember me". The cookie is Secure and HttpOnly,
	// and Chromium keeps it on http://127.0.0.1, which it treats as a secure
	// context. It is a browser-session cookie: it ends when the browser
	// closes.
	home := first.login("Alice", false)
	if !strings.Contains(home.Flash, "Welcome, Alice!") {
		t.Errorf("step 1: flash after login = %q", home.Flash)
	}
	if c := first.sessionCookie(); !c.Secure || !c.HTTPOnly || c.Value == "" || !c.Session {
		t.Errorf("step 1: session cookie secure=%v httpOnly=%v session=%v (expires %v)", c.Secure, c.HTTPOnly, c.Session, c.Expires)
	}

	// 2. Add items to the cart.
	first.open("/products")
	for _, id := range []string{"tea", "tea", "mug"} {
		first.submit("#add-" + id)
	}

	// 3. See the flash once, and the cart with its prices and total.
	products := first.state()
	if products.Flash != "Added Stoneware mug to your cart." || products.CartCount != "3" {
		t.Errorf("step 3: after adding tea, tea, mug: %v", products)
	}
	if cart := first.open("/cart"); cart.Flash != "" || cart.CartTotal != "€27.00" {
		t.Errorf("step 3: cart after tea, tea, mug: %v (want no flash: read once; total €27.00)", cart)
	}

	// 4. A second browser context logs in as the same user, with "remember
	// me": its cookie outlives the browser and ends with the session's
	// absolute lifetime (the example keeps the default, 24 hours).
	second := newVisitor(t, browser, "second browser", base)
	loggedIn := time.Now()
	second.login("Alice", true)
	if c := second.sessionCookie(); c.Session || !cookieEndsNear(c.Expires, loggedIn.Add(exampleLifetime)) {
		t.Errorf("step 4: remembered cookie session=%v expires %v, want about %v",
			c.Session, time.Unix(int64(c.Expires), 0).UTC(), loggedIn.Add(exampleLifetime).UTC())
	}

	// 5. The first revokes it from the devices page.
	devices := first.open("/devices")
	if devices.Devices != 2 || devices.Current != 1 || len(devices.Rows) != 2 {
		t.Fatalf("step 5: devices page lists %d devices, %d current; want 2 and 1", devices.Devices, devices.Current)
	}
	// Each row tells a person what the device is: the browser (Chromium
	// says Chrome, or HeadlessChrome), its system, the network prefix of
	// 127.0.0.1, when it signed in and was last active, whether it is
	// remembered, and which one is this browser.
	for i, row := range devices.Rows {
		remember := "on" // the second browser, newest, comes first
		if row.Current {
			remember = "off"
		}
		if !strings.Contains(row.Browser, "Chrome") || row.OS != "Linux" || row.Network != "127.0.0.0/24" ||
			row.SignedIn == "" || row.SignedIn == "-" || row.LastActive == "" || row.LastActive == "-" ||
			row.Remember != remember || row.ThisBadge != row.Current || row.Current != (i == 1) {
			t.Errorf("step 5: device row %d = %+v", i, row)
		}
	}
	saveScreenshot(t, first.screenshot(), screenshotTo)
	revoked := first.submit("#devices tr:not(.current) button")
	if !strings.HasPrefix(revoked.Flash, "Logged out device ") || revoked.Devices != 1 || revoked.Current != 1 {
		t.Errorf("step 5: after revoking the second browser: %v", revoked)
	}

	// 6. The second browser is logged out on its next request.
	if s := second.open("/"); s.User != "" || !s.Anonymous {
		t.Errorf("step 6: the revoked browser still shows %v", s)
	}
	if s := first.open("/"); s.User != "Alice" {
		t.Errorf("step 6: the first browser was logged out too: %v", s)
	}

	// 7. Log out; the old cookie no longer works. A replayed cookie does work
	// before the logout (so the replay itself is sound), not after it.
	oldToken := first.sessionCookie().Value
	replayBefore := newVisitor(t, browser, "replay before logout", base)
	replayBefore.setSessionCookie(oldToken)
	if s := replayBefore.open("/"); s.User != "Alice" {
		t.Fatalf("step 7: a copy of the live cookie does not load the session: %v", s)
	}
	if s := first.submit("#logout"); s.User != "" || !s.Anonymous {
		t.Errorf("step 7: still logged in after logout: %v", s)
	}
	replayAfter := newVisitor(t, browser, "replay after logout", base)
	replayAfter.setSessionCookie(oldToken)
	if s := replayAfter.open("/"); s.User != "" || !s.Anonymous || s.CartCount != "0" {
		t.Errorf("step 7: the logged-out cookie still works: %v", s)
	}

	// 8. Links are readable in both themes.
	reader := newVisitor(t, browser, "theme reader", base)
	reader.open("/")
	for _, theme := range []string{"light", "dark"} {
		if theme == "dark" {
			reader.submit(`button[name="theme"][value="dark"]`)
		}
		c := reader.linkContrast()
		if c.Links == 0 || c.Dark != (theme == "dark") || c.Min < minLinkContrast {
			t.Errorf("step 8: %s theme: %d links, dark=%v, lowest contrast %.2f; want links, contrast >= %.1f",
				theme, c.Links, c.Dark, c.Min, minLinkContrast)
		}
	}
}

// saveScreenshot checks that png is a PNG and writes it to path, if any.
func saveScreenshot(t *testing.T, png []byte, path string) {
	t.Helper()
	if !bytes.HasPrefix(png, pngSignature) {
		t.Fatalf("the screenshot is not a PNG (%d bytes)", len(png))
	}
	if path == "" {
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("devices page screenshot: %s (%d bytes)", path, len(png))
}

// cookieEndsNear reports whether a cookie's expiry (seconds since the epoch,
// as Chromium reports it) is within an hour of want: the bound only has to
// tell "ends with the session" from "ends with the browser" or "ends in some
// other year", and an hour leaves a loaded machine all the slack it needs.
func cookieEndsNear(expires float64, want time.Time) bool {
	got := time.Unix(int64(expires), 0)
	return got.After(want.Add(-time.Hour)) && got.Before(want.Add(time.Hour))
}
