//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package dirstore

import (
	"errors"
	"os"
)

// tryLock is unavailable here: the store needs flock(2).
func tryLock(*os.File) (bool, error) {
	return false, errors.New("dirstore: flock(2) is not available on this platform")
}

// supported reports whether this platform has what the store needs.
const supported = false
