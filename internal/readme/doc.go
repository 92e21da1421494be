// Package readme holds the test that follows README.md's "Add sessiongen to
// your app" literally in a fresh module outside the repository, as a new user
// would: its commands run as written, its Go blocks become the module's files,
// and the app it builds must serve a session cookie and keep the session.
package readme
