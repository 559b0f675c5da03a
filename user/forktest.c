/*
 * forktest: the user-space suite of issue 5 (fork, clone, vfork, execve,
 * exit, wait), meant to run as PID 1 (the kernel boots with
 * init=/forktest) and also runnable on Linux, where the same binary pins
 * down what Linux does.
 *
 * Usage: forktest                 run the suite
 *        forktest --exec-child ... the image exec_replaces_image execs: checks
 *                                  its argv, envp and auxiliary vector, exits 42
 *        forktest --cloexec-child A B
 *                                  the image cloexec_closes_on_exec execs:
 *                                  fd A must be open, fd B closed; exits 42
 *
 * Output is KTAP version 1 on stdout: "KTAP version 1", the plan "1..N",
 * then per case its "# " diagnostic lines followed by "ok N name",
 * "not ok N name" or "ok N name # SKIP reason". A case skips when the
 * system call it is about returns -ENOSYS, or when it can only run as PID 1
 * (orphans_reaped_by_init) or needs RLIMIT_NPROC to be enforced
 * (fork_bomb_rlimit: Linux exempts root). Exits 0 if no case failed, 1
 * otherwise. Output goes out with one write(2) per line, so lines from
 * children never interleave mid-line.
 *
 * System calls are raw (tx_syscall*) so that the exact negated errno is
 * checked; the exceptions are musl's vfork() (a vfork wrapper must keep
 * its return address off the shared stack, which musl's assembly does)
 * and getauxval(). On Linux, run it as PID 1 with
 *   unshare -fp --mount-proc build/user/forktest
 * and as a user RLIMIT_NPROC applies to with
 *   unshare -fp --mount-proc setpriv --reuid=65534 --regid=65534 --clear-groups build/user/forktest
 */
#define _GNU_SOURCE
#define TX_PROG "forktest"
#include "ktap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L
#define BAD_PTR 0x1000000L /* 16 MiB: unmapped here, in Tamix's kernel hole */
#define NSEC 1000000000L
#define MSEC 1000000L

#define FUTEX_WAIT_ 0
#define FUTEX_WAKE_ 1

/* ---------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------- */

static long suite_pid;		/* the process that prints the ok lines */
static const char *self_path;	/* this program, for execve */

/* ---------------------------------------------------------------------
 * System-call helpers
 * ------------------------------------------------------------------- */

static long sys_fork(void) { return tx_syscall0(SYS_fork); }

static long sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return tx_syscall3(SYS_execve, path, argv, envp);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * MSEC};

	tx_syscall2(SYS_nanosleep, &ts, 0);
}

/* child_idle is the body of a child that waits to be killed. */
__attribute__((noreturn))
static void child_idle(void)
{
	for (;;)
		if (tx_syscall0(SYS_pause) == -ENOSYS_)
			sleep_ms(1000);
}

/*
 * reap waits for pid and checks that it ended with wait status want.
 * Returns 1 if it did.
 */
static int reap(const char *what, long pid, int want)
{
	int st = -1;
	long r = sys_wait4(pid, &st, 0);

	if (r != pid) {
		fail("%s: wait4(%ld) = %s", what, pid, en(r));
		return 0;
	}
	if (st != want) {
		fail("%s: child %ld %s, want %s", what, pid, wstatus(st), wstatus(want));
		return 0;
	}
	return 1;
}

/* execve_self execs this program, trying /forktest first, then self_path. */
static long execve_self(char *const argv[], char *const envp[])
{
	long r = sys_execve("/forktest", argv, envp);

	if (r == -ENOENT_ && strcmp(self_path, "/forktest") != 0)
		r = sys_execve(self_path, argv, envp);
	return r;
}

/*
 * raw_clone calls clone(flags, stack, ptid, ctid, tls) and runs fn(arg)
 * in the child on the new stack, then exit(2)s with fn's result; the
 * parent gets the raw result. This is what musl's __clone does: the child
 * cannot return into C code that expects the parent's stack. fn and arg
 * travel on the new stack, which is 16-byte aligned at the call.
 */
