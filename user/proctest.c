/*
 * proctest: /proc as a program sees it, in Linux's formats. Reads its
 * own /proc/self/{stat,status,cmdline,maps,exe,fd} and the system files
 * /proc/meminfo, /proc/uptime and /proc/version and checks their shapes
 * and the values it can know (its PID, parent, name, arguments, a
 * mapping of its own code and stack). Prints KTAP; exits 0 only if every
 * case passed. Passes on Linux too (user/linux-check.sh).
 */
#define TX_PROG "proctest"
#define KTAP_FAIL_LINE __LINE__ /* fail() names the failing line */
#include "ktap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int g_argc;
static char **g_argv;

/* slurp reads the whole file at path into buf (NUL-terminated); returns
 * its length or a negated errno. Small reads, as the files are made to
 * be read in pieces. */
static long slurp(const char *path, char *buf, long size)
{
	long fd = tx_syscall3(SYS_open, path, O_RDONLY, 0), n = 0, r;

	if (tx_is_err(fd))
		return fd;
	while (n < size - 1 && (r = tx_syscall3(SYS_read, fd, buf + n, 7)) > 0)
		n += r;
	tx_syscall1(SYS_close, fd);
	if (tx_is_err(r))
		return r;
	buf[n] = 0;
	return n;
}

static char buf[65536];

/* stat_field returns field n (proc(5) numbering, n >= 3) of a stat line. */
static const char *stat_field(const char *line, int n, char *out, size_t size)
{
	const char *p = strrchr(line, ')');

	if (!p)
		return NULL;
	p += 2;
	for (int i = 3; i < n && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	size_t len = strcspn(p, " \n");
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = 0;
	return out;
}

static void test_stat(void)
{
	char f[64], want[32];
	long pid = tx_syscall0(SYS_getpid);

	if (slurp("/proc/self/stat", buf, sizeof buf) <= 0)
		{ fail("read /proc/self/stat"); return; }
	snprintf(want, sizeof want, "%ld (proctest) R ", pid);
	if (strncmp(buf, want, strlen(want)))
		fail("stat starts %.40s, want %s", buf, want);
	int fields = 2;
	for (const char *p = strrchr(buf, ')') + 1; *p && *p != '\n'; p++)
		fields += *p == ' ';
	if (fields != 52)
		fail("%d fields, want 52", fields);
	snprintf(want, sizeof want, "%ld", tx_syscall0(SYS_getppid));
	if (!stat_field(buf, 4, f, sizeof f) || strcmp(f, want))
		fail("ppid %s, want %s", f, want);
	if (!stat_field(buf, 20, f, sizeof f) || strcmp(f, "1"))
		fail("num_threads %s, want 1", f);
	if (!stat_field(buf, 23, f, sizeof f) || atol(f) <= 0)
		fail("vsize %s", f);
}

/* status_value copies the value of "key:\t" into out. */
static int status_value(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, k) && p[k] == ':' && p[k + 1] == '\t') {
			size_t len = strcspn(p + k + 2, "\n");
			if (len >= size)
				len = size - 1;
			memcpy(out, p + k + 2, len);
			out[len] = 0;
			return 1;
		}
	}
	return 0;
}

static void test_status(void)
{
	char v[64], want[32];
	long pid = tx_syscall0(SYS_getpid);

	if (slurp("/proc/self/status", buf, sizeof buf) <= 0)
		{ fail("read /proc/self/status"); return; }
	if (!status_value(buf, "Name", v, sizeof v) || strcmp(v, "proctest"))
		fail("Name %s", v);
	if (!status_value(buf, "State", v, sizeof v) || strcmp(v, "R (running)"))
		fail("State %s", v);
	snprintf(want, sizeof want, "%ld", pid);
	if (!status_value(buf, "Tgid", v, sizeof v) || strcmp(v, want) ||
	    !status_value(buf, "Pid", v, sizeof v) || strcmp(v, want))
		fail("Tgid/Pid %s, want %s", v, want);
	snprintf(want, sizeof want, "%ld", tx_syscall0(SYS_getppid));
	if (!status_value(buf, "PPid", v, sizeof v) || strcmp(v, want))
		fail("PPid %s, want %s", v, want);
	if (!status_value(buf, "Threads", v, sizeof v) || strcmp(v, "1"))
		fail("Threads %s", v);
	if (!status_value(buf, "VmRSS", v, sizeof v) || strlen(v) != 11 || strcmp(v + 8, " kB") || atol(v) <= 0)
		fail("VmRSS '%s'", v);
	if (!status_value(buf, "SigBlk", v, sizeof v) || strlen(v) != 16)
		fail("SigBlk '%s'", v);
}

static void test_cmdline(void)
{
	long n = slurp("/proc/self/cmdline", buf, sizeof buf), off = 0;

	for (int i = 0; i < g_argc; i++) {
		size_t len = strlen(g_argv[i]) + 1;
		if (off + (long)len > n || memcmp(buf + off, g_argv[i], len))
			{ fail("argument %d differs", i); return; }
		off += len;
	}
	if (off != n)
		fail("cmdline has %ld bytes, argv %ld", n, off);
}

