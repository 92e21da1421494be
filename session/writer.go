package session

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
)

// errResponseReplaced is what the handler's writes return after a failed
// commit replaced its response with ErrorHandler's.
var errResponseReplaced = errors.New("session: commit failed; response replaced by the error handler")

// responseWriter commits the session right before the response header goes out:
// on the first WriteHeader, Write, ReadFrom, Flush or Hijack. It keeps the
// optional interfaces of the ResponseWriter it wraps working, and Unwrap lets
// http.ResponseController reach the rest.
type responseWriter[T any, P Codec[T]] struct {
	http.ResponseWriter
	s       *Session[T, P]
	r       *http.Request
	started bool // the commit ran (or is running)
	failed  bool // it failed: ErrorHandler owns the response
}

// beforeHeader runs the commit once and reports whether the handler's response
// may go out.
func (w *responseWriter[T, P]) beforeHeader() bool {
	if w.started {
		return !w.failed
	}
	w.started = true
	if err := w.s.beforeHeader(w.r.Context(), w.ResponseWriter.Header()); err != nil {
		w.failed = true
		w.s.m.ErrorHandler(w.ResponseWriter, w.r, err)
		return false
	}
	return true
}

// WriteHeader implements http.ResponseWriter. Informational 1xx headers (103
// Early Hints) pass through: the session commits with the final header.
func (w *responseWriter[T, P]) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.beforeHeader() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write implements http.ResponseWriter.
func (w *responseWriter[T, P]) Write(b []byte) (int, error) {
	if !w.beforeHeader() {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom implements io.ReaderFrom so that io.Copy keeps the server's
// sendfile path.
func (w *responseWriter[T, P]) ReadFrom(src io.Reader) (int64, error) {
	if !w.beforeHeader() {
		return 0, errResponseReplaced
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// Flush implements http.Flusher; it sends the header, so it commits first.
func (w *responseWriter[T, P]) Flush() {
	if w.beforeHeader() {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Hijack implements http.Hijacker. The session is saved first; a cookie it
// would set can only reach the client if the hijacker writes the header map
// itself.
func (w *responseWriter[T, P]) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.beforeHeader() {
		return nil, nil, errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *responseWriter[T, P]) Unwrap() http.ResponseWriter { return w.ResponseWriter }
