package webapp

import (
	"net/http"
	"slices"

	"github.com/sessiongen/sessiongen/example/shop"
)

// maxQty bounds one cart line, so that a scripted client cannot grow a
// session without limit.
const maxQty = 99

// products lists the catalog with "add to cart" buttons.
func (a *app) products(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "products.html", page{Title: "Products", Products: catalog})
}

// cart shows the cart with "remove" buttons.
func (a *app) cart(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "cart.html", page{Title: "Your cart", Cart: a.sessions.From(r.Context()).Cart()})
}

// addToCart adds one of a product. The cart is a typed []shop.CartItem in the
// session: no type assertions, no registration of types with a codec.
func (a *app) addToCart(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PostFormValue("product"))
	if !ok {
		a.redirect(w, r, "/products", "There is no such product.")
		return
	}
	s := a.sessions.From(r.Context())
	cart := slices.Clone(s.Cart())
	i := slices.IndexFunc(cart, func(item shop.CartItem) bool { return item.ProductID == p.ID })
	switch {
	case i < 0:
		cart = append(cart, shop.CartItem{ProductID: p.ID, Name: p.Name, Qty: 1})
	case cart[i].Qty >= maxQty:
		a.redirect(w, r, "/products", "You already have the most we sell of one product.")
		return
	default:
		cart[i].Qty++
	}
	s.SetCart(cart)
	a.redirect(w, r, "/products", "Added "+p.Name+" to your cart.")
}

// removeFromCart removes a product's line from the cart.
func (a *app) removeFromCart(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.From(r.Context())
	id := r.PostFormValue("product")
	i := slices.IndexFunc(s.Cart(), func(item shop.CartItem) bool { return item.ProductID == id })
	if i < 0 {
		a.redirect(w, r, "/cart", "That product is not in your cart.")
		return
	}
	name := s.Cart()[i].Name
	s.SetCart(slices.Delete(slices.Clone(s.Cart()), i, i+1))
	a.redirect(w, r, "/cart", "Removed "+name+" from your cart.")
}
