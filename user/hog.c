/*
 * hog: maps MiB mebibytes of anonymous memory with MAP_NORESERVE (so that
 * the overcommit check lets it through) and writes to every page, then
 * exits 0. With more than the machine has, the kernel's OOM killer ends
 * it with SIGKILL; on Linux and on Tamix the same.
 *
 * Usage: hog MiB       touch the pages one by one
 *        hog -p MiB    let the kernel fault them all in (MAP_POPULATE)
 *        hog -t MiB    touch them, say nothing (for timing the exit)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tamix_test.h"

int main(int argc, char **argv)
{
	int populate = argc > 2 && strcmp(argv[1], "-p") == 0;
	int quiet = argc > 2 && strcmp(argv[1], "-t") == 0; /* touch, exit 0 without a word */
	long mib = argc > 1 ? atol(argv[argc - 1]) : 16;
	size_t len = (size_t)mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0), -1, 0);

	if (p == MAP_FAILED) {
		tx_printf(1, "hog: mmap of %ld MiB failed\n", mib);
		return 1;
	}
	if (populate) {
		tx_printf(1, "hog: populated %ld MiB\n", mib);
		return 0;
	}
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	if (!quiet)
		tx_printf(1, "hog: touched %ld MiB\n", mib);
	return 0;
}
