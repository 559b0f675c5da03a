/*
 * abuse: regression cases for the abuse of issue 13, things an ordinary
 * process did that exhausted, froze or corrupted the kernel. Each case
 * checks what Linux does, and the same binary runs on Linux
 * (user/linux-check.sh) and on Tamix (the in-guest "user" suite).
 *
 * Usage: abuse                   run every case
 *        abuse CASE...           run the cases named (the plan counts them)
 *        abuse -x CASE...        run every case but those named
 *        abuse --argcheck N LEN  the image execve_near_the_limit execs: wants
 *                                N more arguments of LEN bytes; exits 0 if so
 * Any other argument (an execve that should have failed) exits 100.
 *
 * Output is KTAP version 1 on stdout: "KTAP version 1", the plan "1..N",
 * then per case its "# " diagnostic lines and "ok N name" or
 * "not ok N name". Exits 0 if no case failed, 1 otherwise.
 *
 * Anything that would harm the program if the kernel wrongly accepted it
 * (an execve that succeeds, a bad FS base) runs in a child, which reports
 * through its exit status.
 */
#define _GNU_SOURCE
#define TX_PROG "abuse"
#include "ktap.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L
#define MAX_ARG_STRLEN (32 * PAGE) /* include/uapi/linux/binfmts.h */
#define E2BIG_ 7
#define CLONE_SETTLS_ 0x00080000L
#define SIGCHLD_ 17L
#define ARCH_SET_FS_ 0x1002L
#define NONCANONICAL 0x0000800000000000L
#define KERNEL_HALF ((long)0xffff800000000000UL)
#define EXIT_EXECED 100 /* the image was replaced when it should not be */

static const char *self_path;

