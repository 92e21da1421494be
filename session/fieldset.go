package session

import "math/bits"

// MaxFields is the largest number of top-level fields a session struct may have:
// the capacity of a FieldSet.
const MaxFields = 256

// FieldSet is a set of top-level field indexes of a session struct, in declaration
// order. Generated setters record changes in one; the manager uses it to write
// only what changed and to re-apply a request's own changes after a conflict. It
// is a value type: copying it copies the set, and it never allocates.
type FieldSet [MaxFields / 64]uint64

// Add puts field i in the set.
func (s *FieldSet) Add(i int) { s[i>>6] |= 1 << (uint(i) & 63) }

// Has reports whether field i is in the set.
func (s FieldSet) Has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }

// Empty reports whether the set has no field.
func (s FieldSet) Empty() bool { return s == FieldSet{} }

// Len returns the number of fields in the set.
func (s FieldSet) Len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// Union returns the fields in s or t.
func (s FieldSet) Union(t FieldSet) FieldSet {
	for i := range s {
		s[i] |= t[i]
	}
	return s
}

// Intersect returns the fields in both s and t.
func (s FieldSet) Intersect(t FieldSet) FieldSet {
	for i := range s {
		s[i] &= t[i]
	}
	return s
}

// Minus returns the fields in s that are not in t.
func (s FieldSet) Minus(t FieldSet) FieldSet {
	for i := range s {
		s[i] &^= t[i]
	}
	return s
}

// Each calls f with every field index in the set, in increasing order.
func (s FieldSet) Each(f func(i int)) {
	for w, word := range s {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			f(w*64 + b)
			word &^= 1 << uint(b)
		}
	}
}
