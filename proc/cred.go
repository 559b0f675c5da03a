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
	mu sync.Mutex
	Creds
}

// Creds are the IDs themselves, as a Snapshot returns them.
type Creds struct {
	U, G   IDs // user and group IDs
	Groups []uint32
}

// IDs is one kind of ID (user or group): real, effective, saved and
// file-system. The set*id rules are the same for both kinds.
type IDs struct{ Real, Eff, Saved, FS uint32 }

// NGROUPS_MAX is the most supplementary groups (include/uapi/linux/limits.h).
const NGROUPS_MAX = 65536

// noID is the "leave unchanged" argument, (uid_t)-1.
const noID = ^uint32(0)

// copyCred returns a copy for a child (copy_creds()).
func (c *Cred) copyCred() *Cred { return &Cred{Creds: c.Snapshot()} }

// Snapshot returns a copy of the IDs, for reading without the lock.
func (c *Cred) Snapshot() Creds {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Creds{U: c.U, G: c.G, Groups: append([]uint32(nil), c.Groups...)}
}

// privileged reports CAP_SETUID/CAP_SETGID: an effective UID of 0.
func (c *Cred) privileged() bool { return c.U.Eff == 0 }

// set runs change on ids (c.U or c.G) under the lock, with the privilege
// of the task before the change.
func (c *Cred) set(ids *IDs, change func(ids *IDs, priv bool) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return change(ids, c.privileged())
}

// setid is setuid(2)/setgid(2): a privileged task sets all four IDs,
// another only its effective (and fs) ID, to its real or saved one.
// Mirrors kernel/sys.c:__sys_setuid() and __sys_setgid().
func setid(ids *IDs, priv bool, id uint32) error {
	switch {
	case id == noID:
		return abi.EINVAL
	case priv:
		ids.Real, ids.Saved = id, id
	case id != ids.Real && id != ids.Saved:
		return abi.EPERM
	}
	ids.Eff, ids.FS = id, id
	return nil
}

// setreid is setreuid(2)/setregid(2): the saved ID follows the effective
// one when the real ID is set, or the effective one to something other
// than the old real ID. Mirrors kernel/sys.c:__sys_setreuid().
func setreid(ids *IDs, priv bool, r, e uint32) error {
	if !priv && (r != noID && r != ids.Real && r != ids.Eff ||
		e != noID && e != ids.Real && e != ids.Eff && e != ids.Saved) {
		return abi.EPERM
	}
	old := ids.Real
	if r != noID {
		ids.Real = r
	}
	if e != noID {
		ids.Eff = e
	}
	if r != noID || e != noID && e != old {
		ids.Saved = ids.Eff
	}
	ids.FS = ids.Eff
	return nil
}

// setresid is setresuid(2)/setresgid(2): an unprivileged task may only
// pick among its current real, effective and saved IDs. Mirrors
// kernel/sys.c:__sys_setresuid().
func setresid(ids *IDs, priv bool, r, e, s uint32) error {
	ok := func(id uint32) bool { return id == noID || id == ids.Real || id == ids.Eff || id == ids.Saved }
	if !priv && (!ok(r) || !ok(e) || !ok(s)) {
		return abi.EPERM
	}
	for _, p := range []struct {
		dst *uint32
		v   uint32
	}{{&ids.Real, r}, {&ids.Eff, e}, {&ids.Saved, s}} {
		if p.v != noID {
			*p.dst = p.v
		}
	}
	ids.FS = ids.Eff
	return nil
}

// setfsid is setfsuid(2)/setfsgid(2): it returns the old value whether or
// not the change was allowed (the call cannot fail).
func setfsid(ids *IDs, priv bool, id uint32) uint32 {
	old := ids.FS
	if id != noID && (priv || id == ids.Real || id == ids.Eff || id == ids.Saved || id == ids.FS) {
		ids.FS = id
	}
	return old
}

// The system calls' entry points, for user IDs and group IDs.
func (c *Cred) Setuid(id uint32) error {
	return c.set(&c.U, func(ids *IDs, p bool) error { return setid(ids, p, id) })
}
func (c *Cred) Setgid(id uint32) error {
	return c.set(&c.G, func(ids *IDs, p bool) error { return setid(ids, p, id) })
}
func (c *Cred) Setreuid(r, e uint32) error {
	return c.set(&c.U, func(ids *IDs, p bool) error { return setreid(ids, p, r, e) })
}
func (c *Cred) Setregid(r, e uint32) error {
	return c.set(&c.G, func(ids *IDs, p bool) error { return setreid(ids, p, r, e) })
}
func (c *Cred) Setresuid(r, e, s uint32) error {
	return c.set(&c.U, func(ids *IDs, p bool) error { return setresid(ids, p, r, e, s) })
}
func (c *Cred) Setresgid(r, e, s uint32) error {
	return c.set(&c.G, func(ids *IDs, p bool) error { return setresid(ids, p, r, e, s) })
}
func (c *Cred) Setfsuid(id uint32) (old uint32) {
	c.set(&c.U, func(ids *IDs, p bool) error { old = setfsid(ids, p, id); return nil })
	return old
}
func (c *Cred) Setfsgid(id uint32) (old uint32) {
	c.set(&c.G, func(ids *IDs, p bool) error { old = setfsid(ids, p, id); return nil })
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
