/*
 * ttytest: the user-space suite of the terminal and of poll/select,
 * meant to run on Tamix (init=/ttytest) and on Linux, where the same
 * binary pins down what Linux does. The poll, ppoll, select and pselect6
 * cases use pipes, eventfds, an epoll and a file in /tmp: readiness,
 * POLLNVAL, POLLHUP, timeouts, EFAULT, EINVAL, EBADF, EINTR with the
 * signal mask restored after the handler; pipes' O_NONBLOCK and PIPE_BUF
 * atomicity. The terminal cases need a terminal that is nobody's
 * controlling terminal: a pseudo-terminal's slave where /dev/ptmx exists
 * (Linux), else /dev/console (Tamix, which has no pseudo-terminals); they
 * check termios and window-size ioctls, the controlling terminal
 * (setsid, TIOCSCTTY, TIOCGPGRP/TIOCSPGRP/TIOCGSID/TIOCNOTTY), SIGTTIN
 * and SIGTTOU for background groups, O_NONBLOCK and VMIN/VTIME reads,
 * and the hangup when a session leader exits (SIGHUP to the foreground
 * group, the terminal free for another session).
 * Output is KTAP version 1 on stdout; exits 0 if no case failed.
 */
#define _GNU_SOURCE
#define TX_PROG "ttytest"
#include "tamix_test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BAD_PTR 0x1000000L /* unmapped here; in Tamix's kernel hole */

static int case_failed;
static char skip_reason[160];

