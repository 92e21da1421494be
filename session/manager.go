package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Defaults that New sets. They are documented in docs/RUNTIME.md.
const (
	// DefaultIdleTimeout ends a session nobody used for 30 minutes (OWASP's
	// upper bound for low-risk applications).
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultLifetime ends any session 24 hours after it was created.
	DefaultLifetime = 24 * time.Hour
	// DefaultTouchFraction refreshes the idle expiry only after a quarter of the
	// idle window has passed since it was last written, so that read-only
	// requests rarely write.
	DefaultTouchFraction = 0.25
	// DefaultRotateGrace is the window of a rotated-away token: 30 seconds,
	// long enough for requests already in flight with it.
	DefaultRotateGrace = 30 * time.Second
	// DefaultMaxRetries bounds the reload-merge-save rounds after a version
	// conflict.
	DefaultMaxRetries = 10
)

// Manager loads, saves and rotates sessions of type T for HTTP requests. P is the
// generated codec (*T). Configure it through its fields after New and before its
// Handler serves the first request; it must not be changed afterwards.
//
// Several managers may serve one application (different session types, or the
// same type under different cookie names): each finds its own session in the
// request context.
type Manager[T any, P Codec[T]] struct {
	// Store persists the sessions.
	Store Store
	// Cookie configures the session cookie. Its zero value is the secure
	// default (see CookieConfig).
	Cookie CookieConfig
	// IdleTimeout ends a session that no request used for this long.
	IdleTimeout time.Duration
	// Lifetime is the absolute limit of a session counted from its creation,
	// however active it is.
	Lifetime time.Duration
	// TouchFraction (0..1) is the fraction of IdleTimeout that must have passed
	// since the stored idle expiry was last written before a request that
	// changed nothing writes it again. Lower means more precise idle expiry
	// and more writes; 0 touches on every request.
	TouchFraction float64
	// RotateGrace is how long a rotated-away token is still recognised. After
	// Rotate (a privilege change) it loads nothing: requests still carrying
	// it are served anonymously, cannot write, and leave the browser's new
	// cookie alone. After RefreshToken it keeps loading the session, so that
	// requests already in flight with it still work.
	RotateGrace time.Duration
	// MaxSessionsPerOwner caps the live sessions of one user (one owner):
	// when a request gives a session an owner (a login) and the cap is
	// reached, the owner's least recently used other sessions end, as if
	// revoked, so that the new one fits. 0 (the default) sets no cap.
	MaxSessionsPerOwner int
	// MaxRetries bounds the reload-merge-save rounds of a save that keeps
	// losing version races.
	MaxRetries int
	// ErrorHandler writes the response when the session cannot be loaded or
	// saved. err tells why: a *ConflictError (two requests changed a
	// merge=error field), a *ContentionError (the save kept losing races to
	// other processes: nothing was written, a retry may succeed),
	// ErrUnavailable (the store failed or the deadline passed), ErrCanceled
	// (the client went away; nobody reads the answer), or another error. See
	// DefaultErrorHandler for the statuses it answers.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives lifecycle and fault records; default slog.Default().
	// Records about one session carry its key_prefix, never a token.
	Logger *slog.Logger
	// Metrics receives event counts and store latencies; default NopMetrics.
	Metrics Metrics
	// Now is the clock that decides expiry; tests replace it.
	Now func() time.Time

	// ClientIPHeader names the request header that carries the client's
	// address, set by a reverse proxy the application trusts (for example
	// "X-Forwarded-For", "X-Real-IP" or "Forwarded"; its last element is
	// used, the one the nearest proxy added). Empty (the default) uses the
	// connection's RemoteAddr. Name a header only when every request passes
	// through a proxy that sets it: clients can send any header themselves.
	ClientIPHeader string
	// OmitDeviceDetails stops sessions from recording the browser, system
	// and network prefix of the client that signed in (Device).
	OmitDeviceDetails bool

	once       sync.Once
	setupErr   error
	cookie     cookieSpec    // Cookie as sent: defaults filled in, prefix applied
	touchAfter time.Duration // TouchFraction of IdleTimeout
	ipHeader   string        // ClientIPHeader in canonical form
	obs        observer      // reports to Logger and Metrics
	store      observedStore // Store, observed: every store call goes through it
	commits    keyLocks      // queues the commits of each session in this process
	zero       T             // what a session not stored is compared with
}

// New returns a Manager for sessions of type T kept in store, with the defaults
// above. P is inferred: New[Visitor](store).
func New[T any, P Codec[T]](store Store) *Manager[T, P] {
	return &Manager[T, P]{
		Store:         store,
		IdleTimeout:   DefaultIdleTimeout,
		Lifetime:      DefaultLifetime,
		TouchFraction: DefaultTouchFraction,
		RotateGrace:   DefaultRotateGrace,
		MaxRetries:    DefaultMaxRetries,
		ErrorHandler:  DefaultErrorHandler,
		Logger:        slog.Default(),
		Metrics:       NopMetrics{},
		Now:           time.Now,
	}
}

