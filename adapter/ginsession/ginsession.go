// Package ginsession runs sessiongen's middleware, or any net/http middleware
// that wraps the ResponseWriter, in a gin engine, keeping its guarantee that
// the session is saved and its cookie set before the response header goes
// out:
//
//	visitors := sessions.NewVisitorManager(store)
//	r := gin.New()
//	r.Use(ginsession.Middleware(visitors.Handler))
//	r.POST("/cart", func(c *gin.Context) {
//		s := visitors.From(c.Request.Context())
//		s.SetCart(append(slices.Clone(s.Cart()), item))
//		c.JSON(http.StatusOK, s.Cart())
//	})
//
// It is a module of its own so that the sessiongen library does not make
// every user depend on gin.
//
// Why an adapter: gin handlers write through c.Writer, which wraps the
// server's ResponseWriter, not the writer a net/http middleware hands to the
// next handler. Adapted naively (calling c.Next inside the middleware), the
// session's writer never sees the header go out: a new session's cookie is
// never sent and changes are saved only after the response. Middleware
// instead points c.Writer at the middleware's writer for the rest of the
// chain, and c.Request at the request that carries the session.
package ginsession

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Middleware returns a gin handler that runs mw around the rest of the chain.
// Handlers find what mw put in the request context through c.Request.Context()
// (visitors.From(c.Request.Context())). When mw answers by itself without
// calling its next handler (sessiongen's ErrorHandler, when the store is
// unavailable), the chain is aborted.
func Middleware(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	h := mw(http.HandlerFunc(next))
	return func(c *gin.Context) {
		run := &chain{c: c}
		h.ServeHTTP(c.Writer, c.Request.WithContext(withChain(c.Request.Context(), run)))
		if !run.called {
			c.Abort()
		}
	}
}

// next is mw's next handler: the rest of the gin chain, writing through w.
func next(w http.ResponseWriter, r *http.Request) {
	run := chainFrom(r.Context())
	run.called = true
	c := run.c
	orig := c.Writer
	c.Writer = &writer{ResponseWriter: orig, mw: w}
	c.Request = r
	defer func() { c.Writer = orig }()
	c.Next()
}

// writer is the gin.ResponseWriter the chain after Middleware writes to. What
// sends the header (WriteHeaderNow, Write, Flush, Hijack) goes through the
// middleware's writer mw first, which commits the session and adds its
// cookie; WriteHeader only records the status, as gin's own writer does, so
// that a handler may still set session fields after c.Status.
type writer struct {
	gin.ResponseWriter // gin's writer: status and size bookkeeping
	mw                 http.ResponseWriter
}

// WriteHeaderNow implements gin.ResponseWriter: the middleware sees the
// header go out with the recorded status.
func (w *writer) WriteHeaderNow() {
	if !w.Written() {
		w.mw.WriteHeader(w.Status())
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Write implements http.ResponseWriter.
func (w *writer) Write(b []byte) (int, error) { return w.mw.Write(b) }

// WriteString implements gin.ResponseWriter.
func (w *writer) WriteString(s string) (int, error) { return io.WriteString(w.mw, s) }

// Flush implements http.Flusher.
func (w *writer) Flush() { _ = http.NewResponseController(w.mw).Flush() }

// Hijack implements http.Hijacker.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.mw).Hijack()
}

// Unwrap returns the middleware's writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.mw }
