package fs

import (
	"strings"

	"tamix/abi"
)

// Lookup flags (LOOKUP_*, include/linux/namei.h).
const (
	LOOKUP_FOLLOW    = 0x0001 // follow a symbolic link at the end
	LOOKUP_DIRECTORY = 0x0002 // the end must be a directory
)

// The kinds of last component LookupParent reports (LAST_*).
const (
	LAST_NORM = iota
	LAST_ROOT
	LAST_DOT
	LAST_DOTDOT
)

// nameidata is one path walk: the root that "/" and ".." stop at and the
// number of symbolic links followed so far (total_link_count). Mirrors
// struct nameidata.
type nameidata struct {
	root  Path
	links int
}

// LookupAt resolves name from start (a working directory or a dirfd's
// directory; absolute names start at root). Errors are Linux's: ENOENT
// (a missing component, or an empty name), ENOTDIR (a component used as
// a directory is not one, or a trailing "/" after a non-directory),
// ENAMETOOLONG (a name of PATH_MAX bytes or more, a component longer than
// NAME_MAX), ELOOP (more than 40 symbolic links). Mirrors
// fs/namei.c:filename_lookup() -> path_lookupat(). Differs: root is
// all-powerful, so there are no permission checks on the way.
func LookupAt(root, start Path, name string, flags int) (Path, error) {
	treeLock.RLock()
	defer treeLock.RUnlock()
	return lookupLocked(root, start, name, flags)
}

// lookupLocked is LookupAt with treeLock held.
func lookupLocked(root, start Path, name string, flags int) (Path, error) {
	if len(name) >= PathMax {
		return Path{}, abi.ENAMETOOLONG
	}
	nd := &nameidata{root: root}
	p, err := nd.walk(start, name, flags&LOOKUP_FOLLOW != 0)
	if err != nil {
		return Path{}, err
	}
	if flags&LOOKUP_DIRECTORY != 0 && !p.Inode().IsDir() {
		return Path{}, abi.ENOTDIR
	}
	return p, nil
}

// walk resolves name from start, following a final symlink if follow is
// set or the name ends in "/". Mirrors link_path_walk() with
// walk_component() for each component.
func (nd *nameidata) walk(start Path, name string, follow bool) (Path, error) {
	if name == "" {
		return Path{}, abi.ENOENT
	}
	cur := start
	if name[0] == '/' {
		cur = nd.root
	}
	trailing := strings.HasSuffix(name, "/")
	rest := name
	for rest != "" {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		if comp == "" {
			continue
		}
		if !cur.Inode().IsDir() {
			return Path{}, abi.ENOTDIR
		}
		last := strings.Trim(rest, "/") == ""
		next, err := nd.step(cur, comp, !last || follow || trailing)
		if err != nil {
			return Path{}, err
		}
		cur = next
	}
	if trailing && !cur.Inode().IsDir() {
		return Path{}, abi.ENOTDIR
	}
	return cur, nil
}

// step moves from directory cur to its entry comp, crossing into what
// is mounted there and following a symbolic link if follow is set.
// Mirrors walk_component(), handle_dots() and step_into().
func (nd *nameidata) step(cur Path, comp string, follow bool) (Path, error) {
	switch comp {
	case ".":
		return cur, nil
	case "..":
		return nd.dotdot(cur), nil
	}
	next, err := lookupChild(cur, comp)
	if err != nil {
		return Path{}, err
	}
	if !next.Inode().IsSymlink() || !follow {
		return next, nil
	}
	return nd.followLink(cur, next)
}

// lookupChild finds comp in directory dir and crosses mounts on it;
// caller holds treeLock. A file system whose entries are not all
// dentries (procfs) answers through its Lookup; such dentries are not
// kept in the tree (Linux caches them). Mirrors lookup_fast() /
// lookup_slow() and follow_mount().
func lookupChild(dir Path, comp string) (Path, error) {
	if len(comp) > NameMax {
		return Path{}, abi.ENAMETOOLONG
	}
	d := dir.Dentry.lookupLocked(comp)
	if d == nil {
		n, err := dir.Inode().Ops.Lookup(dir.Inode(), comp)
		if err != nil {
			return Path{}, err
		}
		d = NewDentry(dir.Dentry, comp)
		d.Instantiate(n)
	}
	return followMountLocked(Path{Mnt: dir.Mnt, Dentry: d}), nil
}

