package wire

import "unsafe"

// A Reader lets the slices and maps it decodes reserve memory up front, before
// their elements are read, only out of a budget: reserveFactor times the input
// plus minBudget. So the headers of a hostile input, nested or not, cannot
// claim more than a small multiple of the input's size; a container whose
// claim is beyond the budget grows only as its elements actually decode, each
// of which took at least one byte of input. Legitimate sessions stay well
// within the budget: their containers are allocated once, at their exact size.
const (
	reserveFactor = 8
	minBudget     = 4 << 10
)

// SliceCap returns the capacity to allocate up front for a slice of T whose
// array header (read by ArrayHeader) declared n elements, and takes it from
// r's budget: n while the budget lasts, less after.
func SliceCap[T any](r *Reader, n int) int {
	return r.reserve(n, int(unsafe.Sizeof(*new(T))))
}

// MapCap is SliceCap for the size hint of a map[K]V whose header (read by
// MapHeader) declared n entries.
func MapCap[K comparable, V any](r *Reader, n int) int {
	return r.reserve(n, int(unsafe.Sizeof(*new(K))+unsafe.Sizeof(*new(V))))
}

// reserve returns how many of n elements of size bytes may be allocated up
// front, and takes their memory from the budget.
func (r *Reader) reserve(n, size int) int {
	if n*size <= r.budget { // n is at most the input's length: no overflow
		r.budget -= n * size
		return n
	}
	n = r.budget / size
	r.budget -= n * size
	return n
}