__attribute__((format(printf, 1, 2))) static void diag(const char *fmt, ...)
{
	char buf[300];
	va_list ap;
	int n = 2;

	buf[0] = '#', buf[1] = ' ';
	va_start(ap, fmt);
	n += vsnprintf(buf + 2, sizeof buf - 3, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	tx_write_all(1, buf, (size_t)n);
}

#define check(what, got, want) check_((what), (long)(got), (long)(want), __LINE__)
static int check_(const char *what, long got, long want, int line)
{
	if (got == want)
		return 1;
	diag("line %d: %s: got %ld (%s), want %ld (%s)", line, what, got,
	     tx_is_err(got) ? tx_errname(got) : "-", want, tx_is_err(want) ? tx_errname(want) : "-");
	case_failed = 1;
	return 0;
}

#define S1(n, a) tx_syscall1(n, a)
#define S2(n, a, b) tx_syscall2(n, a, b)
#define S3(n, a, b, c) tx_syscall3(n, a, b, c)
#define S4(n, a, b, c, d) tx_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) tx_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) tx_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long xpoll(struct pollfd *p, long n, long ms) { return S3(SYS_poll, p, n, ms); }

static void case_poll_pipe(void)
{
	int p[2];
	struct pollfd f[2] = {{0}};

	check("pipe", S1(SYS_pipe, p), 0);
	f[0].fd = p[0], f[0].events = POLLIN;
	f[1].fd = p[1], f[1].events = POLLOUT;
	check("poll empty pipe", xpoll(f, 2, 0), 1);
	check("read end revents", f[0].revents, 0);
	check("write end revents", f[1].revents, POLLOUT);
	check("write", S3(SYS_write, p[1], "x", 1), 1);
	check("poll with data", xpoll(f, 1, -1), 1);
	check("read end revents", f[0].revents, POLLIN);
	S1(SYS_close, p[1]);
	check("poll after close", xpoll(f, 1, 0), 1);
	check("revents after close", f[0].revents, POLLIN | POLLHUP);
	S1(SYS_close, p[0]);
}

static void case_poll_errors(void)
{
	struct pollfd f[2] = {{.fd = -1, .events = POLLIN}, {.fd = 999, .events = POLLIN}};
	struct rlimit rl;

	f[0].revents = f[1].revents = 77;
	check("poll -1 and a closed fd", xpoll(f, 2, 0), 1);
	check("revents of -1", f[0].revents, 0);
	check("revents of a closed fd", f[1].revents, POLLNVAL);
	check("poll bad pointer", xpoll((void *)BAD_PTR, 1, 0), -EFAULT);
	getrlimit(RLIMIT_NOFILE, &rl);
	check("poll nfds > RLIMIT_NOFILE", xpoll(f, (long)rl.rlim_cur + 1, 0), -EINVAL);
	check("poll no fds, 0 ms", xpoll(NULL, 0, 0), 0);
}

static void case_poll_timeout(void)
{
	int p[2];
	struct pollfd f = {.events = POLLIN};
	long t0;

	S1(SYS_pipe, p);
	f.fd = p[0];
	t0 = now_ms();
	check("poll times out", xpoll(&f, 1, 60), 0);
	if (now_ms() - t0 < 50)
		check("poll slept (ms)", now_ms() - t0, 60);
	S1(SYS_close, p[0]);
	S1(SYS_close, p[1]);
}

static void case_poll_kinds(void)
{
	char name[64];
	int efd = (int)S2(SYS_eventfd2, 0, EFD_NONBLOCK), ep = (int)S1(SYS_epoll_create1, 0);
	struct epoll_event ev = {.events = EPOLLIN};
	struct pollfd f[3] = {{0}};
	uint64_t one = 1;
	long fd;

	snprintf(name, sizeof name, "/tmp/ttytest.%ld", (long)getpid());
	fd = S3(SYS_open, name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	S1(SYS_unlink, name);
	ev.data.fd = efd;
	check("epoll_ctl", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, &ev), 0);
	f[0].fd = efd, f[1].fd = ep, f[2].fd = (int)fd;
	for (int i = 0; i < 3; i++)
		f[i].events = POLLIN | POLLOUT;
	check("poll eventfd 0, epoll, file", xpoll(f, 3, 0), 2);
	check("eventfd at 0", f[0].revents, POLLOUT);
	check("idle epoll", f[1].revents, 0);
	check("regular file", f[2].revents, POLLIN | POLLOUT);
	check("eventfd read at 0, EFD_NONBLOCK", S3(SYS_read, efd, &one, 8), -EAGAIN);
	check("eventfd write", S3(SYS_write, efd, &one, 8), 8);
	check("poll again", xpoll(f, 2, 0), 2);
	check("eventfd at 1", f[0].revents, POLLIN | POLLOUT);
	check("epoll with a ready item", f[1].revents, POLLIN);
	S1(SYS_close, efd), S1(SYS_close, ep), S1(SYS_close, fd);
}

static void case_select(void)
{
	int p[2];
	fd_set r, w;
	struct timeval tv = {0, 80000};
	long t0;

	S1(SYS_pipe, p);
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r), FD_SET(p[1], &w);
	check("select write end ready", S5(SYS_select, p[1] + 1, &r, &w, NULL, &tv), 1);
	check("read bit", FD_ISSET(p[0], &r), 0);
	check("write bit", !!FD_ISSET(p[1], &w), 1);
	FD_ZERO(&r); FD_SET(p[0], &r);
	tv.tv_sec = 0, tv.tv_usec = 80000;
	t0 = now_ms();
	check("select times out", S5(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0);
	if (now_ms() - t0 < 70)
		check("select slept (ms)", now_ms() - t0, 80);
	check("timeval used up", tv.tv_sec * 1000000 + tv.tv_usec, 0);
	S3(SYS_write, p[1], "x", 1);
	FD_ZERO(&r); FD_SET(p[0], &r);
	check("select data", S5(SYS_select, p[0] + 1, &r, NULL, NULL, NULL), 1);
	check("read bit", !!FD_ISSET(p[0], &r), 1);
	FD_ZERO(&r); FD_SET(60, &r);
	check("select closed fd", S5(SYS_select, 61, &r, NULL, NULL, NULL), -EBADF);
	check("select n < 0", S5(SYS_select, -1, NULL, NULL, NULL, NULL), -EINVAL);
	check("select bad set", S5(SYS_select, 4, BAD_PTR, NULL, NULL, NULL), -EFAULT);
	tv.tv_sec = -1, tv.tv_usec = 0;
	check("select negative timeval", S5(SYS_select, 1, NULL, NULL, NULL, &tv), -EINVAL);
	tv.tv_sec = 0, tv.tv_usec = 1000001; /* carried into seconds, as Linux does */
	check("select 1.000001 s, nothing", S5(SYS_select, 0, NULL, NULL, NULL, &tv), 0);
	S1(SYS_close, p[0]), S1(SYS_close, p[1]);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig, got_usr1++; }

/* blocked reports whether sig is in the current mask. */
static int blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

static void case_sigmask_eintr(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	uint64_t open = 0, ss[2] = {(uint64_t)&open, 8};
	sigset_t b;
	int p[2];
	struct pollfd f = {.events = POLLIN};
	fd_set r;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&b), sigaddset(&b, SIGUSR1);
	sigprocmask(SIG_BLOCK, &b, NULL);
	S1(SYS_pipe, p);
	f.fd = p[0];
	kill(getpid(), SIGUSR1); /* pending, blocked */
	check("ppoll, mask opened", S5(SYS_ppoll, &f, 1, NULL, &open, 8), -EINTR);
	check("handler ran", got_usr1, 1);
	check("mask restored after ppoll", blocked(SIGUSR1), 1);
	kill(getpid(), SIGUSR1);
	FD_ZERO(&r); FD_SET(p[0], &r);
	check("pselect6, mask opened", S6(SYS_pselect6, p[0] + 1, &r, NULL, NULL, NULL, ss), -EINTR);
	check("handler ran", got_usr1, 2);
	check("mask restored after pselect6", blocked(SIGUSR1), 1);
	check("ppoll bad sigset size", S5(SYS_ppoll, &f, 1, NULL, &open, 4), -EINVAL);
	sigprocmask(SIG_UNBLOCK, &b, NULL);
	/* poll interrupted by a handler: EINTR (ERESTART_RESTARTBLOCK inside). */
	struct itimerval it = {{0, 0}, {0, 50000}};
	signal(SIGALRM, on_usr1);
	setitimer(ITIMER_REAL, &it, NULL);
	check("poll interrupted", xpoll(&f, 1, 5000), -EINTR);
	signal(SIGALRM, SIG_DFL);
	S1(SYS_close, p[0]), S1(SYS_close, p[1]);
}

