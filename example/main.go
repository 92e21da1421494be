// Command example is a small shop that shows what typed, persistent sessions
// are for: log in and out, a cart, a flash message, a visit counter and a
// "your devices" page. It runs on a SQLite file by default:
//
//	go run ./example
//	go run ./example -database-url postgres://postgres@127.0.0.1:5432/postgres
//	go run ./example -database-url mysql://root@127.0.0.1:3306/sessions   (an existing database)
//	go run ./example -database-url dir:///tmp/example-sessions
//
// See docs/EXAMPLE.md. The app itself is package webapp, so that builds with
// other stores registered (redisstore/cmd/example) run the same code.
package main

import "github.com/sessiongen/sessiongen/example/webapp"

func main() { webapp.Main() }
