package redisstore

import (
	"time"

	"github.com/redis/rueidis"
)

// ClientOptions returns the rueidis options the store is tested with, for
// seed addresses of a cluster or the address of a single server (rueidis
// tells them apart). They differ from rueidis's defaults in two ways, both
// for failover: read-only commands are not retried on network errors (a
// retry loop would hold a request until its deadline instead of answering 503
// at once while a master is down), and a connection that stops answering is
// given up after ConnWriteTimeout instead of ten seconds.
func ClientOptions(addrs []string) rueidis.ClientOption {
	return rueidis.ClientOption{
		InitAddress:      addrs,
		DisableRetry:     true,
		DisableCache:     true,
		ConnWriteTimeout: 3 * time.Second,
	}
}
