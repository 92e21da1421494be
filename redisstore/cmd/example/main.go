// Command example is the example shop (package example/webapp) with Redis
// URLs registered:
//
//	go run github.com/sessiongen/sessiongen/redisstore/cmd/example -database-url redis://127.0.0.1:6379
package main

import (
	"github.com/sessiongen/sessiongen/example/webapp"
	_ "github.com/sessiongen/sessiongen/redisstore/redisurl"
)

func main() { webapp.Main() }
