/*
 * demo: the first process of "make run". It shows, from user space, the
 * machinery Tamix teaches: fork returning twice, copy-on-write keeping the
 * parent's and the child's memory apart, a few children running side by
 * side, the task tree (read from /proc/tasks, Tamix's one-file stand-in
 * for /proc) with swapper, init, kthreadd and the children, and wait4
 * collecting exit statuses. It exits 0, and the kernel powers off.
 */
#define TX_PROG "demo"
#include "tamix_test.h"

#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <time.h>

static char buffer[4096] = "parent's data";

static void show_tasks(void)
{
	char buf[4096];
	int fd = open("/proc/tasks", O_RDONLY);
	if (fd < 0) {
		printf("demo: cannot open /proc/tasks\n");
		return;
	}
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	fflush(stdout);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("demo: hello from PID %d (parent %d)\n", getpid(), getppid());

	/* fork returns twice; copy-on-write keeps the two copies apart. */
	printf("demo: buffer at %p holds \"%s\"; forking\n", (void *)buffer, buffer);
	pid_t pid = fork();
	if (pid == 0) {
		strcpy(buffer, "child's data");
		printf("demo:   child %d wrote \"%s\" at %p (its own copy now)\n",
		       getpid(), buffer, (void *)buffer);
		_exit(7);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("demo: parent still sees \"%s\" at %p; child %d exited with %d\n",
	       buffer, (void *)buffer, pid, WEXITSTATUS(status));

	/* Three children that sleep a little, so the tree has them. */
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
			_exit(10 + i);
		}
	}
	printf("demo: the task tree (PID 0 idles, 2 is kthreadd, %d is this init):\n", getpid());
	show_tasks();
	for (int i = 0; i < 3; i++) {
		waitpid(kids[i], &status, 0);
		printf("demo: child %d exited with %d\n", kids[i], WEXITSTATUS(status));
	}
	printf("demo: done\n");
	return 0;
}
