package webapp

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/sessiongen/sessiongen/example/shop"
	"github.com/sessiongen/sessiongen/session"
)

//go:embed templates/*.html
var templateFiles embed.FS

// app is the example's web application: its handlers share the session
// manager and the parsed pages.
type app struct {
	sessions shop.VisitorManager
	pages    map[string]*template.Template
}

// pageNames lists the templates that render a whole page inside layout.html.
var pageNames = []string{"home.html", "products.html", "cart.html", "devices.html"}

// maxSessionsPerUser caps the sessions of one user: a login beyond it ends
// the user's least recently used session, so that nobody can make one
// user's device list (and every per-user operation) grow without bound.
const maxSessionsPerUser = 10

// newApp returns the application storing its sessions in store.
func newApp(store session.Store) *app {
	a := &app{sessions: shop.NewVisitorManager(store), pages: map[string]*template.Template{}}
	a.sessions.MaxSessionsPerOwner = maxSessionsPerUser
	funcs := template.FuncMap{"when": formatTime, "count": count}
	for _, name := range pageNames {
		a.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFiles, "templates/layout.html", "templates/"+name))
	}
	return a
}

// Handler routes the pages. Every state change is a POST; cross-origin POSTs
// are refused (CrossOriginProtection checks Sec-Fetch-Site and Origin), which
// together with the SameSite=Lax cookie stops cross-site request forgery.
func (a *app) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /theme", a.setTheme)
	mux.HandleFunc("GET /products", a.products)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("POST /cart/add", a.addToCart)
	mux.HandleFunc("POST /cart/remove", a.removeFromCart)
	mux.HandleFunc("GET /devices", a.devices)
	mux.HandleFunc("POST /devices/revoke", a.revokeDevice)
	mux.HandleFunc("POST /devices/revoke-others", a.revokeOthers)
	return http.NewCrossOriginProtection().Handler(a.sessions.Handler(mux))
}

// page is what every template sees: the visitor's state, shown in the
// layout, and the fields of the page being rendered.
type page struct {
	Title       string
	Flash       string
	UserName    string
	DisplayName string
	LoggedInAt  time.Time
	Cart        cartView
	Theme       string

	Products []product
	Devices  []deviceView
}

// render takes the flash message (a message the handler put in p.Flash shows
// when there is none) and renders the page name with the visitor's state. A GET changes nothing else in the session and never
// creates one: a visitor without a cookie gets no row and no cookie until a
// POST stores something. It renders into a buffer first, so that a template
// error becomes a clean 500 rather than half a page; a flash taken is saved
// on the first write, before the header leaves.
func (a *app) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	s := a.sessions.From(r.Context())
	if flash := s.PopFlash(); flash != "" {
		p.Flash = flash
	}
	if p.Flash == "" && s.Ended() {
		p.Flash = signedOut
	}
	p.UserName, p.DisplayName, p.LoggedInAt = s.UserName(), s.DisplayName(), s.LoggedInAt()
	p.Cart, p.Theme = priceCart(s.Cart()), s.Theme()
	var buf bytes.Buffer
	if err := a.pages[name].Execute(&buf, p); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// signedOut is the notice for a browser whose session ended under it: revoked
// from another device or by an operator, or expired.
const signedOut = "You were signed out: this browser was logged out from another device, or its session expired."

// redirect ends a POST with a 303 to target, after setting the flash message
// shown there (none when flash is empty).
func (a *app) redirect(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		a.sessions.From(r.Context()).SetFlash(flash)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail logs err and answers as the session manager does (see
// session.DefaultErrorHandler). A client that went away is no failure of
// ours: logged at debug level, not as an error.
func (a *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	level := slog.LevelError
	if errors.Is(err, session.ErrCanceled) {
		level = slog.LevelDebug
	}
	slog.Log(r.Context(), level, "request failed", "path", r.URL.Path, "err", err)
	session.DefaultErrorHandler(w, r, err)
}

// count formats n things: "1 item", "2 items".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatTime shows a time to the visitor, in UTC (the pages say so).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2 Jan 15:04:05")
}
