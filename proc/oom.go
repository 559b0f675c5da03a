//go:build tamago

package proc

import (
	"tamix/mm"
	"tamix/sched"
)

// The OOM killer (mm/oom_kill.c): when a user page fault cannot get a
// page, kill the process whose death frees the most memory, rather than
// the one that happened to fault.

// oomBadness is a process's score: its resident pages and page tables
// (oom_badness(), without swap, which Tamix lacks, and with every
// oom_score_adj at 0).
func oomBadness(s mm.Stats) int { return s.RSSPages + s.TablePages }

// OutOfMemory picks the process with the highest badness, init only if
// nothing else is left, and kills it with SIGKILL, logging Linux's line.
// While an earlier victim is still dying nothing more is killed: its
// memory is on its way back. Returns false if there is nothing to kill.
// Mirrors mm/oom_kill.c:out_of_memory() with select_bad_process() and
// oom_kill_process().
func OutOfMemory(t *Task) bool {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	var victim, init *Task
	var vs mm.Stats
	best := -1
	for _, p := range processesLocked() {
		if p.MM == nil {
			continue
		}
		if p.Signal.Flags&SIGNAL_GROUP_EXIT != 0 {
			return true // a victim is already exiting: let it go first
		}
		s := p.MM.Stats()
		if p.TGID == 1 {
			init = p
			continue
		}
		if b := oomBadness(s); b > best {
			best, victim, vs = b, p, s
		}
	}
	if victim == nil && init != nil {
		victim, vs = init, init.MM.Stats()
	}
	if victim == nil {
		return false
	}
	logOOMKill(victim, vs)
	if victim.TGID == 1 {
		victim.Signal.Flags &^= SIGNAL_UNKILLABLE
	}
	sendSignalLocked(SIGKILL, NewKernelInfo(SIGKILL), victim, true)
	return true
}

// logOOMKill prints Linux's line, in kB:
// "Out of memory: Killed process N (comm) total-vm:…kB, anon-rss:…kB,
// file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:…kB oom_score_adj:0".
// Not rate-limited: each kill is news.
func logOOMKill(p *Task, s mm.Stats) {
	if K.Log == nil {
		return
	}
	K.Log("Out of memory: Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:%dkB oom_score_adj:0",
		p.TGID, p.Comm, s.VMPages*4, s.RSSPages*4, s.TablePages*4)
}

// pagefaultOutOfMemory is the fault path's way in: kill a victim, then
// give the CPU away so that it can exit; the faulting task retries its
// access when it next runs (or dies, if it was the victim). Mirrors
// mm/oom_kill.c:pagefault_out_of_memory().
func (t *Task) pagefaultOutOfMemory() bool {
	if !OutOfMemory(t) {
		return false
	}
	sched.Yield()
	return true
}