static void test_maps(void)
{
	unsigned long code = (unsigned long)&test_maps, stack = (unsigned long)&code;
	int text = 0, stk = 0, lines = 0;

	if (slurp("/proc/self/maps", buf, sizeof buf) <= 0)
		{ fail("read maps"); return; }
	for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
		unsigned long lo, hi, off, ino;
		unsigned maj, min;
		char perm[5];
		int used = 0;
		if (sscanf(l, "%lx-%lx %4s %lx %x:%x %lu%n", &lo, &hi, perm, &off, &maj, &min, &ino, &used) != 7)
			{ fail("bad line %.60s", l); return; }
		lines++;
		text |= code >= lo && code < hi && !strcmp(perm, "r-xp");
		stk |= stack >= lo && stack < hi && used > 0 &&
		       strstr(l, "[stack]") && strstr(l, "[stack]") < strchr(l, '\n');
		if (!strchr(l, '\n'))
			break;
	}
	if (!text || !stk)
		fail("code %#lx in r-xp: %d, stack %#lx in [stack]: %d (%d lines)", code, text, stack, stk, lines);
}

static void test_exe(void)
{
	char target[256];
	struct stat a, b;
	long n = tx_syscall3(SYS_readlink, "/proc/self/exe", target, sizeof target - 1);

	if (tx_is_err(n))
		{ fail("readlink exe: %s", tx_errname(n)); return; }
	target[n] = 0;
	if (target[0] != '/' || n < 9 || strcmp(target + n - 9, "/proctest"))
		fail("exe -> %s", target);
	if (stat(target, &a) || stat("/proc/self/exe", &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		fail("exe does not lead to %s", target);
}

static void test_fd(void)
{
	int p[2];
	char path[64], target[128];
	long fd = tx_syscall3(SYS_open, "/proc/self/status", O_RDONLY, 0), n;

	if (tx_is_err(fd) || tx_syscall1(SYS_pipe, p))
		{ fail("open/pipe"); return; }
	snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
	n = tx_syscall3(SYS_readlink, path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof path, "/proc/%ld/status", tx_syscall0(SYS_getpid));
	if (strcmp(target, path))
		fail("fd %ld -> %s, want %s", fd, target, path);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	n = tx_syscall3(SYS_readlink, path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	if (strncmp(target, "pipe:[", 6) || target[n - 1] != ']')
		fail("pipe fd -> %s", target);
	DIR *d = opendir("/proc/self/fd");
	int seen = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		seen += atoi(e->d_name) == p[1] && e->d_type == DT_LNK;
	if (d)
		closedir(d);
	if (seen != 1)
		fail("fd %d not listed as a link", p[1]);
	if (tx_syscall3(SYS_readlink, "/proc/self/fd/999", target, 10) != -ENOENT)
		fail("fd/999 exists");
	tx_syscall1(SYS_close, fd);
	tx_syscall1(SYS_close, p[0]);
	tx_syscall1(SYS_close, p[1]);
}

static void test_meminfo(void)
{
	unsigned long total = 0, free = 0;

	if (slurp("/proc/meminfo", buf, sizeof buf) <= 0)
		{ fail("read meminfo"); return; }
	if (sscanf(buf, "MemTotal: %lu kB\nMemFree: %lu kB\n", &total, &free) != 2 || !total || free > total)
		fail("MemTotal %lu MemFree %lu", total, free);
	if (strncmp(buf, "MemTotal:", 9) || buf[23] < '0' || buf[23] > '9' || strncmp(buf + 24, " kB\n", 4))
		fail("MemTotal line laid out as %.28s", buf);
}

static void test_uptime(void)
{
	double up = -1, idle = -1;
	char tail = 0;

	if (slurp("/proc/uptime", buf, sizeof buf) <= 0 || sscanf(buf, "%lf %lf%c", &up, &idle, &tail) != 3)
		{ fail("uptime %s", buf); return; }
	if (up <= 0 || idle < 0 || tail != '\n' || !strchr(buf, '.') || strchr(buf, '.')[3] != ' ')
		fail("uptime %s", buf);
}

static void test_version(void)
{
	if (slurp("/proc/version", buf, sizeof buf) <= 0)
		{ fail("read version"); return; }
	char *sp = strchr(buf, ' ');
	if (!sp || strncmp(sp, " version ", 9) || buf[strlen(buf) - 1] != '\n')
		fail("version %s", buf);
}

static void test_listing(void)
{
	char self[32], want[32];
	long n = tx_syscall3(SYS_readlink, "/proc/self", self, sizeof self - 1);
	int found = 0;

	self[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof want, "%ld", tx_syscall0(SYS_getpid));
	if (strcmp(self, want))
		fail("/proc/self -> %s, want %s", self, want);
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)))
		found += !strcmp(e->d_name, want) && e->d_type == DT_DIR;
	if (d)
		closedir(d);
	if (found != 1)
		fail("/proc lists %s %d times", want, found);
}

static const struct ktap_case cases[] = {
	{"self_stat", test_stat},       {"self_status", test_status}, {"self_cmdline", test_cmdline},
	{"self_maps", test_maps},       {"self_exe", test_exe},       {"self_fd", test_fd},
	{"meminfo", test_meminfo},      {"uptime", test_uptime},      {"version", test_version},
	{"proc_listing", test_listing},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
	int failed = 0;

	g_argc = argc;
	g_argv = argv;
	ktap_plan(NCASES);
	failed = ktap_run(cases, NCASES, NULL, 0);
	diag("proctest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
