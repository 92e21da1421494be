module github.com/sessiongen/sessiongen/bench

go 1.26.0

require github.com/sessiongen/sessiongen v0.0.0

replace github.com/sessiongen/sessiongen => ../