static void case_pipe_nonblock(void)
{
	static char big[65536];
	int p[2];
	char c;

	check("pipe2", S2(SYS_pipe2, p, O_NONBLOCK), 0);
	check("read empty, O_NONBLOCK", S3(SYS_read, p[0], &c, 1), -EAGAIN);
	check("fill all but 10 bytes", S3(SYS_write, p[1], big, 65526), 65526);
	check("100 bytes do not fit: all or nothing", S3(SYS_write, p[1], big, 100), -EAGAIN);
	check("5 bytes fit", S3(SYS_write, p[1], big, 5), 5);
	check("read", S3(SYS_read, p[0], big, sizeof big), 65531);
	S1(SYS_close, p[0]), S1(SYS_close, p[1]);
}

/* The terminal for the tty cases, or -1 (skip_reason says why). */
static int open_terminal(void)
{
	int m = (int)S2(SYS_open, "/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m >= 0) {
		int zero = 0;
		char name[32];
		ioctl(m, TIOCSPTLCK, &zero);
		ioctl(m, TIOCGPTN, &zero);
		snprintf(name, sizeof name, "/dev/pts/%d", zero);
		return (int)S2(SYS_open, name, O_RDWR | O_NOCTTY); /* the master stays open */
	}
	m = (int)S2(SYS_open, "/dev/console", O_RDWR | O_NOCTTY);
	if (m < 0)
		snprintf(skip_reason, sizeof skip_reason, "no terminal: %ld", (long)m);
	return m;
}

