package session

import (
	"context"
	"net/netip"
	"net/textproto"
	"strings"
	"time"
)

// Device describes one of a user's sessions, without its data: what a "your
// devices" page shows.
type Device struct {
	// Key identifies the session; safe to show and log.
	Key Key
	// Browser is the browser that signed in, with its major version
	// ("Firefox 133"); "" when unknown.
	Browser string
	// OS is its operating system ("Linux", "iOS"); "" when unknown.
	OS string
	// IPPrefix is the network it signed in from: a /24 of IPv4 or a /48 of
	// IPv6, never a whole address; the zero Prefix when unknown.
	IPPrefix netip.Prefix
	// CreatedAt is when the session was created (the login, typically).
	CreatedAt time.Time
	// LastActive is about when the session was last used: the last save or
	// touch. Touches are written lazily, so it may lag by up to
	// TouchFraction of the idle timeout.
	LastActive time.Time
	// IdleExpiresAt is when it ends unless used again.
	IdleExpiresAt time.Time
	// AbsoluteExpiresAt is when it ends regardless.
	AbsoluteExpiresAt time.Time
	// RememberMe reports whether its cookie outlives the browser session
	// (see Session.SetRememberMe).
	RememberMe bool
	// Current marks the session of the request that asked.
	Current bool
}

// maxDevices bounds what Devices reads: a device list is for people.
const maxDevices = 100

// Devices lists the live sessions of the session's owner, newest first ("your
// devices"), at most maxDevices of them. An anonymous session has none.
func (s *Session[T, P]) Devices(ctx context.Context) ([]Device, error) {
	owner := s.Owner()
	if owner == "" {
		return nil, nil
	}
	recs, err := s.m.store.ListOwner(ctx, owner, s.m.now(), maxDevices)
	if err != nil {
		return nil, err
	}
	out := make([]Device, len(recs))
	for i := range recs {
		out[i] = s.m.device(&recs[i])
		out[i].Current = s.stored && recs[i].Key == s.key
	}
	return out, nil
}

// device describes rec.
func (m *Manager[T, P]) device(rec *Record) Device {
	d := Device{
		Key: rec.Key, IPPrefix: rec.IPPrefix, CreatedAt: rec.CreatedAt,
		IdleExpiresAt: rec.IdleExpiresAt, AbsoluteExpiresAt: rec.AbsoluteExpiresAt, RememberMe: rec.RememberMe,
	}
	d.Browser, d.OS = splitDevice(rec.Device)
	// Every save or touch sets the idle expiry to its own time plus the idle
	// timeout, so no column is written for "last active": it is derived. An
	// expiry clamped to the absolute one understates it; it is never before
	// the creation.
	d.LastActive = rec.IdleExpiresAt.Add(-m.IdleTimeout)
	if d.LastActive.Before(rec.CreatedAt) {
		d.LastActive = rec.CreatedAt
	}
	return d
}

// signIn returns what a session records about the client of this request
// when it is created or rotated: a summary of its User-Agent and the prefix
// of its address. A session outside an HTTP request, or a manager with
// OmitDeviceDetails, records neither.
func (s *Session[T, P]) signIn() (device string, ip netip.Prefix) {
	r := s.w.r
	if r == nil || s.m.OmitDeviceDetails {
		return "", netip.Prefix{}
	}
	return summarizeUserAgent(r.UserAgent()), truncateIP(clientAddr(r, s.m.ipHeader))
}

// setupDevices checks ClientIPHeader and keeps its canonical form, the key
// of http.Header.
func (m *Manager[T, P]) setupDevices() error {
	if h := m.ClientIPHeader; h != "" && strings.TrimLeft(h, headerNameChars) != "" {
		return invalid("manager", "ClientIPHeader is not a header name")
	}
	m.ipHeader = textproto.CanonicalMIMEHeaderKey(m.ClientIPHeader)
	return nil
}

// headerNameChars are the characters of a header name (RFC 9110 token).
const headerNameChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
