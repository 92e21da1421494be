// Package routertest shows, by its tests, that sessiongen's middleware needs
// no adapter in chi and echo: chi's Use takes a func(http.Handler)
// http.Handler as it is, and echo.WrapMiddleware hands echo's handlers a
// response that writes through the middleware's writer, so the session is
// saved and its cookie set before the header goes out. It is a module of its
// own so that the library does not require either router; gin needs an
// adapter (adapter/ginsession).
package routertest
