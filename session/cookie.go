package session

import (
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// CookieConfig describes the session cookie.
type CookieConfig struct {
	// Name of the cookie; default "session". With HostPrefix the cookie is sent
	// as "__Host-" + Name.
	Name string
	// Path of the cookie; default "/".
	Path string
	// Domain of the cookie; default empty (host-only), which is the safest.
	Domain string
	// Secure restricts the cookie to HTTPS; default true. Turn it off only for
	// local development over plain HTTP.
	Secure bool
	// HttpOnly hides the cookie from scripts; default true.
	HttpOnly bool
	// SameSite; default http.SameSiteLaxMode.
	SameSite http.SameSite
	// HostPrefix names the cookie "__Host-"+Name, which browsers accept only
	// when Secure, with Path=/ and without Domain: the cookie then cannot be
	// set or shadowed by a sibling subdomain. It forces those attributes.
	HostPrefix bool
	// Persist makes every session's cookie outlive the browser session: it
	// carries a Max-Age that ends with the session's absolute lifetime. When
	// false (the default) the browser drops the cookie when it closes, unless
	// the session chose otherwise (Session.SetRememberMe: per session).
	Persist bool
}

// hostPrefix is the cookie-name prefix that makes browsers enforce Secure, Path=/
// and no Domain.
const hostPrefix = "__Host-"

// defaultCookie is the cookie New configures.
func defaultCookie() CookieConfig {
	return CookieConfig{Name: "session", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// effective returns the cookie as it is sent: the host prefix applied and
// forced attributes set.
func (c CookieConfig) effective() CookieConfig {
	if c.HostPrefix {
		c.Name = hostPrefix + c.Name
		c.Path, c.Domain, c.Secure = "/", "", true
	}
	if c.Path == "" {
		c.Path = "/"
	}
	return c
}

// check reports a configuration the browser would reject or mangle.
func (c CookieConfig) check() error {
	probe := http.Cookie{Name: c.Name, Value: "x", Path: c.Path, Domain: c.Domain}
	if c.Name == "" {
		return invalid("cookie", "empty name")
	}
	if err := probe.Valid(); err != nil {
		return invalid("cookie", err.Error())
	}
	return nil
}

// findToken scans the Cookie headers for the cookie called name. present says
// whether such a cookie was sent at all; ok whether one of them (the first
// well-formed one: a browser sends the most specific path first) holds a
// token. It does not allocate, unlike http.Request.Cookie, which parses every
// cookie of the request.
func findToken(h http.Header, name string) (t token, present, ok bool) {
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			n, v, found := strings.Cut(textproto.TrimString(part), "=")
			if !found || n != name {
				continue
			}
			present = true
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if t, ok = parseToken(v); ok {
				return t, true, true
			}
		}
	}
	return token{}, present, false
}

// cookieAction is what the response must do with the session cookie.
type cookieAction uint8

const (
	cookieKeep  cookieAction = iota // send nothing
	cookieSet                       // send the token this request minted
	cookieClear                     // tell the browser to drop its cookie
)

// setCookieHeader adds the Set-Cookie header for action, with Vary: Cookie and
// Cache-Control: no-store so that no shared cache stores one visitor's cookie
// and serves it to another. A set cookie is persistent until persistUntil, a
// browser-session cookie when that is zero.
func (c *CookieConfig) setCookieHeader(h http.Header, action cookieAction, t *token, persistUntil, now time.Time) {
	hc := http.Cookie{
		Name: c.Name, Path: c.Path, Domain: c.Domain,
		Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: c.SameSite,
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
	if !hasToken(h["Vary"], "Cookie") {
		h.Add("Vary", "Cookie")
	}
	h.Set("Cache-Control", "no-store")
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
