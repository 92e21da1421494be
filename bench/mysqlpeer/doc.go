// Package mysqlpeer benchmarks mysqlstore against scs's mysqlstore on the same
// MariaDB server, in the same run: loading one session and saving one back,
// from one goroutine and from many. Each top-level benchmark starts a
// throwaway MariaDB server of its own (internal/testdb.NewMariaDB; it needs
// the MariaDB server binaries), so that the server's CPU time per operation
// counts only its statements; each store gets a database of its own.
// Rounds alternate by running the test binary once per round:
//
//	cd bench && go test -c -o /tmp/mysqlpeer.test ./mysqlpeer &&
//	for i in 1 2 3 4 5 6; do /tmp/mysqlpeer.test -test.run '^$' -test.bench . -test.benchmem -test.count=1 -test.benchtime=1s; done > out/mysqlpeer.txt &&
//	go run golang.org/x/perf/cmd/benchstat@latest -col /store out/mysqlpeer.txt
//
// docs/BENCHMARKS.md and docs/MYSQL.md hold the results.
package mysqlpeer
