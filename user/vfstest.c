/*
 * vfstest: the user-space suite of issue 11's file system layer, meant to
 * run on Tamix (init=/vfstest, or started by the in-guest suite "vfs")
 * and on Linux, where the same binary pins down what Linux does: open
 * and its flags, read/write/lseek and their vector and positioned forms,
 * mkdir/rmdir/unlink/rename/link/symlink/readlink and their errors, the
 * path walk's errors (ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EFAULT),
 * getdents64, the stat family, access/chmod/utimensat, truncate, the
 * working directory and umask, the /dev nodes and getrandom, EBADF and
 * EMFILE, fsync.
 *
 * Everything happens in a fresh directory it makes under /tmp
 * (/tmp/vfstest.PID) and removes at the end, so the host's files do not
 * matter. System calls are raw (tx_syscall*), so the exact errno comes
 * back. Output is KTAP version 1 on stdout, as forktest's: "KTAP version
 * 1", the plan, then per case its "# " diagnostics and "ok N name" or
 * "not ok N name". Exits 0 if no case failed, 1 otherwise.
 */
#define _GNU_SOURCE
#define TX_PROG "vfstest"
#define KTAP_CHECK_LINE __LINE__ /* check() and ok() name the failing line */
#include "ktap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_PTR 0x1000000L	/* unmapped here; in Tamix's kernel hole */
#define UTIME_NOW_ ((1L << 30) - 1)
#define UTIME_OMIT_ ((1L << 30) - 2)

static char topdir[64];

#define S0(n) tx_syscall0(n)
#define S1(n, a) tx_syscall1(n, a)
#define S2(n, a, b) tx_syscall2(n, a, b)
#define S3(n, a, b, c) tx_syscall3(n, a, b, c)
#define S4(n, a, b, c, d) tx_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) tx_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static long xopen(const char *p, long flags, long mode) { return S3(SYS_open, p, flags, mode); }
static long xclose(long fd) { return S1(SYS_close, fd); }
static long xwrite(long fd, const void *b, long n) { return S3(SYS_write, fd, b, n); }
static long xread(long fd, void *b, long n) { return S3(SYS_read, fd, b, n); }