static long raw_clone(unsigned long flags, void *stack_top, int *ptid, int *ctid,
		      unsigned long tls, int (*fn)(void *), void *arg)
{
	unsigned long *sp = (unsigned long *)((uintptr_t)stack_top & ~15UL);
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = (long)tls;
	long ret;

	*--sp = (unsigned long)arg;
	*--sp = (unsigned long)fn;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t" /* the child: end of the frame chain */
			 "pop %%rax\n\t"
			 "pop %%rdi\n\t"
			 "call *%%rax\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[nr_exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n" /* exit returned: a fault ends the child */
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(sp), "d"(ptid), "r"(r10),
			   "r"(r8), [nr_exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Stacks for clone children; one child at a time uses each. */
static char clone_stack[64 * 1024] __attribute__((aligned(16)));
#define CLONE_STACK_TOP (clone_stack + sizeof clone_stack)

/* ---------------------------------------------------------------------
 * The cases
 * ------------------------------------------------------------------- */

/* fork_returns_twice: 0 in the child, the child's PID in the parent. */
static void t_fork_returns_twice(void)
{
	long parent = sys_getpid();
	long pids[4];

	for (int i = 0; i < 4; i++) {
		long pid = sys_fork();
		if (pid == 0) {
			if (sys_getppid() != parent)
				child_fail(1, "getppid() = %ld, want the parent %ld", sys_getppid(), parent);
			if (sys_getpid() == parent)
				child_fail(2, "getpid() in the child is the parent's %ld", parent);
			if (sys_gettid() != sys_getpid())
				child_fail(3, "gettid() %ld != getpid() %ld", sys_gettid(), sys_getpid());
			tx_exit(0);
		}
		pids[i] = pid;
		if (pid <= 0) {
			fail("fork = %s", en(pid));
			return;
		}
		if (pid == parent)
			fail("fork returned the parent's own PID %ld", pid);
		for (int j = 0; j < i; j++)
			if (pids[j] == pid)
				fail("fork returned PID %ld twice", pid);
	}
	for (int i = 0; i < 4; i++)
		reap("child", pids[i], 0);
	if (!case_failed)
		diag("children %ld %ld %ld %ld of %ld", pids[0], pids[1], pids[2], pids[3], parent);
}

/* cow_private_writes: after fork, each side's writes stay its own. */
#define COW_PAGES 64
#define COW_WORDS (COW_PAGES * PAGE / 8)
static uint64_t cow_bss[2 * PAGE / 8];	/* .bss pages are private too */

static uint64_t pattern(uint64_t tag, long i)
{
	return tag << 56 ^ (uint64_t)i * 0x9E3779B97F4A7C15ULL;
}

static void fill(volatile uint64_t *w, long n, uint64_t tag)
{
	for (long i = 0; i < n; i++) {
		w[i] = pattern(tag, i);
		if (i % (8 * PAGE / 8) == 0)
			tx_syscall0(SYS_sched_yield); /* let the other side run in between */
	}
}

/* holds returns -1 if w[0..n) holds tag's pattern, else the first bad index. */
static long holds(volatile uint64_t *w, long n, uint64_t tag)
{
	for (long i = 0; i < n; i++)
		if (w[i] != pattern(tag, i))
			return i;
	return -1;
}

static void t_cow_private_writes(void)
{
	long p = tx_syscall6(SYS_mmap, 0, COW_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t *w = (volatile uint64_t *)p;
	long bad;

	if (tx_is_err(p)) {
		fail("mmap of %d pages = %s", COW_PAGES, en(p));
		return;
	}
	fill(w, COW_WORDS, 0xA);
	fill(cow_bss, sizeof cow_bss / 8, 0xA);

	long pid = sys_fork();
	if (pid == 0) {
		sleep_ms(5); /* the parent usually writes first */
		if ((bad = holds(w, COW_WORDS, 0xA)) >= 0)
			child_fail(1, "page %ld lost the pattern written before fork", bad / 512);
		if ((bad = holds(cow_bss, sizeof cow_bss / 8, 0xA)) >= 0)
			child_fail(2, ".bss word %ld lost the pattern written before fork", bad);
		fill(w, COW_WORDS, 0xB);
		fill(cow_bss, sizeof cow_bss / 8, 0xB);
		if ((bad = holds(w, COW_WORDS, 0xB)) >= 0)
			child_fail(3, "page %ld does not keep the child's writes", bad / 512);
		if ((bad = holds(cow_bss, sizeof cow_bss / 8, 0xB)) >= 0)
			child_fail(4, ".bss word %ld does not keep the child's writes", bad);
		tx_exit(0);
	}
	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return;
	}
	fill(w, COW_WORDS, 0xC);
	fill(cow_bss, sizeof cow_bss / 8, 0xC);
	if ((bad = holds(w, COW_WORDS, 0xC)) >= 0)
		fail("parent: page %ld does not keep the parent's writes", bad / 512);
	reap("child", pid, 0);
	if ((bad = holds(w, COW_WORDS, 0xC)) >= 0)
		fail("parent: page %ld changed while the child wrote", bad / 512);
	if ((bad = holds(cow_bss, sizeof cow_bss / 8, 0xC)) >= 0)
		fail("parent: .bss word %ld changed while the child wrote", bad);
	tx_syscall2(SYS_munmap, p, COW_PAGES * PAGE);
}

/*
 * grandchildren: chain(depth) forks a child running chain(depth-1), waits
 * for it and returns its exit status plus one; chain(0) returns 0.
 */
static int chain(int depth)
{
	long me = sys_getpid(), pid;
	int st = -1;

	if (depth == 0)
		return 0;
	pid = sys_fork();
	if (pid == 0) {
		if (sys_getppid() != me)
			child_fail(100, "getppid() = %ld, want %ld", sys_getppid(), me);
		tx_exit(chain(depth - 1));
	}
	if (pid < 0)
		child_fail(101, "fork = %s", en(pid));
	long r = sys_wait4(pid, &st, 0);
	if (r != pid)
		child_fail(102, "wait4(%ld) = %s", pid, en(r));
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 100)
		child_fail(103, "child %ld %s", pid, wstatus(st));
	return WEXITSTATUS(st) + 1;
}

static void t_grandchildren(void)
{
	long pid = sys_fork();

	if (pid == 0)
		tx_exit(chain(3));
	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return;
	}
	/* Four generations below the suite; each exits with its child's status + 1. */
	reap("chain of 4 generations", pid, 3 << 8);
}

/* vfork_order: the parent sleeps until the child exits or execs. */
static volatile int vfork_step;

__attribute__((noinline, noreturn))
static void vfork_child(void)
{
	vfork_step = 1;
	for (int i = 0; i < 5; i++)
		tx_syscall0(SYS_sched_yield);
	sleep_ms(10);
	vfork_step = 2;
	tx_exit(7);
}

__attribute__((noinline, noreturn))
static void vfork_exec_child(char *const argv[], char *const envp[])
{
	vfork_step = 3;
	execve_self(argv, envp);
	tx_exit(127);
}

static void t_vfork_order(void)
{
	static char *argv[] = {"forktest", "--exec-child", "a b", "c", 0};
	static char *envp[] = {"FOO=bar", 0};
	long pid;

	vfork_step = 0;
	pid = vfork();
	if (pid == 0)
		vfork_child();
	if (pid < 0) {
		if (errno == ENOSYS_)
			skip("vfork returns -ENOSYS");
		else
			fail("vfork = -%d", errno);
		return;
	}
	/* The child's stores are visible (CLONE_VM) and all done (CLONE_VFORK). */
	if (vfork_step != 2)
		fail("parent resumed with the child at step %d, want 2 (after its exit)", vfork_step);
	reap("vfork child", pid, 7 << 8);

	/* A vfork child that execs releases the parent too. */
	vfork_step = 0;
	pid = vfork();
	if (pid == 0)
		vfork_exec_child(argv, envp);
	if (pid < 0) {
		fail("second vfork = -%d", errno);
		return;
	}
	if (vfork_step != 3)
		fail("parent resumed with vfork_step %d, want 3 (set before execve)", vfork_step);
	reap("vfork child after execve", pid, 42 << 8);
}

/* clone_vm_shares: a clone(CLONE_VM) child writes the parent's memory. */
static volatile long shared_word, shared_tid;

static int clone_vm_child(void *arg)
{
	shared_tid = sys_gettid();
	shared_word = (long)arg;
	return 9;
}

static void t_clone_vm_shares(void)
{
	shared_word = 0;
	shared_tid = 0;
	long pid = raw_clone(CLONE_VM | SIGCHLD, CLONE_STACK_TOP, 0, 0, 0, clone_vm_child,
			     (void *)0x5eed1234L);
	if (tx_is_err(pid)) {
		fail("clone(CLONE_VM|SIGCHLD) = %s", en(pid));
		return;
	}
	reap("clone child", pid, 9 << 8);
	check("word written by the child", shared_word, 0x5eed1234L);
	check("child's gettid() as it saw it", shared_tid, pid);
}

