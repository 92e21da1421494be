module github.com/sessiongen/sessiongen/adapter/grpctest

go 1.26.0

require (
	github.com/sessiongen/sessiongen v0.0.0
	google.golang.org/grpc v1.82.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	golang.org/x/net v0.53.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260414002931-afd174a4e478 // indirect
)

replace github.com/sessiongen/sessiongen => ../..
