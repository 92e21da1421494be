package redisstore

// SetPause installs a hook called between the steps of multi-slot operations
// ("rotate:prepared", "rotate:committed", "save:indexed",
// "deleteowner:listed"); an error it returns stops the operation there, as a
// crash would.
func SetPause(s *Store, f func(point string) error) { s.st.pause = f }

// SessionKeyName returns the Redis key holding the session keyed k.
func SessionKeyName(s *Store, k [32]byte) string { return s.st.keys.session(k) }
