package codec

import "time"

//go:generate go run github.com/tinylib/msgp@v1.6.5 -file msgp.go -o msgp_gen.go -tests=false

// newtime makes tinylib/msgp write the standard msgpack timestamp (-1), which
// msgpack/v5 reflection reads too; without it tinylib writes its extension 5.
//msgp:newtime

// Msgp is the session for tinylib/msgp: the generated code is msgp_gen.go.
type Msgp struct {
	Name     string            `msg:"name"`
	UserID   int64             `msg:"user_id"`
	Admin    bool              `msg:"admin"`
	LastSeen time.Time         `msg:"last_seen"`
	Roles    []string          `msg:"roles"`
	Prefs    map[string]string `msg:"prefs"`
	Profile  MsgpProfile       `msg:"profile"`
	CSRF     []byte            `msg:"csrf"`
}

// MsgpProfile is Profile for tinylib/msgp.
type MsgpProfile struct {
	Email string `msg:"email"`
	Age   int32  `msg:"age"`
}
