package session

import (
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// CookieConfig describes the session cookie. Its zero value is the secure
// default: a host-only cookie named "__Host-session", with Path=/, Secure,
// HttpOnly and SameSite=Lax, that the browser drops when it closes. Every
// field that weakens it is phrased as an explicit opt-in (Prefix, AllowInsecure,
// AllowScriptAccess, SameSite None, Domain), and Check refuses the
// combinations that browsers reject, with a message that says why.
type CookieConfig struct {
	// Name of the cookie without its prefix; default "session". The cookie is
	// sent as Prefix + Name ("__Host-session" by default).
	Name string
	// Prefix is the name prefix that makes browsers enforce the cookie's
	// attributes; the zero value is HostPrefix.
	Prefix CookiePrefix
	// Path of the cookie; default "/". HostPrefix requires "/".
	Path string
	// Domain shares the cookie with the subdomains of Domain; default empty
	// (host-only). HostPrefix forbids it: a cookie scoped to a parent domain
	// can be set, and therefore overwritten, by every sibling subdomain.
	Domain string
	// SameSite; the zero value means http.SameSiteLaxMode. SameSiteStrictMode
	// and SameSiteNoneMode (cross-site use, e.g. in an iframe; it requires
	// Secure) are accepted; SameSiteDefaultMode, which omits the attribute and
	// leaves the choice to each browser, is refused.
	SameSite http.SameSite
	// AllowInsecure sends the cookie without Secure, so that it also travels
	// over plain HTTP, where anyone on the path can read it. Only for local
	// development on a host name that is not loopback: browsers keep Secure
	// cookies on http://localhost and http://127.0.0.1 (docs/SECURITY.md).
	// It requires Prefix NoPrefix and forbids SameSiteNoneMode, as browsers do.
	AllowInsecure bool
	// AllowScriptAccess sends the cookie without HttpOnly, so that page
	// scripts (and any script injected into them) can read the token.
	AllowScriptAccess bool
	// Persist makes every session's cookie outlive the browser session: it
	// carries a Max-Age that ends with the session's absolute lifetime. When
	// false (the default) the browser drops the cookie when it closes, unless
	// the session chose otherwise (Session.SetRememberMe: per session).
	Persist bool
}

// CookiePrefix is a cookie-name prefix that browsers enforce (RFC 6265bis
// section 4.1.3).
type CookiePrefix uint8

const (
	// HostPrefix ("__Host-", the default): browsers accept the cookie only
	// when it is Secure, has Path=/ and no Domain, and was set by a secure
	// origin. No sibling subdomain and no plain-HTTP response can set or
	// shadow it, which makes cookie tossing and fixation through a planted
	// cookie impossible.
	HostPrefix CookiePrefix = iota
	// SecurePrefix ("__Secure-"): browsers accept the cookie only when it is
	// Secure and set by a secure origin. Path and Domain are free, so a
	// sibling subdomain served over HTTPS can still set it.
	SecurePrefix
	// NoPrefix: a bare name, which browsers accept from anyone who can set
	// a cookie for the host, over HTTP or from a sibling subdomain.
	NoPrefix
)

// String returns the prefix as it is sent ("__Host-", "__Secure-", "").
func (p CookiePrefix) String() string {
	switch p {
	case HostPrefix:
		return "__Host-"
	case SecurePrefix:
		return "__Secure-"
	case NoPrefix:
		return ""
	}
	return fmt.Sprintf("CookiePrefix(%d)", uint8(p))
}

// DefaultCookieName is the cookie name (before its prefix) when Name is empty.
const DefaultCookieName = "session"

// cookieSpec is the cookie as it is sent: defaults filled in, prefix applied.
type cookieSpec struct {
	name, path, domain string
	secure, httpOnly   bool
	sameSite           http.SameSite
	persist            bool
}

// effective returns the cookie as it is sent.
func (c CookieConfig) effective() cookieSpec {
	s := cookieSpec{
		name: c.Prefix.String() + c.Name, path: c.Path, domain: c.Domain,
		secure: !c.AllowInsecure, httpOnly: !c.AllowScriptAccess,
		sameSite: c.SameSite, persist: c.Persist,
	}
	if c.Name == "" {
		s.name = c.Prefix.String() + DefaultCookieName
	}
	if s.path == "" {
		s.path = "/"
	}
	if s.sameSite == 0 {
		s.sameSite = http.SameSiteLaxMode
	}
	return s
}

// check reports a configuration that browsers would reject or that weakens
// the defaults in a way no field opted into. Each message says why.
func (c CookieConfig) check() error {
	s := c.effective()
	lower := strings.ToLower(c.Name)
	switch {
	case c.Prefix > NoPrefix:
		return invalid("cookie", fmt.Sprintf("unknown Prefix %d", uint8(c.Prefix)))
	case strings.HasPrefix(lower, "__host-") || strings.HasPrefix(lower, "__secure-"):
		return invalid("cookie", fmt.Sprintf("Name %q carries a prefix: give the bare name and choose Prefix (HostPrefix is the default)", c.Name))
	case c.Prefix == HostPrefix && s.path != "/":
		return invalid("cookie", fmt.Sprintf("Path %q: browsers drop a __Host- cookie whose Path is not \"/\"; use Path \"/\", or Prefix SecurePrefix to scope the cookie to a path", c.Path))
	case c.Prefix == HostPrefix && c.Domain != "":
		return invalid("cookie", fmt.Sprintf("Domain %q: browsers drop a __Host- cookie with a Domain, and a Domain cookie can be set and overwritten by every subdomain of %s (cookie tossing); leave Domain empty, or opt in with Prefix SecurePrefix", c.Domain, c.Domain))
	case c.AllowInsecure && c.Prefix != NoPrefix:
		return invalid("cookie", fmt.Sprintf("AllowInsecure with Prefix %q: browsers drop a prefixed cookie without Secure; set Prefix NoPrefix as well (browsers keep Secure cookies on http://localhost and http://127.0.0.1, where AllowInsecure is not needed)", c.Prefix.String()))
	case s.sameSite == http.SameSiteDefaultMode:
		return invalid("cookie", "SameSite SameSiteDefaultMode omits the attribute and leaves the choice to each browser (some send the cookie on cross-site requests); leave SameSite zero for Lax, or choose Strict or None")
	case s.sameSite > http.SameSiteNoneMode:
		return invalid("cookie", fmt.Sprintf("unknown SameSite %d", s.sameSite))
	case s.sameSite == http.SameSiteNoneMode && !s.secure:
		return invalid("cookie", "SameSite None with AllowInsecure: browsers drop a SameSite=None cookie without Secure")
	}
	probe := http.Cookie{Name: s.name, Value: "x", Path: s.path, Domain: s.domain}
	if err := probe.Valid(); err != nil {
		return invalid("cookie", err.Error())
	}
	return nil
}

// weakenings lists the opt-ins that make the cookie weaker than the default,
// for the startup warning.
func (c CookieConfig) weakenings() []string {
	var w []string
	if c.Prefix != HostPrefix {
		w = append(w, fmt.Sprintf("no __Host- prefix (Prefix %q): a sibling subdomain or a plain-HTTP response can plant or shadow the cookie", c.Prefix.String()))
	}
	if c.AllowInsecure {
		w = append(w, "no Secure (AllowInsecure): the token travels over plain HTTP")
	}
	if c.AllowScriptAccess {
		w = append(w, "no HttpOnly (AllowScriptAccess): page scripts can read the token")
	}
	if c.SameSite == http.SameSiteNoneMode {
		w = append(w, "SameSite=None: the cookie goes with cross-site requests (protect every state change against CSRF)")
	}
	return w
}

// cookieFind is what the Cookie headers hold under the session cookie's name.
type cookieFind uint8

const (
	cookieAbsent    cookieFind = iota // no cookie of that name
	cookieMalformed                   // one value (perhaps repeated), not a token
	cookieToken                       // one value (perhaps repeated), a token
	cookieSeveral                     // several different values: see findTokens
)

// maxCandidates bounds how many different tokens of one duplicated cookie
// name are looked up; more than that is treated as an attack without any
// store call.
const maxCandidates = 3

// findTokens scans the Cookie headers for cookies called name. With a single
// value (however often repeated), it reports whether that value is a token.
// With several different values (a cookie planted next to the visitor's own,
// at another Path or Domain: cookie tossing) it reports cookieSeveral and
// returns up to maxCandidates distinct well-formed tokens in their header
// order; n > maxCandidates means there were more. It does not allocate,
// unlike http.Request.Cookie, which parses every cookie of the request.
func findTokens(h http.Header, name string) (toks [maxCandidates]token, n int, found cookieFind) {
	var first string // the first value seen
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(textproto.TrimString(part), "=")
			if !ok || k != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			switch {
			case found == cookieAbsent:
				first, found = v, cookieMalformed
				if t, ok := parseToken(v); ok {
					toks[0], n, found = t, 1, cookieToken
				}
				continue
			case v == first:
				continue
			}
			found = cookieSeveral
			t, ok := parseToken(v)
			if !ok || n > maxCandidates || slices.Contains(toks[:min(n, maxCandidates)], t) {
				continue
			}
			if n < maxCandidates {
				toks[n] = t
			}
			n++
		}
	}
	return toks, n, found
}

