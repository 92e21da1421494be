// Package shop holds the example's session struct and the code sessiongen
// generates from it (visitor_session.go). Keeping session types in a package
// of their own keeps the example easy to read; they could as well live beside
// the handlers.
package shop

import "time"

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Visitor

// Visitor is everything the example keeps about one browser. sessiongen turns
// it into VisitorSession (typed getters and setters) and a msgpack codec;
// visitor_session.go is generated from it and committed.
type Visitor struct {
	// UserName is the login; tagged user, so the store indexes the session by
	// it and the devices page can list and revoke a user's sessions.
	UserName string `session:"user_name,user,omitempty"`
	// DisplayName is the name as the user typed it.
	DisplayName string `session:"display_name,omitempty"`
	// LoggedInAt is when this browser logged in.
	LoggedInAt time.Time `session:"logged_in_at,omitempty"`
	// Cart is the shopping cart: typed data, not a map of interface values.
	// It changes through Session.Update, so parallel "add to cart" clicks
	// never lose an item.
	Cart []CartItem `session:"cart,omitempty"`
	// Flash is shown once, on the next page, then cleared (PopFlash).
	Flash string `session:"flash,flash,omitempty"`
	// Theme is a display preference. merge=theirs: when two requests change it
	// at once, the one already stored wins.
	Theme string `session:"theme,omitempty,merge=theirs"`
}

// CartItem is one line of the cart.
type CartItem struct {
	ProductID string `session:"product_id"`
	Name      string `session:"name"`
	Qty       int    `session:"qty"`
}
