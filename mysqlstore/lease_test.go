package mysqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
)

// leaseRacers is how many holders race for one lease in every round: as many
// as the store keeps connections for at GOMAXPROCS 1..4, so that they all run
// their statements at the same time.
const leaseRacers = 16

// Exactly one of many holders racing for a lease gets it, whatever state the
// lease row is in: absent (a lease never taken), expired (its holder died),
// or live and renewed by its holder while the others try to take it. The
// conformance suite runs one such race; a lost race is a matter of timing,
// so this test runs each kind many times (the earlier statement, an upsert
// behind a non-locking NOT EXISTS, let 2 of 16 through now and then).
func TestAcquireLeaseRacesHaveOneWinner(t *testing.T) {
	s := testdb.MySQLStore(t)
	warmPool(t, s)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const ttl = time.Minute
	const rounds = 60
	for round := range rounds {
		name := fmt.Sprintf("lease %d", round)
		now := base
		incumbent := ""
		switch round % 3 {
		case 1: // expired: taken by a holder that never came back
			mustAcquire(t, s, name, "dead holder", ttl, base)
			now = base.Add(2 * ttl)
		case 2: // live: its holder renews it while the others try
			incumbent = "holder 0"
			mustAcquire(t, s, name, incumbent, ttl, base)
			now = base.Add(ttl / 2)
		}
		winners := race(t, leaseRacers, func(i int) (bool, error) {
			return s.AcquireLease(t.Context(), name, fmt.Sprintf("holder %d", i), ttl, now)
		})
		if len(winners) != 1 {
			t.Fatalf("round %d (%s): holders %v all got the lease, want exactly one", round, leaseState(round), winners)
		}
		if incumbent != "" && winners[0] != 0 {
			t.Fatalf("round %d: holder %d took a live lease from its holder", round, winners[0])
		}
		// The winner holds it: nobody else gets it while it lasts, and the
		// winner renews it.
		if ok, err := s.AcquireLease(t.Context(), name, "latecomer", ttl, now); err != nil || ok {
			t.Fatalf("round %d: a latecomer got the lease after the race: %v, %v", round, ok, err)
		}
		mustAcquire(t, s, name, fmt.Sprintf("holder %d", winners[0]), ttl, now)
	}
}

func leaseState(round int) string {
	return [...]string{"absent", "expired", "live"}[round%3]
}

// mustAcquire fails t unless holder gets the lease.
func mustAcquire(t *testing.T, s *mysqlstore.Store, name, holder string, ttl time.Duration, now time.Time) {
	t.Helper()
	if ok, err := s.AcquireLease(t.Context(), name, holder, ttl, now); err != nil || !ok {
		t.Fatalf("AcquireLease(%q, %q) = %v, %v; want true", name, holder, ok, err)
	}
}

// race runs attempt for n racers released at once, and returns the racers
// for which it reported true. An error fails t.
func race(t *testing.T, n int, attempt func(i int) (bool, error)) []int {
	t.Helper()
	start := make(chan struct{})
	won := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			won[i], errs[i] = attempt(i)
		})
	}
	close(start)
	wg.Wait()
	var winners []int
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("racer %d: %v", i, errs[i])
		}
		if won[i] {
			winners = append(winners, i)
		}
	}
	return winners
}

// warmPool opens leaseRacers connections in s's pool, so that the racers do
// not spend the race dialling.
func warmPool(t *testing.T, s *mysqlstore.Store) {
	t.Helper()
	conns := make([]interface{ Close() error }, 0, leaseRacers)
	for range leaseRacers {
		c, err := s.DB().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

// The insert id that says "another holder keeps the lease" is the statement's
// own: a connection whose previous statement reported an insert id (a Save,
// say) still takes a free lease and renews its own.
func TestAcquireLeaseIgnoresEarlierInsertIDs(t *testing.T) {
	s := testdb.MySQLStore(t)
	s.DB().SetMaxOpenConns(1) // every statement below runs on one connection
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	earlierInsertID := func() {
		t.Helper()
		if _, err := s.DB().ExecContext(t.Context(), "DO LAST_INSERT_ID(7)"); err != nil {
			t.Fatal(err)
		}
	}
	earlierInsertID()
	mustAcquire(t, s, "janitor", "a", time.Minute, base)
	earlierInsertID()
	mustAcquire(t, s, "janitor", "a", time.Minute, base.Add(time.Second))
	earlierInsertID()
	if ok, err := s.AcquireLease(t.Context(), "janitor", "b", time.Minute, base.Add(2*time.Second)); err != nil || ok {
		t.Fatalf("AcquireLease of a live lease by another holder = %v, %v; want false", ok, err)
	}
}
