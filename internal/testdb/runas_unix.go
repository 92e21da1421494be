//go:build unix

package testdb

import (
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// runAs makes cmd run as u (the caller is root).
func runAs(cmd *exec.Cmd, u *user.User) error {
	uid, gid, err := ids(u)
	if err != nil {
		return err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return nil
}

// chown gives dir to u, so that the cluster's user can create data and socket.
func chown(dir string, u *user.User) error {
	uid, gid, err := ids(u)
	if err != nil {
		return err
	}
	return os.Chown(dir, uid, gid)
}

func ids(u *user.User) (uid, gid int, err error) {
	if uid, err = strconv.Atoi(u.Uid); err != nil {
		return 0, 0, err
	}
	gid, err = strconv.Atoi(u.Gid)
	return uid, gid, err
}