/* clone_flag_errors: copy_process's flag rules, with Linux's errnos. */
static void clone_expect(const char *what, unsigned long flags, long want)
{
	long r = tx_syscall6(SYS_clone, flags, 0, 0, 0, 0, 0);

	if (r == 0) /* a child that should not exist: leave quietly */
		for (;;)
			tx_syscall1(SYS_exit, 0);
	if (r > 0) {
		int st;
		fail("%s: clone(%#lx) created child %ld, want %s", what, flags, r, en(want));
		sys_wait4(r, &st, __WALL);
		return;
	}
	check(what, r, want);
}

static void t_clone_flag_errors(void)
{
	clone_expect("CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | SIGCHLD, -EINVAL_);
	clone_expect("CLONE_THREAD alone", CLONE_THREAD, -EINVAL_);
	clone_expect("CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD, -EINVAL_);
	clone_expect("CLONE_THREAD|CLONE_SIGHAND without CLONE_VM",
		     CLONE_THREAD | CLONE_SIGHAND, -EINVAL_);
	/* Linux: init's siblings would never be reaped (SIGNAL_UNKILLABLE). */
	if (sys_getpid() == 1)
		clone_expect("CLONE_PARENT from init", CLONE_PARENT | SIGCHLD, -EINVAL_);
}

/* exec_replaces_image: the --exec-child side is exec_child_main below. */
static void t_exec_replaces_image(void)
{
	static char *argv[] = {"forktest", "--exec-child", "a b", "c", 0};
	static char *envp[] = {"FOO=bar", 0};
	static char *noargv[] = {"nothing", 0};

	long pid = sys_fork();
	if (pid == 0) {
		long r = execve_self(argv, envp);
		child_fail(127, "execve(%s) = %s", self_path, en(r));
	}
	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return;
	}
	reap("exec'd child", pid, 42 << 8);
	check("execve of a missing file", sys_execve("/no/such/program", noargv, envp), -ENOENT_);
}

/* exec_child_main is what the exec'd image runs: check argv, envp, auxv. */
extern char **environ;

__attribute__((noreturn))
static void exec_child_main(int argc, char **argv)
{
	const char *want[] = {"forktest", "--exec-child", "a b", "c"};

	if (argc != 4)
		child_fail(1, "exec'd with argc %d, want 4", argc);
	for (int i = 0; i < 4; i++)
		if (strcmp(argv[i], want[i]) != 0)
			child_fail(2, "argv[%d] = \"%s\", want \"%s\"", i, argv[i], want[i]);
	if (argv[4] != 0)
		child_fail(3, "argv[4] is not NULL");
	if (environ == 0 || environ[0] == 0 || strcmp(environ[0], "FOO=bar") != 0 || environ[1] != 0)
		child_fail(4, "envp is not exactly {\"FOO=bar\"}");
	if (getauxval(AT_PAGESZ) != PAGE)
		child_fail(5, "AT_PAGESZ = %lu", getauxval(AT_PAGESZ));
	if (getauxval(AT_PHENT) != 56 || getauxval(AT_PHNUM) == 0 || getauxval(AT_PHDR) == 0)
		child_fail(6, "AT_PHDR %#lx AT_PHENT %lu AT_PHNUM %lu", getauxval(AT_PHDR),
			   getauxval(AT_PHENT), getauxval(AT_PHNUM));
	if (getauxval(AT_ENTRY) == 0 || getauxval(AT_RANDOM) == 0)
		child_fail(7, "AT_ENTRY %#lx AT_RANDOM %#lx", getauxval(AT_ENTRY), getauxval(AT_RANDOM));
	tx_exit(42);
}

/* wait_statuses: Linux's status encoding, WNOHANG, ECHILD, waitid. */
static long fork_exit(int code)
{
	long pid = sys_fork();

	if (pid == 0)
		tx_exit(code);
	if (tx_is_err(pid))
		fail("fork = %s", en(pid));
	return pid;
}

static long fork_idle(void)
{
	long pid = sys_fork();

	if (pid == 0)
		child_idle();
	if (tx_is_err(pid))
		fail("fork = %s", en(pid));
	return pid;
}

static void check_siginfo(const char *what, long r, siginfo_t *si, long pid, int code, int status)
{
	if (!check(what, r, 0))
		return;
	if (si->si_signo != SIGCHLD || si->si_pid != pid || si->si_code != code ||
	    si->si_status != status)
		fail("%s: siginfo signo %d pid %d code %d status %d, want %d %ld %d %d", what,
		     si->si_signo, si->si_pid, si->si_code, si->si_status, SIGCHLD, pid, code,
		     status);
}

static void t_wait_statuses(void)
{
	static const int codes[] = {0, 1, 255};
	long pids[3];
	int st;

	for (int i = 0; i < 3; i++)
		if ((pids[i] = fork_exit(codes[i])) < 0)
			return;
	for (int i = 2; i >= 0; i--) /* newest first: wait4 by PID picks the right one */
		reap("exit code", pids[i], codes[i] << 8);

	long pid = fork_idle();
	if (pid < 0)
		return;
	sleep_ms(5);
	check("wait4(WNOHANG) while the child runs", sys_wait4(pid, &st, WNOHANG), 0);
	check("kill(child, SIGKILL)", sys_kill(pid, SIGKILL), 0);
	reap("SIGKILLed child", pid, SIGKILL);
	if ((pid = fork_idle()) < 0)
		return;
	check("kill(child, SIGTERM)", sys_kill(pid, SIGTERM), 0);
	reap("SIGTERMed child", pid, SIGTERM);

	siginfo_t si;
	if ((pid = fork_exit(7)) < 0)
		return;
	memset(&si, 0, sizeof si);
	check_siginfo("waitid(P_PID, exit 7)", sys_waitid(P_PID, pid, &si, WEXITED), &si, pid,
		      CLD_EXITED, 7);
	if ((pid = fork_idle()) < 0)
		return;
	sys_kill(pid, SIGKILL);
	memset(&si, 0, sizeof si);
	check_siginfo("waitid(P_PID, SIGKILL)", sys_waitid(P_PID, pid, &si, WEXITED), &si, pid,
		      CLD_KILLED, SIGKILL);
	if ((pid = fork_exit(3)) < 0)
		return;
	memset(&si, 0, sizeof si);
	check_siginfo("waitid(P_ALL, exit 3)", sys_waitid(P_ALL, 0, &si, WEXITED), &si, pid,
		      CLD_EXITED, 3);
	check("waitid without WEXITED", sys_waitid(P_ALL, 0, &si, WNOHANG), -EINVAL_);

	/* No children left (a stray one from a failed case is reaped first). */
	long r;
	while ((r = sys_wait4(-1, &st, WNOHANG)) > 0)
		diag("reaped a stray child %ld (%s)", r, wstatus(st));
	check("wait4(-1, WNOHANG) without children", r, -ECHILD_);
	check("wait4(-1) without children", sys_wait4(-1, &st, 0), -ECHILD_);
	check("waitid(P_ALL) without children", sys_waitid(P_ALL, 0, &si, WEXITED), -ECHILD_);
}

/* waitid_wnowait: WNOWAIT reports an exited child and leaves it a zombie. */
static void t_waitid_wnowait(void)
{
	siginfo_t si;
	long pid = fork_exit(3);

	if (pid < 0)
		return;
	memset(&si, 0, sizeof si);
	check_siginfo("waitid(P_PID, WEXITED|WNOWAIT)", sys_waitid(P_PID, pid, &si, WEXITED | WNOWAIT),
		      &si, pid, CLD_EXITED, 3);
	check("kill(zombie, 0) after WNOWAIT", sys_kill(pid, 0), 0);
	reap("child after WNOWAIT", pid, 3 << 8);
}

/* orphans_reaped_by_init: init adopts a grandchild and reaps it. */
static void t_orphans_reaped_by_init(void)
{
	if (sys_getpid() != 1) {
		skip("not PID 1 here (pid %ld): orphans go to init, not to this process", sys_getpid());
		return;
	}
	long pid = sys_fork();
	if (pid == 0) {
		long g = sys_fork();
		if (g == 0) {
			for (int i = 0; i < 200; i++) {
				if (sys_getppid() == 1)
					tx_exit(0);
				sleep_ms(5);
			}
			child_fail(1, "orphan's getppid() is still %ld after 1 s", sys_getppid());
		}
		if (g < 0)
			child_fail(0, "fork = %s", en(g));
		tx_exit((int)(g & 0xff)); /* tells init which PID to expect, mod 256 */
	}
	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return;
	}
	int st = -1;
	long r = sys_wait4(pid, &st, 0);
	if (r != pid || !WIFEXITED(st)) {
		fail("wait4(child %ld) = %s, %s", pid, en(r), wstatus(st));
		return;
	}
	int low = WEXITSTATUS(st);
	for (int i = 0; i < 400; i++) {
		r = sys_wait4(-1, &st, WNOHANG);
		if (r == 0) {
			sleep_ms(5);
			continue;
		}
		if (r < 0) {
			fail("wait4(-1) = %s before the orphan was reaped", en(r));
			return;
		}
		if ((r & 0xff) != low) {
			diag("reaped another child %ld (%s)", r, wstatus(st));
			continue;
		}
		if (st != 0)
			fail("orphan %ld %s, want exited 0 (saw getppid() == 1)", r, wstatus(st));
		else
			diag("init reaped orphan %ld", r);
		return;
	}
	fail("the orphan (PID %% 256 == %d) was not reaped within 2 s", low);
}

