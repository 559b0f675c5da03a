package proc

import (
	"sync"

	"tamix/abi"
)

// Cred is a task's credentials (struct cred): real, effective, saved and
// file-system user and group IDs, and the supplementary groups. Every
// task starts as root. Linux keeps capability sets too; Tamix has none:
// a task with effective UID 0 may do what CAP_SETUID and CAP_SETGID allow,
// the rule Linux applies when it computes capabilities from the UIDs.
// Nothing else in Tamix checks permissions yet, so the IDs are what
// programs read back, not yet what guards files. Protected by mu; a
// task's own set*id calls are the only writers.
type Cred struct {
	mu                     sync.Mutex
	UID, EUID, SUID, FSUID uint32
	GID, EGID, SGID, FSGID uint32
	Groups                 []uint32
}

// NGROUPS_MAX is the most supplementary groups (include/uapi/linux/limits.h).
const NGROUPS_MAX = 65536

// noID is the "leave unchanged" argument, (uid_t)-1.
const noID = ^uint32(0)

// copyCred returns a copy for a child (copy_creds()).
func (c *Cred) copyCred() *Cred {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := &Cred{UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.FSUID,
		GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.FSGID}
	n.Groups = append([]uint32(nil), c.Groups...)
	return n
}

// privileged reports CAP_SETUID/CAP_SETGID: an effective UID of 0.
func (c *Cred) privileged() bool { return c.EUID == 0 }

// Setuid is setuid(2): a privileged task sets all four UIDs, another only
// its effective (and fs) UID, to its real or saved one. Mirrors
// kernel/sys.c:__sys_setuid().
func (c *Cred) Setuid(uid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if uid == noID {
		return abi.EINVAL
	}
	switch {
	case c.privileged():
		c.UID, c.SUID = uid, uid
	case uid != c.UID && uid != c.SUID:
		return abi.EPERM
	}
	c.EUID, c.FSUID = uid, uid
	return nil
}

// Setreuid is setreuid(2). Mirrors kernel/sys.c:__sys_setreuid().
func (c *Cred) Setreuid(ruid, euid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.privileged() {
		if ruid != noID && ruid != c.UID && ruid != c.EUID ||
			euid != noID && euid != c.UID && euid != c.EUID && euid != c.SUID {
			return abi.EPERM
		}
	}
	old := c.UID
	if ruid != noID {
		c.UID = ruid
	}
	if euid != noID {
		c.EUID = euid
	}
	if ruid != noID || euid != noID && euid != old {
		c.SUID = c.EUID
	}
	c.FSUID = c.EUID
	return nil
}

// Setresuid is setresuid(2): an unprivileged task may only pick among
// its current real, effective and saved UIDs. Mirrors
// kernel/sys.c:__sys_setresuid().
func (c *Cred) Setresuid(ruid, euid, suid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := func(id uint32) bool { return id == noID || id == c.UID || id == c.EUID || id == c.SUID }
	if !c.privileged() && (!ok(ruid) || !ok(euid) || !ok(suid)) {
		return abi.EPERM
	}
	if ruid != noID {
		c.UID = ruid
	}
	if euid != noID {
		c.EUID = euid
	}
	if suid != noID {
		c.SUID = suid
	}
	c.FSUID = c.EUID
	return nil
}

// Setgid, Setregid and Setresgid are the group versions, with the same
// rules (the privilege is still an effective UID of 0, CAP_SETGID).
func (c *Cred) Setgid(gid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gid == noID {
		return abi.EINVAL
	}
	switch {
	case c.privileged():
		c.GID, c.SGID = gid, gid
	case gid != c.GID && gid != c.SGID:
		return abi.EPERM
	}
	c.EGID, c.FSGID = gid, gid
	return nil
}

func (c *Cred) Setregid(rgid, egid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.privileged() {
		if rgid != noID && rgid != c.GID && rgid != c.EGID ||
			egid != noID && egid != c.GID && egid != c.EGID && egid != c.SGID {
			return abi.EPERM
		}
	}
	old := c.GID
	if rgid != noID {
		c.GID = rgid
	}
	if egid != noID {
		c.EGID = egid
	}
	if rgid != noID || egid != noID && egid != old {
		c.SGID = c.EGID
	}
	c.FSGID = c.EGID
	return nil
}

func (c *Cred) Setresgid(rgid, egid, sgid uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := func(id uint32) bool { return id == noID || id == c.GID || id == c.EGID || id == c.SGID }
	if !c.privileged() && (!ok(rgid) || !ok(egid) || !ok(sgid)) {
		return abi.EPERM
	}
	if rgid != noID {
		c.GID = rgid
	}
	if egid != noID {
		c.EGID = egid
	}
	if sgid != noID {
		c.SGID = sgid
	}
	c.FSGID = c.EGID
	return nil
}

// Setfsuid and Setfsgid are setfsuid(2)/setfsgid(2): they return the old
// value whether or not the change was allowed (the call cannot fail).
func (c *Cred) Setfsuid(uid uint32) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.FSUID
	if uid != noID && (c.privileged() || uid == c.UID || uid == c.EUID || uid == c.SUID || uid == c.FSUID) {
		c.FSUID = uid
	}
	return old
}

func (c *Cred) Setfsgid(gid uint32) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.FSGID
	if gid != noID && (c.privileged() || gid == c.GID || gid == c.EGID || gid == c.SGID || gid == c.FSGID) {
		c.FSGID = gid
	}
	return old
}

// SetGroups replaces the supplementary groups (setgroups(2)): EPERM
// without privilege, EINVAL past NGROUPS_MAX. Mirrors
// kernel/groups.c:setgroups().
func (c *Cred) SetGroups(groups []uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.privileged() {
		return abi.EPERM
	}
	if len(groups) > NGROUPS_MAX {
		return abi.EINVAL
	}
	c.Groups = append([]uint32(nil), groups...)
	return nil
}

// Snapshot returns a copy of the IDs, for reading without the lock.
func (c *Cred) Snapshot() Cred {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Cred{UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.FSUID,
		GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.FSGID,
		Groups: append([]uint32(nil), c.Groups...)}
}
