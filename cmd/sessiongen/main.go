// Command sessiongen generates typed session code and operates session stores.
//
// Run by go generate, with flags only, it generates:
//
//	//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Visitor
//
// Its other subcommands operate a database: see `sessiongen help`. The
// commands live in package cli, so that builds with other stores registered
// (redisstore/cmd/sessiongen) run the same code.
package main

import (
	"os"

	"github.com/sessiongen/sessiongen/cmd/sessiongen/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
