/*
 * enter: run a command in the namespaces a container left behind.
 *
 *   enter [-v] DIR [COMMAND [ARG...]]
 *
 * `container --persist DIR` bind-mounts the container's /proc/PID/ns/mnt
 * (and, in later chapters, uts, ipc, pid, net, user, cgroup and time)
 * onto DIR/mnt, DIR/uts... A namespace lives as long as something refers
 * to it, so those files keep it alive after its processes have gone.
 * enter opens each file in DIR, joins its namespace with setns(2) and
 * runs COMMAND (default /bin/sh) there: nsenter(1), in one screen.
 *
 * Exit status: the command's own, 128+N when signal N killed it, or 125
 * when the namespaces could not be joined, 126 when the command cannot
 * run, 127 when it does not exist (like the container).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static bool verbose;

/* Narration for the demo and the talk: "=> joining mnt namespace... done". */
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

/* Most failures come from the environment: say what usually fixes them. */
static const char *hint_for(const char *call, const char *object, int err)
{
	if (err == EPERM)
		return "run as root";
	if (err == ENOENT && strcmp(call, "open") == 0)
		return "DIR is where `container --persist DIR ROOTFS` keeps the namespaces";
	if (err == EINVAL && strcmp(call, "setns") == 0) {
		/* setns checks the file is a namespace of the type we asked for. */
		static char hint[4096 + 128];
		snprintf(hint, sizeof(hint),
			 "is %s a bind mount of a /proc/PID/ns/%s? (see container --persist)",
			 object, strrchr(object, '/') + 1);
		return hint;
	}
	if (err == ENOMEM && strcmp(call, "fork") == 0)
		return "the pid namespace's init has exited, and no process can join "
		       "a pid namespace without one (see pid_namespaces(7))";
	return NULL;
}

/* The one error idiom: name the call, the object and errno, then stop. */
static _Noreturn void die(const char *call, const char *object)
{
	int err = errno;
	const char *hint = hint_for(call, object, err);

	if (verbose)
		fputs("failed.\n", stderr);
	fprintf(stderr, "enter: %s %s: %s\n", call, object, strerror(err));
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
	exit(EXIT_SETUP);
}

/*
 * The namespaces, in the order we join them. user comes first: joining
 * a user namespace gives us every capability in it, and those are what
 * joining the namespaces it owns asks for (user_namespaces(7)). mnt
 * comes last, because setns into a mount namespace moves our root and
 * working directory to that namespace's root (setns(2)): DIR is out of
 * sight from then on. That is also why every file is opened before the
 * first setns.
 */
static const struct ns_type {
	const char *name;
	int nstype;
} types[] = {
	{"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
	{"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
	{"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS},
};
enum { NTYPES = sizeof(types) / sizeof(types[0]) };

static const char *path_of(const char *dir, const char *name)
{
	static char path[4096 + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Open DIR/user, DIR/cgroup...: fds[i] is -1 where DIR has none. */
static int open_namespaces(const char *dir, int fds[NTYPES])
{
	int found = 0;
	int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd == -1)
		die("open", dir);

	for (int i = 0; i < NTYPES; i++) {
		fds[i] = openat(dir_fd, types[i].name, O_RDONLY | O_CLOEXEC);
		if (fds[i] == -1 && errno != ENOENT)
			die("open", path_of(dir, types[i].name));
		found += fds[i] != -1;
	}
	close(dir_fd);
	return found;
}

/*
 * In a user namespace our own uid is usually not mapped (we would be
 * "nobody"), though setns gave us all its capabilities: become its root,
 * as nsenter -U does. A rootless container denies setgroups (see
 * user_namespaces(7), /proc/PID/setgroups): then we keep our groups.
 */
static void become_root(void)
{
	say("becoming root of the user namespace");
	if (setgroups(0, NULL) == -1 && errno != EPERM)
		die("setgroups", "0");
	if (setgid(0) == -1)
		die("setgid", "0");
	if (setuid(0) == -1)
		die("setuid", "0");
	done();
}

/*
 * Join each namespace we have a file for. Returns true when the command
 * must run in a child: setns into a pid namespace only sets the one our
 * children will be born in, since a process's pid never changes
 * (pid_namespaces(7)). A time namespace needs no child: unshare(2) gives
 * a new one to children only, but setns moves the caller itself
 * (time_namespaces(7)), as `enter DIR cat /proc/uptime` shows.
 */
static bool join_namespaces(const char *dir, const int fds[NTYPES])
{
	bool must_fork = false;

	for (int i = 0; i < NTYPES; i++) {
		if (fds[i] == -1)
			continue;
		say("joining %s namespace from %s", types[i].name, path_of(dir, types[i].name));
		if (setns(fds[i], types[i].nstype) == -1)
			die("setns", path_of(dir, types[i].name));
		close(fds[i]);
		done();

		if (types[i].nstype == CLONE_NEWUSER)
			become_root();
		if (types[i].nstype == CLONE_NEWPID)
			must_fork = true;
		/* setns moved us to the namespace's root; chdir says so plainly. */
		if (types[i].nstype == CLONE_NEWNS && chdir("/") == -1)
			die("chdir", "/");
	}
	return must_fork;
}

static _Noreturn void run_command(char *const argv[])
{
	say("exec %s", argv[0]);
	done();
	execvp(argv[0], argv);

	int err = errno;
	fprintf(stderr, "enter: execvp %s: %s\n", argv[0], strerror(err));
	if (err == ENOENT)
		fprintf(stderr,
			"  hint: with DIR/mnt, the command is looked up inside the container\n");
	exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/*
 * Run the command as our child, in the pid namespace we joined. We stay
 * behind as an odd process: the container's /proc does not show us, so
 * /proc/self is missing (which is why a LeakSanitizer build of enter
 * needs ASAN_OPTIONS=detect_leaks=0 here: its exit check reads it).
 */
static int run_child(char *const argv[])
{
	int status;

	/* An inherited SIG_IGN for SIGCHLD would make waitpid lose the child. */
	signal(SIGCHLD, SIG_DFL);
	say("forking into the pid namespace");
	pid_t pid = fork();
	if (pid == -1)
		die("fork", "the command");
	if (pid == 0) {
		done();
		run_command(argv);
	}

	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			die("waitpid", argv[0]);
	}
	/* How a shell reports a child's end: its exit status, or 128+signal. */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void usage(FILE *out)
{
	fputs("usage: enter [-v] DIR [COMMAND [ARG...]]\n"
	      "Run COMMAND (default /bin/sh) in the namespaces kept in DIR by\n"
	      "container --persist DIR: DIR/user, cgroup, ipc, uts, net, pid, time, mnt.\n"
	      "  -v, --verbose    narrate each step\n",
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
	int fds[NTYPES];
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
		fputs("enter: missing DIR\n", stderr);
		usage(stderr);
		return EXIT_SETUP;
	}
	const char *dir = argv[optind];
	char **command = optind + 1 < argc ? &argv[optind + 1] : default_command;

	if (open_namespaces(dir, fds) == 0) {
		fprintf(stderr,
			"enter: no namespace files in %s\n"
			"  hint: DIR is where `container --persist DIR ROOTFS` keeps them\n",
			dir);
		return EXIT_SETUP;
	}
	if (join_namespaces(dir, fds))
		return run_child(command);
	run_command(command);
}
