package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserTimeout bounds everything one browser does in a test.
const browserTimeout = 3 * time.Minute

// cookieName is the example's session cookie.
const cookieName = "__Host-session"

// findChromium returns the Chromium binary, failing with what to install.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("Chromium not found in PATH: the browser test needs it. Debian/Ubuntu: apt-get update && apt-get install -y chromium")
	return ""
}

// startBrowser starts one headless Chromium process with a fresh profile and
// returns its context; the browser exits when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	profile := t.TempDir() // registered first, so removed after the browser exits
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(findChromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // the test may run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(960, 560),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(browserCtx)
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return browserCtx
}

// visitor is one browser context (its own cookies, like a separate browser
// or an incognito window) in a running Chromium.
type visitor struct {
	t    *testing.T
	name string
	ctx  context.Context
	base string
}

// newVisitor opens a new browser context with no cookies.
func newVisitor(t *testing.T, browser context.Context, name, base string) *visitor {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return &visitor{t: t, name: name, ctx: ctx, base: strings.TrimSuffix(base, "/")}
}

// pageState is what a page of the example shows, read by element id.
type pageState struct {
	Path      string `json:"path"`
	User      string `json:"user"`
	Anonymous bool   `json:"anonymous"`
	Flash     string `json:"flash"`
	CartCount string `json:"cartCount"`
	CartTotal string `json:"cartTotal"`
	Devices   int    `json:"devices"`
	Current   int    `json:"current"`
	// Rows are the devices page's rows, in page order (newest first).
	Rows []deviceRow `json:"rows"`
}

// deviceRow is one row of the devices page, read by cell class.
type deviceRow struct {
	Browser    string `json:"browser"`
	OS         string `json:"os"`
	Network    string `json:"network"`
	SignedIn   string `json:"signedIn"`
	LastActive string `json:"lastActive"`
	Remember   string `json:"remember"`
	Current    bool   `json:"current"`
	ThisBadge  bool   `json:"thisBadge"`
}

// readState is the script that fills pageState.
const readState = `(() => {
  const text = id => { const e = document.getElementById(id); return e ? e.textContent.trim() : ""; };
  return {
    path: location.pathname, user: text("user"), anonymous: !!document.getElementById("anonymous"),
    flash: text("flash"), cartCount: text("cart-count"), cartTotal: text("cart-total"),
    devices: document.querySelectorAll("#devices tr.device").length,
    current: document.querySelectorAll("#devices tr.current").length,
    rows: [...document.querySelectorAll("#devices tr.device")].map(tr => {
      const cell = c => { const e = tr.querySelector("." + c); return e ? e.textContent.trim() : ""; };
      return {
        browser: cell("browser"), os: cell("os"), network: cell("network"), signedIn: cell("signed-in"),
        lastActive: cell("last-active"), remember: cell("remember"), current: tr.classList.contains("current"),
        thisBadge: !!tr.querySelector(".badge") && tr.querySelector(".badge").textContent.trim() === "this browser",
      };
    }),
  };
})()`

// do runs browser actions, failing the test with step on error.
func (v *visitor) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	v.t.Helper()
	if err := chromedp.Do(v.ctx, actions...); err != nil {
		v.t.Fatalf("%s: %s: %v", v.name, step, err)
	}
}

// open loads path and returns what the page shows.
func (v *visitor) open(path string) pageState {
	v.t.Helper()
	v.do("open "+path, chromedp.Navigate(v.base+path))
	return v.state()
}

// submit clicks the button selected by css, waits for the page the form
// leads to (after the redirect) and returns what it shows.
func (v *visitor) submit(css string) pageState {
	v.t.Helper()
	if _, err := chromedp.RunResponse(v.ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		v.t.Fatalf("%s: click %s: %v", v.name, css, err)
	}
	return v.state()
}

// state reads the current page.
func (v *visitor) state() pageState {
	v.t.Helper()
	s, err := chromedp.Run(v.ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		v.t.Fatalf("%s: reading the page: %v", v.name, err)
	}
	return s
}

// login logs in as name from the home page, ticking "remember me" when
// remember is set.
func (v *visitor) login(name string, remember bool) pageState {
	v.t.Helper()
	v.open("/")
	v.do("type the name", chromedp.SendKeys(chromedp.CSS("#name"), name))
	if remember {
		v.do("tick remember me", chromedp.Click(chromedp.CSS("#remember")))
	}
	s := v.submit("#login")
	if s.User != name {
		v.t.Fatalf("%s: after logging in as %q the page shows %+v", v.name, name, s)
	}
	return s
}

// sessionCookie returns the browser's session cookie, failing if there is
// none.
func (v *visitor) sessionCookie() *network.Cookie {
	v.t.Helper()
	found := v.findSessionCookie()
	if found == nil {
		v.t.Fatalf("%s: the browser holds no %q cookie for %s", v.name, cookieName, v.base)
	}
	return found
}

// findSessionCookie returns the browser's session cookie, or nil.
func (v *visitor) findSessionCookie() *network.Cookie {
	v.t.Helper()
	var found *network.Cookie
	v.do("read cookies", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{v.base + "/"}})
		for _, c := range res.Cookies {
			if c.Name == cookieName {
				found = c
			}
		}
		return err
	}))
	return found
}

// linkContrast is how readable the links of a page are.
type linkContrast struct {
	Links int     `json:"links"`
	Min   float64 `json:"min"` // the lowest WCAG contrast ratio of a link against its background
	Dark  bool    `json:"dark"`
}

// readLinkContrast computes, as WCAG 2 defines it, the contrast ratio of every
// link in the page's main part against the background it sits on (the nearest
// ancestor with an opaque background), and returns the lowest.
const readLinkContrast = `(() => {
  const rgba = s => s.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const links = [...document.querySelectorAll("main a")];
  let min = 21;
  for (const a of links) {
    const l1 = lum(rgba(getComputedStyle(a).color)), l2 = lum(background(a));
    min = Math.min(min, (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05));
  }
  return {links: links.length, min: min, dark: document.body.classList.contains("dark")};
})()`

// linkContrast measures the current page's links.
func (v *visitor) linkContrast() linkContrast {
	v.t.Helper()
	c, err := chromedp.Run(v.ctx, chromedp.Evaluate[linkContrast](readLinkContrast))
	if err != nil {
		v.t.Fatalf("%s: measuring link contrast: %v", v.name, err)
	}
	return c
}

// setSessionCookie plants a session cookie value, as someone replaying a
// copied cookie would.
func (v *visitor) setSessionCookie(value string) {
	v.t.Helper()
	secure, httpOnly := true, true
	v.do("set cookie", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{
			Name: cookieName, Value: value, URL: v.base + "/", Secure: &secure, HTTPOnly: &httpOnly,
		})
		return err
	}))
}

// screenshot captures the viewport as PNG.
func (v *visitor) screenshot() []byte {
	v.t.Helper()
	png, err := chromedp.Run(v.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		v.t.Fatalf("%s: screenshot: %v", v.name, err)
	}
	return png
}

func (s pageState) String() string {
	return fmt.Sprintf("%s user=%q anonymous=%v flash=%q cart=%s total=%s devices=%d",
		s.Path, s.User, s.Anonymous, s.Flash, s.CartCount, s.CartTotal, s.Devices)
}
