/*
 * tracectl: tracing controlled from user space through tracefs, at
 * /sys/kernel/tracing as on Linux (set_event, tracing_on, trace,
 * trace_pipe). It selects the fork and exit events, forks a child that
 * exits, stops tracing, reads the trace back and checks that both events
 * of its child are there; then it empties the buffer, traces a second
 * fork and reads its event from trace_pipe, which consumes it. Prints
 * "tracectl: ok" and exits 0 if all went so.
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

/* pipe_check traces one more fork and finds it in trace_pipe. */
static int pipe_check(void)
{
	if (put("/sys/kernel/tracing/trace", O_TRUNC, "") ||
	    put("/sys/kernel/tracing/tracing_on", 0, "1\n"))
		return -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(4);
	waitpid(pid, NULL, 0);
	put("/sys/kernel/tracing/tracing_on", 0, "0\n");
	int fd = open("/sys/kernel/tracing/trace_pipe", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, trace, sizeof trace - 1);
	if (n <= 0) {
		printf("tracectl: trace_pipe gave nothing\n");
		return -1;
	}
	trace[n] = 0;
	char want[96];
	snprintf(want, sizeof want, "child_pid=%d", pid);
	if (!strstr(trace, want)) {
		printf("tracectl: trace_pipe lacks \"%s\":\n%s", want, trace);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while ((n = read(fd, trace, sizeof trace)) > 0)
		; /* drain what is left */
	if (n != -1) {
		printf("tracectl: an empty O_NONBLOCK trace_pipe gave %zd, want -1 (EAGAIN)\n", n);
		return -1;
	}
	close(fd);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (put("/sys/kernel/tracing/set_event", O_TRUNC, "sched:sched_process_fork\n") ||
	    put("/sys/kernel/tracing/set_event", O_APPEND, "sched:sched_process_exit\n") ||
	    put("/sys/kernel/tracing/tracing_on", 0, "1\n"))
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	waitpid(pid, NULL, 0);
	if (put("/sys/kernel/tracing/tracing_on", 0, "0\n"))
		return 1;
	int fd = open("/sys/kernel/tracing/trace", O_RDONLY);
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
	return pipe_check() ? 1 : (printf("tracectl: ok\n"), 0);
}