/* zombies_visible: an exited child exists until its parent reaps it. */
static void t_zombies_visible(void)
{
	int st = -1;
	long pid = fork_exit(0), r = 0;

	if (pid < 0)
		return;
	for (int i = 0; i < 50 && r == 0; i++) {
		sleep_ms(20); /* plenty for the child to run and exit */
		if (!check("kill(zombie, 0)", sys_kill(pid, 0), 0))
			break;
		r = sys_wait4(pid, &st, WNOHANG);
	}
	if (r != pid || st != 0) {
		fail("wait4(%ld, WNOHANG) = %s, %s; want the exited child", pid, en(r), wstatus(st));
		return;
	}
	check("kill(reaped child, 0)", sys_kill(pid, 0), -ESRCH_);
	check("wait4(reaped child)", sys_wait4(pid, &st, 0), -ECHILD_);
}

/* fork_bomb_rlimit: RLIMIT_NPROC stops a fork bomb with EAGAIN. */
struct krlimit {
	unsigned long cur, max;
};

static long set_nproc(unsigned long cur, unsigned long max)
{
	struct krlimit l = {cur, max};

	return tx_syscall2(SYS_setrlimit, RLIMIT_NPROC, &l);
}

/*
 * count_tasks finds how many tasks count against RLIMIT_NPROC: the
 * smallest limit k at which a fork succeeds is that count plus one.
 * Returns the count, or a raw error.
 */
static long count_tasks(unsigned long max)
{
	for (unsigned long k = 1; k <= 4096; k++) {
		long r = set_nproc(k, max);
		if (r != 0)
			return r;
		long pid = sys_fork();
		if (pid == 0)
			tx_exit(0);
		if (pid > 0) {
			int st;
			sys_wait4(pid, &st, 0);
			return (long)k - 1;
		}
		if (pid != -EAGAIN_)
			return pid;
	}
	return -EAGAIN_;
}

