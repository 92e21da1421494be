// Command sessiongen is the sessiongen CLI (package cmd/sessiongen/cli) with
// Redis URLs registered: `sessions` and `cleanup` work on
// redis://host:port (a single server or any node of a cluster) as they do on
// PostgreSQL and SQLite.
//
//	go run github.com/sessiongen/sessiongen/redisstore/cmd/sessiongen sessions list -database-url redis://127.0.0.1:6379
package main

import (
	"os"

	"github.com/sessiongen/sessiongen/cmd/sessiongen/cli"
	_ "github.com/sessiongen/sessiongen/redisstore/redisurl"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