/* wait_exit reaps pid and returns its exit code, or 128+signal. */
static int wait_exit(long pid)
{
	int st = 0;

	if (tx_syscall6(SYS_wait4, pid, (long)&st, 0, 0, 0, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * exec_errno runs execve(self, argv, {NULL}) in a child with RLIMIT_STACK
 * at its default, 8 MiB, and returns the errno execve failed with, or the
 * new image's exit status (EXIT_EXECED unless it was --argcheck).
 */
static int exec_errno(char **argv)
{
	static char *envp[] = {NULL};
	long pid = tx_syscall0(SYS_fork);

	if (pid == 0) {
		/* The default stack limit, 8 MiB, allows 2 MiB of strings. */
		struct rlimit rl = {8L << 20, RLIM_INFINITY};
		long r = tx_syscall6(SYS_prlimit64, 0, RLIMIT_STACK, (long)&rl, 0, 0, 0);
		if (r != 0)
			tx_exit(120);
		r = tx_syscall3(SYS_execve, self_path, argv, envp);
		tx_exit((int)-r);
	}
	if (tx_is_err(pid)) {
		fail("fork: %s", tx_errname(pid));
		return -1;
	}
	return wait_exit(pid);
}

/* long_string returns a string of n 'a's (n+1 bytes with its NUL). */
static char *long_string(long n)
{
	char *s = malloc((size_t)n + 1);

	if (s == NULL)
		tx_fail("malloc(%ld) failed", n + 1);
	memset(s, 'a', (size_t)n);
	s[n] = 0;
	return s;
}

/* execve_arg_too_long: one argument of MAX_ARG_STRLEN+1 bytes. */
static void t_execve_arg_too_long(void)
{
	char *s = long_string(MAX_ARG_STRLEN);
	char *argv[] = {"abuse", s, NULL};
	int e = exec_errno(argv);

	if (e != E2BIG_)
		fail("execve with one argument of %ld bytes: exit %d, want E2BIG (%d)",
		     MAX_ARG_STRLEN + 1, e, E2BIG_);
	free(s);
}

/*
 * execve_many_long_args: 2048 arguments of MAX_ARG_STRLEN bytes (one
 * buffer, 256 MiB in all) are E2BIG, and the kernel lives on to fork.
 */
static void t_execve_many_long_args(void)
{
	enum { N = 2048 };
	char *s = long_string(MAX_ARG_STRLEN - 1);
	char **argv = calloc(N + 2, sizeof *argv);
	int e;

	argv[0] = "abuse";
	for (int i = 1; i <= N; i++)
		argv[i] = s;
	e = exec_errno(argv);
	if (e != E2BIG_)
		fail("execve with %d arguments of %ld bytes: exit %d, want E2BIG (%d)",
		     N, MAX_ARG_STRLEN, e, E2BIG_);
	e = exec_errno((char *[]){"abuse", s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, NULL});
	if (e != E2BIG_)
		fail("execve with 17 arguments of %ld bytes (over 2 MiB): exit %d, want E2BIG",
		     MAX_ARG_STRLEN, e);
	long pid = tx_syscall0(SYS_fork);
	if (pid == 0)
		tx_exit(0);
	if (tx_is_err(pid) || wait_exit(pid) != 0)
		fail("fork after the huge execve: %s", tx_errname(pid));
	free(argv);
	free(s);
}

/*
 * execve_near_the_limit: 14 arguments of MAX_ARG_STRLEN bytes (1.75 MiB,
 * under the 2 MiB the default 8 MiB stack limit allows) still work.
 */
static void t_execve_near_the_limit(void)
{
	char *s = long_string(MAX_ARG_STRLEN - 1);
	char *argv[] = {"abuse", "--argcheck", "14", "131071",
			s, s, s, s, s, s, s, s, s, s, s, s, s, s, NULL};
	int e = exec_errno(argv);

	if (e != 0)
		fail("execve with 14 arguments of %ld bytes: exit %d, want 0 from the new image",
		     MAX_ARG_STRLEN, e);
	free(s);
}

/*
 * mmap_larger_than_memory: one private writable MAP_POPULATE mapping of
 * 256 GiB (or twice RAM + swap, if that is more) is ENOMEM at once.
 */
static void t_mmap_larger_than_memory(void)
{
	struct sysinfo si;
	unsigned long len = 256UL << 30;

	if (tx_syscall1(SYS_sysinfo, &si) == 0) {
		unsigned long ram = (si.totalram + si.totalswap) * (unsigned long)si.mem_unit;
		if (2 * ram > len)
			len = 2 * ram < (64UL << 40) ? 2 * ram : 64UL << 40;
	}
	diag("mapping %lu GiB", len >> 30);
	long r = tx_syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	check("mmap(MAP_PRIVATE|MAP_POPULATE, PROT_READ|PROT_WRITE)", r, -ENOMEM_);
	if (!tx_is_err(r))
		tx_syscall2(SYS_munmap, r, (long)len);
}

/*
 * clone_settls: raw clone(CLONE_SETTLS|SIGCHLD, 0, 0, 0, tls). A child,
 * should there be one, exits at once without touching its TLS.
 */
static long clone_settls(long tls)
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = tls;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $231, %%eax\n\t" /* exit_group(0) */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(CLONE_SETTLS_ | SIGCHLD_), "S"(0L),
			   "d"(0L), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	if (ret > 0)
		wait_exit(ret);
	return ret;
}

/* clone_settls_bad_address: a TLS at or above TASK_SIZE_MAX is EPERM. */
static void t_clone_settls_bad_address(void)
{
	check("clone(CLONE_SETTLS, tls=0xffff800000000000)", clone_settls(KERNEL_HALF), -EPERM_);
	check("clone(CLONE_SETTLS, tls=0x800000000000)", clone_settls(NONCANONICAL), -EPERM_);
	check("clone(CLONE_SETTLS, tls=0x7ffffffff000)", clone_settls(0x7ffffffff000L), -EPERM_);
	long r = clone_settls(0x7fffffffe000L);
	if (r <= 0)
		fail("clone(CLONE_SETTLS, tls=0x7fffffffe000): %s, want a child", tx_errname(r));
}

/* set_fs_in_child returns the errno of arch_prctl(ARCH_SET_FS, addr) in a child. */
static int set_fs_in_child(long addr)
{
	long pid = tx_syscall0(SYS_fork);

	if (pid == 0) {
		long r = tx_syscall2(SYS_arch_prctl, ARCH_SET_FS_, addr);
		tx_syscall1(SYS_exit_group, -r); /* no libc: the FS base may be bad */
	}
	return wait_exit(pid);
}

/* arch_prctl_set_fs_bad_address: the same limit for ARCH_SET_FS. */
static void t_arch_prctl_set_fs_bad_address(void)
{
	check("arch_prctl(ARCH_SET_FS, 0x800000000000)", -set_fs_in_child(NONCANONICAL), -EPERM_);
	check("arch_prctl(ARCH_SET_FS, 0xffff800000000000)", -set_fs_in_child(KERNEL_HALF), -EPERM_);
	check("arch_prctl(ARCH_SET_FS, 0x7ffffffff000)", -set_fs_in_child(0x7ffffffff000L), -EPERM_);
	check("arch_prctl(ARCH_SET_FS, 0x7fffffffe000)", -set_fs_in_child(0x7fffffffe000L), 0);
}

/*
 * touch_with_df writes 0x55 at offset off of each of n pages from p with
 * the direction flag set, so every page fault is taken with DF = 1; the
 * loop is one asm block so no compiled string operation runs with DF set.
 */
static void touch_with_df(char *p, long n, long off)
{
	char *q = p + off;

	__asm__ volatile("std\n\t"
			 "1:\n\t"
			 "movb $0x55, (%0)\n\t"
			 "add $4096, %0\n\t"
			 "dec %1\n\t"
			 "jnz 1b\n\t"
			 "cld"
			 : "+r"(q), "+r"(n)
			 :
			 : "memory", "cc");
}

/*
 * direction_flag_page_faults: a child fills 128 pages with 0xAA and
 * exits; then 128 new pages are touched with DF set. The kernel must
 * clear DF on entry: each new page is zero but for the byte written.
 */
static void t_direction_flag_page_faults(void)
{
	enum { N = 128, OFF = 2048 };
	long pid = tx_syscall0(SYS_fork);

	if (pid == 0) {
		char *d = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (d == MAP_FAILED)
			tx_exit(1);
		memset(d, 0xAA, N * PAGE);
		tx_exit(0);
	}
	if (wait_exit(pid) != 0) {
		fail("the child that fills pages failed");
		return;
	}
	char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap failed");
		return;
	}
	touch_with_df(p, N, OFF);
	long bad = 0, stale = 0;
	for (long i = 0; i < N * PAGE; i++) {
		unsigned char want = i % PAGE == OFF ? 0x55 : 0;
		if ((unsigned char)p[i] != want) {
			if (bad++ == 0)
				diag("page %ld offset %ld: %#x, want %#x", i / PAGE, i % PAGE,
				     (unsigned char)p[i], want);
			stale += (unsigned char)p[i] == 0xAA;
		}
	}
	if (bad != 0)
		fail("%ld wrong bytes in %d fresh pages, %ld of them the dead child's 0xAA", bad, N, stale);
	munmap(p, N * PAGE);
}

/*
 * fork_many_mappings: a process with 60,000 mappings (alternating
 * protections, so they cannot merge) forks 40 times. Each fork copies the
 * mappings; on Tamix that once exhausted the kernel's Go heap ("fatal
 * error: out of memory"). Every fork must now either succeed or fail with
 * ENOMEM (or EAGAIN), and the program goes on; the children are killed.
 */
static void t_fork_many_mappings(void)
{
	const long n = 60000;
	/* MAP_NORESERVE: the pages are never touched, only the areas count. */
	char *base = (char *)tx_syscall6(SYS_mmap, 0, n * PAGE, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long kids[40], made = 0, refused = 0;

	if (tx_is_err((long)base)) {
		fail("mmap of %ld pages: %s", n, tx_errname((long)base));
		return;
	}
	for (long i = 1; i < n; i += 2)
		tx_syscall3(SYS_mprotect, base + i * PAGE, PAGE, PROT_READ);
	for (int i = 0; i < 40; i++) {
		long pid = tx_syscall0(SYS_fork);
		if (pid == 0) {
			for (;;)
				tx_syscall0(SYS_pause);
		}
		if (pid > 0)
			kids[made++] = pid;
		else if (pid == -ENOMEM_ || pid == -11)
			refused++;
		else
			fail("fork %d: %s", i, tx_errname(pid));
	}
	for (long i = 0; i < made; i++) {
		tx_syscall2(SYS_kill, kids[i], SIGKILL);
		wait_exit(kids[i]);
	}
	tx_syscall2(SYS_munmap, base, n * PAGE);
	if (made + refused != 40)
		fail("%ld forks made, %ld refused, of 40", made, refused);
	diag("%ld of 40 forks made, %ld refused with ENOMEM or EAGAIN", made, refused);
}

/*
 * clone_pauser: raw clone(flags, stack) whose child loops in pause(2)
 * without touching memory (so it needs no stack of its own).
 */
static long clone_pauser(long flags, long stack)
{
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "2: mov $34, %%eax\n\t" /* pause() */
			 "syscall\n\t"
			 "jmp 2b\n\t"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(stack), "d"(0L)
			 : "rcx", "r11", "r10", "r8", "memory");
	return ret;
}

/*
 * headless_process forks a child in a process group of its own that starts
 * a thread sleeping in pause() and then ends its leader alone (exit(2),
 * not exit_group): a process whose leader is a zombie and whose thread
 * lives. With timer_ms, the child first arms ITIMER_REAL. Returns the
 * child's PID once its leader has exited.
 */
static long headless_process(long timer_ms)
{
	static char stack[4096] __attribute__((aligned(16)));
	long pid = tx_syscall0(SYS_fork);

	if (pid == 0) {
		long it[4] = {0, 0, timer_ms / 1000, timer_ms % 1000 * 1000};
		long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			     CLONE_SYSVSEM;

		tx_syscall2(SYS_setpgid, 0, 0);
		if (timer_ms)
			tx_syscall3(SYS_setitimer, ITIMER_REAL, (long)it, 0);
		if (clone_pauser(flags, (long)(stack + sizeof stack)) < 0)
			tx_syscall1(SYS_exit_group, 3);
		tx_syscall1(SYS_exit, 0); /* the leader alone */
	}
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	return pid;
}

/* wait_headless reaps a headless_process and returns its exit code or
 * 128+signal; after 3 s it gives up (-2) and kills the child's process
 * group, which reaches the thread even where kill(pid) does not. */
static int wait_headless(long pid)
{
	int st = 0;

	for (int ms = 0; ms < 3000; ms++) {
		long r = tx_syscall6(SYS_wait4, pid, (long)&st, WNOHANG, 0, 0, 0);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r != 0)
			return -1;
		struct timespec ts = {0, 1000000L};
		tx_syscall2(SYS_nanosleep, &ts, 0);
	}
	tx_syscall2(SYS_kill, -pid, SIGKILL);
	wait_exit(pid);
	return -2;
}

