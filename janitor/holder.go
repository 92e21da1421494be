package janitor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
)

// Holder returns a lease holder name unique to this process: host name, process
// id and a random suffix, so that two processes on one host, or a restarted
// process that reuses a pid, never mistake each other's lease for their own.
func Holder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var r [6]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails (Go 1.24+)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}
