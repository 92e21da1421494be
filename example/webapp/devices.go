package webapp

import (
	"errors"
	"net/http"
	"time"

	"github.com/sessiongen/sessiongen/example/shop"
	"github.com/sessiongen/sessiongen/session"
)

// deviceView is one row of the devices page: what a person needs to tell
// their devices apart. The session key's prefix (a hash of the token, safe to
// show, never a token) names the row in the revoke form.
type deviceView struct {
	Prefix     string
	Browser    string
	OS         string
	Network    string // the /24 or /48 the browser signed in from
	CreatedAt  time.Time
	LastActive time.Time
	RememberMe bool
	Current    bool
}

// errNotYourDevice means a revoke named no other session of the current user.
var errNotYourDevice = errors.New("not one of your other devices")

// devices lists the user's live sessions, this browser's marked.
func (a *app) devices(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	list, err := s.Devices(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	views := make([]deviceView, len(list))
	for i, d := range list {
		views[i] = deviceView{
			Prefix: d.Key.Prefix(), Browser: d.Browser, OS: d.OS, Network: "unknown",
			// Last active may lag by TouchFraction of the idle timeout:
			// touches are written lazily.
			CreatedAt: d.CreatedAt, LastActive: d.LastActive, RememberMe: d.RememberMe, Current: d.Current,
		}
		if d.IPPrefix.IsValid() {
			views[i].Network = d.IPPrefix.String()
		}
	}
	a.render(w, r, "devices.html", page{Title: "Your devices", Devices: views})
}

// revokeDevice logs out one other device of the current user. The form names
// it by key prefix, resolved in this user's own device list; RevokeDevice
// checks ownership again, so nobody can end a stranger's session.
func (a *app) revokeDevice(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	key, err := a.otherDevice(s, r)
	switch {
	case errors.Is(err, errNotYourDevice):
		a.redirect(w, r, "/devices", "That device is not one of your other devices (or it already logged out).")
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	switch err := s.RevokeDevice(r.Context(), key); {
	case errors.Is(err, session.ErrNotFound): // it logged out in the meantime
		a.redirect(w, r, "/devices", "That device is not one of your other devices (or it already logged out).")
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	a.redirect(w, r, "/devices", "Logged out device "+key.Prefix()+".")
}

// otherDevice finds the device named by the form's prefix among the current
// user's sessions, excluding this one.
func (a *app) otherDevice(s shop.VisitorSession, r *http.Request) (session.Key, error) {
	prefix := r.PostFormValue("device")
	list, err := s.Devices(r.Context())
	if err != nil {
		return session.Key{}, err
	}
	var found []session.Key
	for _, d := range list {
		if !d.Current && prefix != "" && d.Key.Prefix() == prefix {
			found = append(found, d.Key)
		}
	}
	if len(found) != 1 { // none, or an ambiguous prefix: refuse rather than guess
		return session.Key{}, errNotYourDevice
	}
	return found[0], nil
}

// revokeOthers logs out every other device of the current user.
func (a *app) revokeOthers(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loggedIn(w, r)
	if !ok {
		return
	}
	n, err := s.RevokeOthers(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.redirect(w, r, "/devices", "Logged out "+count(int(n), "other device")+".")
}

// loggedIn returns the session when a user is logged in; otherwise it shows
// the login form and returns false.
func (a *app) loggedIn(w http.ResponseWriter, r *http.Request) (shop.VisitorSession, bool) {
	s := a.sessions.From(r.Context())
	if s.UserName() != "" {
		return s, true
	}
	const msg = "Log in to see and manage your devices."
	if r.Method == http.MethodGet {
		// A GET stores nothing, not even a flash: show the form right here.
		a.render(w, r, "home.html", page{Title: "Home", Flash: msg})
	} else {
		a.redirect(w, r, "/", msg)
	}
	return s, false
}
