package webapp

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/storeurl"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// cookieName is the example's session cookie: the library's secure default.
const cookieName = "__Host-session"

// requestTimeout bounds one request of a test browser.
const requestTimeout = 30 * time.Second

// sqliteURL returns a SQLite database file in the test's temporary directory.
func sqliteURL(t *testing.T) string { return filepath.Join(t.TempDir(), "example.db") }

// dirURL returns a directory store in the test's temporary directory.
func dirURL(t *testing.T) string { return "dir://" + filepath.Join(t.TempDir(), "sessions") }

// mysqlURL returns a mysql:// URL for a fresh MariaDB database of the test's.
func mysqlURL(t *testing.T) string { return "mysql://" + testdb.MySQLDSN(t) }

// openDB opens and migrates the database at dbURL, as the example's main does,
// and closes it when the test ends.
func openDB(t *testing.T, dbURL string) *storeurl.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := storeurl.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", storeurl.Redact(dbURL), err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// serveApp serves the example on db over TLS: the session cookie is Secure,
// and Go's cookie jar, like a browser, sends Secure cookies only over HTTPS.
func serveApp(t *testing.T, db *storeurl.DB) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(newApp(db.Store).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// browser is a test client with its own cookie jar: one browser profile.
type browser struct {
	t      *testing.T
	client *http.Client
	base   *url.URL
}

// newBrowser returns a browser with an empty cookie jar.
func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := *srv.Client()
	client.Jar, client.Timeout = jar, requestTimeout
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &client, base: base}
}

// get loads path and returns the page, failing unless it answers 200.
func (b *browser) get(path string) htmlPage {
	b.t.Helper()
	return b.do(b.client.Get(b.base.JoinPath(path).String()))
}

// post submits form to path, follows the redirect and returns the page it
// leads to, failing unless that answers 200.
func (b *browser) post(path string, form url.Values) htmlPage {
	b.t.Helper()
	return b.do(b.client.PostForm(b.base.JoinPath(path).String(), form))
}

func (b *browser) do(resp *http.Response, err error) htmlPage {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s: status %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body)
	}
	return htmlPage(body)
}

// token returns the session cookie the browser holds ("" for none).
func (b *browser) token() string {
	for _, c := range b.client.Jar.Cookies(b.base) {
		if c.Name == cookieName {
			return c.Value
		}
	}
	return ""
}

// setToken replaces the browser's session cookie, as an attacker replaying
// a copied cookie would.
func (b *browser) setToken(value string) {
	b.client.Jar.SetCookies(b.base, []*http.Cookie{{Name: cookieName, Value: value, Path: "/", Secure: true, HttpOnly: true}})
}

// login logs the browser in as name and checks the welcome page.
func (b *browser) login(name string) htmlPage {
	b.t.Helper()
	p := b.post("/login", url.Values{"name": {name}})
	if got := p.user(); got != name {
		b.t.Fatalf("after logging in as %q the page shows user %q:\n%s", name, got, p)
	}
	return p
}

// htmlPage is a rendered HTML page; its methods read the elements the templates
// mark with an id.
type htmlPage string

func (p htmlPage) String() string { return string(p) }

// byID returns the text of the element with id, and whether it exists.
func (p htmlPage) byID(id string) (string, bool) {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(string(p))
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(m[1]), true
}

// user is the logged-in user's display name, "" when anonymous.
func (p htmlPage) user() string { s, _ := p.byID("user"); return s }

// flash is the flash message, "" when none.
func (p htmlPage) flash() string { s, _ := p.byID("flash"); return s }

// prices lists the cart page's subtotals by product, then its total:
// "tea=€13.00 mug=€14.00 total=€27.00".
func (p htmlPage) prices() string {
	var out []string
	for _, m := range regexp.MustCompile(`id="subtotal-([a-z]+)">([^<]*)<`).FindAllStringSubmatch(string(p), -1) {
		out = append(out, m[1]+"="+m[2])
	}
	total, _ := p.byID("cart-total")
	return strings.Join(append(out, "total="+total), " ")
}

// cartCount is the number of items in the cart as shown.
func (p htmlPage) cartCount() string { s, _ := p.byID("cart-count"); return s }

// devicePrefixes lists the device key prefixes of the devices page, and which
// one is marked as this browser.
func (p htmlPage) devicePrefixes() (all []string, current string) {
	rows := regexp.MustCompile(`<tr class="device( current)?" data-key="([0-9a-f]+)">`).FindAllStringSubmatch(string(p), -1)
	for _, r := range rows {
		all = append(all, r[2])
		if r[1] != "" {
			current = r[2]
		}
	}
	return all, current
}
