// Package visit is the session type of the HTTP and lost-update comparisons:
// the example-style visitor session (a counter, a name, a cart) plus four
// independent flags for the disjoint-field test.
package visit

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Visit

// Visit is one visitor's session.
type Visit struct {
	// Count counts the visitor's requests that changed the session.
	Count int64 `session:"count"`
	// Name is what the visitor called themselves.
	Name string `session:"name"`
	// Cart holds item identifiers.
	Cart []string `session:"cart"`
	// A, B, C and D are set by the disjoint-field test, one per request.
	A string `session:"a"`
	B string `session:"b"`
	C string `session:"c"`
	D string `session:"d"`
}