static int tfd = -1;

static void case_termios(void)
{
	struct termios t, t2;
	struct winsize ws = {30, 100, 0, 0}, old, got;

	if (tfd < 0)
		return;
	check("TCGETS", S3(SYS_ioctl, tfd, TCGETS, &t), 0);
	check("ICANON|ECHO|ISIG", t.c_lflag & (ICANON | ECHO | ISIG), ICANON | ECHO | ISIG);
	check("VINTR", t.c_cc[VINTR], 3);
	check("VEOF", t.c_cc[VEOF], 4);
	check("VSUSP", t.c_cc[VSUSP], 26);
	t2 = t;
	t2.c_lflag &= ~(tcflag_t)ECHO;
	check("TCSETS", S3(SYS_ioctl, tfd, TCSETS, &t2), 0);
	check("TCSETSW", S3(SYS_ioctl, tfd, TCSETSW, &t2), 0);
	check("TCSETSF", S3(SYS_ioctl, tfd, TCSETSF, &t2), 0);
	S3(SYS_ioctl, tfd, TCGETS, &t2);
	check("ECHO off", t2.c_lflag & ECHO, 0);
	check("TCSETS back", S3(SYS_ioctl, tfd, TCSETS, &t), 0);
	check("TCGETS bad pointer", S3(SYS_ioctl, tfd, TCGETS, BAD_PTR), -EFAULT);
	S3(SYS_ioctl, tfd, TIOCGWINSZ, &old);
	check("TIOCSWINSZ", S3(SYS_ioctl, tfd, TIOCSWINSZ, &ws), 0);
	check("TIOCGWINSZ", S3(SYS_ioctl, tfd, TIOCGWINSZ, &got), 0);
	check("rows", got.ws_row, 30);
	check("cols", got.ws_col, 100);
	S3(SYS_ioctl, tfd, TIOCSWINSZ, &old);
	int n = 5;
	check("FIONREAD", S3(SYS_ioctl, tfd, FIONREAD, &n), 0);
	check("nothing typed", n, 0);
	check("unknown ioctl", S3(SYS_ioctl, tfd, 0x54ff, 0), -ENOTTY);
	int p[2];
	S1(SYS_pipe, p);
	check("TCGETS on a pipe", S3(SYS_ioctl, p[0], TCGETS, &t2), -ENOTTY);
	S1(SYS_close, p[0]), S1(SYS_close, p[1]);
}

static void case_nonblock_vmin_vtime(void)
{
	struct termios t, raw;
	struct pollfd f = {.events = POLLIN | POLLOUT};
	char c;
	long fl, t0;

	if (tfd < 0)
		return;
	f.fd = tfd;
	check("poll terminal", xpoll(&f, 1, 0), 1);
	check("writable, nothing to read", f.revents, POLLOUT);
	fl = S2(SYS_fcntl, tfd, F_GETFL);
	S3(SYS_fcntl, tfd, F_SETFL, fl | O_NONBLOCK);
	check("canonical read, O_NONBLOCK", S3(SYS_read, tfd, &c, 1), -EAGAIN);
	S3(SYS_fcntl, tfd, F_SETFL, fl);
	S3(SYS_ioctl, tfd, TCGETS, &t);
	raw = t;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0, raw.c_cc[VTIME] = 0;
	S3(SYS_ioctl, tfd, TCSETS, &raw);
	check("VMIN 0 VTIME 0", S3(SYS_read, tfd, &c, 1), 0);
	raw.c_cc[VTIME] = 1;
	S3(SYS_ioctl, tfd, TCSETS, &raw);
	t0 = now_ms();
	check("VMIN 0 VTIME 1", S3(SYS_read, tfd, &c, 1), 0);
	if (now_ms() - t0 < 80)
		check("VTIME waited (ms)", now_ms() - t0, 100);
	S3(SYS_ioctl, tfd, TCSETS, &t);
}

