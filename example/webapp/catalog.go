package webapp

// product is one article of the demo shop. The catalog is fixed: the example
// is about sessions, not inventory.
type product struct {
	ID    string
	Name  string
	Price string
}

// catalog lists what the shop sells, in display order.
var catalog = []product{
	{ID: "tea", Name: "Green tea, 100 g", Price: "€6.50"},
	{ID: "mug", Name: "Stoneware mug", Price: "€14.00"},
	{ID: "pot", Name: "Cast-iron teapot", Price: "€39.00"},
	{ID: "honey", Name: "Acacia honey, 250 g", Price: "€8.20"},
}

// findProduct returns the catalog entry with id.
func findProduct(id string) (product, bool) {
	for _, p := range catalog {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}
