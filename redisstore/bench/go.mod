module github.com/sessiongen/sessiongen/redisstore/bench

go 1.26.0

replace (
	github.com/sessiongen/sessiongen => ../../
	github.com/sessiongen/sessiongen/redisstore => ../
)

require (
	github.com/alexedwards/scs/redisstore v0.0.0-20251002162104-209de6e426de
	github.com/gomodule/redigo v1.8.0
	github.com/redis/rueidis v1.0.79
	github.com/sessiongen/sessiongen v0.0.0
	github.com/sessiongen/sessiongen/redisstore v0.0.0
)

require golang.org/x/sys v0.49.0 // indirect
