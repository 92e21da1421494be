// Package app is the example-style application of the HTTP and lost-update
// comparisons, written twice over the same routes: once on sessiongen's
// middleware, once on scs. Each side uses its library as its README shows;
// neither does anything the other does not.
//
//	POST /start           begins a session: name and a three-item cart
//	GET  /                reads the session and prints it (key=value lines)
//	POST /incr            adds one to the counter
//	POST /set?f=a&v=xyz   sets one of the fields a, b, c, d
package app

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Initial values /start stores.
var (
	startName = "visitor"
	startCart = []string{"sku-1001", "sku-2002", "sku-3003"}
)

// Fields are the fields /set accepts.
var Fields = []string{"a", "b", "c", "d"}

// view is what GET / prints, the same on both sides.
type view struct {
	count      int64
	name       string
	cart       []string
	a, b, c, d string
}

func (v view) write(w io.Writer) {
	fmt.Fprintf(w, "count=%d\nname=%s\ncart=%s\na=%s\nb=%s\nc=%s\nd=%s\n",
		v.count, v.name, strings.Join(v.cart, ","), v.a, v.b, v.c, v.d)
}

// Parse reads what GET / printed back into a map, for the tests.
func Parse(body string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// Count is the counter in a parsed GET / body.
func Count(fields map[string]string) int64 {
	n, _ := strconv.ParseInt(fields["count"], 10, 64)
	return n
}

// routes wires the four handlers every side provides.
func routes(start, read, incr http.HandlerFunc, set func(w http.ResponseWriter, r *http.Request, field, value string)) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /start", start)
	mux.HandleFunc("GET /{$}", read)
	mux.HandleFunc("POST /incr", incr)
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		field, value := r.URL.Query().Get("f"), r.URL.Query().Get("v")
		switch field {
		case "a", "b", "c", "d":
			set(w, r, field, value)
		default:
			http.Error(w, "unknown field", http.StatusBadRequest)
		}
	})
	return mux
}
