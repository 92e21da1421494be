package app

import (
	"net/http"

	"github.com/alexedwards/scs/v2"
)

// SCS is the application on scs with store, configured as scs's README
// shows (scs.New, Store set, LoadAndSave around the mux). Counter increments
// read the value and put it back, the way scs's own examples count.
func SCS(store scs.Store) http.Handler {
	sm := scs.New()
	sm.Store = store
	mux := routes(
		func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "name", startName)
			sm.Put(r.Context(), "cart", startCart)
		},
		func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			cart, _ := sm.Get(ctx, "cart").([]string)
			view{int64(sm.GetInt(ctx, "count")), sm.GetString(ctx, "name"), cart,
				sm.GetString(ctx, "a"), sm.GetString(ctx, "b"), sm.GetString(ctx, "c"), sm.GetString(ctx, "d")}.write(w)
		},
		func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "count", sm.GetInt(r.Context(), "count")+1)
		},
		func(w http.ResponseWriter, r *http.Request, field, value string) {
			sm.Put(r.Context(), field, value)
		},
	)
	return sm.LoadAndSave(mux)
}
