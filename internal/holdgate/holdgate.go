// Package holdgate lines up HTTP requests in the tests' applications: a
// handler parks at a named gate (typically after it loaded and changed its
// session, before it saves), the test waits until the requests it sent have
// arrived, then opens the gate. Races that would otherwise need luck or
// sleeps then happen in the order the test chose.
package holdgate

import "sync"

// Gates is a set of named gates, each closed until opened. The zero value is
// not usable; see New.
type Gates struct {
	arrived chan struct{}
	mu      sync.Mutex
	gates   map[string]chan struct{}
}

// New returns gates at which up to capacity requests can park without the
// test having waited for them yet.
func New(capacity int) *Gates {
	return &Gates{arrived: make(chan struct{}, capacity), gates: map[string]chan struct{}{}}
}

// Hold is the handler's side: it reports the request's arrival and waits
// until gate name is opened.
func (g *Gates) Hold(name string) {
	g.arrived <- struct{}{}
	<-g.gate(name)
}

// WaitArrived waits until n requests have reached Hold.
func (g *Gates) WaitArrived(n int) {
	for range n {
		<-g.arrived
	}
}

// Open releases the requests held, and to be held, at gate name.
func (g *Gates) Open(name string) { close(g.gate(name)) }

func (g *Gates) gate(name string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.gates[name]
	if !ok {
		c = make(chan struct{})
		g.gates[name] = c
	}
	return c
}