static void t_fork_bomb_rlimit(void)
{
	enum { MAX_FORKS = 40, HEADROOM = 20 };
	struct krlimit old, got;
	long pids[MAX_FORKS], n = 0, r = 0;
	struct utsname u;

	if (sys_getpid() != 1) {
		skip("not PID 1 here (pid %ld): Linux exempts root, so run as init or another user",
		     sys_getpid());
		return;
	}
	if (tx_syscall1(SYS_uname, &u) == 0 && strcmp(u.sysname, "Linux") == 0 &&
	    tx_syscall0(SYS_geteuid) == 0) {
		skip("Linux exempts root from RLIMIT_NPROC");
		return;
	}
	r = tx_syscall2(SYS_getrlimit, RLIMIT_NPROC, &old);
	if (r == -ENOSYS_) {
		skip("getrlimit returns -ENOSYS");
		return;
	}
	if (!check("getrlimit(RLIMIT_NPROC)", r, 0))
		return;
	long before = count_tasks(old.max);
	if (before < 0) {
		fail("counting tasks against RLIMIT_NPROC: %s", en(before));
		set_nproc(old.cur, old.max);
		return;
	}
	r = set_nproc((unsigned long)before + HEADROOM, old.max);
	check("setrlimit(RLIMIT_NPROC, count + 20)", r, 0);
	if (tx_syscall2(SYS_getrlimit, RLIMIT_NPROC, &got) != 0 ||
	    got.cur != (unsigned long)before + HEADROOM || got.max != old.max)
		fail("getrlimit does not return the limit just set");

	for (n = 0; n < MAX_FORKS; n++) {
		r = sys_fork();
		if (r == 0)
			child_idle();
		if (r < 0)
			break;
		pids[n] = r;
	}
	if (r != -EAGAIN_)
		fail("after %ld forks the last fork gave %s, want -EAGAIN", n, en(r));
	else if (n != HEADROOM)
		diag("%ld forks before -EAGAIN, expected %d (tasks came or went meanwhile?)", n,
		     HEADROOM);
	for (long i = 0; i < n; i++)
		sys_kill(pids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		reap("bomb child", pids[i], SIGKILL);

	long pid = fork_exit(0);
	if (pid > 0)
		reap("fork after the bomb", pid, 0);
	long after = count_tasks(old.max);
	if (after != before)
		fail("%ld tasks count against the limit after the bomb, %ld before", after, before);
	check("restore RLIMIT_NPROC", set_nproc(old.cur, old.max), 0);
	r = tx_syscall6(SYS_prlimit64, 0, RLIMIT_NPROC, 0, (long)&got, 0, 0);
	if (check("prlimit64(0, RLIMIT_NPROC, NULL, &old)", r, 0) &&
	    (got.cur != old.cur || got.max != old.max))
		fail("prlimit64 reads %lu/%lu, want %lu/%lu", got.cur, got.max, old.cur, old.max);
	if (!case_failed)
		diag("%ld tasks counted, %ld forks before -EAGAIN, all reaped", before, n);
}

/* bad_pointers: every pointer a process-call takes is checked: -EFAULT. */
static void t_bad_pointers(void)
{
	static char *argv[] = {"forktest", "--guard", 0};
	static char *guard_env[] = {"FORKTEST_GUARD=1", 0};
	static char *bad_arg[] = {"forktest", (char *)BAD_PTR, 0};
	struct timespec ts;
	long pid;
	int st;

	/* wait4 and waitid reap first and copy out after, as Linux does. */
	if ((pid = fork_exit(0)) < 0)
		return;
	check("wait4(status = bad)", sys_wait4(pid, (int *)BAD_PTR, 0), -EFAULT_);
	check("wait4 after the -EFAULT (child already reaped)", sys_wait4(pid, &st, WNOHANG), -ECHILD_);
	if ((pid = fork_exit(0)) < 0)
		return;
	check("wait4(rusage = bad)", tx_syscall6(SYS_wait4, pid, (long)&st, 0, BAD_PTR, 0, 0), -EFAULT_);
	if ((pid = fork_exit(0)) < 0)
		return;
	check("waitid(infop = bad)", sys_waitid(P_PID, pid, (siginfo_t *)BAD_PTR, WEXITED), -EFAULT_);

	check("execve(filename = bad)", sys_execve((char *)BAD_PTR, argv, guard_env), -EFAULT_);
	/* A kernel that took the bad arrays would exec: do it in a child. */
	if ((pid = sys_fork()) == 0) {
		long r1 = sys_execve(self_path, (char **)BAD_PTR, guard_env);
		long r2 = sys_execve(self_path, argv, (char **)BAD_PTR);
		long r3 = sys_execve(self_path, bad_arg, guard_env);
		if (r1 != -EFAULT_ || r2 != -EFAULT_ || r3 != -EFAULT_)
			child_fail(1, "execve with bad argv / envp / argv[1] = %s %s %s, want -EFAULT",
				   en(r1), en(r2), en(r3));
		tx_exit(0);
	}
	if (pid > 0)
		reap("execve(argv, envp or argv[1] = bad) in a child", pid, 0);

	check("clock_gettime(MONOTONIC, bad)",
	      tx_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR), -EFAULT_);
	check("clock_gettime(REALTIME, bad)",
	      tx_syscall2(SYS_clock_gettime, CLOCK_REALTIME, BAD_PTR), -EFAULT_);
	check("clock_gettime(clock 99)", tx_syscall2(SYS_clock_gettime, 99, &ts), -EINVAL_);
	check("nanosleep(bad)", tx_syscall2(SYS_nanosleep, BAD_PTR, 0), -EFAULT_);
	ts.tv_sec = 0;
	ts.tv_nsec = 2 * NSEC;
	check("nanosleep(tv_nsec = 2e9)", tx_syscall2(SYS_nanosleep, &ts, 0), -EINVAL_);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	check("nanosleep(tv_sec = -1)", tx_syscall2(SYS_nanosleep, &ts, 0), -EINVAL_);
	check("clock_nanosleep(MONOTONIC, bad)",
	      tx_syscall6(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_PTR, 0, 0, 0), -EFAULT_);
	check("uname(bad)", tx_syscall1(SYS_uname, BAD_PTR), -EFAULT_);
	check("futex(bad, FUTEX_WAIT)",
	      tx_syscall6(SYS_futex, BAD_PTR, FUTEX_WAIT_, 0, 0, 0, 0), -EFAULT_);
	check("getrlimit(RLIMIT_NPROC, bad)",
	      tx_syscall2(SYS_getrlimit, RLIMIT_NPROC, BAD_PTR), -EFAULT_);
	check("setrlimit(RLIMIT_NPROC, bad)",
	      tx_syscall2(SYS_setrlimit, RLIMIT_NPROC, BAD_PTR), -EFAULT_);
	check("prlimit64(new = bad)",
	      tx_syscall6(SYS_prlimit64, 0, RLIMIT_NPROC, BAD_PTR, 0, 0, 0), -EFAULT_);
	check("rt_sigaction(act = bad)",
	      tx_syscall6(SYS_rt_sigaction, SIGTERM, BAD_PTR, 0, 8, 0, 0), -EFAULT_);
	check("rt_sigprocmask(set = bad)",
	      tx_syscall6(SYS_rt_sigprocmask, SIG_BLOCK, BAD_PTR, 0, 8, 0, 0), -EFAULT_);
	check("sched_getaffinity(mask = bad)",
	      tx_syscall3(SYS_sched_getaffinity, 0, 128, BAD_PTR), -EFAULT_);
}

/* futex_cleartid: CLONE_CHILD_CLEARTID clears the TID and wakes a waiter. */
static volatile int ctid, ptid;
static volatile long seen_ctid, seen_tid;

static int cleartid_child(void *arg)
{
	(void)arg;
	seen_tid = sys_gettid();
	seen_ctid = ctid; /* CLONE_CHILD_SETTID stored our TID before we ran */
	sleep_ms(10);
	return 0;
}

