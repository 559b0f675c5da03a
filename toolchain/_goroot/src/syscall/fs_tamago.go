// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package syscall

import (
	"sync"
	_ "unsafe" // for go:linkname
)

// An in-memory file tree for GOOS=tamago. It starts with the directories
// "/" and "/tmp"; descriptors 0, 1 and 2 are the console (reading gives
// end of file, writing goes to the runtime's console output).

// Provided by package runtime.
//
//go:linkname now
func now() (sec int64, nsec int32)

// Provided by package runtime.
//
//go:linkname consoleWrite
func consoleWrite(b []byte) int

type inode struct {
	ino      uint64
	mode     uint32 // S_IF* type bits and permissions
	data     []byte
	target   string            // symbolic link
	children map[string]*inode // directory
	nlink    uint32
	atime    Timespec
	mtime    Timespec
	ctime    Timespec
}

type openFile struct {
	node    *inode // nil for the console
	path    string
	flags   int
	pos     int64
	names   []string // directory entries not yet returned by ReadDirent
	cloexec bool
}

var (
	fsMu    sync.Mutex
	nextIno uint64 = 1
	root           = newInode(S_IFDIR | 0755)
	cwd            = "/"
	fds            = map[int]*openFile{0: {}, 1: {flags: O_WRONLY}, 2: {flags: O_WRONLY}}
)

func init() {
	fsMu.Lock()
	root.children["tmp"] = newInode(S_IFDIR | 01777)
	root.nlink++
	fsMu.Unlock()
}

func stamp() Timespec {
	s, ns := now()
	return Timespec{Sec: s, Nsec: int64(ns)}
}

func newInode(mode uint32) *inode {
	n := &inode{ino: nextIno, mode: mode, nlink: 1}
	nextIno++
	if mode&S_IFMT == S_IFDIR {
		n.children = map[string]*inode{}
		n.nlink = 2
	}
	n.atime = stamp()
	n.mtime, n.ctime = n.atime, n.atime
	return n
}

func (n *inode) isDir() bool { return n.mode&S_IFMT == S_IFDIR }

// splitPath makes path absolute and returns its clean components.
func splitPath(path string) []string {
	if len(path) == 0 || path[0] != '/' {
		path = cwd + "/" + path
	}
	var parts []string
	for _, p := range splitSlash(path) {
		switch p {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, p)
		}
	}
	return parts
}

func splitSlash(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '/' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func joinPath(parts []string) string {
	s := ""
	for _, p := range parts {
		s += "/" + p
	}
	if s == "" {
		return "/"
	}
	return s
}

// lookup resolves path, following symbolic links in every component and,
// if follow is set, in the last one. Caller holds fsMu.
func lookup(path string, follow bool) (*inode, string, error) {
	if path == "" {
		return nil, "", ENOENT
	}
	parts := splitPath(path)
	for hops := 0; hops < 40; hops++ {
		n, i, err := walk(parts, follow)
		if err != nil {
			return nil, "", err
		}
		if i == len(parts) {
			return n, joinPath(parts), nil
		}
		// parts[i] is a symbolic link to expand.
		dir := joinPath(parts[:i])
		target := n.target
		if len(target) == 0 || target[0] != '/' {
			target = dir + "/" + target
		}
		parts = append(splitPath(target), parts[i+1:]...)
	}
	return nil, "", ELOOP
}

// walk follows parts from the root; it stops at a symbolic link that must
// be expanded and returns that link and its index.
func walk(parts []string, follow bool) (*inode, int, error) {
	n := root
	for i, p := range parts {
		if !n.isDir() {
			return nil, 0, ENOTDIR
		}
		c, ok := n.children[p]
		if !ok {
			return nil, 0, ENOENT
		}
		if c.mode&S_IFMT == S_IFLNK && (follow || i < len(parts)-1) {
			return c, i, nil
		}
		n = c
	}
	return n, len(parts), nil
}

// parentOf returns the directory that holds path and the last name.
func parentOf(path string) (*inode, string, error) {
	parts := splitPath(path)
	if len(parts) == 0 {
		return nil, "", EEXIST // the root itself
	}
	dir, _, err := lookup(joinPath(parts[:len(parts)-1]), true)
	if err != nil {
		return nil, "", err
	}
	if !dir.isDir() {
		return nil, "", ENOTDIR
	}
	return dir, parts[len(parts)-1], nil
}

func allocFd(f *openFile) int {
	for fd := 0; ; fd++ {
		if _, used := fds[fd]; !used {
			fds[fd] = f
			return fd
		}
	}
}

func getFile(fd int) (*openFile, error) {
	f, ok := fds[fd]
	if !ok {
		return nil, EBADF
	}
	return f, nil
}

func Open(path string, openmode int, perm uint32) (int, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, abs, err := lookup(path, openmode&O_NOFOLLOW == 0)
	switch {
	case err == ENOENT && openmode&O_CREAT != 0:
		dir, name, perr := parentOf(path)
		if perr != nil {
			return -1, perr
		}
		n = newInode(S_IFREG | perm&0777)
		dir.children[name] = n
		abs = joinPath(splitPath(path))
	case err != nil:
		return -1, err
	case openmode&(O_CREAT|O_EXCL) == O_CREAT|O_EXCL:
		return -1, EEXIST
	}
	if n.mode&S_IFMT == S_IFLNK {
		return -1, ELOOP
	}
	if openmode&O_DIRECTORY != 0 && !n.isDir() {
		return -1, ENOTDIR
	}
	if n.isDir() && openmode&O_ACCMODE != O_RDONLY {
		return -1, EISDIR
	}
	if openmode&O_TRUNC != 0 && openmode&O_ACCMODE != O_RDONLY {
		n.data = nil
		n.mtime = stamp()
	}
	f := &openFile{node: n, path: abs, flags: openmode, cloexec: openmode&O_CLOEXEC != 0}
	if n.isDir() {
		for name := range n.children {
			f.names = append(f.names, name)
		}
		sortStrings(f.names)
	}
	return allocFd(f), nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func Close(fd int) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	if _, err := getFile(fd); err != nil {
		return err
	}
	delete(fds, fd)
	return nil
}

func CloseOnExec(fd int) {
	fsMu.Lock()
	if f, ok := fds[fd]; ok {
		f.cloexec = true
	}
	fsMu.Unlock()
}

func Mkdir(path string, perm uint32) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	dir, name, err := parentOf(path)
	if err != nil {
		return err
	}
	if _, ok := dir.children[name]; ok {
		return EEXIST
	}
	dir.children[name] = newInode(S_IFDIR | perm&07777)
	dir.nlink++
	return nil
}

func ReadDirent(fd int, buf []byte) (int, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return 0, err
	}
	if f.node == nil || !f.node.isDir() {
		return 0, ENOTDIR
	}
	n := 0
	for len(f.names) > 0 {
		name := f.names[0]
		reclen := 2 + len(name)
		if reclen > len(buf)-n {
			if n == 0 {
				return 0, EINVAL
			}
			break
		}
		buf[n] = byte(reclen)
		buf[n+1] = byte(reclen >> 8)
		copy(buf[n+2:], name)
		n += reclen
		f.names = f.names[1:]
	}
	return n, nil
}
