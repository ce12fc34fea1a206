/*
 * 02-pivot_root: a root you cannot climb out of.
 *
 *   container [-v] ROOTFS [COMMAND [ARG...]]
 *
 * Runs COMMAND (default /bin/sh) with ROOTFS as its root, like chapter
 * 01, but with pivot_root(2) instead of chroot(2). chroot only changes a
 * per-process pointer, so ".." from a directory outside it climbs back
 * to the host. pivot_root changes the root *mount* of a mount namespace
 * and lets us unmount the old one: afterwards the host's tree is not
 * hidden, it is gone from this namespace. That needs a mount namespace
 * of our own, previewed here and explained in chapter 03.
 *
 * Exit status: the command's own (we exec it), or 125 when the container
 * could not be set up, 126 when the command cannot run, 127 when it does
 * not exist (the convention of docker, podman and runc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
	{"rootfs", EINVAL,
	 "ROOTFS is the host's own root: a container needs a root of its own "
	 "(./rootfs-fetch.sh makes one)"},
	{"pivot_root", EINVAL,
	 "the new root must be a mount point, and neither it nor its "
	 "parent may have shared propagation (see pivot_root(2))"},
	{"pivot_root", EBUSY,
	 "the new root is on the current root's filesystem: bind-mount it "
	 "onto itself first, to make it a mount point"},
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
 * pivot_root(2) makes new_root the root mount of this mount namespace
 * and moves the old root mount to put_old. Its rules, and why we follow
 * them:
 *  - We need a mount namespace of our own, or we would pivot the host's
 *    root under every process on the machine.
 *  - No mount involved may be shared. systemd makes "/" shared, and a
 *    new mount namespace copies that: our mounts would propagate back to
 *    the host, so pivot_root refuses with EINVAL. Make everything
 *    private first, recursively (MS_REC|MS_PRIVATE). Many tutorials skip
 *    this and only work on machines without systemd.
 *  - new_root must be a mount point. A bind mount of ROOTFS onto itself
 *    makes it one.
 *  - pivot_root(".", ".") stacks the old root on top of the new one,
 *    so one umount2(".", MNT_DETACH) drops it and ROOTFS needs no
 *    put_old directory (see the NOTES of pivot_root(2)).
 * glibc has no wrapper for pivot_root, so we call it through syscall(2).
 */
static void enter_new_root(const char *rootfs)
{
	/* STEP 02: Give this process a root it cannot climb out of:
	 *   1. a mount namespace of its own -- unshare(2), CLONE_NEWNS;
	 *   2. every mount in it private, recursively: what would happen to
	 *      the host if "/" stayed shared?
	 *   3. ROOTFS made a mount point, by bind-mounting it onto itself;
	 *   4. pivot_root(2) into it, then the old root unmounted (lazily:
	 *      MNT_DETACH) so nothing above ROOTFS is reachable any more.
	 * Then make sure the working directory is the new "/".
	 * Report failures with die(call, object).
	 * man 2 unshare, man 2 mount, man 2 pivot_root, man 2 umount
	 */
	say("entering a new mount namespace");
	if (unshare(CLONE_NEWNS) == -1)
		die("unshare", "CLONE_NEWNS");
	done();

	say("making all mounts private");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		die("mount", "/ (MS_REC|MS_PRIVATE)");
	done();

	say("bind-mounting %s onto itself", rootfs);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) == -1)
		die("bind-mount", rootfs);
	done();

	say("pivoting the root to %s", rootfs);
	if (chdir(rootfs) == -1)
		die("chdir", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		die("pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) == -1)
		die("umount2", "old root");
	if (chdir("/") == -1)
		die("chdir", "/");
	done();
	/* STEP STUB: (void)rootfs; */
	/* STEP END */
}

/* Refuse a bad ROOTFS up front, with a clearer message than chroot's. */
static void check_rootfs(const char *rootfs)
{
	struct stat st, host_root;

	if (stat(rootfs, &st) == -1)
		die("rootfs", rootfs);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die("rootfs", rootfs);
	}
	/* "/" itself: there is no other root to pivot to, and nothing is isolated. */
	if (stat("/", &host_root) == -1)
		die("stat", "/");
	if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino) {
		errno = EINVAL;
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
	fputs("usage: container [-v] ROOTFS [COMMAND [ARG...]]\n"
	      "Run COMMAND (default /bin/sh) with ROOTFS as its root, via pivot_root.\n"
	      "  -v, --verbose  narrate each step\n",
	      out);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char *default_command[] = {"/bin/sh", NULL};
	int opt;

	/* "+": stop at the first non-option, so "ls -l" reaches ls. */
	while ((opt = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
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
	enter_new_root(rootfs);
	run_command(command);
}