static void t_futex_cleartid(void)
{
	ctid = 0x7fffffff; /* nonzero until the child's TID or 0 replace it */
	ptid = 0;
	seen_ctid = seen_tid = 0;
	long pid = raw_clone(CLONE_VM | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |
				     CLONE_PARENT_SETTID | SIGCHLD,
			     CLONE_STACK_TOP, (int *)&ptid, (int *)&ctid, 0, cleartid_child, 0);
	if (tx_is_err(pid)) {
		fail("clone = %s", en(pid));
		return;
	}
	check("CLONE_PARENT_SETTID value", ptid, pid);
	long deadline = now_ns() + 2 * NSEC, waits = 0, r = 0;
	int v;
	while ((v = ctid) != 0 && now_ns() < deadline) {
		struct timespec to = {0, 200 * MSEC};
		r = tx_syscall6(SYS_futex, (long)&ctid, FUTEX_WAIT_, v, (long)&to, 0, 0);
		waits++;
		if (r != 0 && r != -EAGAIN_ && r != -ETIMEDOUT_ && r != -4) {
			fail("futex(FUTEX_WAIT) = %s", en(r));
			break;
		}
	}
	if (ctid != 0)
		fail("child TID word is still %d after 2 s", ctid);
	reap("clone child", pid, 0);
	check("child's gettid()", seen_tid, pid);
	check("CLONE_CHILD_SETTID value seen by the child", seen_ctid, pid);
	check("FUTEX_WAKE with nobody waiting",
	      tx_syscall6(SYS_futex, (long)&ctid, FUTEX_WAKE_, 1, 0, 0, 0), 0);
	if (!case_failed)
		diag("%ld futex waits, last %s", waits, en(r));
}

/* sleep_timing: a 50 ms sleep takes 50 to 80 ms of CLOCK_MONOTONIC. */
static void t_sleep_timing(void)
{
	struct timespec ts = {0, 50 * MSEC}, now;
	long t0 = now_ns();
	long r = tx_syscall2(SYS_nanosleep, &ts, 0);
	long dt = now_ns() - t0;

	if (!check("nanosleep(50 ms)", r, 0))
		return;
	if (dt < 50 * MSEC || dt >= 80 * MSEC)
		fail("nanosleep(50 ms) took %ld us, want 50000 to 80000", dt / 1000);
	else
		diag("nanosleep(50 ms) took %ld us", dt / 1000);

	/* An absolute deadline 20 ms ahead. */
	if (tx_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &now) != 0)
		return;
	long t1 = now.tv_sec * NSEC + now.tv_nsec, t2 = t1 + 20 * MSEC;
	ts.tv_sec = t2 / NSEC;
	ts.tv_nsec = t2 % NSEC;
	r = tx_syscall6(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&ts, 0, 0, 0);
	dt = now_ns() - t2;
	if (check("clock_nanosleep(TIMER_ABSTIME, +20 ms)", r, 0) && (dt < 0 || dt >= 30 * MSEC))
		fail("clock_nanosleep woke %ld us after its deadline, want 0 to 30000", dt / 1000);
	struct timespec rt;
	r = tx_syscall2(SYS_clock_gettime, CLOCK_REALTIME, &rt);
	if (check("clock_gettime(CLOCK_REALTIME)", r, 0) && rt.tv_sec < 1577836800) /* 2020 */
		fail("CLOCK_REALTIME reads %ld s, before 2020", (long)rt.tv_sec);
}

/* uname_and_ids: uname fills struct utsname; one thread: pid == tid. */
static void t_uname_and_ids(void)
{
	struct utsname u;

	memset(&u, 0xff, sizeof u);
	if (!check("uname", tx_syscall1(SYS_uname, &u), 0))
		return;
	if (u.sysname[0] == 0 || memchr(u.sysname, 0, sizeof u.sysname) == 0)
		fail("uname: sysname is empty or unterminated");
	else if (strcmp(u.machine, "x86_64") != 0)
		fail("uname: machine \"%.64s\", want x86_64", u.machine);
	else
		diag("uname: %s %s %s", u.sysname, u.release, u.machine);
	check("gettid() == getpid()", sys_gettid(), sys_getpid());
	if (sys_getppid() < 0)
		fail("getppid() = %s", en(sys_getppid()));
	long pid = sys_fork();
	if (pid == 0) {
		static int tid_word;
		long r = tx_syscall1(SYS_set_tid_address, &tid_word);
		if (r != sys_getpid())
			child_fail(1, "set_tid_address = %s, want the TID %ld", en(r), sys_getpid());
		tx_exit(0);
	}
	if (pid > 0)
		reap("set_tid_address child", pid, 0);
}

/*
 * credentials: in a child, the set*id rules. Root may take any IDs and
 * come back through its saved UID; once all three UIDs are 1000 it can
 * neither become root again nor change its groups. Run as another user,
 * only the refusals are checked.
 */
static void cred_child(void)
{
	unsigned r, e, s;
	if (tx_syscall3(SYS_getresuid, &r, &e, &s) != 0)
		child_fail(1, "getresuid failed");
	if (e != 0) {
		if (tx_syscall1(SYS_setuid, 0) != -EPERM_ || tx_syscall2(SYS_setgroups, 0, 0) != -EPERM_)
			child_fail(2, "uid %u: setuid(0) or setgroups allowed", e);
		tx_exit(0);
	}
	unsigned g[2] = {7, 8};
	if (tx_syscall2(SYS_setgroups, 2, g) != 0 || tx_syscall2(SYS_getgroups, 0, 0) != 2)
		child_fail(3, "setgroups/getgroups as root");
	if (tx_syscall3(SYS_setresgid, 100, 100, 100) != 0 || tx_syscall0(SYS_getegid) != 100)
		child_fail(4, "setresgid as root");
	if (tx_syscall3(SYS_setresuid, 1000, 1000, 0) != 0 || tx_syscall0(SYS_geteuid) != 1000)
		child_fail(5, "setresuid(1000, 1000, 0)");
	if (tx_syscall3(SYS_setresuid, -1, 0, -1) != 0 || tx_syscall0(SYS_getuid) != 1000)
		child_fail(6, "back to euid 0 through the saved UID");
	if (tx_syscall1(SYS_setuid, 1000) != 0 || tx_syscall3(SYS_getresuid, &r, &e, &s) != 0 ||
	    r != 1000 || e != 1000 || s != 1000)
		child_fail(7, "setuid(1000) as euid 0: %u %u %u", r, e, s);
	if (tx_syscall1(SYS_setuid, 0) != -EPERM_ || tx_syscall2(SYS_setgroups, 0, 0) != -EPERM_ ||
	    tx_syscall1(SYS_setgid, 0) != -EPERM_)
		child_fail(8, "as uid 1000: setuid(0), setgroups or setgid(0) allowed");
	if (tx_syscall1(SYS_setfsuid, 0) != 1000 || tx_syscall1(SYS_setfsuid, -1) != 1000)
		child_fail(9, "setfsuid(0) as 1000 changed the fs UID");
	if (tx_syscall2(SYS_getgroups, 1, g) != -EINVAL_)
		child_fail(10, "getgroups into a list too small");
	tx_exit(0);
}