/* child_status forks fn and returns its wait status (WUNTRACED). */
static int child_status(void (*fn)(void))
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		tx_exit(0);
	}
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return st;
}

static void bg_read(void)
{
	char c;
	setpgid(0, 0);
	tx_exit(S3(SYS_read, tfd, &c, 1) == -EIO ? 42 : 1);
}

static void bg_write(void)
{
	setpgid(0, 0);
	S3(SYS_write, tfd, "", 0);
	tx_exit(S3(SYS_write, tfd, "", 1) >= 0 ? 43 : 1);
}

/* session runs in a child: a new session that takes the terminal. */
static void session(void)
{
	int pg = -1, sid = -1, other = (int)getppid();
	struct termios t;

	check("TIOCGPGRP, not our terminal", S3(SYS_ioctl, tfd, TIOCGPGRP, &pg), -ENOTTY);
	check("TIOCSCTTY, not a leader", S3(SYS_ioctl, tfd, TIOCSCTTY, 0), -EPERM);
	check("setsid", S1(SYS_setsid, 0), getpid());
	long r = S3(SYS_ioctl, tfd, TIOCSCTTY, 0);
	if (r == -EPERM) {
		diag("the terminal is another session's: controlling-terminal checks skipped");
		tx_exit(case_failed);
	}
	check("TIOCSCTTY", r, 0);
	check("TIOCGPGRP", S3(SYS_ioctl, tfd, TIOCGPGRP, &pg), 0);
	check("foreground group", pg, getpid());
	check("TIOCGSID", S3(SYS_ioctl, tfd, TIOCGSID, &sid), 0);
	check("session", sid, getpid());
	pg = 0x7ffffff0;
	check("TIOCSPGRP, no such group", S3(SYS_ioctl, tfd, TIOCSPGRP, &pg), -ESRCH);
	pg = (int)getpgid(other);
	check("TIOCSPGRP, another session's", S3(SYS_ioctl, tfd, TIOCSPGRP, &pg), -EPERM);
	pg = -1;
	check("TIOCSPGRP, negative", S3(SYS_ioctl, tfd, TIOCSPGRP, &pg), -EINVAL);
	int st = child_status(bg_read);
	check("background read stops with SIGTTIN", WIFSTOPPED(st) ? WSTOPSIG(st) : -st, SIGTTIN);
	signal(SIGTTIN, SIG_IGN);
	st = child_status(bg_read);
	check("background read, SIGTTIN ignored: EIO", WIFEXITED(st) ? WEXITSTATUS(st) : -st, 42);
	signal(SIGTTIN, SIG_DFL);
	S3(SYS_ioctl, tfd, TCGETS, &t);
	t.c_lflag |= TOSTOP;
	S3(SYS_ioctl, tfd, TCSETS, &t);
	st = child_status(bg_write);
	check("background write, TOSTOP: SIGTTOU", WIFSTOPPED(st) ? WSTOPSIG(st) : -st, SIGTTOU);
	t.c_lflag &= ~(tcflag_t)TOSTOP;
	S3(SYS_ioctl, tfd, TCSETS, &t);
	signal(SIGHUP, SIG_IGN);
	check("TIOCNOTTY", S3(SYS_ioctl, tfd, TIOCNOTTY, 0), 0);
	check("TIOCGPGRP after TIOCNOTTY", S3(SYS_ioctl, tfd, TIOCGPGRP, &pg), -ENOTTY);
	tx_exit(case_failed);
}

static void case_ctty(void)
{
	if (tfd < 0)
		return;
	int st = child_status(session);
	check("session child", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + st, 0);
}

/* The hangup case: hup_fds carries the foreground child's PID and then
 * the 'H' its SIGHUP handler writes. */
