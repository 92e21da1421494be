package middleware

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Visitor

// Visitor is the benchmark's session struct, the same shape as the runtime
// tests' hand-written internal/testvisitor, here with a generated codec.
type Visitor struct {
	Name   string   `session:"name"`
	Count  int64    `session:"count"`
	Cart   []string `session:"cart"`
	Flash  string   `session:"flash,flash"`
	UserID string   `session:"user_id,user"`
	Role   string   `session:"role,merge=error"`
	Theme  string   `session:"theme,merge=theirs"`
}