// followMountLocked returns the root of what is mounted on p (the top of
// a stack of mounts), or p. Caller holds treeLock.
func followMountLocked(p Path) Path {
	for {
		m := lookupMntLocked(p.Mnt, p.Dentry)
		if m == nil {
			return p
		}
		p = Path{Mnt: m, Dentry: m.Root}
	}
}

// dotdot returns the parent of cur: cur itself at the walk's root; at
// the root of a mount, the parent of its mountpoint. Mirrors
// follow_dotdot().
func (nd *nameidata) dotdot(cur Path) Path {
	for {
		if cur == nd.root {
			return cur
		}
		if cur.Dentry != cur.Mnt.Root {
			break
		}
		if cur.Mnt.Parent == cur.Mnt {
			return cur // the tree's root
		}
		cur = Path{Mnt: cur.Mnt.Parent, Dentry: cur.Mnt.Mountpoint}
	}
	return followMountLocked(Path{Mnt: cur.Mnt, Dentry: cur.Dentry.Parent})
}

// followLink walks the target of the symbolic link at link, found in
// directory dir: relative targets from dir, absolute ones from the
// walk's root. ELOOP after MaxSymlinks links in one walk; an empty
// target is ENOENT. Mirrors pick_link() and get_link().
func (nd *nameidata) followLink(dir, link Path) (Path, error) {
	nd.links++
	if nd.links > MaxSymlinks {
		return Path{}, abi.ELOOP
	}
	if j, ok := link.Inode().Ops.(LinkJumper); ok {
		if p, magic, err := j.JumpLink(link.Inode()); magic || err != nil {
			return p, err
		}
	}
	target, err := link.Inode().Ops.Readlink(link.Inode())
	if err != nil {
		return Path{}, err
	}
	if target == "" {
		return Path{}, abi.ENOENT
	}
	return nd.walk(dir, target, true)
}

// LinkJumper is implemented by the inode operations of "magic" links
// (procfs's /proc/PID/exe, cwd, root and fd/N): following one jumps
// straight to the place it names, not to a path read out of it, so it
// works whatever the reader's root and for files that were renamed.
// JumpLink reports magic false for a link to be walked by its text.
// It is called with treeLock held (for reading or writing) and must not
// take it. Mirrors get_link() returning NULL after nd_jump_link().
type LinkJumper interface {
	JumpLink(n *Inode) (p Path, magic bool, err error)
}

// parent is the result of LookupParent: the directory that holds (or is
// to hold) the last component, the component, its kind, and whether the
// name ended in "/".
type parent struct {
	dir      Path
	last     string
	kind     int
	trailing bool
}

// lookupParentLocked resolves everything but the last component of name
// (symlinks followed) and reports the last one. Caller holds treeLock.
// Mirrors filename_parentat() -> path_parentat().
func lookupParentLocked(root, start Path, name string) (parent, error) {
	if len(name) >= PathMax {
		return parent{}, abi.ENAMETOOLONG
	}
	if name == "" {
		return parent{}, abi.ENOENT
	}
	trimmed := strings.TrimRight(name, "/")
	pr := parent{trailing: len(trimmed) < len(name)}
	if trimmed == "" { // "/" or "///"
		return parent{dir: root, kind: LAST_ROOT, trailing: true}, nil
	}
	dirName, last := "", trimmed
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		dirName, last = trimmed[:i+1], trimmed[i+1:]
	}
	pr.dir = start
	if dirName != "" {
		nd := &nameidata{root: root}
		d, err := nd.walk(start, dirName, true)
		if err != nil {
			return parent{}, err
		}
		pr.dir = d
	}
	if !pr.dir.Inode().IsDir() {
		return parent{}, abi.ENOTDIR
	}
	pr.last = last
	switch last {
	case ".":
		pr.kind = LAST_DOT
	case "..":
		pr.kind = LAST_DOTDOT
	default:
		if len(last) > NameMax {
			return parent{}, abi.ENAMETOOLONG
		}
	}
	return pr, nil
}

// childLocked returns the dentry of the last component in pr.dir without
// following a symlink or crossing a mount, or nil if there is none.
// Caller holds treeLock.
func (pr parent) childLocked() *Dentry {
	return pr.dir.Dentry.lookupLocked(pr.last)
}
