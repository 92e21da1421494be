module github.com/sessiongen/sessiongen/redisstore

go 1.26.0

replace github.com/sessiongen/sessiongen => ../

require (
	github.com/redis/rueidis v1.0.79
	github.com/sessiongen/sessiongen v0.0.0
)

require golang.org/x/sys v0.49.0 // indirect
