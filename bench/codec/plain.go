package codec

import "time"

// Plain is the session for gob, json and msgpack reflection.
type Plain struct {
	Name     string            `json:"name" msgpack:"name"`
	UserID   int64             `json:"user_id" msgpack:"user_id"`
	Admin    bool              `json:"admin" msgpack:"admin"`
	LastSeen time.Time         `json:"last_seen" msgpack:"last_seen"`
	Roles    []string          `json:"roles" msgpack:"roles"`
	Prefs    map[string]string `json:"prefs" msgpack:"prefs"`
	Profile  Profile           `json:"profile" msgpack:"profile"`
	CSRF     []byte            `json:"csrf" msgpack:"csrf"`
}

// Profile is the nested struct of every variant.
type Profile struct {
	Email string `json:"email" msgpack:"email"`
	Age   int32  `json:"age" msgpack:"age"`
}
