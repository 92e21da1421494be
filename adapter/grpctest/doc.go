// Package grpctest shows, by its test, a gRPC server interceptor that serves
// a browser's session outside an HTTP handler: it loads the session named by
// the "cookie" metadata (Manager.LoadHeader), runs the method with the
// session in its context, commits before the response goes out, and returns
// a new or cleared cookie as "set-cookie" header metadata (Session.Cookie).
// It is a module of its own so that the library does not require gRPC.
package grpctest