/*
 * signal_to_process_whose_leader_exited: kill(2), rt_sigqueueinfo(2) and
 * the process's ITIMER_REAL reach a process whose leader exited while a
 * thread lives (Linux delivers to the group, complete_signal() picking a
 * live thread); Tamix dropped them at the zombie leader, so the process
 * could not be killed and its timer never fired.
 */
static void t_signal_to_process_whose_leader_exited(void)
{
	long pid = headless_process(0);

	check("kill(headless, SIGKILL)", tx_syscall2(SYS_kill, pid, SIGKILL), 0);
	check("wait status after kill", wait_headless(pid), 128 + SIGKILL);

	int si[32] = {SIGTERM, 0, -1 /* SI_QUEUE */};
	pid = headless_process(0);
	check("rt_sigqueueinfo(headless, SIGTERM)",
	      tx_syscall3(SYS_rt_sigqueueinfo, pid, SIGTERM, (long)si), 0);
	check("wait status after rt_sigqueueinfo", wait_headless(pid), 128 + SIGTERM);

	pid = headless_process(100);
	check("wait status after ITIMER_REAL", wait_headless(pid), 128 + SIGALRM);
}

/*
 * wait_stopped_process_whose_leader_exited: wait4(WUNTRACED) and
 * wait4(WCONTINUED) report the stop and the continue of a process whose
 * leader exited while a thread lives (Linux's wait_consider_task() falls
 * through to wait_task_stopped() for such a zombie leader); Tamix looked
 * only for its exit.
 */
