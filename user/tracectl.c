/*
 * tracectl: tracing controlled from user space through Tamix's stand-ins
 * for tracefs (/proc/tracing/set_event, tracing_on, trace; Linux has them
 * under /sys/kernel/tracing). It selects the fork and exit events, forks a
 * child that exits, stops tracing, reads the trace back and checks that
 * both events of its child are there. Prints "tracectl: ok" and exits 0
 * if so.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int put(const char *path, int flags, const char *text)
{
	int fd = open(path, O_WRONLY | flags);
	if (fd < 0) {
		printf("tracectl: cannot open %s\n", path);
		return -1;
	}
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static char trace[1 << 16];

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (put("/proc/tracing/set_event", O_TRUNC, "sched:sched_process_fork\n") ||
	    put("/proc/tracing/set_event", O_APPEND, "sched:sched_process_exit\n") ||
	    put("/proc/tracing/tracing_on", 0, "1\n"))
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	waitpid(pid, NULL, 0);
	if (put("/proc/tracing/tracing_on", 0, "0\n"))
		return 1;
	int fd = open("/proc/tracing/trace", O_RDONLY);
	ssize_t n, len = 0;
	while (fd >= 0 && (n = read(fd, trace + len, sizeof trace - 1 - len)) > 0)
		len += n;
	trace[len] = 0;
	fputs(trace, stdout);
	char fork_line[96], exit_line[96];
	snprintf(fork_line, sizeof fork_line, "sched_process_fork: comm=tracectl pid=%d child_comm=tracectl child_pid=%d",
		 getpid(), pid);
	snprintf(exit_line, sizeof exit_line, "sched_process_exit: comm=tracectl pid=%d prio=120", pid);
	if (!strstr(trace, fork_line) || !strstr(trace, exit_line)) {
		printf("tracectl: missing \"%s\" or \"%s\"\n", fork_line, exit_line);
		return 1;
	}
	printf("tracectl: ok\n");
	return 0;
}
