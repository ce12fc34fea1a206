/*
 * 01-chroot: the oldest trick in the book (Version 7 Unix, 1979).
 *
 *   container [-v] [--no-chdir] ROOTFS [COMMAND [ARG...]]
 *
 * Runs COMMAND (default /bin/sh) with ROOTFS as its root directory.
 * That is all chroot(2) does: it changes which directory "/" names for
 * this process and its children. Everything else -- the working
 * directory, open files, mounts, PIDs, the network, the hostname -- is
 * still the host's. The rest of this tutorial takes those away one by one.
 *
 * Exit status: the command's own (we exec it), or 125 when the container
 * could not be set up, 126 when the command cannot run, 127 when it does
 * not exist (the convention of docker, podman and runc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static bool verbose;

/* Narration for the demo and the talk: "=> chroot into rootfs... done". */
static void say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fputs("=> ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("... ", stderr);
}

static void done(void)
{
	if (verbose)
		fputs("done.\n", stderr);
}

/*
 * Most failures here come from the environment, not the code: say what
 * usually fixes them. Each hint is keyed by what happened -- the call as
 * die() names it (NULL: any call) and its errno -- and the first match
 * wins, so the specific come before the general.
 */
static const struct hint {
	const char *call;
	int err;
	const char *text;
} hints[] = {
	{NULL, EPERM, "run as root (sudo), or see chapter 08 for rootless"},
	{"rootfs", ENOENT, "ROOTFS must be a directory: make one with ./rootfs-fetch.sh"},
	{"rootfs", ENOTDIR, "ROOTFS must be a directory: make one with ./rootfs-fetch.sh"},
};

static const char *hint_for(const char *call, int err)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].err == err &&
		    (hints[i].call == NULL || strcmp(hints[i].call, call) == 0))
			return hints[i].text;
	}
	return NULL;
}

/* The one error idiom: name the call, the object and errno, then stop. */
static _Noreturn void die(const char *call, const char *object)
{
	int err = errno;
	const char *hint = hint_for(call, err);

	if (verbose)
		fputs("failed.\n", stderr);
	fprintf(stderr, "container: %s %s: %s\n", call, object, strerror(err));
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
	exit(EXIT_SETUP);
}

/*
 * chroot(2) changes the root directory and nothing else. In particular
 * it does not change the working directory: a process that chroots
 * without chdir("/") is still standing in the host's tree, and relative
 * paths ("../../etc/shadow") walk out of the new root. --no-chdir keeps
 * that mistake so the lesson can show it.
 */
static void enter_chroot(const char *rootfs, bool no_chdir)
{
	say("chroot into %s", rootfs);
	/* TODO 01: Make ROOTFS the root directory of this process, then make
	 * sure the working directory is inside it -- unless no_chdir is set
	 * (--no-chdir), which keeps the classic mistake for the lesson.
	 * chroot(2) changes what "/" means. What does it leave alone? Report
	 * failures with die(call, object).
	 * man 2 chroot, man 2 chdir
	 */
	(void)no_chdir;
	done();
}

/* Refuse a bad ROOTFS up front, with a clearer message than chroot's. */
static void check_rootfs(const char *rootfs)
{
	struct stat st;

	if (stat(rootfs, &st) == -1)
		die("rootfs", rootfs);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die("rootfs", rootfs);
	}
}

/*
 * Replace this process with the command. argv[0] is the name the command
 * sees itself called by, so pass the command's own name there.
 */
static _Noreturn void run_command(char *const argv[])
{
	say("exec %s", argv[0]);
	done();
	execvp(argv[0], argv);

	int err = errno;
	fprintf(stderr, "container: execvp %s: %s\n", argv[0], strerror(err));
	if (err == ENOENT)
		fprintf(stderr,
			"  hint: the command is looked up inside ROOTFS, not on the host\n");
	exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

static void usage(FILE *out)
{
	fputs("usage: container [-v] [--no-chdir] ROOTFS [COMMAND [ARG...]]\n"
	      "Run COMMAND (default /bin/sh) with ROOTFS as its root directory.\n"
	      "  -v, --verbose  narrate each step\n"
	      "  --no-chdir     chroot without chdir(\"/\"), to show the escape\n",
	      out);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"no-chdir", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char *default_command[] = {"/bin/sh", NULL};
	bool no_chdir = false;
	int opt;

	/* "+": stop at the first non-option, so "ls -l" reaches ls. */
	while ((opt = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'C':
			no_chdir = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_SETUP;
		}
	}
	if (optind >= argc) {
		fputs("container: missing ROOTFS\n", stderr);
		usage(stderr);
		return EXIT_SETUP;
	}

	const char *rootfs = argv[optind];
	char **command = optind + 1 < argc ? &argv[optind + 1] : default_command;

	check_rootfs(rootfs);
	enter_chroot(rootfs, no_chdir);
	run_command(command);
}
