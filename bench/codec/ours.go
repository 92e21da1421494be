package codec

import "time"

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Ours

// Ours is the session for sessiongen: the generated code is ours_session.go.
type Ours struct {
	Name     string            `session:"name"`
	UserID   int64             `session:"user_id,user"`
	Admin    bool              `session:"admin"`
	LastSeen time.Time         `session:"last_seen"`
	Roles    []string          `session:"roles"`
	Prefs    map[string]string `session:"prefs"`
	Profile  Profile           `session:"profile"`
	CSRF     []byte            `session:"csrf"`
}