static int hup_fds[2];

static void hup_handler(int sig)
{
	(void)sig;
	S3(SYS_write, hup_fds[1], "H", 1);
	S1(SYS_exit_group, 0);
}

/* hup_session runs in a child: a session leader with the terminal puts
 * a child of its own, in a new group, in the foreground, then exits. */
static void hup_session(void)
{
	int ready[2], pg;
	char c;

	if (S1(SYS_setsid, 0) < 0 || S3(SYS_ioctl, tfd, TIOCSCTTY, 0) != 0)
		tx_exit(2);
	S1(SYS_pipe, ready);
	pid_t pid = fork();
	if (pid == 0) {
		int me = (int)getpid();
		setpgid(0, 0);
		signal(SIGHUP, hup_handler);
		S3(SYS_write, hup_fds[1], &me, sizeof me);
		S3(SYS_write, ready[1], "r", 1);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	if (S3(SYS_read, ready[0], &c, 1) != 1)
		tx_exit(3);
	pg = (int)pid;
	tx_exit(S3(SYS_ioctl, tfd, TIOCSPGRP, &pg) == 0 ? 0 : 4);
}

/* take_tty: a new session can make the terminal its own (arg 0). */
static void take_tty(void)
{
	S1(SYS_setsid, 0);
	tx_exit(S3(SYS_ioctl, tfd, TIOCSCTTY, 0) == 0 ? 0 : 1);
}

static void case_hangup(void)
{
	struct pollfd f = {.events = POLLIN};
	int gpid = 0, st;
	char c = 0;

	if (tfd < 0)
		return;
	S1(SYS_pipe, hup_fds);
	st = child_status(hup_session);
	S1(SYS_close, hup_fds[1]); /* end of file if the grandchild is gone */
	check("session leader", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + st, 0);
	check("foreground child's PID", S3(SYS_read, hup_fds[0], &gpid, sizeof gpid), sizeof gpid);
	f.fd = hup_fds[0];
	check("SIGHUP within 5 s", xpoll(&f, 1, 5000), 1);
	check("the foreground group got SIGHUP", S3(SYS_read, hup_fds[0], &c, 1) == 1 && c == 'H', 1);
	if (c != 'H' && gpid > 0)
		kill(gpid, SIGKILL);
	S1(SYS_close, hup_fds[0]);
	st = child_status(take_tty);
	check("the terminal is free for a new session", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + st, 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
	int tty;
} cases[] = {
	{"poll_pipe", case_poll_pipe, 0},
	{"poll_errors", case_poll_errors, 0},
	{"poll_timeout", case_poll_timeout, 0},
	{"poll_eventfd_epoll_file", case_poll_kinds, 0},
	{"select", case_select, 0},
	{"ppoll_pselect_sigmask_eintr", case_sigmask_eintr, 0},
	{"pipe_nonblock_pipe_buf", case_pipe_nonblock, 0},
	{"tty_termios_winsize", case_termios, 1},
	{"tty_nonblock_vmin_vtime", case_nonblock_vmin_vtime, 1},
	{"tty_ctty_job_control", case_ctty, 1},
	{"tty_hangup_on_leader_exit", case_hangup, 1},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

int main(void)
{
	int failed = 0;

	tx_printf(1, "KTAP version 1\n1..%d\n", NCASES);
	tfd = open_terminal();
	for (int i = 0; i < NCASES; i++) {
		case_failed = 0;
		cases[i].fn();
		if (cases[i].tty && tfd < 0) {
			tx_printf(1, "ok %d %s # SKIP %s\n", i + 1, cases[i].name, skip_reason);
		} else if (case_failed) {
			failed++;
			tx_printf(1, "not ok %d %s\n", i + 1, cases[i].name);
		} else {
			tx_printf(1, "ok %d %s\n", i + 1, cases[i].name);
		}
	}
	diag("ttytest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
