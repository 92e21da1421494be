package wire

import "testing"

// Containers reserve up front only out of the reader's budget, which every
// reservation shares: nested claims cannot add up past it.
func TestReservationsShareOneBudget(t *testing.T) {
	type big [64]byte
	r := NewReader(make([]byte, 100)) // budget: 8*100 + 4096 = 4896 bytes
	if got := SliceCap[big](&r, 3); got != 3 {
		t.Errorf("a small claim: %d, want it whole", got)
	}
	if got := SliceCap[big](&r, 100); got != (4896-3*64)/64 {
		t.Errorf("a claim past the budget: %d", got)
	}
	if got := MapCap[string, big](&r, 10); got != 0 {
		t.Errorf("after the budget is spent: %d, want 0", got)
	}
	if got := SliceCap[struct{}](&r, 7); got != 7 {
		t.Errorf("zero-size elements: %d", got)
	}
}