static void t_credentials(void)
{
	long pid = sys_fork();
	if (pid == 0)
		cred_child();
	if (pid > 0)
		reap("credentials child", pid, 0);
}

/* pipe_across_fork: a pipe carries bytes between parent and child. */
static long make_pipe(int fds[2])
{
	long r = tx_syscall2(SYS_pipe2, fds, 0);

	if (r == -ENOSYS_)
		r = tx_syscall1(SYS_pipe, fds);
	return r;
}

static void t_pipe_across_fork(void)
{
	int down[2], up[2];
	char buf[8];
	long r = make_pipe(down);

	if (r == -ENOSYS_) {
		skip("pipe2 and pipe return -ENOSYS");
		return;
	}
	if (!check("pipe2", r, 0) || !check("second pipe2", make_pipe(up), 0))
		return;
	long pid = sys_fork();
	if (pid == 0) {
		tx_syscall1(SYS_close, down[1]);
		tx_syscall1(SYS_close, up[0]);
		if (tx_syscall3(SYS_read, down[0], buf, 4) != 4 || memcmp(buf, "ping", 4) != 0)
			child_fail(1, "did not read \"ping\"");
		if (tx_syscall3(SYS_write, up[1], "pong", 4) != 4)
			child_fail(2, "could not write \"pong\"");
		r = tx_syscall3(SYS_read, down[0], buf, 1);
		if (r != 0)
			child_fail(3, "read after the writer closed = %s, want 0 (EOF)", en(r));
		tx_exit(0);
	}
	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return;
	}
	tx_syscall1(SYS_close, down[0]);
	tx_syscall1(SYS_close, up[1]);
	check("write(\"ping\")", tx_syscall3(SYS_write, down[1], "ping", 4), 4);
	r = tx_syscall3(SYS_read, up[0], buf, 4);
	if (check("read(\"pong\")", r, 4) && memcmp(buf, "pong", 4) != 0)
		fail("read %.4s, want pong", buf);
	check("close(write end)", tx_syscall1(SYS_close, down[1]), 0);
	reap("pipe child", pid, 0);
	check("read after the child exited (EOF)", tx_syscall3(SYS_read, up[0], buf, 4), 0);
	check("close(read end)", tx_syscall1(SYS_close, up[0]), 0);
	check("pipe2(bad)", tx_syscall2(SYS_pipe2, BAD_PTR, 0), -EFAULT_);
}

