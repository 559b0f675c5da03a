package procfs

import (
	"fmt"
	"strconv"

	"tamix/abi"
	"tamix/fs"
)

// /proc/PID/fd (fs/proc/fd.c).

// fdSlot is where the inode numbers of fd/N start among a task's slots.
const fdSlot = 4096

// findFD returns descriptor num of task pid.
func findFD(pid, num int) (FD, error) {
	fds, err := src.FDs(pid)
	if err != nil {
		return FD{}, abi.ENOENT
	}
	for _, fd := range fds {
		if fd.Num == num {
			return fd, nil
		}
	}
	return FD{}, abi.ENOENT
}

// lookupFD returns the link fd/name: readable gives it r-x for the
// owner, writable -wx, as Linux's tid_fd_update_inode() sets i_mode.
func lookupFD(sb *fs.SuperBlock, dir *pnode, name string) (*fs.Inode, error) {
	num, err := strconv.Atoi(name)
	if err != nil || num < 0 || strconv.Itoa(num) != name {
		return nil, abi.ENOENT
	}
	fd, err := findFD(dir.pid, num)
	if err != nil {
		return nil, err
	}
	mode := uint32(fs.S_IFLNK)
	if fd.File.Readable() {
		mode |= 0o500
	}
	if fd.File.Writable() {
		mode |= 0o300
	}
	p := &pnode{pid: dir.pid, tgid: dir.tgid, fd: num, link: fdLink, jump: fdJump}
	return newInode(sb, mode, p, inoOf(dir.pid, fdSlot+num)), nil
}

// fdLink is readlink's text for fd/N.
func fdLink(p *pnode) (string, error) {
	fd, err := findFD(p.pid, p.fd)
	if err != nil {
		return "", err
	}
	return FDLinkText(fd, readerRoot()), nil
}

// fdJump follows fd/N to the file's place in the tree. Files without
// one (pipes, the boot console, eventfds) cannot be reopened through
// it here (ENOENT); Linux reopens their inode.
func fdJump(p *pnode) (fs.Path, error) {
	fd, err := findFD(p.pid, p.fd)
	if err != nil {
		return fs.Path{}, err
	}
	if fd.File.Path.IsZero() {
		return fs.Path{}, abi.ENOENT
	}
	return fd.File.Path, nil
}

// devConsole is the console's device number, 5:1.
var devConsole = fs.Mkdev(5, 1)

// FDLinkText is what readlink of fd/N gives for fd seen from root: the
// path of a file in the tree, "pipe:[INO]" for a pipe, "anon_inode:NAME"
// for an anonymous file, "/dev/console" for the boot console (opened
// by the kernel outside the tree). Mirrors d_path() with pipefs_dname()
// and anon_inodefs_dname().
func FDLinkText(fd FD, root fs.Path) string {
	f := fd.File
	switch {
	case !f.Path.IsZero():
		return fs.PathName(f.Path, root)
	case fd.Anon != "":
		return "anon_inode:" + fd.Anon
	case f.Inode.Type() == fs.S_IFIFO:
		return fmt.Sprintf("pipe:[%d]", f.Inode.Ino)
	case f.Inode.Type() == fs.S_IFCHR && f.Inode.Rdev == devConsole:
		return "/dev/console"
	}
	return "anon_inode:[unknown]"
}