// CookieName returns the name the session cookie is sent under: Cookie.Name
// (or DefaultCookieName) with its prefix, "__Host-session" by default.
func (m *Manager[T, P]) CookieName() string { return m.Cookie.effective().name }

// Check validates the configuration. Handler panics with the same error, so
// that a misconfigured manager fails at startup rather than on a request; the
// error says what is wrong and why (a cookie browsers would drop, a weakening
// no field opted into). Opt-ins that weaken the cookie are logged once, as a
// warning.
func (m *Manager[T, P]) Check() error {
	m.once.Do(func() { m.setupErr = m.setup() })
	return m.setupErr
}

// setup validates the fields, fills in defaults for the ones left nil and
// precomputes what every request would otherwise recompute.
func (m *Manager[T, P]) setup() error {
	switch {
	case m.Store == nil:
		return invalid("manager", "nil Store")
	case m.IdleTimeout <= 0 || m.Lifetime <= 0:
		return invalid("manager", "IdleTimeout and Lifetime must be positive")
	case m.TouchFraction < 0 || m.TouchFraction > 1:
		return invalid("manager", "TouchFraction must be within [0, 1]")
	case m.RotateGrace < 0 || m.MaxRetries < 0 || m.MaxSessionsPerOwner < 0:
		return invalid("manager", "RotateGrace, MaxRetries and MaxSessionsPerOwner must not be negative")
	}
	if err := m.Cookie.check(); err != nil {
		return err
	}
	m.cookie = m.Cookie.effective()
	if err := m.setupDevices(); err != nil {
		return err
	}
	m.touchAfter = time.Duration(m.TouchFraction * float64(m.IdleTimeout))
	if m.ErrorHandler == nil {
		m.ErrorHandler = DefaultErrorHandler
	}
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Metrics == nil {
		m.Metrics = NopMetrics{}
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	for _, w := range m.Cookie.weakenings() {
		m.Logger.Warn("session cookie weaker than the default: " + w)
	}
	m.obs = newObserver(m.Logger, m.Metrics)
	m.store = observedStore{inner: m.Store, obs: &m.obs}
	return nil
}

// DefaultErrorHandler answers, with the bare status text as the body (causes
// go to the log, not to the client):
//   - 409 Conflict for a *ConflictError: this request and another changed a
//     merge=error field, and the stored value was kept; the client has to
//     look at the current state before it tries again;
//   - 503 Service Unavailable with Retry-After: 1 for a *ContentionError, when
//     the store is unavailable (ErrUnavailable) and for ErrCanceled: nothing
//     was written and nobody is logged out, and the same request may succeed
//     when repeated, which is what 503 and Retry-After tell clients and
//     proxies (409 would wrongly ask the client to resolve something);
//   - 409 Conflict for ErrSuperseded: a write through a token that a login
//     retired while the request ran (the browser has the new one);
//   - 400 Bad Request for ErrDuplicateCookie: several live session cookies,
//     and nothing tells the visitor's own from a planted one;
//   - 500 for anything else.
func DefaultErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	code := http.StatusInternalServerError
	var conflict *ConflictError
	switch {
	case errors.As(err, &conflict):
		code = http.StatusConflict
	case errors.Is(err, ErrConflict), errors.Is(err, ErrUnavailable), errors.Is(err, ErrCanceled):
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	case errors.Is(err, ErrSuperseded):
		code = http.StatusConflict
	case errors.Is(err, ErrDuplicateCookie):
		code = http.StatusBadRequest
	}
	http.Error(w, http.StatusText(code), code)
}

// ctxKey finds a manager's session in a request context. It holds the manager so
// that several managers, even of the same T, do not see each other's sessions.
type ctxKey[T any, P Codec[T]] struct{ m *Manager[T, P] }

// From returns the session that m's middleware attached to ctx, or nil when ctx
// did not come through m's middleware.
// Asking marks the response as depending on the session cookie (Vary: Cookie).
func (m *Manager[T, P]) From(ctx context.Context) *Session[T, P] {
	s, _ := ctx.Value(ctxKey[T, P]{m}).(*Session[T, P])
	if s != nil {
		s.read = true
	}
	return s
}

// now is the manager's clock.
func (m *Manager[T, P]) now() time.Time { return m.Now() }

// idleExpiry returns the idle expiry a write at now sets: now+IdleTimeout, but
// never past the absolute expiry.
func (m *Manager[T, P]) idleExpiry(now, absolute time.Time) time.Time {
	t := now.Add(m.IdleTimeout)
	if t.After(absolute) {
		return absolute
	}
	return t
}