static void t_wait_stopped_process_whose_leader_exited(void)
{
	long pid = headless_process(0), r = 0;
	int st = 0;

	check("kill(headless, SIGSTOP)", tx_syscall2(SYS_kill, pid, SIGSTOP), 0);
	for (int ms = 0; ms < 3000 && (r = tx_syscall6(SYS_wait4, pid, (long)&st, WUNTRACED | WNOHANG, 0, 0, 0)) == 0; ms++) {
		struct timespec ts = {0, 1000000L};
		tx_syscall2(SYS_nanosleep, &ts, 0);
	}
	check("wait4(WUNTRACED)", r, pid);
	ok("stopped by SIGSTOP", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP ? 0 : -1);
	check("kill(headless, SIGCONT)", tx_syscall2(SYS_kill, pid, SIGCONT), 0);
	for (int ms = 0; ms < 3000 && (r = tx_syscall6(SYS_wait4, pid, (long)&st, WCONTINUED | WNOHANG, 0, 0, 0)) == 0; ms++) {
		struct timespec ts = {0, 1000000L};
		tx_syscall2(SYS_nanosleep, &ts, 0);
	}
	check("wait4(WCONTINUED)", r, pid);
	ok("continued", WIFCONTINUED(st) ? 0 : -1);
	tx_syscall2(SYS_kill, -pid, SIGKILL);
	check("wait status after SIGKILL", wait_headless(pid), 128 + SIGKILL);
}

