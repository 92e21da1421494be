// Package fibersession runs sessiongen's middleware, or any net/http
// middleware, in a Fiber v3 app, keeping its guarantee that the session is
// saved and its cookie set before the response goes out:
//
//	visitors := sessions.NewVisitorManager(store)
//	app := fiber.New()
//	app.Use(fibersession.Middleware(visitors.Handler))
//	app.Post("/cart", func(c fiber.Ctx) error {
//		s := visitors.From(c.Context())
//		s.SetCart(append(slices.Clone(s.Cart()), item))
//		return c.JSON(s.Cart())
//	})
//
// It is a module of its own so that the sessiongen library does not make
// every user depend on Fiber.
//
// Why not Fiber's own adaptor.HTTPMiddleware: it runs the rest of the chain
// after the net/http middleware has returned, so sessiongen's middleware
// commits before the handler has changed anything, and the handler's changes
// are never saved. Middleware instead runs the chain inside the middleware,
// as its next handler. Fiber runs on fasthttp, which buffers the response
// until the handler chain returns, and the middleware commits when its next
// handler returns: the session is saved, and its cookie added to the
// response, before fasthttp sends anything. If the commit fails, the
// middleware's error response (503 or 500) replaces the handler's.
package fibersession

import (
	"net/http"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp/fasthttpadaptor"
)

// Middleware returns a Fiber handler that runs mw around the rest of the
// chain. Handlers find what mw put in the request context through
// c.Context() (visitors.From(c.Context())). What mw writes itself (headers
// such as Set-Cookie, or a whole error response) goes into Fiber's response.
func Middleware(mw func(http.Handler) http.Handler) fiber.Handler {
	return func(c fiber.Ctx) error {
		var r http.Request
		if err := fasthttpadaptor.ConvertRequest(c.RequestCtx(), &r, true); err != nil {
			return err
		}
		w := &responseWriter{header: http.Header{}}
		var called bool
		var nextErr error
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			called = true
			c.SetContext(r.Context())
			nextErr = c.Next()
		})).ServeHTTP(w, r.WithContext(c.Context()))
		if w.code != 0 {
			// mw answered by itself (it did not call next, or its commit
			// failed after the handler ran): its response replaces any.
			c.Response().Reset()
			c.Status(w.code)
			copyHeader(c, w.header)
			c.Response().SetBodyRaw(w.body)
			return nil
		}
		copyHeader(c, w.header)
		if !called {
			return nil
		}
		return nextErr
	}
}

// copyHeader adds the header lines mw set to Fiber's response.
func copyHeader(c fiber.Ctx, h http.Header) {
	for k, vs := range h {
		for _, v := range vs {
			c.Response().Header.Add(k, v)
		}
	}
}

// responseWriter collects what mw writes itself. Fiber handlers do not
// write to it: they write to Fiber's context.
type responseWriter struct {
	header http.Header
	code   int
	body   []byte
}

// Header implements http.ResponseWriter.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter.
func (w *responseWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

// Write implements http.ResponseWriter.
func (w *responseWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.body = append(w.body, b...)
	return len(b), nil
}
