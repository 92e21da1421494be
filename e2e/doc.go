// Package e2e drives the example app (../example) in headless Chromium, on
// SQLite and on PostgreSQL. It is a module of its own so that chromedp stays
// out of the library's go.mod. Run it from this directory:
//
//	go test -count=1 ./...
//	go test -count=1 ./... -args -screenshot=../docs/devices.png
//
// It needs Debian's chromium package (apt-get install chromium) and a
// PostgreSQL server that lets it create databases:
// $SESSIONGEN_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
package e2e