static const struct ktap_case cases[] = {
	{"execve_arg_too_long", t_execve_arg_too_long},
	{"execve_many_long_args", t_execve_many_long_args},
	{"execve_near_the_limit", t_execve_near_the_limit},
	{"mmap_larger_than_memory", t_mmap_larger_than_memory},
	{"clone_settls_bad_address", t_clone_settls_bad_address},
	{"arch_prctl_set_fs_bad_address", t_arch_prctl_set_fs_bad_address},
	{"fork_many_mappings", t_fork_many_mappings},
	{"direction_flag_page_faults", t_direction_flag_page_faults},
	{"signal_to_process_whose_leader_exited", t_signal_to_process_whose_leader_exited},
	{"wait_stopped_process_whose_leader_exited", t_wait_stopped_process_whose_leader_exited},
};

/* argcheck: the image execve_near_the_limit runs. */
static int argcheck(int argc, char **argv)
{
	long n = atol(argv[2]), len = atol(argv[3]);

	if (argc != 4 + n)
		return 2;
	for (int i = 4; i < argc; i++)
		if ((long)strlen(argv[i]) != len)
			return 3;
	return 0;
}

/* find_case returns the index of the case called name, or -1. */
static int find_case(const char *name)
{
	for (int i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	int n = sizeof cases / sizeof cases[0];
	struct ktap_case run[sizeof cases / sizeof cases[0]];
	int nrun = 0;

	int except = argc > 1 && strcmp(argv[1], "-x") == 0;
	int named[sizeof cases / sizeof cases[0]] = {0};

	if (argc >= 4 && strcmp(argv[1], "--argcheck") == 0)
		return argcheck(argc, argv);
	for (int i = 1 + except; i < argc; i++) {
		int c = find_case(argv[i]);
		if (c < 0 || nrun == n)
			return EXIT_EXECED;
		named[c] = 1;
		run[nrun++] = cases[c];
	}
	if (argc == 1 || except)
		for (int c = nrun = 0; c < n; c++)
			if (!named[c])
				run[nrun++] = cases[c];
	self_path = (const char *)getauxval(AT_EXECFN);
	ktap_plan(nrun);
	return ktap_run(run, nrun, NULL, 0) != 0;
}
