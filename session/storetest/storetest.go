package storetest

import (
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// Run runs the conformance suite against stores made by newStore; each call must return a fresh, empty store.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, c := range area.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(newFixture(t, newStore))
				})
			}
		})
	}
}

// area groups the subtests of one part of the contract, usually one method.
type area struct {
	name  string
	cases []subtest
}

// subtest checks one promise against a fresh, empty store.
type subtest struct {
	name string
	run  func(f *fixture)
}

// areas is the whole suite, in the order of the methods in session.Store.
var areas = []area{
	{"Create", createTests},
	{"Load", loadTests},
	{"Save", saveTests},
	{"Touch", touchTests},
	{"Rotate", rotateTests},
	{"Delete", deleteTests},
	{"Owner", ownerTests},
	{"List", listTests},
	{"Count", countTests},
	{"DeleteExpired", deleteExpiredTests},
	{"CancelledContext", cancelledContextTests},
	{"Parallel", parallelTests},
	{"Leaser", leaserTests},
}
