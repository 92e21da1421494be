package genvisitor

import (
	"slices"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
)

// TestSameShapeAsTestvisitor keeps the generated fixture and the hand-written
// one the same session, so that the middleware benchmark compares codecs, not
// session types.
func TestSameShapeAsTestvisitor(t *testing.T) {
	gen, hand := new(Visitor), new(testvisitor.Visitor)
	if g, h := gen.SessionKeys(), hand.SessionKeys(); !slices.Equal(g, h) {
		t.Errorf("wire keys %v, testvisitor's %v", g, h)
	}
	gTheirs, gRefuse := gen.SessionMergePolicy()
	hTheirs, hRefuse := hand.SessionMergePolicy()
	if gTheirs != hTheirs || gRefuse != hRefuse {
		t.Errorf("merge policies theirs %v refuse %v, testvisitor's %v %v", gTheirs, gRefuse, hTheirs, hRefuse)
	}
	gen.UserID, hand.UserID = "alice", "alice"
	if g, h := gen.SessionOwner(), hand.SessionOwner(); g != h {
		t.Errorf("owner %q, testvisitor's %q", g, h)
	}
}