/* put_file makes a file holding s. */
static void put_file(const char *p, const char *s)
{
	long fd = ok(p, xopen(p, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (fd >= 0) {
		check("write", xwrite(fd, s, (long)strlen(s)), (long)strlen(s));
		xclose(fd);
	}
}

static struct stat st_of(const char *p, int follow)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	ok(p, S2(follow ? SYS_stat : SYS_lstat, p, &st));
	return st;
}

/* ------------------------------------------------------------------- */

static void t_open_flags(void)
{
	long fd = ok("create", xopen("f", O_RDWR | O_CREAT | O_EXCL, 0644));
	check("O_EXCL on an existing file", xopen("f", O_RDWR | O_CREAT | O_EXCL, 0644), -EEXIST);
	check("write", xwrite(fd, "hello", 5), 5);
	xclose(fd);
	check("size", st_of("f", 1).st_size, 5);
	fd = ok("O_APPEND", xopen("f", O_WRONLY | O_APPEND, 0));
	S3(SYS_lseek, fd, 0, SEEK_SET);
	check("append", xwrite(fd, "!!", 2), 2);
	check("position after append", S3(SYS_lseek, fd, 0, SEEK_CUR), 7);
	xclose(fd);
	fd = ok("O_TRUNC", xopen("f", O_WRONLY | O_TRUNC, 0));
	check("size after O_TRUNC", st_of("f", 1).st_size, 0);
	check("read on O_WRONLY", xread(fd, (char[4]){0}, 4), -EBADF);
	xclose(fd);
	fd = ok("O_RDONLY", xopen("f", O_RDONLY, 0));
	check("write on O_RDONLY", xwrite(fd, "x", 1), -EBADF);
	xclose(fd);
	check("O_CREAT on a directory", xopen(".", O_RDONLY | O_CREAT, 0644), -EISDIR);
	check("O_CREAT with a trailing /", xopen("new/", O_RDWR | O_CREAT, 0644), -EISDIR);
	check("O_WRONLY on a directory", xopen(".", O_WRONLY, 0), -EISDIR);
	check("O_DIRECTORY on a file", xopen("f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	fd = ok("O_CLOEXEC", xopen("f", O_RDONLY | O_CLOEXEC, 0));
	check("FD_CLOEXEC", S2(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
	xclose(fd);
	fd = ok("creat", S2(SYS_creat, "c", 0600));
	check("creat is O_WRONLY", xread(fd, (char[4]){0}, 4), -EBADF);
	xclose(fd);
	check("openat with a file as dirfd", S4(SYS_openat, 0, "x", O_RDONLY, 0), -ENOTDIR);
}

static void t_read_write_seek(void)
{
	char buf[32] = {0};
	long fd = ok("open", xopen("rw", O_RDWR | O_CREAT, 0644));
	check("write", xwrite(fd, "0123456789", 10), 10);
	check("SEEK_SET", S3(SYS_lseek, fd, 2, SEEK_SET), 2);
	check("read", xread(fd, buf, 3), 3);
	check("data", memcmp(buf, "234", 3), 0);
	check("SEEK_CUR", S3(SYS_lseek, fd, -1, SEEK_CUR), 4);
	check("SEEK_END", S3(SYS_lseek, fd, -2, SEEK_END), 8);
	check("negative", S3(SYS_lseek, fd, -100, SEEK_SET), -EINVAL);
	check("bad whence", S3(SYS_lseek, fd, 0, 99), -EINVAL);
	check("pread", S4(SYS_pread64, fd, buf, 4, 6), 4);
	check("pread data", memcmp(buf, "6789", 4), 0);
	check("pread keeps the position", S3(SYS_lseek, fd, 0, SEEK_CUR), 8);
	check("pwrite past the end", S4(SYS_pwrite64, fd, "AB", 2, 12), 2);
	check("size with a hole", st_of("rw", 1).st_size, 14);
	check("pread of the hole", S4(SYS_pread64, fd, buf, 4, 9), 4);
	check("hole reads zeros", memcmp(buf, "9\0\0A", 4), 0);
	check("pread negative", S4(SYS_pread64, fd, buf, 1, -1), -EINVAL);
	check("read at the end", (S3(SYS_lseek, fd, 0, SEEK_END), xread(fd, buf, 4)), 0);
	struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
	check("writev", S3(SYS_writev, fd, iov, 2), 5);
	char x[2], y[3];
	struct iovec riov[2] = {{x, 2}, {y, 3}};
	check("preadv", S4(SYS_preadv, fd, riov, 2, 14), 5);
	check("preadv data", memcmp(x, "ab", 2) | memcmp(y, "cde", 3), 0);
	struct iovec wiov[1] = {{"ZZ", 2}};
	check("pwritev", S4(SYS_pwritev, fd, wiov, 1, 0), 2);
	check("readv", (S3(SYS_lseek, fd, 0, SEEK_SET), S3(SYS_readv, fd, riov, 2)), 5);
	check("readv data", memcmp(x, "ZZ", 2) | memcmp(y, "234", 3), 0);
	check("read to a bad pointer", xread(fd, (void *)BAD_PTR, 4), -EFAULT);
	check("write from a bad pointer", xwrite(fd, (void *)BAD_PTR, 4), -EFAULT);
	xclose(fd);
	int p[2];
	ok("pipe", S1(SYS_pipe, p));
	check("lseek on a pipe", S3(SYS_lseek, p[0], 0, SEEK_SET), -ESPIPE);
	check("pread on a pipe", S4(SYS_pread64, p[0], buf, 1, 0), -ESPIPE);
	check("fsync on a pipe", S1(SYS_fsync, p[1]), -EINVAL);
	xclose(p[0]);
	xclose(p[1]);
	fd = ok("open dir", xopen(".", O_RDONLY, 0));
	check("read of a directory", xread(fd, buf, 4), -EISDIR);
	check("fsync", S1(SYS_fsync, fd), 0);
	check("fdatasync", S1(SYS_fdatasync, fd), 0);
	xclose(fd);
	check("fsync of a bad fd", S1(SYS_fsync, 999), -EBADF);
}

/* sendfile_and_time: sendfile from a file position and from an offset,
 * into a pipe; its errors; time(2) agrees with CLOCK_REALTIME. */
static void t_sendfile_time(void)
{
	char buf[16] = {0};
	int p[2];
	put_file("sf", "0123456789");
	long fd = ok("open", xopen("sf", O_RDONLY, 0));
	ok("pipe", S1(SYS_pipe, p));
	check("sendfile 4 from the position", S4(SYS_sendfile, p[1], fd, 0, 4), 4);
	check("the position moved", S3(SYS_lseek, fd, 0, SEEK_CUR), 4);
	long off = 7;
	check("sendfile from an offset", S4(SYS_sendfile, p[1], fd, &off, 10), 3);
	check("offset updated", off, 10);
	check("the position stays", S3(SYS_lseek, fd, 0, SEEK_CUR), 4);
	check("pipe holds both", xread(p[0], buf, sizeof buf), 7);
	check("data", memcmp(buf, "0123789", 7), 0);
	check("at the end", S4(SYS_sendfile, p[1], fd, &off, 10), 0);
	off = -1;
	check("negative offset", S4(SYS_sendfile, p[1], fd, &off, 1), -EINVAL);
	check("out not writable", S4(SYS_sendfile, fd, fd, 0, 1), -EBADF);
	check("bad in fd", S4(SYS_sendfile, p[1], 999, 0, 1), -EBADF);
	check("bad offset pointer", S4(SYS_sendfile, p[1], fd, BAD_PTR, 1), -EFAULT);
	long app = ok("open O_APPEND", xopen("sf2", O_WRONLY | O_CREAT | O_APPEND, 0644));
	check("O_APPEND output", S4(SYS_sendfile, app, fd, 0, 1), -EINVAL);
	xclose(app);
	xclose(fd);
	xclose(p[0]);
	xclose(p[1]);
	struct timespec ts;
	long tloc = 0;
	ok("clock_gettime", S2(SYS_clock_gettime, CLOCK_REALTIME, &ts));
	long now = S1(SYS_time, &tloc);
	check("time() stored what it returned", tloc, now);
	if (now < ts.tv_sec || now > ts.tv_sec + 2)
		fail("time() = %ld, CLOCK_REALTIME %ld", now, (long)ts.tv_sec);
	check("time(bad pointer)", S1(SYS_time, BAD_PTR), -EFAULT);
}

/* exec_script: a #! script runs its interpreter (here vfstest itself)
 * with the line's one argument and the script's path; a script can name
 * a script; no interpreter is ENOEXEC, a script naming itself ELOOP. */
static long run_status(const char *path)
{
	char *av[] = {(char *)path, "A", "B", 0}, *ev[] = {0};
	long pid = S0(SYS_fork);
	if (pid == 0)
		tx_exit((int)-S3(SYS_execve, path, av, ev));
	int st = 0;
	S4(SYS_wait4, pid, &st, 0, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void t_exec_script(void)
{
	char self[256] = {0}, cwd[256] = {0}, line[600];
	if (ok("readlink /proc/self/exe", S3(SYS_readlink, "/proc/self/exe", self, sizeof self - 1)) < 0 ||
	    ok("getcwd", S2(SYS_getcwd, cwd, sizeof cwd)) < 0)
		return;
	snprintf(line, sizeof line, "#! %s --script-mode x y \nnot read\n", self);
	put_file("s1", line);
	snprintf(line, sizeof line, "#!%s/s1\n", cwd);
	put_file("s2", line);
	put_file("s3", "#!\n");
	snprintf(line, sizeof line, "#!%s/s4\n", cwd);
	put_file("s4", line);
	for (const char *f = "s1"; f; f = f[1] == '1' ? "s2" : f[1] == '2' ? "s3" : f[1] == '3' ? "s4" : 0)
		ok(f, S2(SYS_chmod, f, 0755));
	check("script runs its interpreter with argv", run_status("s1"), 42);
	check("script whose interpreter is a script", run_status("s2"), 43);
	check("#! with no interpreter", run_status("s3"), ENOEXEC);
	check("script that names itself", run_status("s4"), ELOOP);
}

static void t_mkdir_rmdir(void)
{
	ok("mkdir", S2(SYS_mkdir, "d", 0755));
	check("mkdir existing", S2(SYS_mkdir, "d", 0755), -EEXIST);
	check("mkdir under a missing dir", S2(SYS_mkdir, "nope/x", 0755), -ENOENT);
	check("st_nlink of an empty dir", st_of("d", 1).st_nlink, 2);
	ok("mkdir with /", S2(SYS_mkdir, "d/a/", 0755));
	ok("mkdirat", S3(SYS_mkdirat, AT_FDCWD, "d/b", 0755));
	check("st_nlink with two subdirs", st_of("d", 1).st_nlink, 4);
	check("S_ISDIR", S_ISDIR(st_of("d/a", 1).st_mode), 1);
	put_file("d/f", "x");
	check("mkdir under a file", S2(SYS_mkdir, "d/f/x", 0755), -ENOTDIR);
	check("rmdir non-empty", S1(SYS_rmdir, "d"), -ENOTEMPTY);
	check("rmdir a file", S1(SYS_rmdir, "d/f"), -ENOTDIR);
	check("rmdir .", S1(SYS_rmdir, "d/a/."), -EINVAL);
	check("rmdir ..", S1(SYS_rmdir, "d/a/.."), -ENOTEMPTY);
	check("rmdir missing", S1(SYS_rmdir, "d/zz"), -ENOENT);
	ok("rmdir", S1(SYS_rmdir, "d/a"));
	ok("unlinkat AT_REMOVEDIR", S3(SYS_unlinkat, AT_FDCWD, "d/b", AT_REMOVEDIR));
	check("st_nlink back to 2", st_of("d", 1).st_nlink, 2);
	check("unlinkat bad flag", S3(SYS_unlinkat, AT_FDCWD, "d/f", 0x1), -EINVAL);
}

static void t_unlink(void)
{
	char buf[8] = {0};
	ok("mkdir", S2(SYS_mkdir, "u", 0755));
	put_file("u/f", "kept");
	check("unlink a dir", S1(SYS_unlink, "u"), -EISDIR);
	check("unlink missing", S1(SYS_unlink, "u/none"), -ENOENT);
	check("unlink file/", S1(SYS_unlink, "u/f/"), -ENOTDIR);
	long fd = ok("open", xopen("u/f", O_RDONLY, 0));
	ok("unlink", S1(SYS_unlink, "u/f"));
	check("gone", S2(SYS_stat, "u/f", &(struct stat){0}), -ENOENT);
	struct stat st;
	ok("fstat", S2(SYS_fstat, fd, &st));
	check("st_nlink of an unlinked file", st.st_nlink, 0);
	check("still readable", xread(fd, buf, 8), 4);
	xclose(fd);
	ok("rmdir", S1(SYS_rmdir, "u"));
}

static void t_rename(void)
{
	ok("mkdir", S2(SYS_mkdir, "r", 0755));
	ok("mkdir", S2(SYS_mkdir, "r/a", 0755));
	ok("mkdir", S2(SYS_mkdir, "r/a/b", 0755));
	ok("mkdir", S2(SYS_mkdir, "r/full", 0755));
	ok("mkdir", S2(SYS_mkdir, "r/full/x", 0755));
	ok("mkdir", S2(SYS_mkdir, "r/empty", 0755));
	put_file("r/f", "1");
	put_file("r/g", "22");
	check("dir into itself", S2(SYS_rename, "r/a", "r/a/b/c"), -EINVAL);
	check("onto an ancestor", S2(SYS_rename, "r/a/b", "r/a"), -ENOTEMPTY);
	check("file onto dir", S2(SYS_rename, "r/f", "r/empty"), -EISDIR);
	check("dir onto file", S2(SYS_rename, "r/empty", "r/f"), -ENOTDIR);
	check("onto a non-empty dir", S2(SYS_rename, "r/empty", "r/full"), -ENOTEMPTY);
	check("missing", S2(SYS_rename, "r/none", "r/x"), -ENOENT);
	check("file/ as source", S2(SYS_rename, "r/f/", "r/h"), -ENOTDIR);
	check("RENAME_NOREPLACE", S5(SYS_renameat2, AT_FDCWD, "r/f", AT_FDCWD, "r/g", 1), -EEXIST);
	ok("replace a file", S2(SYS_rename, "r/f", "r/g"));
	check("replaced", st_of("r/g", 1).st_size, 1);
	check("source gone", S2(SYS_stat, "r/f", &(struct stat){0}), -ENOENT);
	ok("move a dir", S4(SYS_renameat, AT_FDCWD, "r/empty", AT_FDCWD, "r/a/b/e"));
	check("new parent's st_nlink", st_of("r/a/b", 1).st_nlink, 3);
	ok("to itself", S2(SYS_rename, "r/g", "r/g"));
	ok("rename dir onto empty dir", S2(SYS_rename, "r/a/b/e", "r/full/x"));
}

static void t_links(void)
{
	char buf[64] = {0};
	ok("mkdir", S2(SYS_mkdir, "l", 0755));
	put_file("l/f", "data");
	ok("link", S2(SYS_link, "l/f", "l/h"));
	check("st_nlink 2", st_of("l/f", 1).st_nlink, 2);
	check("same inode", st_of("l/f", 1).st_ino == st_of("l/h", 1).st_ino, 1);
	check("link existing", S2(SYS_link, "l/f", "l/h"), -EEXIST);
	check("link a dir", S2(SYS_link, "l", "l/d2"), -EPERM);
	ok("symlink", S2(SYS_symlink, "f", "l/s"));
	check("lstat S_ISLNK", S_ISLNK(st_of("l/s", 0).st_mode), 1);
	check("stat follows", st_of("l/s", 1).st_ino == st_of("l/f", 1).st_ino, 1);
	check("readlink", S3(SYS_readlink, "l/s", buf, sizeof buf), 1);
	check("target", buf[0], 'f');
	ok("symlinkat", S3(SYS_symlinkat, "/no/such/target/anywhere", AT_FDCWD, "l/long"));
	check("readlink truncates", S4(SYS_readlinkat, AT_FDCWD, "l/long", buf, 4), 4);
	check("readlink of a file", S3(SYS_readlink, "l/f", buf, sizeof buf), -EINVAL);
	check("readlink bufsiz 0", S3(SYS_readlink, "l/s", buf, 0), -EINVAL);
	check("dangling", xopen("l/long", O_RDONLY, 0), -ENOENT);
	check("symlink existing", S2(SYS_symlink, "x", "l/s"), -EEXIST);
	check("symlink empty target", S2(SYS_symlink, "", "l/e"), -ENOENT);
	ok("loop a", S2(SYS_symlink, "loopb", "l/loopa"));
	ok("loop b", S2(SYS_symlink, "loopa", "l/loopb"));
	check("ELOOP", xopen("l/loopa", O_RDONLY, 0), -ELOOP);
	check("O_NOFOLLOW", xopen("l/s", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	ok("linkat AT_SYMLINK_FOLLOW", S5(SYS_linkat, AT_FDCWD, "l/s", AT_FDCWD, "l/h2", AT_SYMLINK_FOLLOW));
	check("followed to the file", S_ISREG(st_of("l/h2", 0).st_mode), 1);
	check("st_nlink 3", st_of("l/f", 1).st_nlink, 3);
	ok("symlink to a dir", S2(SYS_symlink, ".", "l/self"));
	check("dir through links", S_ISDIR(st_of("l/self/self/self/", 1).st_mode), 1);
}

static void t_path_errors(void)
{
	static char longname[300], longpath[4200];
	put_file("pf", "x");
	check("ENOENT", xopen("missing", O_RDONLY, 0), -ENOENT);
	check("ENOENT empty", xopen("", O_RDONLY, 0), -ENOENT);
	check("ENOTDIR", xopen("pf/x", O_RDONLY, 0), -ENOTDIR);
	check("ENOTDIR trailing /", S2(SYS_stat, "pf/", &(struct stat){0}), -ENOTDIR);
	memset(longname, 'n', 256);
	check("ENAMETOOLONG component", xopen(longname, O_RDONLY, 0), -ENAMETOOLONG);
	check("ENAMETOOLONG mkdir", S2(SYS_mkdir, longname, 0755), -ENAMETOOLONG);
	for (int i = 0; i + 2 < 4150; i += 2)
		memcpy(longpath + i, "./", 2);
	check("ENAMETOOLONG path", xopen(longpath, O_RDONLY, 0), -ENAMETOOLONG);
	longpath[4094] = 0;
	ok("4094 bytes are fine", S2(SYS_stat, longpath, &(struct stat){0}));
	check("EFAULT open", xopen((char *)BAD_PTR, O_RDONLY, 0), -EFAULT);
	check("EFAULT stat path", S2(SYS_stat, (char *)BAD_PTR, &(struct stat){0}), -EFAULT);
	check("EFAULT stat buf", S2(SYS_stat, "pf", (void *)BAD_PTR), -EFAULT);
	check("EFAULT mkdir", S2(SYS_mkdir, (char *)BAD_PTR, 0755), -EFAULT);
	check("EFAULT getcwd", S2(SYS_getcwd, (void *)BAD_PTR, 4096), -EFAULT);
	check("EBADF dirfd", S4(SYS_openat, 999, "x", O_RDONLY, 0), -EBADF);
	ok("absolute ignores dirfd", S4(SYS_openat, 999, "/", O_RDONLY, 0) >= 0 ? 0 : -1);
}

static void t_getdents64(void)
{
	char buf[512];
	int seen = 0;
	ok("mkdir", S2(SYS_mkdir, "g", 0755));
	ok("mkdir", S2(SYS_mkdir, "g/sub", 0755));
	put_file("g/file", "");
	ok("symlink", S2(SYS_symlink, "file", "g/link"));
	long fd = ok("open", xopen("g", O_RDONLY | O_DIRECTORY, 0));
	check("buffer too small", S3(SYS_getdents64, fd, buf, 8), -EINVAL);
	for (;;) {
		long n = S3(SYS_getdents64, fd, buf, 48); /* about one entry at a time */
		if (n <= 0) {
			check("end", n, 0);
			break;
		}
		for (long off = 0; off < n;) {
			unsigned short reclen = *(unsigned short *)(buf + off + 16);
			unsigned char type = (unsigned char)buf[off + 18];
			const char *name = buf + off + 19;
			if (reclen % 8)
				fail("d_reclen %u", reclen);
			if (!strcmp(name, ".") && type == DT_DIR) seen |= 1;
			if (!strcmp(name, "..") && type == DT_DIR) seen |= 2;
			if (!strcmp(name, "sub") && type == DT_DIR) seen |= 4;
			if (!strcmp(name, "file") && type == DT_REG) seen |= 8;
			if (!strcmp(name, "link") && type == DT_LNK) seen |= 16;
			off += reclen;
		}
	}
	check("entries . .. sub file link", seen, 31);
	check("rewind", S3(SYS_lseek, fd, 0, SEEK_SET), 0);
	check("again", S3(SYS_getdents64, fd, buf, sizeof buf) > 0, 1);
	xclose(fd);
	fd = ok("open file", xopen("g/file", O_RDONLY, 0));
	check("ENOTDIR", S3(SYS_getdents64, fd, buf, sizeof buf), -ENOTDIR);
	xclose(fd);
	check("EBADF", S3(SYS_getdents64, 999, buf, sizeof buf), -EBADF);
}

static void t_stat(void)
{
	struct stat a, b;
	put_file("s", "12345");
	ok("symlink", S2(SYS_symlink, "s", "sl"));
	a = st_of("s", 1);
	check("st_size", a.st_size, 5);
	check("S_ISREG", S_ISREG(a.st_mode), 1);
	check("st_nlink", a.st_nlink, 1);
	long fd = ok("open", xopen("s", O_RDONLY, 0));
	ok("fstat", S2(SYS_fstat, fd, &b));
	check("fstat = stat", a.st_ino == b.st_ino && a.st_dev == b.st_dev, 1);
	ok("AT_EMPTY_PATH", S4(SYS_newfstatat, fd, "", &b, AT_EMPTY_PATH));
	check("AT_EMPTY_PATH = stat", a.st_ino == b.st_ino, 1);
	check("empty path without the flag", S4(SYS_newfstatat, fd, "", &b, 0), -ENOENT);
	xclose(fd);
	ok("AT_SYMLINK_NOFOLLOW", S4(SYS_newfstatat, AT_FDCWD, "sl", &b, AT_SYMLINK_NOFOLLOW));
	check("lnk", S_ISLNK(b.st_mode), 1);
	check("link size", b.st_size, 1);
	check("bad flag", S4(SYS_newfstatat, AT_FDCWD, "s", &b, 0x1), -EINVAL);
	unsigned char sx[256];
	memset(sx, 0xff, sizeof sx);
	ok("statx", S5(SYS_statx, AT_FDCWD, "s", 0, 0x7ff, sx));
	check("stx_size", *(unsigned long long *)(sx + 40), 5);
	check("stx_ino", *(unsigned long long *)(sx + 32) == a.st_ino, 1);
	check("stx_mode", *(unsigned short *)(sx + 28), a.st_mode);
	check("statx reserved mask", S5(SYS_statx, AT_FDCWD, "s", 0, 0x80000000u, sx), -EINVAL);
	check("EBADF fstat", S2(SYS_fstat, 999, &b), -EBADF);
}

static void t_access_chmod_times(void)
{
	struct stat st;
	struct timespec ts[2] = {{12345, 678}, {23456, 789}};
	put_file("ac", "x");
	ok("F_OK", S2(SYS_access, "ac", F_OK));
	check("ENOENT", S2(SYS_access, "acx", F_OK), -ENOENT);
	check("bad mode", S2(SYS_access, "ac", 8), -EINVAL);
	ok("chmod", S2(SYS_chmod, "ac", 0600));
	check("mode", st_of("ac", 1).st_mode & 07777, 0600);
	check("X_OK without x bits", S2(SYS_access, "ac", X_OK), -EACCES);
	ok("fchmodat", S3(SYS_fchmodat, AT_FDCWD, "ac", 0755));
	ok("X_OK", S4(SYS_faccessat, AT_FDCWD, "ac", X_OK, 0));
	long fd = ok("open", xopen("ac", O_RDONLY, 0));
	ok("fchmod", S2(SYS_fchmod, fd, 0640));
	check("mode", st_of("ac", 1).st_mode & 07777, 0640);
	ok("utimensat", S4(SYS_utimensat, AT_FDCWD, "ac", ts, 0));
	st = st_of("ac", 1);
	check("atime", st.st_atim.tv_sec, 12345);
	check("mtime", st.st_mtim.tv_sec, 23456);
	check("mtime ns", st.st_mtim.tv_nsec, 789);
	ts[0].tv_nsec = UTIME_OMIT_;
	ts[1].tv_sec = 99;
	ts[1].tv_nsec = 0;
	ok("UTIME_OMIT", S4(SYS_utimensat, fd, NULL, ts, 0));
	st = st_of("ac", 1);
	check("atime kept", st.st_atim.tv_sec, 12345);
	check("mtime set through the fd", st.st_mtim.tv_sec, 99);
	ts[1].tv_nsec = 1000000000;
	check("bad nsec", S4(SYS_utimensat, AT_FDCWD, "ac", ts, 0), -EINVAL);
	ok("NULL times = now", S4(SYS_utimensat, AT_FDCWD, "ac", NULL, 0));
	check("now", st_of("ac", 1).st_mtim.tv_sec > 1000000000, 1);
	xclose(fd);
}

static void t_truncate(void)
{
	char buf[8];
	put_file("t", "abcdef");
	ok("truncate up", S2(SYS_truncate, "t", 4096 * 3));
	check("size", st_of("t", 1).st_size, 4096 * 3);
	long fd = ok("open", xopen("t", O_RDWR, 0));
	check("zeros past the old end", S4(SYS_pread64, fd, buf, 4, 5000), 4);
	check("zeros", memcmp(buf, "\0\0\0\0", 4), 0);
	ok("ftruncate down", S2(SYS_ftruncate, fd, 3));
	check("size", st_of("t", 1).st_size, 3);
	ok("ftruncate up", S2(SYS_ftruncate, fd, 6));
	check("old bytes are gone", S4(SYS_pread64, fd, buf, 6, 0), 6);
	check("abc then zeros", memcmp(buf, "abc\0\0\0", 6), 0);
	check("negative", S2(SYS_ftruncate, fd, -1), -EINVAL);
	xclose(fd);
	fd = ok("open ro", xopen("t", O_RDONLY, 0));
	check("ftruncate read-only", S2(SYS_ftruncate, fd, 0), -EINVAL);
	xclose(fd);
	check("truncate a dir", S2(SYS_truncate, ".", 0), -EISDIR);
	check("truncate missing", S2(SYS_truncate, "tt", 0), -ENOENT);
}

static void t_cwd_umask(void)
{
	char buf[256], top[256];
	long n = ok("getcwd", S2(SYS_getcwd, top, sizeof top));
	check("getcwd length", n, (long)strlen(top) + 1);
	check("getcwd is the top dir", strcmp(top, topdir), 0);
	check("ERANGE", S2(SYS_getcwd, buf, 3), -ERANGE);
	ok("mkdir", S2(SYS_mkdir, "w", 0755));
	ok("chdir", S1(SYS_chdir, "w"));
	ok("getcwd", S2(SYS_getcwd, buf, sizeof buf));
	check("in w", strcmp(buf + strlen(top), "/w"), 0);
	put_file("inside", "");
	ok("chdir ..", S1(SYS_chdir, ".."));
	check("relative to the new cwd", S2(SYS_access, "w/inside", F_OK), 0);
	long dfd = ok("open dir", xopen("w", O_RDONLY | O_DIRECTORY, 0));
	ok("openat relative to dirfd", xclose(S4(SYS_openat, dfd, "inside", O_RDONLY, 0)));
	ok("fchdir", S1(SYS_fchdir, dfd));
	check("fchdir took", S2(SYS_access, "inside", F_OK), 0);
	ok("chdir back", S1(SYS_chdir, top));
	xclose(dfd);
	put_file("cf", "");
	check("chdir to a file", S1(SYS_chdir, "cf"), -ENOTDIR);
	check("chdir missing", S1(SYS_chdir, "nope"), -ENOENT);
	check("fchdir EBADF", S1(SYS_fchdir, 999), -EBADF);
	long old = S1(SYS_umask, 077);
	put_file("um", "");
	check("umask 077 applied", st_of("um", 1).st_mode & 0777, 0600);
	ok("mkdir", S2(SYS_mkdir, "umd", 0777));
	check("umask on mkdir", st_of("umd", 1).st_mode & 0777, 0700);
	check("umask returns the old", S1(SYS_umask, old), 077);
}

static void t_dev(void)
{
	char buf[16];
	long fd = ok("/dev/null", xopen("/dev/null", O_RDWR, 0));
	check("write null", xwrite(fd, "abc", 3), 3);
	check("read null", xread(fd, buf, 16), 0);
	check("S_ISCHR", S_ISCHR(st_of("/dev/null", 1).st_mode), 1);
	check("rdev 1:3", st_of("/dev/null", 1).st_rdev, 0x103);
	xclose(fd);
	fd = ok("/dev/zero", xopen("/dev/zero", O_RDONLY, 0));
	memset(buf, 7, sizeof buf);
	check("read zero", xread(fd, buf, 16), 16);
	check("zeros", buf[0] | buf[15], 0);
	xclose(fd);
	fd = ok("/dev/full", xopen("/dev/full", O_WRONLY, 0));
	check("write full", xwrite(fd, "a", 1), -ENOSPC);
	xclose(fd);
	fd = ok("/dev/urandom", xopen("/dev/urandom", O_RDONLY, 0));
	check("read urandom", xread(fd, buf, 16), 16);
	xclose(fd);
	check("getrandom", S3(SYS_getrandom, buf, 16, 0), 16);
	check("getrandom GRND_NONBLOCK", S3(SYS_getrandom, buf, 16, 1), 16);
	check("getrandom bad flags", S3(SYS_getrandom, buf, 16, 0x40), -EINVAL);
	check("getrandom EFAULT", S3(SYS_getrandom, (void *)BAD_PTR, 16, 0), -EFAULT);
}

static void t_ebadf_emfile(void)
{
	struct rlimit rl = {64, 64}, old;
	check("close EBADF", xclose(999), -EBADF);
	check("read EBADF", xread(-1, NULL, 0), -EBADF);
	S2(SYS_getrlimit, RLIMIT_NOFILE, &old);
	if (old.rlim_cur > 1024) {
		rl.rlim_cur = 1024;
		rl.rlim_max = old.rlim_max;
		ok("setrlimit", S2(SYS_setrlimit, RLIMIT_NOFILE, &rl));
	}
	long fd = ok("open", xopen(".", O_RDONLY, 0)), last = fd, n = 0, r = 0;
	while (n < 2000 && (r = S1(SYS_dup, fd)) >= 0) {
		last = r;
		n++;
	}
	check("EMFILE", r, -EMFILE);
	check("open at the limit", xopen(".", O_RDONLY, 0), -EMFILE);
	diag("%ld descriptors, the last %ld", n + 1, last);
	for (long i = fd; i <= last; i++)
		xclose(i);
	ok("open again", xclose(xopen(".", O_RDONLY, 0)));
	if (old.rlim_cur > 1024)
		S2(SYS_setrlimit, RLIMIT_NOFILE, &old);
}

/* fifo_writer and fifo_reader are children of t_fifo_blocking: a
 * blocking open of the FIFO "p", then one transfer; exit 0 if it went. */
static void fifo_writer(void)
{
	long fd = xopen("p", O_WRONLY, 0);
	tx_exit(fd >= 0 && xwrite(fd, "hi", 2) == 2 ? 0 : 1);
}

static void fifo_reader(void)
{
	char b[4] = {0};
	long fd = xopen("p", O_RDONLY, 0);
	tx_exit(fd >= 0 && xread(fd, b, 4) == 2 && !memcmp(b, "yo", 2) ? 0 : 1);
}

/* fork_run forks fn and returns the child's PID. */
static long fork_run(void (*fn)(void))
{
	long pid = S0(SYS_fork);
	if (pid == 0)
		fn();
	return pid;
}

static void nap_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	S2(SYS_nanosleep, &ts, 0);
}

static void t_fifo_nonblock(void)
{
	struct stat st, fst;
	struct pollfd pf = {.events = POLLIN};
	char b[8];

	ok("mknod S_IFIFO", S3(SYS_mknod, "p", S_IFIFO | 0644, 0));
	st = st_of("p", 1);
	check("S_ISFIFO", S_ISFIFO(st.st_mode), 1);
	check("write-open, O_NONBLOCK, no reader", xopen("p", O_WRONLY | O_NONBLOCK, 0), -ENXIO);
	long r = ok("read-open, O_NONBLOCK", xopen("p", O_RDONLY | O_NONBLOCK, 0));
	check("read, no writer: EOF", xread(r, b, 8), 0);
	pf.fd = (int)r;
	check("poll before any writer: no POLLHUP", S3(SYS_poll, &pf, 1, 0), 0);
	long w = ok("write-open, O_NONBLOCK, a reader", xopen("p", O_WRONLY | O_NONBLOCK, 0));
	ok("fstat", S2(SYS_fstat, r, &fst));
	check("same inode as the name", fst.st_ino == st.st_ino && S_ISFIFO(fst.st_mode), 1);
	check("lseek", S3(SYS_lseek, r, 0, SEEK_SET), -ESPIPE);
	check("read, empty, writer there", xread(r, b, 8), -EAGAIN);
	check("write", xwrite(w, "abc", 3), 3);
	long r2 = ok("second reader", xopen("p", O_RDONLY | O_NONBLOCK, 0));
	check("second reader reads the shared pipe", xread(r2, b, 8), 3);
	check("data", memcmp(b, "abc", 3), 0);
	xclose(w);
	check("poll after the writer left", S3(SYS_poll, &pf, 1, 0), 1);
	check("POLLHUP", pf.revents, POLLHUP);
	check("read after the writer left: EOF", xread(r, b, 8), 0);
	xclose(r);
	xclose(r2);
	long rw = ok("O_RDWR open does not block", xopen("p", O_RDWR, 0));
	check("write through O_RDWR", xwrite(rw, "xyz", 3), 3);
	check("read it back", xread(rw, b, 8), 3);
	xclose(rw);
	check("mknodat S_IFIFO", S4(SYS_mknodat, AT_FDCWD, "q", S_IFIFO | 0600, 0), 0);
	check("mknod over it: EEXIST", S3(SYS_mknod, "q", S_IFIFO | 0600, 0), -EEXIST);
}

static void t_fifo_blocking(void)
{
	char b[4] = {0};
	int st;

	ok("mkfifo", S3(SYS_mknod, "p", S_IFIFO | 0644, 0));
	long pid = fork_run(fifo_writer);
	nap_ms(30);
	long r = ok("blocking read-open meets the writer", xopen("p", O_RDONLY, 0));
	check("read what it wrote", xread(r, b, 4), 2);
	check("data", memcmp(b, "hi", 2), 0);
	if (wait_bounded(pid, &st, 5000) == 1)
		check("writer", st, 0);
	xclose(r);
	pid = fork_run(fifo_reader);
	nap_ms(30);
	long w = ok("blocking write-open meets the reader", xopen("p", O_WRONLY, 0));
	check("write", xwrite(w, "yo", 2), 2);
	if (wait_bounded(pid, &st, 5000) == 1)
		check("reader", st, 0);
	signal(SIGPIPE, SIG_IGN);
	check("EPIPE with the reader gone", xwrite(w, "z", 1), -EPIPE);
	signal(SIGPIPE, SIG_DFL);
	xclose(w);
}

static void on_alarm(int sig) { (void)sig; }

/* fifo_sigpipe writes to a FIFO without readers: SIGPIPE kills it. */
static void fifo_sigpipe(void)
{
	signal(SIGPIPE, SIG_DFL);
	long r = xopen("p", O_RDONLY | O_NONBLOCK, 0);
	long w = xopen("p", O_WRONLY, 0);
	xclose(r);
	xwrite(w, "a", 1);
	tx_exit(1);
}

static void t_fifo_signals(void)
{
	struct sigaction sa = {.sa_handler = on_alarm}, old;
	struct itimerval it = {{0, 0}, {0, 50000}};
	int st;

	ok("mkfifo", S3(SYS_mknod, "p", S_IFIFO | 0644, 0));
	sigaction(SIGALRM, &sa, &old); /* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	check("blocking open interrupted: EINTR", xopen("p", O_RDONLY, 0), -EINTR);
	setitimer(ITIMER_REAL, &it, NULL);
	check("blocking write-open interrupted: EINTR", xopen("p", O_WRONLY, 0), -EINTR);
	sigaction(SIGALRM, &old, NULL);
	check("no reader left behind", xopen("p", O_WRONLY | O_NONBLOCK, 0), -ENXIO);
	long pid = fork_run(fifo_sigpipe);
	if (wait_bounded(pid, &st, 5000) == 1)
		check("writer killed by SIGPIPE", WIFSIGNALED(st) ? WTERMSIG(st) : -1, SIGPIPE);
}

/* readlink_fd reads /proc/self/fd/FD into buf. */
static void readlink_fd(long fd, char *buf, long n)
{
	char path[40];
	snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
	long k = S3(SYS_readlink, path, buf, n - 1);
	buf[k > 0 ? k : 0] = 0;
}

static void t_pipe_inode(void)
{
	int p[2];
	struct stat a, b;
	char la[64], lb[64];

	ok("pipe", S1(SYS_pipe, p));
	ok("fstat read end", S2(SYS_fstat, p[0], &a));
	ok("fstat write end", S2(SYS_fstat, p[1], &b));
	check("one inode for both ends", a.st_ino == b.st_ino && a.st_dev == b.st_dev, 1);
	check("S_ISFIFO", S_ISFIFO(a.st_mode), 1);
	readlink_fd(p[0], la, sizeof la);
	readlink_fd(p[1], lb, sizeof lb);
	check("same pipe:[N] in /proc/self/fd", strcmp(la, lb) == 0 && strncmp(la, "pipe:[", 6) == 0, 1);
	if (strcmp(la, lb))
		diag("%s and %s", la, lb);
	xclose(p[0]);
	xclose(p[1]);
}

#define TMPFS_MAGIC_ 0x01021994L
#define PROC_SUPER_MAGIC_ 0x9fa0L
#define PIPEFS_MAGIC_ 0x50495045L

static void t_statfs(void)
{
	struct statfs a, b;
	int p[2];

	ok("statfs /proc", S2(SYS_statfs, "/proc", &a));
	check("/proc f_type PROC_SUPER_MAGIC", a.f_type, PROC_SUPER_MAGIC_);
	check("/proc f_bsize", a.f_bsize, 4096);
	check("/proc f_namelen", a.f_namelen, 255);
	check("/proc f_flags has ST_VALID", a.f_flags & 0x20, 0x20);
	ok("pipe", S1(SYS_pipe, p));
	ok("fstatfs pipe", S2(SYS_fstatfs, p[0], &a));
	check("pipe f_type PIPEFS_MAGIC", a.f_type, PIPEFS_MAGIC_);
	xclose(p[0]);
	xclose(p[1]);
	check("statfs ENOENT", S2(SYS_statfs, "nonexistent", &a), -ENOENT);
	check("statfs EFAULT", S2(SYS_statfs, ".", BAD_PTR), -EFAULT);
	check("fstatfs EBADF", S2(SYS_fstatfs, 999, &a), -EBADF);
	ok("statfs .", S2(SYS_statfs, ".", &a));
	if (a.f_type != TMPFS_MAGIC_) {
		diag("here is no tmpfs (f_type %#lx): tmpfs counts not checked", (long)a.f_type);
		return;
	}
	long fd = ok("create", xopen("big", O_WRONLY | O_CREAT, 0644));
	static char buf[65536];
	check("write 64 KiB", xwrite(fd, buf, sizeof buf), (long)sizeof buf);
	xclose(fd);
	ok("statfs after", S2(SYS_statfs, ".", &b));
	check("tmpfs f_blocks >= f_bfree", a.f_blocks >= a.f_bfree && a.f_bfree == a.f_bavail, 1);
	check("64 KiB took 16 blocks", (long)(a.f_bfree - b.f_bfree), 16);
	check("one more inode used", (long)(a.f_ffree - b.f_ffree), 1);
}

static void t_chown(void)
{
	struct stat st;

	if (S0(SYS_geteuid) != 0) {
		diag("not root: chown not checked");
		return;
	}
	put_file("f", "x");
	ok("chown", S3(SYS_chown, "f", 1000, 1001));
	st = st_of("f", 1);
	check("uid", st.st_uid, 1000);
	check("gid", st.st_gid, 1001);
	ok("chown -1 gid", S3(SYS_chown, "f", -1, 1002));
	st = st_of("f", 1);
	check("uid kept", st.st_uid, 1000);
	check("gid changed", st.st_gid, 1002);
	ok("chmod 04755", S2(SYS_chmod, "f", 04755));
	ok("chown -1 -1", S3(SYS_chown, "f", -1, -1));
	check("set-user-ID dropped", st_of("f", 1).st_mode & 07777, 0755);
	ok("chmod 02755", S2(SYS_chmod, "f", 02755));
	ok("chown 0 0", S3(SYS_chown, "f", 0, 0));
	check("set-group-ID dropped (group-executable)", st_of("f", 1).st_mode & 07777, 0755);
	ok("chmod 02745", S2(SYS_chmod, "f", 02745));
	ok("chown 0 0", S3(SYS_chown, "f", 0, 0));
	check("set-group-ID kept (not group-executable)", st_of("f", 1).st_mode & 07777, 02745);
	ok("symlink", S2(SYS_symlink, "f", "l"));
	ok("lchown", S3(SYS_lchown, "l", 7, 8));
	check("link owner", st_of("l", 0).st_uid, 7);
	check("target untouched", st_of("f", 1).st_uid, 0);
	long fd = ok("open", xopen("f", O_RDONLY, 0));
	ok("fchown", S3(SYS_fchown, fd, 5, 6));
	check("fchown uid", st_of("f", 1).st_uid, 5);
	ok("fchownat AT_EMPTY_PATH", S5(SYS_fchownat, fd, "", 9, 9, AT_EMPTY_PATH));
	check("fchownat uid", st_of("f", 1).st_gid, 9);
	xclose(fd);
	ok("fchownat AT_SYMLINK_NOFOLLOW", S5(SYS_fchownat, AT_FDCWD, "l", 3, 3, AT_SYMLINK_NOFOLLOW));
	check("fchownat on the link", st_of("l", 0).st_uid, 3);
	check("fchownat bad flag", S5(SYS_fchownat, AT_FDCWD, "f", 0, 0, 0x1), -EINVAL);
	check("fchown EBADF", S3(SYS_fchown, 999, 0, 0), -EBADF);
	check("chown ENOENT", S3(SYS_chown, "nope", 0, 0), -ENOENT);
	S3(SYS_chown, "f", 0, 0);
	S3(SYS_lchown, "l", 0, 0);
}

/* rm_rf removes the tree under path (depth first, through getdents64). */
static void rm_rf(const char *path)
{
	char buf[1024], child[512];
	long fd = xopen(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0) {
		S1(SYS_unlink, path);
		return;
	}
	long n;
	while ((n = S3(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			const char *name = buf + off + 19;
			off += *(unsigned short *)(buf + off + 16);
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			snprintf(child, sizeof child, "%s/%s", path, name);
			rm_rf(child);
		}
	}
	xclose(fd);
	S1(SYS_rmdir, path);
}

static const struct ktap_case cases[] = {
	{"open_flags", t_open_flags},
	{"read_write_seek", t_read_write_seek},
	{"mkdir_rmdir", t_mkdir_rmdir},
	{"unlink", t_unlink},
	{"rename", t_rename},
	{"links_and_symlinks", t_links},
	{"path_errors", t_path_errors},
	{"getdents64", t_getdents64},
	{"stat_family", t_stat},
	{"access_chmod_utimensat", t_access_chmod_times},
	{"truncate", t_truncate},
	{"cwd_and_umask", t_cwd_umask},
	{"dev_nodes_and_getrandom", t_dev},
	{"ebadf_emfile", t_ebadf_emfile},
	{"sendfile_and_time", t_sendfile_time},
	{"exec_script", t_exec_script},
	{"fifo_nonblock", t_fifo_nonblock},
	{"fifo_blocking_open", t_fifo_blocking},
	{"fifo_eintr_sigpipe", t_fifo_signals},
	{"pipe_one_inode", t_pipe_inode},
	{"statfs_fstatfs", t_statfs},
	{"chown_family", t_chown},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* run_case runs case i in a directory of its own, topdir/caseN. */
static void run_case(int i)
{
	char dir[16];

	snprintf(dir, sizeof dir, "case%d", i + 1);
	if (S2(SYS_mkdir, dir, 0755) < 0 || S1(SYS_chdir, dir) < 0)
		tx_fail("cannot make %s", dir);
	snprintf(topdir + strlen(topdir), sizeof topdir - strlen(topdir), "/%s", dir);
	cases[i].fn();
	*strrchr(topdir, '/') = 0;
	S1(SYS_chdir, topdir);
}

/* script_mode is what vfstest does when a #! script names it as its
 * interpreter: exit 42 if argv is what the kernel must pass, else 1. */
static int script_mode(int argc, char **argv)
{
	/* argv: self, "--script-mode x y", script path, then its arguments */
	if (argc == 5 && strcmp(argv[1], "--script-mode x y") == 0 &&
	    strcmp(argv[2], "s1") == 0 && strcmp(argv[3], "A") == 0 && strcmp(argv[4], "B") == 0)
		return 42;
	if (argc == 6 && strcmp(argv[1], "--script-mode x y") == 0 && strstr(argv[2], "/s1") &&
	    strcmp(argv[3], "s2") == 0 && strcmp(argv[4], "A") == 0 && strcmp(argv[5], "B") == 0)
		return 43;
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc > 1 && strncmp(argv[1], "--script-mode", 13) == 0)
		return script_mode(argc, argv);
	snprintf(topdir, sizeof topdir, "/tmp/vfstest.%ld", S0(SYS_getpid));
	rm_rf(topdir);
	ktap_plan(NCASES);
	if (S2(SYS_mkdir, topdir, 0755) < 0 || S1(SYS_chdir, topdir) < 0)
		tx_fail("cannot make and enter %s", topdir);
	diag("vfstest: working in %s", topdir);
	failed = ktap_run(cases, NCASES, run_case, 0);
	S1(SYS_chdir, "/");
	rm_rf(topdir);
	if (S2(SYS_access, topdir, F_OK) != -ENOENT)
		diag("vfstest: %s was not removed", topdir);
	diag("vfstest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
