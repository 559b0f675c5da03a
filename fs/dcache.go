package fs

import (
	"sort"
	"strings"
	"sync"
)

// treeLock protects the dentry tree and the mount table (see the package
// comment). Linux spreads this over rename_lock, mount_lock, each
// dentry's d_lock and each directory's i_rwsem.
var treeLock sync.RWMutex

// Dentry is a name in a directory bound to an inode: the directory tree
// is made of dentries. Linux's dcache is a cache in front of the file
// systems; here it is the authority for tmpfs and devtmpfs, which keep
// every dentry for as long as it has a name (as Linux's tmpfs pins its
// dentries). Mirrors struct dentry. All fields are protected by treeLock,
// except Inode, which is set once when the dentry is instantiated.
type Dentry struct {
	Name   string
	Parent *Dentry // the root of a super block is its own parent
	Inode  *Inode  // nil for a negative dentry (a name about to be made)
	// children are the entries of a directory, by name.
	children map[string]*Dentry
	// order holds the same entries by their position in the directory
	// (pos), the order getdents returns them in; nextPos is the position
	// the next entry gets (0 and 1 are "." and "..").
	order   []*Dentry
	pos     int64
	nextPos int64
	// mounted counts mounts on this dentry (d_mounted / DCACHE_MOUNTED).
	mounted int
	// removed is set when the dentry lost its name (d_delete / unhashed).
	removed bool
}

// NewRootDentry returns the root dentry of a super block, its own parent
// (d_make_root()).
func NewRootDentry(n *Inode) *Dentry {
	d := &Dentry{Name: "/", Inode: n}
	d.Parent = d
	return d
}

// NewDentry returns a negative dentry called name under parent, not yet
// linked into it (d_alloc()).
func NewDentry(parent *Dentry, name string) *Dentry {
	return &Dentry{Name: name, Parent: parent}
}

// Instantiate binds d to n (d_instantiate()); file systems call it from
// Mknod, Symlink and Link.
func (d *Dentry) Instantiate(n *Inode) { d.Inode = n }

// lookupLocked returns the child name of d, or nil; caller holds
// treeLock. Mirrors d_lookup().
func (d *Dentry) lookupLocked(name string) *Dentry {
	return d.children[name]
}

// addLocked links child into d under child.Name at the end of d's
// order (d_add()); caller holds treeLock for writing.
func (d *Dentry) addLocked(child *Dentry) {
	if d.children == nil {
		d.children = make(map[string]*Dentry)
		d.nextPos = 2
	}
	child.Parent = d
	child.pos = d.nextPos
	d.nextPos++
	child.removed = false
	d.children[child.Name] = child
	d.order = append(d.order, child)
}

// removeLocked unlinks child from d (d_delete() + __d_drop()); caller
// holds treeLock for writing. The dentry keeps its inode, so open files
// and working directories still reach it.
func (d *Dentry) removeLocked(child *Dentry) {
	delete(d.children, child.Name)
	i := sort.Search(len(d.order), func(i int) bool { return d.order[i].pos >= child.pos })
	if i < len(d.order) && d.order[i] == child {
		d.order = append(d.order[:i], d.order[i+1:]...)
	}
	child.removed = true
}

// unlinked reports whether d or a directory above it lost its name:
// nothing can be created inside it any more (IS_DEADDIR, ENOENT).
// Caller holds treeLock.
func (d *Dentry) unlinked() bool {
	for ; ; d = d.Parent {
		if d.removed {
			return true
		}
		if d.Parent == d {
			return false
		}
	}
}

// emptyLocked reports whether directory d has no entries
// (simple_empty()); caller holds treeLock.
func (d *Dentry) emptyLocked() bool { return len(d.children) == 0 }

// isAncestorLocked reports whether a is d or a directory above d in the
// same super block (is_subdir()); caller holds treeLock.
func (d *Dentry) isAncestorLocked(a *Dentry) bool {
	for {
		if d == a {
			return true
		}
		if d.Parent == d {
			return false
		}
		d = d.Parent
	}
}

// Path is a place in the tree: a dentry and the mount it is reached
// through (struct path). The zero Path is no place.
type Path struct {
	Mnt    *Mount
	Dentry *Dentry
}

// Inode returns the path's inode.
func (p Path) Inode() *Inode { return p.Dentry.Inode }

// IsZero reports whether p is the zero Path.
func (p Path) IsZero() bool { return p.Dentry == nil }

// PathName returns the absolute name of p as seen from root, as getcwd
// and /proc/PID/cwd show it; a path no longer reachable (its directory
// was removed) gets Linux's " (deleted)" suffix, and one outside root is
// shown from its own mount's root. Mirrors fs/d_path.c:d_path() and
// prepend_path().
func PathName(p, root Path) string {
	treeLock.RLock()
	defer treeLock.RUnlock()
	return pathNameLocked(p, root)
}

func pathNameLocked(p, root Path) string {
	var parts []string
	deleted := p.Dentry.removed
	d, m := p.Dentry, p.Mnt
	for !(d == root.Dentry && m == root.Mnt) {
		if d == m.Root {
			if m.Parent == m {
				break // the tree's root: root was not above p
			}
			d, m = m.Mountpoint, m.Parent
			continue
		}
		parts = append(parts, d.Name)
		d = d.Parent
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(parts[i])
	}
	if b.Len() == 0 {
		b.WriteString("/")
	}
	if deleted {
		b.WriteString(" (deleted)")
	}
	return b.String()
}

// AddEntry links a new dentry name for inode n into the directory dir,
// for file systems that build their tree before it is mounted (procfs,
// pseudo file systems). Mirrors d_alloc_name() + d_add().
func AddEntry(dir *Dentry, name string, n *Inode) *Dentry {
	treeLock.Lock()
	defer treeLock.Unlock()
	d := NewDentry(dir, name)
	d.Instantiate(n)
	dir.addLocked(d)
	return d
}
