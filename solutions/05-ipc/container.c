/*
 * 05-ipc: message queues and shared memory of its own (Linux 2.6.19, 2006).
 *
 *   container [-v] [--persist DIR] [--hostname NAME] [--domainname NAME]
 *             ROOTFS [COMMAND [ARG...]]
 *
 * System V IPC objects -- message queues, semaphore sets, shared memory
 * segments -- are not files. They live in a kernel table keyed by a
 * number (the key from ftok(3)), so a chroot or a mount namespace does
 * nothing to hide them: any process that guesses the key can attach to
 * the host's shared memory. The IPC namespace gives the container its own
 * tables, and its own POSIX message queues, which we mount at
 * /dev/mqueue so that programs (and `ls`) can see them.
 *
 * Exit status: the command's own, 128+N when signal N killed it, or 125
 * when the container could not be set up, 126 when the command cannot
 * run, 127 when it does not exist (the convention of docker and runc).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
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
	{"--persist", ELOOP,
	 "a symlink in DIR could point the mount anywhere on the host: "
	 "remove it, or choose another DIR"},
	{"--persist", EBUSY,
	 "it already holds a namespace from an earlier --persist: "
	 "umount it first, or choose another DIR"},
	{"--persist", EISDIR,
	 "--persist makes a file there, or uses a plain file that is there: move this one away"},
	{"--persist", EINVAL,
	 "--persist makes a file there, or uses a plain file that is there: move this one away"},
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

/* The one error idiom: name the call, the object and errno... */
static void complain(const char *call, const char *object)
{
	int err = errno;
	const char *hint = hint_for(call, err);

	fprintf(stderr, "container: %s %s: %s\n", call, object, strerror(err));
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
	errno = err;
}

/*
 * What this run has made on the host so far, so that a start that fails
 * half way leaves nothing behind: die() in the parent undoes it. (A
 * parent killed by SIGKILL can undo nothing: see PR_SET_PDEATHSIG.)
 */
static struct {
	pid_t parent;    /* only the parent undoes, never the container */
	pid_t child;     /* the container's first process, until reaped */
	int persist_dir; /* --persist DIR, opened once, or -1 */
	bool created[8]; /* DIR/NAME made by this run, per namespace */
	bool mounted[8]; /* ...and a namespace mounted on it */
} made = {.persist_dir = -1};

static void undo(void);

/* ...then stop, undoing what this run made. */
static _Noreturn void die(const char *call, const char *object)
{
	if (verbose)
		fputs("failed.\n", stderr);
	complain(call, object);
	undo();
	exit(EXIT_SETUP);
}

/*
 * pivot_root(2) makes new_root the root mount of this mount namespace
 * and moves the old root mount to put_old. Its rules, and why we follow
 * them:
 *  - We need a mount namespace of our own (clone made it), or we would
 *    pivot the host's root under every process on the machine.
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
}

/*
 * A mount point inside the new root. Mounting after pivot_root means a
 * symlink planted in ROOTFS (say, /proc -> /etc on the host) can only
 * ever resolve inside ROOTFS: the host's tree is no longer reachable.
 */
static void make_mount_point(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		die("mkdir", path);
}

