module github.com/sessiongen/sessiongen/bench

go 1.26.0

require github.com/sessiongen/sessiongen v0.0.0

require (
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/tinylib/msgp v1.6.5 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

replace github.com/sessiongen/sessiongen => ../