/* dup_and_fcntl: descriptors duplicate, with and without close-on-exec. */
static void t_dup_and_fcntl(void)
{
	long fd = tx_syscall1(SYS_dup, 1);

	if (fd == -ENOSYS_) {
		skip("dup returns -ENOSYS");
		return;
	}
	if (fd < 3) {
		fail("dup(1) = %s, want a new descriptor >= 3", en(fd));
		return;
	}
	long fl = tx_syscall2(SYS_fcntl, fd, F_GETFD);
	if (fl == -ENOSYS_) {
		skip("fcntl returns -ENOSYS");
		tx_syscall1(SYS_close, fd);
		return;
	}
	check("fcntl(dup, F_GETFD)", fl, 0);
	check("fcntl(F_SETFD, FD_CLOEXEC)", tx_syscall3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC), 0);
	check("fcntl(F_GETFD) after F_SETFD", tx_syscall2(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
	long acc = tx_syscall2(SYS_fcntl, 1, F_GETFL);
	if (tx_is_err(acc) || ((acc & O_ACCMODE) != O_WRONLY && (acc & O_ACCMODE) != O_RDWR))
		fail("fcntl(1, F_GETFL) = %s, want a writable descriptor", en(acc));
	static const char msg[] = "# written through dup(1)\n";
	check("write through the duplicate", tx_syscall3(SYS_write, fd, msg, sizeof msg - 1),
	      sizeof msg - 1);
	check("dup2(1, 100)", tx_syscall2(SYS_dup2, 1, 100), 100);
	check("dup2(1, 1)", tx_syscall2(SYS_dup2, 1, 1), 1);
	check("dup3(1, 101, O_CLOEXEC)", tx_syscall3(SYS_dup3, 1, 101, O_CLOEXEC), 101);
	check("fcntl(101, F_GETFD)", tx_syscall2(SYS_fcntl, 101, F_GETFD), FD_CLOEXEC);
	check("dup3(1, 1, 0)", tx_syscall3(SYS_dup3, 1, 1, 0), -EINVAL_);
	check("close(100)", tx_syscall1(SYS_close, 100), 0);
	check("close(100) again", tx_syscall1(SYS_close, 100), -9);
	check("fcntl(100, F_GETFD) after close", tx_syscall2(SYS_fcntl, 100, F_GETFD), -9);
	check("dup(-1)", tx_syscall1(SYS_dup, -1), -9);
	check("close(101)", tx_syscall1(SYS_close, 101), 0);
	check("close(dup)", tx_syscall1(SYS_close, fd), 0);
}

/* cloexec_closes_on_exec: execve closes FD_CLOEXEC descriptors only. */
static void t_cloexec_closes_on_exec(void)
{
	static char a[24], b[24];
	static char *argv[] = {"forktest", "--cloexec-child", a, b, 0};
	static char *envp[] = {0};
	long keep = tx_syscall1(SYS_dup, 1), drop;

	if (keep == -ENOSYS_) {
		skip("dup returns -ENOSYS");
		return;
	}
	drop = tx_syscall3(SYS_dup3, 1, 102, O_CLOEXEC);
	if (drop == -ENOSYS_ || tx_syscall2(SYS_fcntl, 1, F_GETFD) == -ENOSYS_) {
		skip("dup3 or fcntl returns -ENOSYS");
		tx_syscall1(SYS_close, keep);
		return;
	}
	if (keep < 3 || drop != 102) {
		fail("dup(1) = %s, dup3(1, 102, O_CLOEXEC) = %s", en(keep), en(drop));
		return;
	}
	snprintf(a, sizeof a, "%ld", keep);
	snprintf(b, sizeof b, "%ld", drop);
	long pid = sys_fork();
	if (pid == 0) {
		long r = execve_self(argv, envp);
		child_fail(127, "execve(%s) = %s", self_path, en(r));
	}
	if (pid > 0)
		reap("exec'd child", pid, 42 << 8);
	else
		fail("fork = %s", en(pid));
	tx_syscall1(SYS_close, keep);
	tx_syscall1(SYS_close, drop);
}

__attribute__((noreturn))
static void cloexec_child_main(int argc, char **argv)
{
	if (argc != 4)
		child_fail(1, "argc %d, want 4", argc);
	long keep = strtol(argv[2], 0, 10), drop = strtol(argv[3], 0, 10);
	long r = tx_syscall2(SYS_fcntl, keep, F_GETFD);
	if (r != 0)
		child_fail(2, "fcntl(%ld, F_GETFD) = %s after execve, want 0 (still open)", keep, en(r));
	r = tx_syscall2(SYS_fcntl, drop, F_GETFD);
	if (r != -9)
		child_fail(3, "fcntl(%ld, F_GETFD) = %s after execve, want -EBADF (closed)", drop, en(r));
	tx_exit(42);
}

/* open_and_stat: this program's own file, opened and stat'ed. */
static void t_open_and_stat(void)
{
	struct stat st, st2;
	char magic[4];
	const char *path = "/forktest";
	long fd = tx_syscall3(SYS_open, path, O_RDONLY, 0);

	if (fd == -ENOENT_) {
		path = self_path;
		fd = tx_syscall3(SYS_open, path, O_RDONLY, 0);
	}
	if (fd == -ENOSYS_) {
		skip("open returns -ENOSYS");
		return;
	}
	if (fd < 0) {
		fail("open(%s) = %s", path, en(fd));
		return;
	}
	check("read the ELF magic", tx_syscall3(SYS_read, fd, magic, 4), 4);
	if (memcmp(magic, "\177ELF", 4) != 0)
		fail("%s does not start with the ELF magic", path);
	long r = tx_syscall2(SYS_fstat, fd, &st);
	if (r == -ENOSYS_)
		diag("fstat returns -ENOSYS: not checked");
	else if (check("fstat", r, 0) && (!S_ISREG(st.st_mode) || st.st_size < 1024))
		fail("fstat: mode %#o size %ld, want a regular file", st.st_mode, (long)st.st_size);
	r = tx_syscall2(SYS_stat, path, &st2);
	if (r == -ENOSYS_)
		diag("stat returns -ENOSYS: not checked");
	else if (check("stat", r, 0) && (!S_ISREG(st2.st_mode) || st2.st_size < 1024))
		fail("stat: mode %#o size %ld, want a regular file", st2.st_mode, (long)st2.st_size);
	else if (r == 0 && st2.st_size != st.st_size)
		fail("stat size %ld != fstat size %ld", (long)st2.st_size, (long)st.st_size);
	check("close", tx_syscall1(SYS_close, fd), 0);
	long fd2 = tx_syscall6(SYS_openat, AT_FDCWD, (long)path, O_RDONLY, 0, 0, 0);
	if (check("openat(AT_FDCWD) returns the lowest free descriptor", fd2, fd))
		tx_syscall1(SYS_close, fd2);
	check("open(missing)", tx_syscall3(SYS_open, "/no/such/file", O_RDONLY, 0), -ENOENT_);
	check("open(bad)", tx_syscall3(SYS_open, BAD_PTR, O_RDONLY, 0), -EFAULT_);
	check("fstat(bad fd)", tx_syscall2(SYS_fstat, 99, &st), -9);
	check("fstat(1, bad)", tx_syscall2(SYS_fstat, 1, BAD_PTR), -EFAULT_);
	check("stat(bad)", tx_syscall2(SYS_stat, BAD_PTR, &st), -EFAULT_);
}

/* resources_baseline: only the kernel can count pages, tasks and PIDs. */
static void t_resources_baseline(void)
{
	skip("checked by the kernel: free pages, tasks and PIDs after the suite");
}

static const struct ktap_case cases[] = {
	{"fork_returns_twice", t_fork_returns_twice},
	{"cow_private_writes", t_cow_private_writes},
	{"grandchildren", t_grandchildren},
	{"vfork_order", t_vfork_order},
	{"clone_vm_shares", t_clone_vm_shares},
	{"clone_flag_errors", t_clone_flag_errors},
	{"exec_replaces_image", t_exec_replaces_image},
	{"wait_statuses", t_wait_statuses},
	{"waitid_wnowait", t_waitid_wnowait},
	{"orphans_reaped_by_init", t_orphans_reaped_by_init},
	{"zombies_visible", t_zombies_visible},
	{"fork_bomb_rlimit", t_fork_bomb_rlimit},
	{"bad_pointers", t_bad_pointers},
	{"futex_cleartid", t_futex_cleartid},
	{"sleep_timing", t_sleep_timing},
	{"uname_and_ids", t_uname_and_ids},
	{"credentials", t_credentials},
	{"pipe_across_fork", t_pipe_across_fork},
	{"dup_and_fcntl", t_dup_and_fcntl},
	{"cloexec_closes_on_exec", t_cloexec_closes_on_exec},
	{"open_and_stat", t_open_and_stat},
	{"resources_baseline", t_resources_baseline},
};

#define NCASES (int)(sizeof cases / sizeof cases[0])

/* run_case runs case i in the suite's process; a child must not return. */
static void run_case(int i)
{
	cases[i].fn();
	if (sys_getpid() != suite_pid) /* a child returned into the suite */
		child_fail(98, "returned from case %s", cases[i].name);
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc >= 2 && strcmp(argv[1], "--exec-child") == 0)
		exec_child_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--cloexec-child") == 0)
		cloexec_child_main(argc, argv);
	/* An execve that should have failed got through: don't nest a suite. */
	if ((argc >= 2 && strcmp(argv[1], "--guard") == 0) || getenv("FORKTEST_GUARD"))
		child_fail(99, "exec'd by an execve that should have failed");
	if (argc >= 2)
		tx_fail("usage: forktest [--exec-child ARGS | --cloexec-child FD FD]");

	self_path = argv[0] && strchr(argv[0], '/') ? argv[0] : "/forktest";
	suite_pid = sys_getpid();
	ktap_plan(NCASES);
	diag("forktest: pid %ld, ppid %ld, execs %s", suite_pid, sys_getppid(), self_path);
	failed = ktap_run(cases, NCASES, run_case, 1000);
	diag("forktest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
