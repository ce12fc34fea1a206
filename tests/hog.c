/*
 * hog: use memory until told to stop, for chapter 09's memory limit.
 *
 *   hog [MAX_MB]     (default 1024)
 *
 * Allocates memory 10 MB at a time and writes to every byte of it, so
 * that every page is really there (untouched memory costs nothing: the
 * kernel hands out pages on first write). After each step it prints the
 * total, "10 MB", "20 MB", ..., one flushed line per step, so a reader
 * sees how far it got. At MAX_MB it prints "done" and exits 0. Under a
 * smaller memory limit it never gets there: the kernel's OOM killer kills
 * it with SIGKILL, and a shell reports 137.
 *
 * Exit status: 0 done, 1 out of memory without the OOM killer (malloc
 * failed) or stdout unwritable, 2 bad usage. Linked static: it runs in a
 * rootfs with no libc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STEP_MB = 10, DEFAULT_MAX_MB = 1024, MB = 1024 * 1024 };

/*
 * Every block, chained through its first bytes, from a pointer the
 * compiler must keep: memory that is written and never read would
 * otherwise be optimised away, malloc and all.
 */
static void *volatile blocks;

static long parse_max(const char *text)
{
	char *end;

	errno = 0;
	long n = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno == ERANGE || n <= 0 || n > 1024L * 1024) {
		fprintf(stderr, "hog: %s: want a size in MB, 1 to 1048576\n", text);
		exit(2);
	}
	return n;
}

int main(int argc, char *argv[])
{
	long max = DEFAULT_MAX_MB;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-h") == 0)) {
		fputs("usage: hog [MAX_MB]: use memory 10 MB at a time, up to MAX_MB (1024)\n",
		      stderr);
		return 2;
	}
	if (argc == 2)
		max = parse_max(argv[1]);

	for (long total = 0; total < max;) {
		long step = max - total < STEP_MB ? max - total : STEP_MB;
		/* Never freed: holding on to it is the point. */
		void *block = malloc((size_t)step * MB);

		if (block == NULL) {
			fprintf(stderr, "hog: malloc %ld MB at %ld MB: %s\n", step, total,
				strerror(errno));
			return 1;
		}
		memset(block, 0xa5, (size_t)step * MB);
		*(void **)block = blocks;
		blocks = block;
		total += step;
		if (printf("%ld MB\n", total) < 0 || fflush(stdout) == EOF)
			return 1;
	}
	if (puts("done") == EOF || fflush(stdout) == EOF)
		return 1;
	return 0;
}
