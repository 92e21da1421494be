package webapp

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLen bounds the login name, in characters.
const maxNameLen = 40

// home shows the cart summary and the login form (or who is logged in).
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "home.html", page{Title: "Home"})
}

// login logs the visitor in under the name typed (a demo: no password). The
// token is rotated first: a privilege change must not keep a token that
// someone may have planted or seen before the login.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	display, ok := cleanName(r.PostFormValue("name"))
	if !ok {
		a.redirect(w, r, "/", "Type a name of 1 to 40 letters, digits or spaces to log in.")
		return
	}
	s := a.sessions.From(r.Context())
	if err := s.Rotate(r.Context()); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := s.SetRememberMe(r.PostFormValue("remember") != ""); err != nil {
		a.fail(w, r, err)
		return
	}
	s.SetUserName(strings.ToLower(display))
	s.SetDisplayName(display)
	s.SetLoggedInAt(a.sessions.Now().UTC())
	a.redirect(w, r, "/", "Welcome, "+display+"! You are logged in.")
}

// logout deletes the session: the cookie is cleared and the token stops
// working at once, here and for anyone who copied it.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.sessions.From(r.Context()).Destroy(r.Context()); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// setTheme stores the display preference.
func (a *app) setTheme(w http.ResponseWriter, r *http.Request) {
	theme := r.PostFormValue("theme")
	if theme != "dark" {
		theme = ""
	}
	a.sessions.From(r.Context()).SetTheme(theme)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// cleanName trims the typed name and accepts it when it has 1 to maxNameLen
// letters, digits, spaces, dots, dashes or underscores.
func cleanName(raw string) (string, bool) {
	name := strings.Join(strings.Fields(raw), " ")
	if name == "" || utf8.RuneCountInString(name) > maxNameLen {
		return "", false
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(" .-_", c) {
			return "", false
		}
	}
	return name, true
}
