package mysqlstore

// UseListedCleanup makes s delete expired sessions the MySQL way (list, then
// delete by key) on MariaDB too, so that the tests cover both paths.
func UseListedCleanup(s *Store) { s.st.returning = false }

// UsesReturning reports whether s deletes expired sessions with RETURNING.
func UsesReturning(s *Store) bool { return s.st.returning }

// OnRetry makes s call fn for every statement it runs again.
func OnRetry(s *Store, fn func(op string, err error)) { s.st.retried = fn }