// cookieAction is what the response must do with the session cookie.
type cookieAction uint8

const (
	cookieKeep  cookieAction = iota // send nothing
	cookieSet                       // send the token this request minted
	cookieClear                     // tell the browser to drop its cookie
)

// setCookieHeader adds the Set-Cookie header for action, with Cache-Control:
// no-store so that no shared cache stores one visitor's cookie and serves it
// to another (Vary: Cookie is added by the caller). A set cookie is
// persistent until persistUntil, a browser-session cookie when that is zero.
func (c *cookieSpec) setCookieHeader(h http.Header, action cookieAction, t *token, persistUntil, now time.Time) {
	hc := http.Cookie{
		Name: c.name, Path: c.path, Domain: c.domain,
		Secure: c.secure, HttpOnly: c.httpOnly, SameSite: c.sameSite,
	}
	switch action {
	case cookieSet:
		hc.Value = t.String()
		if !persistUntil.IsZero() {
			hc.MaxAge = max(1, int(persistUntil.Sub(now)/time.Second))
		}
	case cookieClear:
		hc.MaxAge = -1
	default:
		return
	}
	h.Add("Set-Cookie", hc.String())
	h.Set("Cache-Control", "no-store")
}

// addVary adds Cookie to the Vary header unless it is there already: the
// response depends on the request's cookie, so no shared cache may serve it
// to another visitor.
func addVary(h http.Header) {
	if !hasToken(h["Vary"], "Cookie") {
		h.Add("Vary", "Cookie")
	}
}

// hasToken reports whether a comma-separated header value list holds tok.
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(textproto.TrimString(part), tok) {
				return true
			}
		}
	}
	return false
}