/* The device nodes every program may expect, and nothing else. */
static const struct device {
	const char *path;
	unsigned int major, minor;
} devices[] = {
	{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
	{"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static void make_devices(void)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		const struct device *d = &devices[i];

		if (mknod(d->path, S_IFCHR | 0666, makedev(d->major, d->minor)) == -1)
			die("mknod", d->path);
		/* mknod(2) applies the umask; these must be 0666 whatever it is. */
		if (chmod(d->path, 0666) == -1)
			die("chmod", d->path);
	}
	/* The conventional links: a pty master through devpts, fds through /proc. */
	const char *links[][2] = {
		{"pts/ptmx", "/dev/ptmx"},          {"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},  {"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (symlink(links[i][0], links[i][1]) == -1)
			die("symlink", links[i][1]);
	}
}

/*
 * The filesystems a process expects, each its own and not the host's:
 *  - /proc, procfs, which shows the processes of the mounter's pid
 *    namespace (all of the host's, until chapter 06);
 *  - /sys, sysfs, read-only: it is the kernel's own configuration;
 *  - /dev, a tmpfs holding a handful of device nodes, a devpts instance
 *    of its own at /dev/pts (newinstance: the host's ptys stay hidden)
 *    and /dev/shm for POSIX shared memory;
 *  - /tmp, a tmpfs, so scratch files never land in ROOTFS.
 * nosuid, nodev and noexec wherever the contents have no business being
 * set-uid programs, devices or executables.
 */
static void mount_filesystems(void)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	say("mounting /proc, /sys, /dev and /tmp");
	make_mount_point("/proc");
	if (mount("proc", "/proc", "proc", safe, NULL) == -1)
		die("mount", "/proc");

	make_mount_point("/sys");
	if (mount("sysfs", "/sys", "sysfs", safe | MS_RDONLY, NULL) == -1)
		die("mount", "/sys");

	make_mount_point("/dev");
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=64k") == -1)
		die("mount", "/dev");
	make_devices();
	make_mount_point("/dev/pts");
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") == -1)
		die("mount", "/dev/pts");
	make_mount_point("/dev/shm");
	if (mount("shm", "/dev/shm", "tmpfs", safe, "mode=1777") == -1)
		die("mount", "/dev/shm");

	make_mount_point("/tmp");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		die("mount", "/tmp");
	done();
}

/*
 * POSIX message queues (mq_overview(7)) live in an mqueue filesystem,
 * one instance per IPC namespace. Mounting it at /dev/mqueue, where
 * glibc's mq_open(3) does not need it but people look for it, shows the
 * container's queues -- and only the container's, when this mount is
 * made from inside its IPC namespace.
 */
static void mount_mqueue(void)
{
	/* STEP 05: Show the container's own POSIX message queues at
	 * /dev/mqueue: create the mount point and mount an mqueue filesystem
	 * there. Which IPC namespace's queues does an mqueue mount show? And
	 * which clone(2) flag gives the container an IPC namespace of its own?
	 * (There is a second TODO 05 in run_container.)
	 * man 7 ipc_namespaces, man 7 mq_overview, man 7 sysvipc
	 */
	say("mounting /dev/mqueue");
	make_mount_point("/dev/mqueue");
	if (mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		die("mount", "/dev/mqueue");
	done();
	/* STEP END */
}

/*
 * sethostname(2) and setdomainname(2) change the UTS namespace the caller
 * is in. Without CLONE_NEWUTS that is the host's: every process on the
 * machine would see the new name.
 */
static void set_hostname(const char *hostname, const char *domainname)
{
	say("setting the hostname to %s", hostname);
	if (sethostname(hostname, strlen(hostname)) == -1)
		die("sethostname", hostname);
	/* Like docker and runc: the NIS domain name only when asked for. */
	if (domainname && setdomainname(domainname, strlen(domainname)) == -1)
		die("setdomainname", domainname);
	done();
}

/* A short random id, like docker's, to name the container by default. */
static void make_container_id(char *id, size_t size)
{
	unsigned char bytes[6];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		die("getrandom", "container id");
	for (size_t i = 0; i < sizeof(bytes) && 2 * i + 2 < size; i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
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

/*
 * The signals a process passes on to its child instead of dying of them,
 * plus SIGCHLD, to hear the child end. Blocked, they queue up for
 * sigwaitinfo(2): no signal handlers, and no race with the child's exit.
 */
static void forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

/* Blocked and ignored signals are inherited: the command must get them back. */
static void unblock_signals(void)
{
	sigset_t set;

	forwarded_signals(&set);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) == -1)
		die("sigprocmask", "unblock");
	/* An ignored signal stays ignored across execve(2): give SIGPIPE back. */
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
		die("signal", "SIGPIPE");
}

/* How a shell reports a child's end: its exit status, or 128+signal. */
static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What the parent hands the container's first process. */
struct container {
	const char *rootfs;
	char **command;
	const char *hostname;
	const char *domainname;
	int go[2]; /* a pipe: the parent writes a byte when we may go on */
};

/*
 * The container's first process, in its new namespaces. It waits for
 * the parent's go-ahead on the pipe, sent once the parent has done its
 * part, then builds its view of the world and becomes the command.
 */
static int container_main(void *arg)
{
	struct container *c = arg;
	char byte;

	/* The parent's descriptor of --persist DIR is a way back to the host. */
	if (made.persist_dir != -1)
		close(made.persist_dir);
	/*
	 * If the parent dies, even of SIGKILL, the container must die too:
	 * nothing else would ever wait for it or clean up after it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		die("prctl", "PR_SET_PDEATHSIG");
	/*
	 * Wait for the parent's go-ahead: one byte, then EOF. EOF alone means
	 * the parent died before it could send it (perhaps before the line
	 * above took effect). Our copy of the write end would keep the pipe
	 * open for ever, so close it first.
	 */
	close(c->go[1]);
	if (read(c->go[0], &byte, 1) != 1)
		exit(EXIT_SETUP);
	close(c->go[0]);

	unblock_signals();
	set_hostname(c->hostname, c->domainname);
	enter_new_root(c->rootfs);
	mount_filesystems();
	mount_mqueue();
	run_command(c->command);
	return EXIT_SETUP;
}

/* The namespaces the container has: --persist keeps each of them. */
static const char *const namespaces[] = {"mnt", "uts", "ipc", NULL};

/*
 * --persist DIR, checked before anything starts. DIR may be writable by
 * others, who could plant DIR/mnt -> /etc/shadow to have root mount a
 * namespace over that host file, or DIR/uts -> /anywhere to have root
 * create a file there. So DIR is opened once, and each name in it is
 * looked at through that descriptor and never followed: a symlink is
 * refused, and so is a file that holds a namespace already (an earlier
 * --persist, still mounted).
 */
static int open_persist_dir(const char *dir)
{
	char object[4096];
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		die("--persist", dir);
	for (size_t i = 0; namespaces[i] != NULL; i++) {
		struct stat st;
		struct statfs fs;

		snprintf(object, sizeof(object), "%s/%s", dir, namespaces[i]);
		int file = openat(fd, namespaces[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (file == -1 && errno == ENOENT)
			continue;
		if (file == -1 || fstat(file, &st) == -1 || fstatfs(file, &fs) == -1)
			die("--persist", object);
		close(file);
		if (S_ISLNK(st.st_mode))
			errno = ELOOP;
		else if (fs.f_type == NSFS_MAGIC)
			errno = EBUSY;
		else if (!S_ISREG(st.st_mode))
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		else
			continue;
		die("--persist", object);
	}
	return fd;
}

/*
 * A namespace lives as long as something refers to it: a process in it,
 * an open file descriptor, or a bind mount of its /proc/PID/ns file. The
 * bind mount must be made from outside -- a mount namespace cannot hold
 * a mount of itself -- which is one reason the parent stays on the host.
 * Each file is made with O_EXCL|O_NOFOLLOW (or, if a plain one is there,
 * opened without following), and the mount goes onto the open file,
 * /proc/self/fd/N: never onto a path that a symlink could redirect.
 * `umount DIR/mnt` lets it go.
 */
static void persist_namespaces(pid_t pid, const char *dir)
{
	char source[64], target[64], object[4096];
	struct stat st;

	say("persisting the namespaces in %s", dir);
	for (size_t i = 0; namespaces[i] != NULL; i++) {
		snprintf(source, sizeof(source), "/proc/%d/ns/%s", (int)pid, namespaces[i]);
		snprintf(object, sizeof(object), "%s/%s", dir, namespaces[i]);

		int fd = openat(made.persist_dir, namespaces[i],
				O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd != -1)
			made.created[i] = true;
		else if (errno == EEXIST)
			fd = openat(made.persist_dir, namespaces[i],
				    O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			die("create", object);
		/* Swapped for a symlink or a directory since we looked? */
		if (fstat(fd, &st) == -1)
			die("fstat", object);
		if (!S_ISREG(st.st_mode)) {
			errno = ELOOP;
			die("--persist", object);
		}
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(source, target, NULL, MS_BIND, NULL) == -1)
			die("bind-mount", object);
		made.mounted[i] = true;
		close(fd);
	}
	done();
}

/*
 * Undo, in reverse, what a failed start made: stop the container (its
 * namespaces go with it), then let go of what --persist mounted and
 * remove only the files this run created in DIR. Best effort: each
 * failure is reported, and the rest is still undone.
 */
static void undo(void)
{
	char path[4096];

	if (made.parent != getpid())
		return;
	made.parent = 0; /* once: a failure in here must not come back */
	if (made.child > 0 &&
	    (kill(made.child, SIGKILL) == -1 || waitpid(made.child, NULL, 0) == -1))
		complain("kill", "the container");
	for (size_t i = 0; made.persist_dir != -1 && namespaces[i] != NULL; i++) {
		/* Through DIR's descriptor; UMOUNT_NOFOLLOW: never a symlink planted since. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", made.persist_dir,
			 namespaces[i]);
		if (made.mounted[i] && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == -1)
			complain("umount2", path);
		if (made.created[i] && unlinkat(made.persist_dir, namespaces[i], 0) == -1)
			complain("unlink", path);
	}
}

/*
 * The parent's part: start the container, keep it company, report how it
 * ended. Signals that would end us (SIGTERM, SIGINT, SIGHUP) are passed
 * on instead, so that `kill` of this process stops the container and we
 * still report its status.
 */
static int run_container(struct container *c, const char *persist_dir)
{
	static char stack[1024 * 1024] __attribute__((aligned(16)));
	sigset_t forward;

	forwarded_signals(&forward);
	if (sigprocmask(SIG_BLOCK, &forward, NULL) == -1)
		die("sigprocmask", "block");
	/* EPIPE, rather than death by SIGPIPE, if the child dies early. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal", "SIGPIPE");

	if (pipe2(c->go, O_CLOEXEC) == -1)
		die("pipe2", "go-ahead");

	say("cloning the container's first process");
	int flags = CLONE_NEWNS;
	flags |= CLONE_NEWUTS;
	/* STEP 05: ...and an IPC namespace of its own. */
	flags |= CLONE_NEWIPC;
	/* STEP END */
	pid_t pid = clone(container_main, stack + sizeof(stack), flags | SIGCHLD, c);
	if (pid == -1)
		die("clone", "new namespaces");
	made.child = pid;
	close(c->go[0]);
	done();

	if (persist_dir)
		persist_namespaces(pid, persist_dir);
	/* A child that died early closed the pipe: report its status below. */
	if (write(c->go[1], "go", 1) != 1 && errno != EPIPE)
		die("write", "go-ahead");
	close(c->go[1]);

	for (;;) {
		siginfo_t info;
		int status;

		if (sigwaitinfo(&forward, &info) == -1) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo", "forwarded signals");
		}
		if (info.si_signo != SIGCHLD) {
			kill(pid, info.si_signo);
			continue;
		}
		pid_t done_pid = waitpid(pid, &status, WNOHANG);
		if (done_pid == -1)
			die("waitpid", "container");
		if (done_pid == pid) {
			made.child = 0;
			return exit_code(status);
		}
	}
}

/*
 * A hostname as RFC 1123 has it, and as docker checks it: dot-separated
 * labels of letters, digits and '-', each 1 to 63 long and neither
 * starting nor ending with '-'; 64 characters in all at most, the
 * kernel's HOST_NAME_MAX. Anything else, a newline or a '/', would end
 * up in every prompt, log line and path that uses the name.
 */
static bool valid_hostname(const char *option, const char *name)
{
	size_t len = strlen(name), label = 0;
	bool ok = len >= 1 && len <= 64;

	for (size_t i = 0; ok && i <= len; i++) {
		if (name[i] == '.' || name[i] == '\0') {
			ok = label >= 1 && label <= 63 && name[i - 1] != '-';
			label = 0;
		} else if (isalnum((unsigned char)name[i]) || (name[i] == '-' && label > 0)) {
			label++;
		} else {
			ok = false;
		}
	}
	if (!ok)
		fprintf(stderr,
			"container: %s \"%s\": want at most 64 letters, digits, '-' and '.', "
			"in labels that neither start nor end with '-' (RFC 1123)\n",
			option, name);
	return ok;
}

static void usage(FILE *out)
{
	fputs("usage: container [-v] [--persist DIR] [--hostname NAME] [--domainname NAME]\n"
	      "                 ROOTFS [COMMAND [ARG...]]\n"
	      "Run COMMAND (default /bin/sh) in ROOTFS, with its own mounts, hostname and IPC.\n"
	      "  -v, --verbose        narrate each step\n"
	      "  --persist DIR        keep the namespaces in DIR after exit (see: enter DIR)\n"
	      "  --hostname NAME      the hostname inside (default: a random container id)\n"
	      "  --domainname NAME    the NIS domain name inside (default: the host's)\n",
	      out);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"persist", required_argument, NULL, 'p'},
		{"hostname", required_argument, NULL, 'n'},
		{"domainname", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char *default_command[] = {"/bin/sh", NULL};
	const char *persist_dir = NULL;
	char id[13] = "";
	const char *hostname = NULL, *domainname = NULL;
	int opt;

	/* "+": stop at the first non-option, so "ls -l" reaches ls. */
	while ((opt = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'p':
			persist_dir = optarg;
			break;
		case 'n':
			hostname = optarg;
			break;
		case 'd':
			domainname = optarg;
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

	if (hostname == NULL) {
		make_container_id(id, sizeof(id));
		hostname = id;
	}
	if (!valid_hostname("--hostname", hostname) ||
	    (domainname && !valid_hostname("--domainname", domainname)))
		return EXIT_SETUP;

	struct container c = {
		.rootfs = argv[optind],
		.command = optind + 1 < argc ? &argv[optind + 1] : default_command,
		.hostname = hostname,
		.domainname = domainname,
	};

	check_rootfs(c.rootfs);
	if (persist_dir)
		made.persist_dir = open_persist_dir(persist_dir);
	made.parent = getpid();
	return run_container(&c, persist_dir);
}
