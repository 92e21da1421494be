package webapp

import "fmt"

// product is one article of the demo shop. The catalog is fixed: the example
// is about sessions, not inventory.
type product struct {
	ID    string
	Name  string
	Price cents
}

// cents is an amount of euro cents: money is counted in integers.
type cents int64

// String formats the amount for the pages: €6.50.
func (c cents) String() string { return fmt.Sprintf("€%d.%02d", c/100, c%100) }

// catalog lists what the shop sells, in display order.
var catalog = []product{
	{ID: "tea", Name: "Green tea, 100 g", Price: 650},
	{ID: "mug", Name: "Stoneware mug", Price: 1400},
	{ID: "pot", Name: "Cast-iron teapot", Price: 3900},
	{ID: "honey", Name: "Acacia honey, 250 g", Price: 820},
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
