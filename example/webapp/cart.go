package webapp

import (
	"errors"
	"net/http"
	"slices"

	"github.com/sessiongen/sessiongen/example/shop"
	"github.com/sessiongen/sessiongen/session"
)

// maxQty bounds one cart line, so that a scripted client cannot grow a
// session without limit.
const maxQty = 99

// refusal is a cart change refused for a reason the visitor is shown.
type refusal string

func (r refusal) Error() string { return string(r) }

// The reasons a cart change is refused.
const (
	errCartLineFull refusal = "You already have the most we sell of one product."
	errNotInCart    refusal = "That product is not in your cart."
)

// cartLine is one line of the cart as the pages show it: the cart keeps
// product and quantity, prices come from the catalog.
type cartLine struct {
	ProductID string
	Name      string
	Qty       int
	Price     cents // unit price
	Total     cents
}

// cartView is the cart with its prices and total.
type cartView struct {
	Lines []cartLine
	Items int // number of articles, quantities summed
	Total cents
}

// priceCart prices the cart's lines from the catalog. A product no longer
// sold keeps its line, without a price.
func priceCart(items []shop.CartItem) cartView {
	var v cartView
	for _, item := range items {
		line := cartLine{ProductID: item.ProductID, Name: item.Name, Qty: item.Qty}
		if p, ok := findProduct(item.ProductID); ok {
			line.Price, line.Total = p.Price, p.Price*cents(item.Qty)
		}
		v.Lines = append(v.Lines, line)
		v.Items += item.Qty
		v.Total += line.Total
	}
	return v
}

// products lists the catalog with "add to cart" buttons.
func (a *app) products(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "products.html", page{Title: "Products", Products: catalog})
}

// cart shows the cart with prices, a total and "remove" buttons.
func (a *app) cart(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "cart.html", page{Title: "Your cart"})
}

// addToCart adds one of a product. The cart is a typed []shop.CartItem in the
// session: no type assertions, no registration of types with a codec. The
// change goes through Update, an atomic read-modify-write: two clicks at once,
// in two tabs, add two.
func (a *app) addToCart(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PostFormValue("product"))
	if !ok {
		a.redirect(w, r, "/products", "There is no such product.")
		return
	}
	err := a.sessions.From(r.Context()).Update(r.Context(), func(v *shop.Visitor) error {
		i := slices.IndexFunc(v.Cart, func(item shop.CartItem) bool { return item.ProductID == p.ID })
		switch {
		case i < 0:
			v.Cart = append(v.Cart, shop.CartItem{ProductID: p.ID, Name: p.Name, Qty: 1})
		case v.Cart[i].Qty >= maxQty:
			return errCartLineFull
		default:
			v.Cart[i].Qty++
		}
		return nil
	})
	a.afterCartChange(w, r, "/products", err, "Added "+p.Name+" to your cart.")
}

// removeFromCart removes a product's line from the cart, through Update too.
func (a *app) removeFromCart(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("product")
	var name string
	err := a.sessions.From(r.Context()).Update(r.Context(), func(v *shop.Visitor) error {
		i := slices.IndexFunc(v.Cart, func(item shop.CartItem) bool { return item.ProductID == id })
		if i < 0 {
			return errNotInCart
		}
		name = v.Cart[i].Name
		v.Cart = slices.Delete(v.Cart, i, i+1)
		return nil
	})
	a.afterCartChange(w, r, "/cart", err, "Removed "+name+" from your cart.")
}

// afterCartChange ends a cart POST: a refusal is flashed, a session ended
// elsewhere meanwhile (logout, revoke) sends the visitor home anonymously.
func (a *app) afterCartChange(w http.ResponseWriter, r *http.Request, target string, err error, done string) {
	var refused refusal
	switch {
	case errors.As(err, &refused):
		a.redirect(w, r, target, refused.Error())
	case errors.Is(err, session.ErrNotFound):
		// Revoked or logged out elsewhere while this request ran: the cookie
		// is being cleared; the change is not made.
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case err != nil:
		a.fail(w, r, err)
	default:
		a.redirect(w, r, target, done)
	}
}
