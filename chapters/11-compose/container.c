/*
 * 11-compose: from namespaces to a container you could hand to a
 * stranger (capabilities 1999, seccomp-bpf 2012, docker's profile 2016).
 *
 *   container [-v] [--cap-add CAP]... [--cap-drop CAP|ALL]...
 *             [--seccomp default|unconfined] [--read-only]
 *             [--env NAME=VALUE]... [--user UID[:GID]] [--workdir DIR]
 *             [--join TYPE:PATH]... [--uptime-offset SECONDS]
 *             [--memory BYTES] [--pids N] [--cpus FRACTION]
 *             [--uid-map MAP] [--gid-map MAP] [--bind HOST:INSIDE]...
 *             [--net none|veth] [--no-init] [--persist DIR]
 *             [--hostname NAME] [--domainname NAME] ROOTFS [COMMAND [ARG...]]
 *   container [-v] --cleanup
 *   enter [-v] DIR|PID [COMMAND [ARG...]]   (this program, by that name)
 *
 * Chapters 01-10 gave the container a world of its own: its root, its
 * hostname, its processes, network, users, cgroup and clocks. Yet root
 * inside still held every capability the kernel counts in its user
 * namespace, could make every system call, read /proc/kcore, inherit
 * the caller's environment and descriptors. Namespaces alone are not a
 * container: composed with capabilities, no_new_privs, a seccomp filter,
 * masked paths and a clean process, as docker and runc compose them,
 * they are. And namespaces compose with each other: --join shares one
 * that another container made, as a Kubernetes pod shares its network.
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
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <seccomp.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static bool verbose;
/* "container", or "enter" when called by that name. */
static const char *program = "container";
/* Started without root? And are we the container's side of the fork? For hints. */
static bool rootless, in_container;

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
 * die() names it (NULL: any call), its errno, and who we are -- and the
 * first match wins, so the specific come before the general.
 */
enum who { ANYONE, ROOTLESS, ROOTLESS_INSIDE };
#define MAP_RULE "a map is \"INSIDE OUTSIDE COUNT\" lines whose ranges do not overlap"
static const struct hint {
	const char *call;
	int err;
	enum who who; /* ROOTLESS: started without root; _INSIDE: and on the container's side */
	const char *text;
} hints[] = {
	{"write timens_offsets", ERANGE, ANYONE,
	 "the offset would put CLOCK_BOOTTIME below zero, "
	 "or past what it can count (time_namespaces(7))"},
	{"write uid_map", EPERM, ROOTLESS,
	 "without privilege you may map only yourself: the default map does"},
	{"write gid_map", EPERM, ROOTLESS,
	 "without privilege, gid_map needs \"deny\" in setgroups "
	 "first, and may map only your own gid"},
	/* Anyone: once gid_map is written, setgroups is fixed (user_namespaces(7)). */
	{"write setgroups", EPERM, ANYONE,
	 "setgroups must be written before gid_map: once a gid map "
	 "is set, setgroups can no longer change"},
	{"write uid_map", EINVAL, ANYONE, MAP_RULE},
	{"write gid_map", EINVAL, ANYONE, MAP_RULE},
	{"clone", EPERM, ROOTLESS,
	 "without root, the other namespaces need a user namespace to own them"},
	{NULL, EPERM, ROOTLESS_INSIDE,
	 "does this kernel refuse unprivileged user namespaces? see make doctor (Ubuntu 24.04: "
	 "kernel.apparmor_restrict_unprivileged_userns)"},
	{NULL, EPERM, ROOTLESS, "not rootless: --net veth and --persist need root on the host"},
	{NULL, EPERM, ANYONE, "run as root (sudo), or rootless: see chapter 08"},
	/* In a user namespace the kernel checks a path as the mapped uid, not as root. */
	{"bind-mount", EACCES, ANYONE,
	 "root inside is, on the host, the uid that --uid-map names, "
	 "and it must reach this path: every directory above it needs o+x (chmod o+x)"},
	{"--bind", ENOENT, ANYONE, "INSIDE must exist in ROOTFS: make it there (mkdir) first"},
	{"--bind", ELOOP, ANYONE,
	 "without openat2(2) (Linux 5.6), INSIDE may not go through a symlink"},
	{"--persist", ELOOP, ANYONE,
	 "a symlink in DIR could point the mount anywhere on the host: "
	 "remove it, or choose another DIR"},
	{"--persist", EBUSY, ANYONE,
	 "it already holds a namespace from an earlier --persist: "
	 "umount it first, or choose another DIR"},
	{"--persist", EISDIR, ANYONE,
	 "--persist makes a file there, or uses a plain file that is there: move this one away"},
	{"--persist", EINVAL, ANYONE,
	 "--persist makes a file there, or uses a plain file that is there: move this one away"},
	{"--workdir", ENOENT, ANYONE, "--workdir names a directory inside ROOTFS: make it there"},
	{"setresuid", EINVAL, ANYONE, "the uid map must map --user's uid (see --uid-map)"},
	{"setresgid", EINVAL, ANYONE, "the gid map must map --user's gid (see --gid-map)"},
	{"fork into the pid namespace", ENOMEM, ANYONE,
	 "the pid namespace's init has exited, and no process can join "
	 "a pid namespace without one (see pid_namespaces(7))"},
	{"rootfs", ENOENT, ANYONE, "ROOTFS must be a directory: make one with ./rootfs-fetch.sh"},
	{"rootfs", ENOTDIR, ANYONE, "ROOTFS must be a directory: make one with ./rootfs-fetch.sh"},
	{"rootfs", EINVAL, ANYONE,
	 "ROOTFS is the host's own root: a container needs a root of its own "
	 "(./rootfs-fetch.sh makes one)"},
	{"pivot_root", EINVAL, ANYONE,
	 "the new root must be a mount point, and neither it nor its "
	 "parent may have shared propagation (see pivot_root(2))"},
	{"pivot_root", EBUSY, ANYONE,
	 "the new root is on the current root's filesystem: bind-mount it "
	 "onto itself first, to make it a mount point"},
};

static const char *hint_for(const char *call, int err)
{
	enum who us = !rootless ? ANYONE : in_container ? ROOTLESS_INSIDE : ROOTLESS;

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		const struct hint *h = &hints[i];

		if (h->err == err && (h->call == NULL || strcmp(h->call, call) == 0) &&
		    (h->who == ANYONE || h->who == us ||
		     (h->who == ROOTLESS && us == ROOTLESS_INSIDE)))
			return h->text;
	}
	return NULL;
}

/* The one error idiom: name the call, the object and errno... */
static void complain(const char *call, const char *object)
{
	int err = errno;
	const char *hint = hint_for(call, err);

	fprintf(stderr, "%s: %s %s: %s\n", program, call, object, strerror(err));
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
	pid_t parent;          /* only the parent undoes, never the container */
	pid_t child;           /* the container's first process, until reaped */
	int persist_dir;       /* --persist DIR, opened once, or -1 */
	bool created[8];       /* DIR/NAME made by this run, per namespace */
	bool mounted[8];       /* ...and a namespace mounted on it */
	char veth[16];         /* the host's end of the veth pair (IF_NAMESIZE) */
	const char *cgroup_id; /* its groups, in every hierarchy */
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
static const char *const devices[] = {
	"dev/null", "dev/zero", "dev/full", "dev/random", "dev/urandom", "dev/tty",
};
static int host_devices[sizeof(devices) / sizeof(devices[0])];

/*
 * mknod(2) needs CAP_MKNOD in the *initial* user namespace: root inside a
 * user namespace cannot make device nodes (and a device on a mount made
 * in one would not work anyway). So, as rootless runc does, bind-mount
 * the host's nodes instead. We open them now, while the host's /dev is
 * reachable, as O_PATH file descriptors, and mount them later through
 * /proc/self/fd/N, which names the open file, not a path (crun's way).
 */
static void open_host_devices(void)
{
	char path[64];

	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(path, sizeof(path), "/%s", devices[i]);
		host_devices[i] = open(path, O_PATH | O_CLOEXEC);
		if (host_devices[i] == -1)
			die("open", path);
	}
}

/*
 * A remount keeps the flags already set and adds `add`: in a user
 * namespace the flags of a mount made outside it (nosuid, nodev, ro...)
 * are locked, and a remount that would clear one fails with EPERM. A
 * bind mount keeps its source's flags, and the host's /dev may allow
 * set-uid programs and executables: make_devices adds nosuid and noexec.
 */
static void remount_adding(const char *path, unsigned long add)
{
	struct statvfs fs;
	unsigned long flags = MS_BIND | MS_REMOUNT | add;

	if (statvfs(path, &fs) == -1)
		die("statvfs", path);
	if (fs.f_flag & ST_RDONLY)
		flags |= MS_RDONLY;
	if (fs.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (fs.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (fs.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (fs.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (fs.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (fs.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, path, NULL, flags, NULL) == -1)
		die("remount", path);
}

static void make_devices(void)
{
	char source[64];

	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		/* A bind mount needs something to cover: an empty file. */
		int fd = open(devices[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd == -1)
			die("create", devices[i]);
		close(fd);
		snprintf(source, sizeof(source), "/proc/self/fd/%d", host_devices[i]);
		if (mount(source, devices[i], NULL, MS_BIND, NULL) == -1)
			die("bind-mount", devices[i]);
		close(host_devices[i]);
		remount_adding(devices[i], MS_NOSUID | MS_NOEXEC);
	}
	/* The conventional links: a pty master through devpts, fds through /proc. */
	const char *links[][2] = {
		{"pts/ptmx", "dev/ptmx"},          {"/proc/self/fd", "dev/fd"},
		{"/proc/self/fd/0", "dev/stdin"},  {"/proc/self/fd/1", "dev/stdout"},
		{"/proc/self/fd/2", "dev/stderr"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (symlink(links[i][0], links[i][1]) == -1)
			die("symlink", links[i][1]);
	}
}

/*
 * INSIDE, opened as the rootfs (our working directory) sees it. Without
 * openat2 -- Linux before 5.6, or a tool that does not know the call yet
 * (valgrind 3.19) -- walk it one name at a time, and refuse a symlink.
 */
static int open_in_rootfs(const char *inside)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char path[4096];
	struct stat st;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, inside, &how, sizeof(how));

	if (fd != -1 || errno != ENOSYS)
		return fd;
	snprintf(path, sizeof(path), "%s", inside);
	fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (char *save = NULL, *name = strtok_r(path, "/", &save); fd != -1 && name != NULL;
	     name = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd != -1 && (fstat(fd, &st) == -1 || S_ISLNK(st.st_mode))) {
			close(fd);
			fd = -1;
			errno = ELOOP;
		}
	}
	return fd;
}

/*
 * --bind HOST:INSIDE: a host directory shared into the container. Made
 * before pivot_root, while HOST is reachable, onto INSIDE in the rootfs
 * (our working directory), which must exist there. A plain mount onto
 * "data" would follow a symlink the image put there, data -> /etc, to
 * the host's /etc. So the kernel resolves INSIDE as if the rootfs were
 * "/" -- openat2(2)'s RESOLVE_IN_ROOT, Linux 5.6; the job runc's
 * securejoin did in user space before -- and the mount goes onto the
 * open file, /proc/self/fd/N.
 */
static void bind_host_paths(char *const binds[])
{
	char target[64];

	for (size_t i = 0; binds[i] != NULL; i++) {
		char host[4096];
		const char *inside = strchr(binds[i], ':') + 1;

		snprintf(host, sizeof(host), "%.*s", (int)(inside - 1 - binds[i]), binds[i]);
		say("bind-mounting %s onto %s", host, inside);
		int fd = open_in_rootfs(inside);
		if (fd == -1)
			die("--bind", inside);
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(host, target, NULL, MS_BIND | MS_REC, NULL) == -1)
			die("bind-mount", host);
		close(fd);
		done();
	}
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
 *
 * The old root stays attached until mount_filesystems() is done: in a
 * user namespace the kernel lets us mount a new proc or sysfs only while
 * a fully visible one is already in our mount namespace -- the host's
 * (see "mount_too_revealing" in the kernel, and user_namespaces(7)).
 * Our working directory is the new root, so relative paths reach it.
 */
static void enter_new_root(const char *rootfs, char *const binds[])
{
	say("making all mounts private");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		die("mount", "/ (MS_REC|MS_PRIVATE)");
	done();

	say("bind-mounting %s onto itself", rootfs);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) == -1)
		die("bind-mount", rootfs);
	if (chdir(rootfs) == -1)
		die("chdir", rootfs);
	done();

	bind_host_paths(binds);
	open_host_devices();

	say("pivoting the root to %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		die("pivot_root", rootfs);
	done();
}

/* ...and, once the new root is furnished, let the old one go. */
static void drop_old_root(void)
{
	say("detaching the old root");
	if (umount2(".", MNT_DETACH) == -1)
		die("umount2", "old root");
	if (chdir("/") == -1)
		die("chdir", "/");
	done();
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
	make_mount_point("proc");
	if (mount("proc", "proc", "proc", safe, NULL) == -1)
		die("mount", "/proc");

	make_mount_point("sys");
	if (mount("sysfs", "sys", "sysfs", safe | MS_RDONLY, NULL) == -1)
		die("mount", "/sys");

	make_mount_point("dev");
	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=64k") == -1)
		die("mount", "/dev");
	make_devices();
	make_mount_point("dev/pts");
	if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") == -1)
		die("mount", "/dev/pts");
	make_mount_point("dev/shm");
	if (mount("shm", "dev/shm", "tmpfs", safe, "mode=1777") == -1)
		die("mount", "/dev/shm");

	make_mount_point("tmp");
	if (mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		die("mount", "/tmp");
	done();
}

/*
 * Paths in /proc and /sys that tell about the host, or let root change
 * it, and that no container needs (runc's default maskedPaths and
 * readonlyPaths): the kernel's memory image, its keys and timers, the
 * firmware's tables. A file gets /dev/null bound over it, a directory an
 * empty read-only tmpfs; the sysctls and the magic SysRq key are bound
 * read-only onto themselves. A path this kernel lacks is skipped.
 */
static const char *const masked_paths[] = {
	"proc/kcore",         "proc/keys", "proc/timer_list", "proc/sched_debug",
	"proc/latency_stats", "proc/acpi", "proc/scsi",       "sys/firmware",
};
static const char *const read_only_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

static void mask_paths(void)
{
	struct stat st;

	say("masking /proc/kcore and friends, making /proc/sys read-only");
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		if (lstat(masked_paths[i], &st) == -1 && errno == ENOENT)
			continue;
		if (S_ISDIR(st.st_mode)
			    ? mount("tmpfs", masked_paths[i], "tmpfs",
				    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") == -1
			    : mount("dev/null", masked_paths[i], NULL, MS_BIND, NULL) == -1)
			die("mask", masked_paths[i]);
	}
	for (size_t i = 0; i < sizeof(read_only_paths) / sizeof(read_only_paths[0]); i++) {
		if (mount(read_only_paths[i], read_only_paths[i], NULL, MS_BIND | MS_REC, NULL) ==
		    -1) {
			if (errno == ENOENT)
				continue;
			die("bind-mount", read_only_paths[i]);
		}
		remount_adding(read_only_paths[i], MS_RDONLY);
	}
	done();
}

/*
 * rtnetlink(7): the kernel's network configuration is a message protocol.
 * `ip link add` is a program that sends these messages; so is this one.
 * A request is a netlink header, a fixed struct (ifinfomsg, ifaddrmsg or
 * rtmsg), then attributes: type-length-value records, which nest.
 */
struct nl_request {
	struct nlmsghdr header;
	/* Filled through the header's length, never by name: */
	/* cppcheck-suppress unusedStructMember */
	char body[1024];
};

static void nl_begin(struct nl_request *req, unsigned short type, unsigned short flags,
		     const void *fixed, size_t len)
{
	memset(req, 0, sizeof(*req));
	req->header.nlmsg_len = NLMSG_LENGTH(len);
	req->header.nlmsg_type = type;
	req->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(&req->header), fixed, len);
}

/* Append one attribute; returns it, so a nest can be closed later. */
static struct rtattr *nl_attr(struct nl_request *req, unsigned short type, const void *data,
			      size_t len)
{
	struct rtattr *attr = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->header.nlmsg_len));
	size_t total = NLMSG_ALIGN(req->header.nlmsg_len) + RTA_SPACE(len);

	if (total > sizeof(*req)) {
		errno = EMSGSIZE;
		die("netlink", "request too large");
	}
	attr->rta_type = type;
	attr->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(attr), data, len);
	req->header.nlmsg_len = total;
	return attr;
}

/* A nest is an attribute whose value is the attributes added after it. */
static void nl_nest_end(struct nl_request *req, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)req + req->header.nlmsg_len - (char *)nest);
}

/* Send a request and read the kernel's answer: an ack, or an errno. */
static int nl_talk(struct nl_request *req)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	char answer[4096];

	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock == -1)
		die("socket", "NETLINK_ROUTE");
	if (sendto(sock, req, req->header.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) == -1)
		die("sendto", "NETLINK_ROUTE");
	ssize_t n = recv(sock, answer, sizeof(answer), 0);
	if (n == -1)
		die("recv", "NETLINK_ROUTE");
	close(sock);

	struct nlmsghdr *reply = (struct nlmsghdr *)answer;
	if (!NLMSG_OK(reply, (size_t)n) || reply->nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	struct nlmsgerr *err = NLMSG_DATA(reply);
	errno = -err->error;
	return err->error == 0 ? 0 : -1;
}

static unsigned int interface_index(const char *name)
{
	unsigned int index = if_nametoindex(name);

	if (index == 0)
		die("if_nametoindex", name);
	return index;
}

/* ip link set NAME up */
static void link_up(const char *name)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC,
				 .ifi_index = (int)interface_index(name),
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP};
	struct nl_request req;

	nl_begin(&req, RTM_NEWLINK, 0, &link, sizeof(link));
	if (nl_talk(&req) == -1)
		die("RTM_NEWLINK up", name);
}

/* ip addr add ADDRESS/PREFIX dev NAME */
static void add_address(const char *name, struct in_addr address, unsigned char prefix)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = interface_index(name)};
	struct nl_request req;

	nl_begin(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	nl_attr(&req, IFA_LOCAL, &address, sizeof(address));
	nl_attr(&req, IFA_ADDRESS, &address, sizeof(address));
	if (nl_talk(&req) == -1)
		die("RTM_NEWADDR", name);
}

/* ip route add default via GATEWAY */
static void add_default_route(struct in_addr gateway)
{
	struct rtmsg route = {.rtm_family = AF_INET,
			      .rtm_table = RT_TABLE_MAIN,
			      .rtm_protocol = RTPROT_BOOT,
			      .rtm_scope = RT_SCOPE_UNIVERSE,
			      .rtm_type = RTN_UNICAST};
	struct nl_request req;

	nl_begin(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &route, sizeof(route));
	nl_attr(&req, RTA_GATEWAY, &gateway, sizeof(gateway));
	if (nl_talk(&req) == -1)
		die("RTM_NEWROUTE", "default");
}

/*
 * ip link add HOST type veth peer name eth0 netns PID: a veth pair is a
 * virtual cable; what goes in one end comes out of the other. The peer is
 * created straight in the container's network namespace (IFLA_NET_NS_PID),
 * already named eth0 there. EEXIST means another container has HOST.
 */
static int create_veth(const char *host, const char *peer, pid_t pid)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
	struct nl_request req;

	nl_begin(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &link, sizeof(link));
	nl_attr(&req, IFLA_IFNAME, host, strlen(host) + 1);
	struct rtattr *info = nl_attr(&req, IFLA_LINKINFO, NULL, 0);
	nl_attr(&req, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = nl_attr(&req, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *peer_info = nl_attr(&req, VETH_INFO_PEER, &link, sizeof(link));
	nl_attr(&req, IFLA_IFNAME, peer, strlen(peer) + 1);
	uint32_t ns_pid = (uint32_t)pid;
	nl_attr(&req, IFLA_NET_NS_PID, &ns_pid, sizeof(ns_pid));
	nl_nest_end(&req, peer_info);
	nl_nest_end(&req, data);
	nl_nest_end(&req, info);
	return nl_talk(&req);
}

/* ip link del NAME: deleting one end of a veth pair deletes both. */
static int delete_link(const char *name)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
	struct nl_request req;

	nl_begin(&req, RTM_DELLINK, 0, &link, sizeof(link));
	nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	/* ENODEV: already gone with the container's namespace. Fine. */
	if (nl_talk(&req) == -1 && errno != ENODEV)
		return -1;
	return 0;
}

/* The subnet of container N: 10.200.N.0/24, host end .1, container .2. */
static struct in_addr subnet_address(int n, int host)
{
	struct in_addr a = {
		.s_addr = htonl((10u << 24) | (200u << 16) | ((unsigned)n << 8) | (unsigned)host)};
	return a;
}

enum { NET_NONE = -1, MAX_VETH = 256 };

/*
 * Inside: lo up, and with a veth, eth0's address, eth0 up, and the
 * default route through the host's end.
 */
static void set_up_network(int net)
{
	say("bringing up lo");
	link_up("lo");
	done();
	if (net == NET_NONE)
		return;
	say("configuring eth0 as %s/24", inet_ntoa(subnet_address(net, 2)));
	add_address("eth0", subnet_address(net, 2), 24);
	link_up("eth0");
	add_default_route(subnet_address(net, 1));
	done();
}

/*
 * On the host: a veth pair whose peer is eth0 in the container, the host
 * end addressed and up. The host end's name, dcvethN, doubles as a lock
 * on subnet N: creating it fails with EEXIST when another container
 * holds it, and we try the next.
 */
static int wire_container(pid_t pid, char *host, size_t size)
{
	char name[IF_NAMESIZE];

	say("creating a veth pair to the container");
	for (int n = 0; n < MAX_VETH; n++) {
		/* N is one byte of the address: %hhu says so, and fits IF_NAMESIZE. */
		snprintf(name, sizeof(name), "dcveth%hhu", (unsigned char)n);
		if (create_veth(name, "eth0", pid) == -1) {
			if (errno == EEXIST)
				continue;
			die("RTM_NEWLINK veth", name);
		}
		/* Ours now: if the start fails from here on, undo() deletes it. */
		snprintf(made.veth, sizeof(made.veth), "%s", name);
		snprintf(host, size, "%s", name);
		add_address(host, subnet_address(n, 1), 24);
		link_up(host);
		done();
		return n;
	}
	errno = EADDRINUSE;
	die("veth", "every dcvethN is taken");
}

/*
 * cgroups(7): a control group is a directory in a cgroup filesystem.
 * mkdir makes one, writing a PID into its cgroup.procs moves that
 * process (and its future children) into it, writing to its files sets
 * limits, and rmdir removes it once it is empty. Two versions exist:
 *  - v1 (2008): one hierarchy per controller, each mounted on its own
 *    directory: /sys/fs/cgroup/memory, /sys/fs/cgroup/pids, ...
 *  - v2 (2016): one unified hierarchy at /sys/fs/cgroup, where a
 *    controller must be enabled for a group's children, "+memory" in its
 *    cgroup.subtree_control, and only leaves hold processes (the "no
 *    internal processes" rule).
 * systemd machines mount v2 (most today) or "hybrid": v1 controllers,
 * plus an almost empty v2 tree at /sys/fs/cgroup/unified. We ask the
 * filesystem which one it is, and use v1 controllers unless /sys/fs/cgroup
 * itself is v2.
 */
enum { CGROUP_V1, CGROUP_V2 };
static const char cgroup_root[] = "/sys/fs/cgroup";
static const char cgroup_parent[] = "demystifying-containers";
static const char *const v1_controllers[] = {"memory", "pids", "cpu", NULL};

struct limits {
	long long memory; /* bytes, or -1 for no limit */
	long long pids;   /* processes, or -1 */
	double cpus;      /* CPUs' worth of time, or 0 */
};

static int cgroup_version(void)
{
	struct statfs fs;

	if (statfs(cgroup_root, &fs) == -1)
		die("statfs", cgroup_root);
	return fs.f_type == CGROUP2_SUPER_MAGIC ? CGROUP_V2 : CGROUP_V1;
}

/* Write a limit; a file that may be absent (swap accounting is optional) may be skipped. */
static void write_cgroup_file_if(bool required, const char *dir, const char *file,
				 const char *value)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && !required)
		return;
	if (fd == -1)
		die("open", path);
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		die("write", path);
	close(fd);
}

static void write_cgroup_file(const char *dir, const char *file, const char *value)
{
	write_cgroup_file_if(true, dir, file, value);
}

/*
 * Starting containers take turns: one's sweep for stale groups must not
 * remove another's new group between its mkdir and its first process.
 * flock(2) on the cgroup root directory, which only we lock. Never held
 * across clone(2): the child would inherit the lock with the descriptor.
 */
static int lock_cgroups(void)
{
	int fd = open(cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		die("open", cgroup_root);
	if (flock(fd, LOCK_EX) == -1)
		die("flock", cgroup_root);
	return fd;
}

static void make_cgroup_dir(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		die("mkdir", path);
}

/* The container's group under one hierarchy: HIERARCHY/demystifying-containers/ID. */
static void cgroup_dir(char *path, size_t size, const char *hierarchy, const char *id)
{
	snprintf(path, size, "%s/%s/%s", hierarchy, cgroup_parent, id);
}

/*
 * Devices. A node is a door to a driver: whoever opens /dev/sda reads the
 * disk, whatever the mounts, and mode bits do not stop root. docker keeps
 * CAP_MKNOD (images make nodes as they install) and, by default, no user
 * namespace: root inside could make any node. What stops it opening one is
 * the devices controller, asked on every open and mknod of a node, here
 * with docker's (runc's) list minus the nodes we do not make. Making a node
 * is harmless when it cannot be opened (ours refuses mknod anyway, in its
 * user namespace; a host node can still come in by --bind). Only opening is
 * checked: a descriptor opened before stays usable.
 */
static const struct device_rule {
	char type;                 /* 'c' char, 'b' block */
	const char *major, *minor; /* or "*": any */
	const char *access;        /* r read, w write, m mknod */
} allowed_devices[] = {
	{'c', "1", "3", "rwm"},   /* null */
	{'c', "1", "5", "rwm"},   /* zero */
	{'c', "1", "7", "rwm"},   /* full */
	{'c', "1", "8", "rwm"},   /* random */
	{'c', "1", "9", "rwm"},   /* urandom */
	{'c', "5", "0", "rwm"},   /* tty */
	{'c', "5", "2", "rwm"},   /* ptmx */
	{'c', "136", "*", "rwm"}, /* pts/N */
	{'c', "*", "*", "m"},     /* make any node */
	{'b', "*", "*", "m"},
};
enum { N_RULES = sizeof(allowed_devices) / sizeof(allowed_devices[0]) };

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* "if (reg != imm) goto the next rule": where that is, we know at its end. */
static struct bpf_insn unless(__u8 reg, __s32 imm)
{
	return insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm);
}

static __s32 bpf_access(const char *access)
{
	return (strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0) |
	       (strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0) |
	       (strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0);
}

/*
 * cgroup v2 has no devices files: since Linux 4.15 the check runs the eBPF
 * programs attached to the group, and each must return 1 (allow) for the
 * struct bpf_cgroup_dev_ctx it is given. Ours tests the rules in turn, as
 * runc and crun build theirs: at most 8 instructions a rule, and 8 more.
 */
static size_t devices_program(struct bpf_insn *p)
{
	const __s16 type = offsetof(struct bpf_cgroup_dev_ctx, access_type);
	size_t n = 0;

	/* r2 = type (low 16 bits), r3 = access (high 16), r4 = major, r5 = minor. */
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, type, 0);
	p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, type, 0);
	p[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1,
		      offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1,
		      offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t i = 0; i < N_RULES; i++) {
		const struct device_rule *r = &allowed_devices[i];
		__s32 access = bpf_access(r->access);
		size_t start = n;

		p[n++] = unless(BPF_REG_2,
				r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if (access != bpf_access("rwm")) { /* asked for no more than it allows? */
			p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, ~access);
			p[n++] = unless(BPF_REG_1, 0);
		}
		if (strcmp(r->major, "*") != 0)
			p[n++] = unless(BPF_REG_4, atoi(r->major));
		if (strcmp(r->minor, "*") != 0)
			p[n++] = unless(BPF_REG_5, atoi(r->minor));
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = start; j < n; j++) /* the next rule: just past this one */
			if (p[j].code == (BPF_JMP | BPF_JNE | BPF_K))
				p[j].off = n - j - 1;
	}
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static int load_devices_program(void)
{
	struct bpf_insn prog[8 * (N_RULES + 1)];
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr)); /* the kernel wants every unused byte 0 */
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)prog;
	attr.insn_cnt = devices_program(prog);
	attr.license = (uintptr_t) "GPL"; /* any string: it calls no GPL-only helper */
	int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd == -1) {
		/* Again, with the verifier's log: which instruction it refused, and why. */
		static char log[65536];
		int err = errno;

		attr.log_buf = (uintptr_t)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		if (syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)) == -1 && log[0])
			fprintf(stderr, "\ncontainer: the verifier says:\n%s", log);
		errno = err;
		die("bpf(BPF_PROG_LOAD)", "devices program");
	}
	return fd;
}

/* Let the container's group (dir) open only the device nodes its /dev holds. */
static void allow_only_devices(const char *dir, int version)
{
	if (version == CGROUP_V1) {
		/*
		 * v1's files: deny all, then allow each. On the container's own group
		 * (join_every_hierarchy made it): its shared parent has children, and
		 * there "a" fails (EINVAL). A new group starts with its parent's list,
		 * and may allow no more than its parent does.
		 */
		write_cgroup_file(dir, "devices.deny", "a");
		for (size_t i = 0; i < N_RULES; i++) {
			const struct device_rule *r = &allowed_devices[i];
			char rule[32];

			snprintf(rule, sizeof(rule), "%c %s:%s %s", r->type, r->major, r->minor,
				 r->access);
			write_cgroup_file(dir, "devices.allow", rule); /* "c 1:3 rwm" */
		}
		return;
	}

	/*
	 * BPF_F_ALLOW_MULTI, as runc: every program attached on the way up
	 * runs, and all must allow, so one a nested runtime attaches below
	 * ours can only deny more. Flags 0 would forbid any program below
	 * (EPERM); ALLOW_OVERRIDE would let one below replace ours. Attached,
	 * the program lives as long as the group: its descriptor may go.
	 */
	int prog = load_devices_program();
	int group = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (group == -1)
		die("open", dir);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = group;
	attr.attach_bpf_fd = prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) == -1)
		die("bpf(BPF_PROG_ATTACH)", dir);
	close(group);
	close(prog);
}

/*
 * Put the container (pid) in a new group with its limits. On v2 the
 * parent group enables the controllers for its children, and holds no
 * process itself; on v1 each controller has its own group.
 */
static void join_cgroup(pid_t pid, const char *id, const struct limits *lim)
{
	char dir[4096], value[64], procs[32];

	snprintf(procs, sizeof(procs), "%d", (int)pid);
	if (cgroup_version() == CGROUP_V2) {
		say("joining a cgroup v2 group, %s/%s/%s", cgroup_root, cgroup_parent, id);
		write_cgroup_file(cgroup_root, "cgroup.subtree_control", "+memory +pids +cpu");
		snprintf(dir, sizeof(dir), "%s/%s", cgroup_root, cgroup_parent);
		make_cgroup_dir(dir);
		write_cgroup_file(dir, "cgroup.subtree_control", "+memory +pids +cpu");
		cgroup_dir(dir, sizeof(dir), cgroup_root, id);
		make_cgroup_dir(dir);
		allow_only_devices(dir, CGROUP_V2);
		if (lim->memory >= 0) {
			snprintf(value, sizeof(value), "%lld", lim->memory);
			write_cgroup_file(dir, "memory.max", value);
			/* Swap would only slow the way to the OOM killer down. */
			write_cgroup_file_if(false, dir, "memory.swap.max", "0");
		}
		if (lim->pids >= 0) {
			snprintf(value, sizeof(value), "%lld", lim->pids);
			write_cgroup_file(dir, "pids.max", value);
		}
		if (lim->cpus > 0) {
			snprintf(value, sizeof(value), "%lld 100000",
				 (long long)(lim->cpus * 100000));
			write_cgroup_file(dir, "cpu.max", value);
		}
		write_cgroup_file(dir, "cgroup.procs", procs);
		done();
		return;
	}

	say("joining cgroup v1 groups %s/{memory,pids,cpu}/%s/%s", cgroup_root, cgroup_parent, id);
	for (size_t i = 0; v1_controllers[i] != NULL; i++) {
		char hierarchy[256];

		snprintf(hierarchy, sizeof(hierarchy), "%s/%s", cgroup_root, v1_controllers[i]);
		snprintf(dir, sizeof(dir), "%s/%s", hierarchy, cgroup_parent);
		make_cgroup_dir(dir);
		cgroup_dir(dir, sizeof(dir), hierarchy, id);
		make_cgroup_dir(dir);
		if (strcmp(v1_controllers[i], "memory") == 0 && lim->memory >= 0) {
			snprintf(value, sizeof(value), "%lld", lim->memory);
			write_cgroup_file(dir, "memory.limit_in_bytes", value);
			/* Memory plus swap: the same, so no swapping round the limit. */
			write_cgroup_file_if(false, dir, "memory.memsw.limit_in_bytes", value);
		}
		if (strcmp(v1_controllers[i], "pids") == 0 && lim->pids >= 0) {
			snprintf(value, sizeof(value), "%lld", lim->pids);
			write_cgroup_file(dir, "pids.max", value);
		}
		if (strcmp(v1_controllers[i], "cpu") == 0 && lim->cpus > 0) {
			write_cgroup_file(dir, "cpu.cfs_period_us", "100000");
			snprintf(value, sizeof(value), "%lld", (long long)(lim->cpus * 100000));
			write_cgroup_file(dir, "cpu.cfs_quota_us", value);
		}
		write_cgroup_file(dir, "cgroup.procs", procs);
	}
	done();
}

/*
 * The cgroup hierarchies mounted under /sys/fs/cgroup: on v2 the one
 * tree; on v1 and hybrid machines each directory that is a cgroup or
 * cgroup2 mount (memory, freezer, systemd, unified...), not the symlinks
 * that alias them (cpu -> cpu,cpuacct). Returns how many it found.
 */
enum { MAX_HIERARCHIES = 24 };

static size_t cgroup_hierarchies(char list[][64], size_t max)
{
	struct statfs fs;
	size_t n = 0;

	if (cgroup_version() == CGROUP_V2) {
		snprintf(list[n++], 64, "%s", cgroup_root);
		return n;
	}
	DIR *d = opendir(cgroup_root);
	if (d == NULL)
		die("opendir", cgroup_root);
	for (struct dirent *e; n < max && (e = readdir(d)) != NULL;) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(list[n], 64, "%s/%.40s", cgroup_root, e->d_name);
		if (statfs(list[n], &fs) == 0 &&
		    (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC))
			n++;
	}
	closedir(d);
	return n;
}

/* A new v1 cpuset group has no CPUs and no memory nodes: give it its parent's. */
static void inherit_cpuset(const char *dir)
{
	const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char path[4096], value[256];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/../%s", dir, files[i]);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			return; /* not a cpuset hierarchy */
		if (fgets(value, sizeof(value), f) == NULL)
			value[0] = '\0';
		fclose(f);
		value[strcspn(value, "\n")] = '\0';
		write_cgroup_file(dir, files[i], value);
	}
}

/* Is this v1 hierarchy ("cpu,cpuacct") one that join_cgroup() handles? */
static bool holds_a_limit(const char *hierarchy)
{
	char names[64];

	snprintf(names, sizeof(names), "%s", strrchr(hierarchy, '/') + 1);
	for (char *save = NULL, *name = strtok_r(names, ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save)) {
		for (size_t i = 0; v1_controllers[i] != NULL; i++) {
			if (strcmp(name, v1_controllers[i]) == 0)
				return true;
		}
	}
	return false;
}

/*
 * A cgroup namespace's root, in each hierarchy, is the group its maker
 * is in there. On v1, join_cgroup() moved the container in the three
 * hierarchies that hold its limits; in the others (cpuset, freezer,
 * devices, name=systemd, a hybrid's unified...) it would stay in the
 * host's group, and root inside could mount that tree, list the host's
 * groups and make or remove some. So, as runc does, it gets a group of
 * its own in every other hierarchy too, before it makes its cgroup
 * namespace.
 */
static void join_every_hierarchy(pid_t pid, const char *id)
{
	char list[MAX_HIERARCHIES][64], dir[4096], procs[32];
	size_t n = cgroup_hierarchies(list, MAX_HIERARCHIES);

	if (cgroup_version() == CGROUP_V2)
		return;
	say("joining a group in every other v1 hierarchy");
	snprintf(procs, sizeof(procs), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		if (holds_a_limit(list[i]))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", list[i], cgroup_parent);
		make_cgroup_dir(dir);
		inherit_cpuset(dir);
		cgroup_dir(dir, sizeof(dir), list[i], id);
		make_cgroup_dir(dir);
		inherit_cpuset(dir);
		if (strcmp(strrchr(list[i], '/'), "/devices") == 0)
			allow_only_devices(dir, CGROUP_V1);
		write_cgroup_file(dir, "cgroup.procs", procs);
	}
	done();
}

/* Did the kernel's OOM killer kill anything in the group? ("oom_kill N") */
static long long oom_kills(const char *dir, const char *file)
{
	char path[4096], line[256];
	long long kills = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "oom_kill %lld", &kills) == 1)
			break;
	}
	fclose(f);
	return kills;
}

/*
 * rmdir removes an empty group. Right after the container's init is
 * reaped the group can still count as populated for a moment, hence the
 * few retries; a group that is still in use (EBUSY) is never removed.
 */
static int remove_cgroup_dir(const char *dir)
{
	for (int tries = 0; rmdir(dir) == -1; tries++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || tries == 50)
			return -1;
		usleep(10000);
	}
	return 0;
}

/* The container's group in every hierarchy; -1 if one would not go (errno says why). */
static int remove_cgroups(const char *id)
{
	char list[MAX_HIERARCHIES][64], dir[4096];
	size_t n = cgroup_hierarchies(list, MAX_HIERARCHIES);
	int status = 0;

	for (size_t i = 0; i < n; i++) {
		cgroup_dir(dir, sizeof(dir), list[i], id);
		if (remove_cgroup_dir(dir) == -1) {
			complain("rmdir", dir);
			status = -1;
		}
	}
	return status;
}

/* After the container: say whether memory ran out, then remove its groups. */
static void leave_cgroup(const char *id, const struct limits *lim)
{
	char dir[4096];
	long long kills;

	say("removing the container's cgroup");
	if (cgroup_version() == CGROUP_V2) {
		cgroup_dir(dir, sizeof(dir), cgroup_root, id);
		kills = oom_kills(dir, "memory.events");
	} else {
		char hierarchy[256];

		snprintf(hierarchy, sizeof(hierarchy), "%s/memory", cgroup_root);
		cgroup_dir(dir, sizeof(dir), hierarchy, id);
		kills = oom_kills(dir, "memory.oom_control");
	}
	made.cgroup_id = NULL;
	if (remove_cgroups(id) == -1)
		exit(EXIT_SETUP);
	done();
	if (kills > 0)
		fprintf(stderr,
			"container: out of memory: the kernel killed %lld process%s at the "
			"%lld-byte limit\n",
			kills, kills == 1 ? "" : "es", lim->memory);
}

/*
 * A container program killed by SIGKILL cannot remove its group; the
 * next one does (and `container --cleanup`). Only empty groups can be
 * removed, so a running container's group is safe: rmdir says EBUSY.
 */
static void remove_stale_groups_in(const char *hierarchy)
{
	char parent[4096], dir[8192];

	snprintf(parent, sizeof(parent), "%s/%s", hierarchy, cgroup_parent);
	DIR *d = opendir(parent);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", parent, e->d_name);
		if (rmdir(dir) == 0 && verbose)
			fprintf(stderr, "=> removed the stale cgroup %s\n", dir);
	}
	closedir(d);
}

static void remove_stale_cgroups(void)
{
	char list[MAX_HIERARCHIES][64];
	size_t n = cgroup_hierarchies(list, MAX_HIERARCHIES);

	for (size_t i = 0; i < n; i++)
		remove_stale_groups_in(list[i]);
}

/*
 * A cgroup namespace makes the group we are in look like the root, as
 * mount and PID namespaces do for their trees. Its root is the group of
 * the process that makes it, so we make it only now, after the parent
 * has moved us into the container's group: made by clone(2), before the
 * move, its root would be the host's group.
 */
static void enter_cgroup_namespace(void)
{
	say("entering a new cgroup namespace");
	if (unshare(CLONE_NEWCGROUP) == -1)
		die("unshare", "CLONE_NEWCGROUP");
	done();
}

/*
 * time_namespaces(7): unshare(CLONE_NEWTIME) makes a time namespace for
 * our *children* (like CLONE_NEWPID: /proc/self/ns/time_for_children),
 * and its offsets can be written to /proc/self/timens_offsets only until
 * the first process enters it. So: unshare, write the offsets, then
 * enter it ourselves with setns(2), so that init and the command (also
 * with --no-init: execve(2) enters it only since Linux 6.2) see the new
 * clocks. The offset moves CLOCK_BOOTTIME (and so /proc/uptime);
 * CLOCK_MONOTONIC keeps its offset of 0.
 */
static void set_uptime_offset(long long seconds)
{

	char offsets[64];

	say("entering a new time namespace, uptime %+lld s", seconds);
	if (unshare(CLONE_NEWTIME) == -1)
		die("unshare", "CLONE_NEWTIME");
	snprintf(offsets, sizeof(offsets), "boottime %lld 0", seconds);
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		die("open", "/proc/self/timens_offsets");
	if (write(fd, offsets, strlen(offsets)) != (ssize_t)strlen(offsets))
		die("write timens_offsets", offsets);
	close(fd);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		die("open", "/proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) == -1)
		die("setns", "/proc/self/ns/time_for_children");
	close(fd);
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
	say("mounting /dev/mqueue");
	make_mount_point("dev/mqueue");
	if (mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		die("mount", "/dev/mqueue");
	done();
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
	fprintf(stderr, "%s: execvp %s: %s\n", program, argv[0], strerror(err));
	if (err == ENOENT)
		fprintf(stderr,
			"  hint: the command is looked up inside ROOTFS, not on the host\n");
	exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/*
 * Nothing inside may ever reach this program's file on the host. An
 * image can make its /bin/sh a script, "#!/proc/self/exe": the kernel
 * runs the interpreter named there, and /proc/self/exe of the process
 * starting the command is this program -- the host's file, now running
 * inside as a new, dumpable process whose /proc/PID/exe root inside may
 * open, and write once it has ended. That is CVE-2019-5736, how an image
 * overwrote runc on the host. So, as runc's fix did, we run from a copy
 * of ourselves in memory (memfd_create(2), Linux 3.17), sealed against
 * any write (fcntl F_ADD_SEALS), and /proc/self/exe leads only to that.
 * Once, first thing: the copy sees its seals and goes on. (Not under
 * valgrind, which cannot follow an exec from memory: it would check
 * nothing. Its LD_PRELOAD says it is there.)
 */
static void run_from_sealed_copy(char *argv[])
{
	const unsigned int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	const char *preload = getenv("LD_PRELOAD");
	struct stat st;
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (self == -1)
		die("open", "/proc/self/exe");
	/* (A plain tmpfs file answers F_GET_SEALS too, with F_SEAL_SEAL alone.) */
	int sealed = fcntl(self, F_GET_SEALS);
	if ((sealed != -1 && (sealed & F_SEAL_WRITE)) ||
	    (preload && strstr(preload, "/vgpreload"))) {
		close(self);
		return;
	}
	int copy = memfd_create("container", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy == -1 || fstat(self, &st) == -1)
		die("memfd_create", "a sealed copy of this program");
	for (off_t copied = 0; copied < st.st_size;) {
		ssize_t sent = sendfile(copy, self, NULL, (size_t)(st.st_size - copied));
		if (sent <= 0)
			die("sendfile", "a sealed copy of this program");
		copied += sent;
	}
	close(self);
	if (fcntl(copy, F_ADD_SEALS, seals) == -1)
		die("fcntl F_ADD_SEALS", "a sealed copy of this program");
	fexecve(copy, argv, environ);
	die("fexecve", "a sealed copy of this program");
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

/*
 * The parent writes the child's ID maps (user_namespaces(7)). The rules:
 * the writer must have CAP_SETUID (CAP_SETGID) over the namespace, or map
 * only its own ID, once; and an unprivileged writer must first deny
 * setgroups(2), or a process could drop a supplementary group that was
 * there to *deny* it access ("chmod 604" files). Until the maps are
 * written, the child is uid 65534 (nobody, the overflow uid) and can do
 * nothing useful, so it waits for the go-ahead.
 */
static void write_proc_file(pid_t pid, const char *name, const char *text)
{
	char path[64], call[80];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	snprintf(call, sizeof(call), "write %s", name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		die("open", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		/* Show the map on one line: "0 1000 1; 1 100000 65536". */
		char shown[512];
		size_t n = 0;
		for (const char *t = text; *t && n + 3 < sizeof(shown); t++) {
			if (*t != '\n')
				shown[n++] = *t;
			else if (t[1] != '\0')
				n += (size_t)snprintf(shown + n, sizeof(shown) - n, "; ");
		}
		shown[n] = '\0';
		die(call, shown);
	}
	close(fd);
}

static void write_id_maps(pid_t pid, const char *uid_map, const char *gid_map)
{
	say("writing the uid and gid maps");
	write_proc_file(pid, "uid_map", uid_map);
	/* Root may leave setgroups allowed: --user sets the user's groups. */
	if (rootless)
		write_proc_file(pid, "setgroups", "deny");
	write_proc_file(pid, "gid_map", gid_map);
	done();
}

/*
 * Inside, become the namespace's root: uid and gid 0 -- when the map
 * says 0 is somebody. With the default map the child already is (the
 * caller's ID is mapped to 0); with "0 100000 65536" run by root, the
 * caller's own uid 0 is unmapped, and the child starts as 65534.
 */
static void become_root(void)
{
	if (setresgid(0, 0, 0) == -1)
		die("setresgid", "0 (is 0 in the gid map?)");
	if (setresuid(0, 0, 0) == -1)
		die("setresuid", "0 (is 0 in the uid map?)");
	/*
	 * Changing uid clears the "dumpable" flag, which makes our own
	 * /proc/self files belong to the host's root -- unmapped here, so
	 * even root inside could not open them. Set it back (prctl(2)).
	 */
	if (prctl(PR_SET_DUMPABLE, 1) == -1)
		die("prctl", "PR_SET_DUMPABLE");
}

/*
 * A change of credentials clears the parent-death signal (prctl(2)), and
 * with a --uid-map that moves root, become_root() has just changed ours:
 * the container would outlive a parent killed by SIGKILL. Set it again.
 * The parent may have died in between; it keeps its end of the go-ahead
 * pipe open while it lives, so a hang-up on ours means it is gone.
 */
static void rearm_parent_death_signal(int go)
{
	struct pollfd lifeline = {.fd = go, .events = POLLIN};

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		die("prctl", "PR_SET_PDEATHSIG");
	if (poll(&lifeline, 1, 0) == -1)
		die("poll", "go-ahead");
	if (lifeline.revents & POLLHUP)
		exit(EXIT_SETUP);
}

/*
 * Capabilities (capabilities(7)): since Linux 2.2 (1999), root's power is
 * cut into pieces, from the POSIX.1e drafts -- CAP_NET_RAW for raw
 * sockets, CAP_SYS_ADMIN for mount and much else. A process holds five
 * sets of them: effective (in force now), permitted (may be made
 * effective), inheritable and ambient (what may pass through execve(2)),
 * and the bounding set (the most it can ever gain; per-thread since
 * 2.6.25, 2008; ambient since 4.3, 2015). The names, by number:
 */
static const char *const cap_names[] = {
	"CHOWN",
	"DAC_OVERRIDE",
	"DAC_READ_SEARCH",
	"FOWNER",
	"FSETID",
	"KILL",
	"SETGID",
	"SETUID",
	"SETPCAP",
	"LINUX_IMMUTABLE",
	"NET_BIND_SERVICE",
	"NET_BROADCAST",
	"NET_ADMIN",
	"NET_RAW",
	"IPC_LOCK",
	"IPC_OWNER",
	"SYS_MODULE",
	"SYS_RAWIO",
	"SYS_CHROOT",
	"SYS_PTRACE",
	"SYS_PACCT",
	"SYS_ADMIN",
	"SYS_BOOT",
	"SYS_NICE",
	"SYS_RESOURCE",
	"SYS_TIME",
	"SYS_TTY_CONFIG",
	"MKNOD",
	"LEASE",
	"AUDIT_WRITE",
	"AUDIT_CONTROL",
	"SETFCAP",
	"MAC_OVERRIDE",
	"MAC_ADMIN",
	"SYSLOG",
	"WAKE_ALARM",
	"BLOCK_SUSPEND",
	"AUDIT_READ",
	"PERFMON",
	"BPF",
	"CHECKPOINT_RESTORE",
};
enum { NCAPS = sizeof(cap_names) / sizeof(cap_names[0]) };
#define CAP(name) (1ULL << CAP_##name)

/*
 * docker's and runc's default: what ordinary programs need (chown, bind
 * port 80, ping, su), and none of what reaches the kernel or the host
 * (SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, SYS_TIME...).
 */
static const uint64_t default_caps = CAP(CHOWN) | CAP(DAC_OVERRIDE) | CAP(FSETID) | CAP(FOWNER) |
				     CAP(MKNOD) | CAP(NET_RAW) | CAP(SETGID) | CAP(SETUID) |
				     CAP(SETFCAP) | CAP(SETPCAP) | CAP(NET_BIND_SERVICE) |
				     CAP(SYS_CHROOT) | CAP(KILL) | CAP(AUDIT_WRITE);

/*
 * docker's rule: the default set less --cap-drop, plus --cap-add; but
 * "--cap-add ALL" starts from every capability, less the drops, and
 * "--cap-drop ALL" from none, plus the adds.
 */
static uint64_t capability_set(uint64_t add, uint64_t drop)
{
	const uint64_t all = (1ULL << NCAPS) - 1;

	if ((add & all) == all)
		return all & ~drop;
	if ((drop & all) == all)
		return add;
	return (default_caps & ~drop) | add;
}

/* "NET_ADMIN", "cap_net_admin" or "ALL" (docker accepts all three): its bits, or 0. */
static uint64_t parse_capability(const char *text)
{
	const char *name = strncasecmp(text, "CAP_", 4) == 0 ? text + 4 : text;

	if (strcasecmp(name, "ALL") == 0)
		return (1ULL << NCAPS) - 1;
	for (int i = 0; i < NCAPS; i++) {
		if (strcasecmp(name, cap_names[i]) == 0)
			return 1ULL << i;
	}
	fprintf(stderr,
		"container: unknown capability \"%s\": want a name from capabilities(7), "
		"such as NET_ADMIN, or ALL\n",
		text);
	return 0;
}

/*
 * What a container may be asked for at the end of its setup: who it
 * runs as, and with which privileges.
 */
struct process {
	uint64_t caps;    /* bounding, permitted and effective */
	bool seccomp;     /* the default profile, or --seccomp unconfined */
	bool read_only;   /* --read-only: the rootfs */
	char *const *env; /* --env NAME=VALUE..., NULL-terminated */
	bool user_set;    /* --user UID[:GID] */
	uid_t uid;
	gid_t gid;
	bool gid_set;
	const char *workdir; /* --workdir, or "/" */
};

/*
 * Is `gid` in this user namespace's gid map? setgroups(2) refuses a
 * group that maps to nobody, and a rootfs's /etc/group may name many.
 */
static bool gid_is_mapped(gid_t gid)
{
	unsigned long inside, outside, count;
	bool mapped = false;
	FILE *f = fopen("/proc/self/gid_map", "re");

	while (f != NULL && !mapped && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		mapped = gid >= inside && gid - inside < count;
	if (f != NULL)
		fclose(f);
	return mapped;
}

/*
 * The user's home and group from the container's own /etc/passwd (never
 * the host's: we are past pivot_root), and the groups its /etc/group
 * lists the name in, as docker does. An unknown uid has home "/", group
 * 0 (unless --user names one) and no others.
 */
static size_t user_groups(struct process *p, char *home, size_t home_size, gid_t *groups,
			  size_t max)
{
	char name[256] = "";
	size_t n = 0;
	struct passwd *pw;
	struct group *gr;

	snprintf(home, home_size, "/");
	FILE *f = fopen("/etc/passwd", "re");
	while (f != NULL && (pw = fgetpwent(f)) != NULL) {
		if (pw->pw_uid == p->uid) {
			snprintf(name, sizeof(name), "%s", pw->pw_name);
			snprintf(home, home_size, "%s", pw->pw_dir);
			if (!p->gid_set)
				p->gid = pw->pw_gid;
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	f = name[0] != '\0' ? fopen("/etc/group", "re") : NULL;
	while (f != NULL && n < max && (gr = fgetgrent(f)) != NULL) {
		for (char **m = gr->gr_mem; *m != NULL && n < max; m++) {
			if (strcmp(*m, name) == 0 && gid_is_mapped(gr->gr_gid))
				groups[n++] = gr->gr_gid;
		}
	}
	if (f != NULL)
		fclose(f);
	return n;
}

/*
 * The command's environment, built from nothing: the host's (its
 * tokens, its paths) must not leak in. docker's four, then --env.
 */
static void set_environment(const struct process *p, const char *home)
{
	char hostname[65] = "";

	if (clearenv() != 0)
		die("clearenv", "environment");
	if (gethostname(hostname, sizeof(hostname) - 1) == -1)
		die("gethostname", "HOSTNAME");
	if (setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) ||
	    setenv("HOSTNAME", hostname, 1) || setenv("HOME", home, 1) ||
	    setenv("TERM", "xterm", 1))
		die("setenv", "PATH, HOSTNAME, HOME, TERM");
	for (size_t i = 0; p->env[i] != NULL; i++) {
		char name[256];
		const char *value = strchr(p->env[i], '=') + 1;

		snprintf(name, sizeof(name), "%.*s", (int)(value - 1 - p->env[i]), p->env[i]);
		if (setenv(name, value, 1) == -1)
			die("setenv", p->env[i]);
	}
}

/*
 * No descriptor but 0, 1 and 2 may reach the command. One opened by
 * whoever started us (`exec 7</etc; container ...`) is a door to the
 * host: `cd /proc/self/fd/7/..` walks out of any root (CVE-2024-21626
 * was runc leaking one of its own this way). close_range(2) is Linux
 * 5.9; before it, close each one /proc/self/fd lists.
 */
static void close_other_descriptors(void)
{
	if (close_range(3, ~0U, 0) == 0)
		return;
	if (errno != ENOSYS)
		die("close_range", "3 and up");
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		die("opendir", "/proc/self/fd");
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/*
 * At most 1024 open files, as systemd gives a service: select(2) cannot
 * watch a descriptor above 1023 (FD_SETSIZE), and a program that is
 * handed more goes wrong. A hard limit of up to 524288 lets a program
 * that knows better raise its own. (Lowering needs no privilege;
 * raising needs CAP_SYS_RESOURCE, which the container has not.)
 */
static void limit_open_files(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == -1)
		die("getrlimit", "RLIMIT_NOFILE");
	if (lim.rlim_max > 524288)
		lim.rlim_max = 524288;
	lim.rlim_cur = lim.rlim_max < 1024 ? lim.rlim_max : 1024;
	if (setrlimit(RLIMIT_NOFILE, &lim) == -1)
		die("setrlimit", "RLIMIT_NOFILE");
}

/* Does this user namespace deny setgroups(2)? (A rootless one does: see write_id_maps.) */
static bool setgroups_denied(void)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = fopen("/proc/self/setgroups", "re");
	bool denied = f != NULL && getline(&text, &size, f) > 0 && strncmp(text, "deny", 4) == 0;

	free(text);
	if (f != NULL)
		fclose(f);
	return denied;
}

/*
 * Become --user (default: root), groups first, while we may still change
 * them. Always set the groups, even for root: otherwise the caller's
 * (say, the host's "disk" group) would pass into the container.
 */
static void switch_user(const struct process *p, const gid_t *groups, size_t ngroups)
{
	say("becoming uid %u, gid %u", (unsigned)p->uid, (unsigned)p->gid);
	if (setgroups(ngroups, groups) == -1 && !(errno == EPERM && setgroups_denied()))
		die("setgroups", "the user's groups");
	if (setresgid(p->gid, p->gid, p->gid) == -1)
		die("setresgid", "--user's gid");
	if (setresuid(p->uid, p->uid, p->uid) == -1)
		die("setresuid", "--user's uid");
	done();
}

/*
 * Keep only the capabilities in p->caps, in every set, for good. The
 * bounding set first: dropping from it needs CAP_SETPCAP, and what is
 * gone from it can never come back, not even through a set-uid or
 * file-capability program. Then the user (PR_SET_KEEPCAPS: a change of
 * uid away from 0 would otherwise empty the permitted set), then the
 * three sets capset(2) sets, leaving inheritable empty: filling it, as
 * runc and docker did until 2022, let a program with inheritable file
 * capabilities gain them (CVE-2022-24769). Then no_new_privs.
 */
static void drop_privileges(const struct process *p, const gid_t *groups, size_t ngroups)
{
	/* TODO 11: Keep only the capabilities in p->caps, for good. Before
	 * the call to switch_user() (given below): drop every other one from
	 * the bounding set (prctl PR_CAPBSET_DROP; past the last capability
	 * this kernel knows, it fails with EINVAL), and set PR_SET_KEEPCAPS,
	 * or a change of uid away from 0 empties the permitted set. After it:
	 * set permitted and effective to p->caps and inheritable to nothing
	 * (capset(2), version 3: two 32-bit halves), empty the ambient set,
	 * and set PR_SET_NO_NEW_PRIVS. Why must the bounding set go first?
	 * man 7 capabilities, man 2 capset, man 2 prctl
	 */
	switch_user(p, groups, ngroups);
}

/*
 * Seccomp began in 2.6.12 (2005) as "strict" mode: read, write, exit and
 * sigreturn, nothing else. Linux 3.5 (2012) added filters: a small BPF
 * program that the kernel runs on every system call, looking at its number,
 * its architecture and its six arguments (never at memory they point to),
 * together with no_new_privs, which lets anyone load one. Docker's default
 * profile (2016) is an allow-list, and so is this one: what the kernel adds
 * next is refused until someone has looked at it. The list follows docker's
 * for a container without CAP_SYS_ADMIN. Left out, so EPERM: namespaces and
 * mounts (unshare, setns, mount, umount2, pivot_root, fsopen, open_tree...),
 * the kernel keyring (keyctl, add_key, request_key: not namespaced), bpf,
 * perf_event_open, userfaultfd, io_uring_* (a stream of kernel bugs; docker
 * dropped them in 2023), modules, kexec, reboot, swap, acct, quotactl,
 * syslog, setting the clock (settimeofday, clock_settime, and adjtimex and
 * clock_adjtime, which docker allows for reading), iopl, ioperm,
 * open_by_handle_at (the "shocker" escape of 2014), and the obsolete
 * (uselib, sysfs, _sysctl, create_module, nfsservctl, vm86).
 */
static const char *const allowed_syscalls[] = {
	/* files */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
	"pwritev2", "lseek", "open", "openat", "openat2", "creat", "close", "close_range", "dup",
	"dup2", "dup3", "fcntl", "flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
	"fallocate", "truncate", "ftruncate", "readahead", "fadvise64", "sendfile", "splice", "tee",
	"vmsplice", "copy_file_range", "ioctl", "stat", "fstat", "lstat", "newfstatat", "statx",
	"statfs", "fstatfs", "access", "faccessat", "faccessat2", "getdents", "getdents64",
	"getcwd", "chdir", "fchdir", "chroot", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
	"rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "readlink",
	"readlinkat", "mknod", "mknodat", "umask", "chmod", "fchmod", "fchmodat", "fchmodat2",
	"chown", "fchown", "lchown", "fchownat", "utime", "utimes", "utimensat", "futimesat",
	"getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr",
	"llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr", "inotify_init",
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_mark",
	"name_to_handle_at",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock",
	"mlock2", "munlock", "mlockall", "munlockall", "remap_file_pages", "membarrier",
	"memfd_create", "memfd_secret", "pkey_alloc", "pkey_free", "pkey_mprotect",
	"process_mrelease", "cachestat", "map_shadow_stack", "mseal",
	/* processes and threads (clone is below) */
	"fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "getpid",
	"getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "set_tid_address",
	"arch_prctl", "modify_ldt", "get_thread_area", "set_thread_area", "prctl", "seccomp",
	"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "rseq",
	"set_robust_list", "get_robust_list", "futex", "futex_waitv", "futex_wake", "futex_wait",
	"futex_requeue", "restart_syscall",
	/* credentials (the capabilities decide what may change) */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "setuid",
	"setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
	"setgroups", "capget", "capset",
	/* limits, scheduling, information */
	"getrlimit", "setrlimit", "prlimit64", "getrusage", "getpriority", "setpriority",
	"sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
	"sched_getscheduler", "sched_setscheduler", "sched_getattr", "sched_setattr",
	"sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "ioprio_get",
	"ioprio_set", "getcpu", "getrandom", "sysinfo", "uname", "times",
	/* signals */
	"kill", "tkill", "tgkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	"rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	"sigaltstack", "pause", "signalfd", "signalfd4", "pidfd_open", "pidfd_send_signal",
	/* reading the clocks, timers */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_settime",
	"timer_gettime", "timer_getoverrun", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	/* waiting on descriptors, asynchronous I/O */
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "io_setup",
	"io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",
	/* System V and POSIX IPC (namespaced), pipes, sockets (socket is below) */
	"pipe", "pipe2", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop",
	"semctl", "shmget", "shmat", "shmdt", "shmctl", "mq_open", "mq_unlink", "mq_timedsend",
	"mq_timedreceive", "mq_notify", "mq_getsetattr", "socketpair", "bind", "listen", "accept",
	"accept4", "connect", "getsockname", "getpeername", "setsockopt", "getsockopt", "sendto",
	"recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown"};

/*
 * What a kept capability adds, as in docker's profile: the calls that
 * need it anyway, so that --cap-add SYS_ADMIN lets mount(2) be asked,
 * and the capability decides. (With SYS_ADMIN, clone is not checked
 * either: its namespaces are its to make.)
 */
static const struct {
	int cap;
	const char *names[16];
} calls_of_capability[] = {
	{CAP_SYS_ADMIN,
	 {"mount", "umount2", "pivot_root", "unshare", "setns", "sethostname", "setdomainname",
	  "quotactl", "fanotify_init", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
	  "fspick", "mount_setattr"}},
	{CAP_SYS_ADMIN, {"syslog", "lookup_dcookie", "perf_event_open", "bpf", "clone"}},
	{CAP_SYS_BOOT, {"reboot"}},
	{CAP_SYS_MODULE, {"init_module", "finit_module", "delete_module"}},
	{CAP_SYS_PACCT, {"acct"}},
	{CAP_SYS_PTRACE,
	 {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	  "process_madvise"}},
	{CAP_SYS_RAWIO, {"iopl", "ioperm"}},
	{CAP_SYS_TIME, {"settimeofday", "clock_settime", "adjtimex", "clock_adjtime"}},
	{CAP_SYS_TTY_CONFIG, {"vhangup"}},
	{CAP_SYS_NICE, {"get_mempolicy", "mbind", "set_mempolicy"}},
	{CAP_SYSLOG, {"syslog"}},
	{CAP_BPF, {"bpf"}},
	{CAP_PERFMON, {"perf_event_open"}},
};

/*
 * ptrace (and reading another process's memory) is harmless to the host
 * once the target is in the container -- but before Linux 4.8 the kernel
 * ran seccomp before the tracer's stop, so a tracer could rewrite a checked
 * system call into any other. Docker allows them from 4.8 on; so do we.
 */
static bool seccomp_sees_ptrace(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	return major > 4 || (major == 4 && minor >= 8);
}

static void add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int count,
		     const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	/* Unknown to this libseccomp (-1), or not a system call of this
	 * architecture (a "pseudo" number below -1): the default refuses it. */
	if (nr < 0)
		return;
	rc = seccomp_rule_add_array(ctx, action, nr, count, args);
	if (rc < 0) {
		errno = -rc;
		die("seccomp_rule_add", name);
	}
}

/* Load the default profile on this thread, for a process keeping `caps`:
 * last before execve, after capabilities and PR_SET_NO_NEW_PRIVS. */
static void load_seccomp_filter(uint64_t caps)
{
	/* clone(2) takes its flags in a register, so a filter can refuse the
	 * CLONE_NEW* ones: allow only (flags & new_namespace) == 0. (Not
	 * CLONE_NEWTIME: 0x80 is part of clone's exit signal; only clone3 and
	 * unshare can ask for a time namespace.) */
	const unsigned long new_namespace = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
					    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
					    CLONE_NEWCGROUP;
	const struct scmp_arg_cmp no_namespace = {
		.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = new_namespace, .datum_b = 0};
	/* AF_VSOCK reaches the hypervisor and the host past any network
	 * namespace, so docker (23.0, 2023) allows socket only if "family !=
	 * AF_VSOCK". But the filter sees 64 bits where the kernel reads an
	 * int: socket(1UL << 32 | AF_VSOCK, ...) passes that test. "<" on all
	 * 64 bits cannot be fooled; it costs the five families newer than
	 * vsock (KCM, QIPCRTR, SMC, XDP, MCTP). */
	const struct scmp_arg_cmp before_vsock = {.arg = 0, .op = SCMP_CMP_LT, .datum_a = AF_VSOCK};
	/* personality: Linux, 32-bit Linux, a 2.6 uname (UNAME26) for old
	 * programs, and the query 0xffffffff; not READ_IMPLIES_EXEC or
	 * ADDR_NO_RANDOMIZE, which weaken the process's own defences. */
	const unsigned int personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
	/*
	 * The filter knows the native architecture only. The same name has
	 * another number in i386's calls (int $0x80) and in x32's (x86_64's
	 * arch token, but bit 30 set in the number, which libseccomp checks):
	 * such a call must not pass, so it kills the process. no_new_privs is
	 * our own step: libseccomp must not set it behind our back, so that,
	 * missing, it fails here. And a failure should say the kernel's errno
	 * (EACCES), not libseccomp's ECANCELED.
	 */
	const struct {
		enum scmp_filter_attr attr;
		uint32_t value;
		const char *name;
	} attrs[] = {
		{SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS, "SCMP_FLTATR_ACT_BADARCH"},
		{SCMP_FLTATR_CTL_NNP, 0, "SCMP_FLTATR_CTL_NNP"},
		{SCMP_FLTATR_API_SYSRAWRC, 1, "SCMP_FLTATR_API_SYSRAWRC"},
	};
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	say("loading the default seccomp profile");
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		errno = ENOMEM; /* NULL and no reason: memory is the only cause */
		die("seccomp_init", "default profile");
	}
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		rc = seccomp_attr_set(ctx, attrs[i].attr, attrs[i].value);
		/*
		 * KILL_PROCESS is Linux 4.14's, and libseccomp finds it through
		 * seccomp(2), which valgrind 3.19 does not know: kill the thread
		 * then (the process, for a single-threaded one).
		 */
		if (rc == -EINVAL && attrs[i].value == SCMP_ACT_KILL_PROCESS)
			rc = seccomp_attr_set(ctx, attrs[i].attr, SCMP_ACT_KILL_THREAD);
		if (rc < 0) {
			errno = -rc;
			die("seccomp_attr_set", attrs[i].name);
		}
	}
	for (i = 0; i < sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]); i++)
		add_rule(ctx, SCMP_ACT_ALLOW, allowed_syscalls[i], 0, NULL);
	bool kept[64] = {false};
	for (i = 0; i < sizeof(calls_of_capability) / sizeof(calls_of_capability[0]); i++) {
		int cap = calls_of_capability[i].cap;

		kept[cap] = (caps >> cap) & 1;
		for (size_t n = 0; kept[cap] && n < 16 && calls_of_capability[i].names[n]; n++)
			add_rule(ctx, SCMP_ACT_ALLOW, calls_of_capability[i].names[n], 0, NULL);
	}
	if (!kept[CAP_SYS_ADMIN])
		add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_namespace);
	/* clone3's flags are in memory, where a filter cannot look: ENOSYS
	 * makes glibc (2.34+) fall back to clone, whose flags it can see. */
	add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &before_vsock);
	for (i = 0; i < sizeof(personas) / sizeof(personas[0]); i++) {
		const struct scmp_arg_cmp persona = {
			.arg = 0, .op = SCMP_CMP_EQ, .datum_a = personas[i]};

		add_rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &persona);
	}
	if (seccomp_sees_ptrace() && !kept[CAP_SYS_PTRACE]) {
		add_rule(ctx, SCMP_ACT_ALLOW, "ptrace", 0, NULL);
		add_rule(ctx, SCMP_ACT_ALLOW, "process_vm_readv", 0, NULL);
		add_rule(ctx, SCMP_ACT_ALLOW, "process_vm_writev", 0, NULL);
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		die("seccomp_load", "default profile");
	}
	done();
}

/*
 * The last steps before the command, in the order runc takes them: no
 * stray descriptor, the limits, the environment, the user and the
 * capabilities, the working directory (as the user, whose permissions
 * apply), and the seccomp filter last, because it refuses some of the
 * calls that the steps before it make.
 */
static void lock_down(const struct process *given)
{
	struct process p = *given;
	gid_t groups[64];
	char home[4096];
	size_t ngroups = user_groups(&p, home, sizeof(home), groups, 64);

	close_other_descriptors();
	limit_open_files();
	set_environment(&p, home);
	drop_privileges(&p, groups, ngroups);
	if (chdir(p.workdir) == -1)
		die("--workdir", p.workdir);
	if (p.seccomp)
		load_seccomp_filter(p.caps);
}

/*
 * Our own command line and environment, as the host gave them, sit in
 * this process's memory: /proc/1/cmdline shows the one (ROOTFS's host
 * path, every --env value) and /proc/1/environ the other (the host's
 * tokens) to whoever reads them inside. init is a copy of this process,
 * not a new program, so it clears them; the command, started by
 * execve(2), gets memory of its own.
 */
static struct {
	char *start, *end;
} host_strings;

static void note_host_strings(int argc, char *argv[])
{
	host_strings.start = argv[0];
	host_strings.end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
	/* The environment's strings follow, one after another (execve(2)). */
	for (char **e = environ; *e != NULL && *e == host_strings.end; e++)
		host_strings.end = *e + strlen(*e) + 1;
}

static void forget_host_strings(void)
{
	size_t size = (size_t)(host_strings.end - host_strings.start);

	memset(host_strings.start, 0, size);
	/* A name for ps: "container", or as much of it as fits. */
	memcpy(host_strings.start, "container", size - 1 < 9 ? size - 1 : 9);
}

/*
 * --join TYPE:PATH: share a namespace another container made (a
 * --persist DIR/net, a /proc/PID/ns/net) instead of making a new one:
 * how a Kubernetes pod's containers share one network. The ones a
 * container may share; a mount namespace would bring its own root.
 */
static const struct ns_type {
	const char *name;
	int flag;
} ns_types[] = {
	{"net", CLONE_NEWNET},       {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},
	{"pid", CLONE_NEWPID},       {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};
enum { JOINABLE = 5 }; /* the first five */

struct join {
	int flag;         /* CLONE_NEWNET... */
	int fd;           /* the namespace, opened */
	const char *path; /* for messages */
	bool own;         /* --join user: of the user namespace we are in already */
};

static const char *ns_name(int flag)
{
	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++) {
		if (ns_types[i].flag == flag)
			return ns_types[i].name;
	}
	return "?";
}

/* TYPE:PATH, opened, and checked to be a namespace of that type (NS_GET_NSTYPE, Linux 4.11). */
static bool open_join(const char *arg, struct join *j)
{
	const char *path = strchr(arg, ':');
	size_t len = path ? (size_t)(path - arg) : 0;

	j->flag = 0;
	for (size_t i = 0; i < JOINABLE; i++) {
		if (strlen(ns_types[i].name) == len && strncmp(arg, ns_types[i].name, len) == 0)
			j->flag = ns_types[i].flag;
	}
	if (j->flag == 0 || path[1] == '\0') {
		fprintf(stderr,
			"container: --join %s: want TYPE:PATH, TYPE one of net, ipc, uts, "
			"pid and user, such as net:/tmp/pod/net\n",
			arg);
		return false;
	}
	j->path = path + 1;
	j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (j->fd == -1) {
		fprintf(stderr, "container: --join %s: %s\n", j->path, strerror(errno));
		return false;
	}
	int type = ioctl(j->fd, NS_GET_NSTYPE);
	if (type != j->flag) {
		if (type == -1)
			fprintf(stderr,
				"container: --join %s: not a namespace file (want a "
				"/proc/PID/ns/%s, or a --persist DIR/%s)\n",
				j->path, ns_name(j->flag), ns_name(j->flag));
		else
			fprintf(stderr, "container: --join %s: a %s namespace, not %s\n", j->path,
				ns_name(type), ns_name(j->flag));
		close(j->fd);
		return false;
	}
	return true;
}

/* Do two descriptors name the same namespace? */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * Every namespace is owned by a user namespace (NS_GET_USERNS), and
 * capabilities count only there: root of a *new* user namespace could
 * not name its hostname in a joined uts namespace, nor mount /sys for a
 * joined network. So a joined namespace needs its owner joined too --
 * podman's --userns=container:, and Kubernetes' one user per pod.
 */
static bool check_joins(struct join *joins, size_t n, bool veth, bool maps_given)
{
	struct join *user = NULL;

	for (size_t i = 0; i < n; i++) {
		if (joins[i].flag == CLONE_NEWUSER)
			user = &joins[i];
		if (joins[i].flag == CLONE_NEWNET && veth) {
			fputs("container: --join net: and --net veth: a joined network has its own "
			      "cables\n",
			      stderr);
			return false;
		}
	}
	if (user != NULL && maps_given) {
		fputs("container: --join user: and --uid-map/--gid-map: a joined user namespace "
		      "has its maps already\n",
		      stderr);
		return false;
	}
	if (user != NULL) {
		int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		user->own = self != -1 && same_file(self, user->fd);
		if (self != -1)
			close(self);
	}
	for (size_t i = 0; i < n; i++) {
		if (joins[i].flag == CLONE_NEWUSER)
			continue;
		int owner = ioctl(joins[i].fd, NS_GET_USERNS);
		bool ok = owner != -1 && user != NULL && same_file(owner, user->fd);
		if (owner != -1)
			close(owner);
		if (!ok) {
			fprintf(stderr,
				"container: --join %s:%s: it belongs to %s, and only there would "
				"the container's root have its capabilities\n"
				"  hint: --join user: its owner too (for a --persist DIR, DIR/user)\n",
				ns_name(joins[i].flag), joins[i].path,
				user ? "another user namespace than the one joined"
				     : "a user namespace, which the container does not join");
			return false;
		}
	}
	return true;
}

/* What the parent hands the container's first process. */
struct container {
	const char *rootfs;
	char **command;
	bool no_init;
	bool veth;          /* --net veth */
	char *const *binds; /* --bind HOST:INSIDE, NULL-terminated */
	const char *id;     /* names its cgroup */
	bool use_cgroup;    /* root: always; without root there is none to make */
	struct limits limits;
	long long uptime_offset; /* seconds added to CLOCK_BOOTTIME */
	char uid_map[512];
	char gid_map[512];
	const char *hostname;
	const char *domainname;
	int go[2];              /* a pipe: the parent writes the veth's subnet (or NET_NONE) */
	struct process process; /* who runs the command, with which privileges */
	struct join joins[8];   /* --join TYPE:PATH */
	size_t njoins;
	int joined; /* their CLONE_NEW* flags */
};

/*
 * PID 1: start the command, then wait for signals. A signal to pass on
 * goes to the command; SIGCHLD means some child ended -- the command, or
 * an orphan the kernel re-parented to us -- so reap them all, or each one
 * stays a zombie, holding its PID, until PID 1 exits. When the command
 * has ended, exit with its status; the kernel then kills whatever is
 * left in the namespace.
 */
static int init(char *const command[])
{
	sigset_t signals;

	forwarded_signals(&signals);
	say("starting %s as the child of init", command[0]);
	pid_t child = fork();
	if (child == -1)
		die("fork", command[0]);
	if (child == 0) {
		unblock_signals();
		run_command(command);
	}
	done();

	for (;;) {
		siginfo_t info;
		int status;
		pid_t pid;

		if (sigwaitinfo(&signals, &info) == -1) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo", "init");
		}
		if (info.si_signo != SIGCHLD) {
			kill(child, info.si_signo);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == child)
				return exit_code(status);
		}
	}
}

/*
 * The container's first process, in its new namespaces. It waits for
 * the parent's go-ahead on the pipe, sent once the parent has done its
 * part, then builds its view of the world and becomes the command.
 */
static int container_main(void *arg)
{
	struct container *c = arg;
	int net;

	/* The parent's descriptor of --persist DIR is a way back to the host. */
	if (made.persist_dir != -1)
		close(made.persist_dir);
	in_container = true;
	/*
	 * If the parent dies, even of SIGKILL, the container must die too:
	 * nothing else would ever wait for it or clean up after it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		die("prctl", "PR_SET_PDEATHSIG");
	/*
	 * Wait for the parent's go-ahead: the veth's subnet. EOF instead
	 * means the parent died before it could send it (perhaps before the
	 * line above took effect). Our copy of the write end would keep the
	 * pipe open for ever, so close it first.
	 */
	close(c->go[1]);
	if (read(c->go[0], &net, sizeof(net)) != sizeof(net))
		exit(EXIT_SETUP);

	become_root();
	rearm_parent_death_signal(c->go[0]);
	close(c->go[0]);
	enter_cgroup_namespace();
	/* A joined uts namespace has its name: the pod's, not ours to change. */
	if (!(c->joined & CLONE_NEWUTS))
		set_hostname(c->hostname, c->domainname);
	set_up_network(net);
	enter_new_root(c->rootfs, c->binds);
	mount_filesystems();
	mask_paths();
	mount_mqueue();
	drop_old_root();
	if (c->process.read_only)
		remount_adding("/", MS_RDONLY);
	set_uptime_offset(c->uptime_offset);

	/* The command's words live among the host's strings, which init clears. */
	size_t n = 0;
	while (c->command[n] != NULL)
		n++;
	static char **command; /* for as long as init lives */
	command = calloc(n + 1, sizeof(*command));
	for (size_t i = 0; command != NULL && i < n; i++)
		command[i] = strdup(c->command[i]);
	if (command == NULL || (n > 0 && command[n - 1] == NULL))
		die("strdup", "the command");
	lock_down(&c->process);
	if (c->no_init) {
		unblock_signals();
		run_command(command);
	}
	forget_host_strings();
	/*
	 * init is a copy of this program, whose file is on the host: were
	 * it dumpable, root inside could open /proc/1/exe and, once no
	 * container runs it, write to the host's binary (CVE-2019-5736).
	 * The command, a new program, is dumpable again after execve(2).
	 */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		die("prctl", "PR_SET_DUMPABLE");
	return init(command);
}

/*
 * clone(2) makes new namespaces, but joins none: setns(2) does that, to
 * its caller. So a short-lived helper process joins them -- the others
 * first, while it has the host's privileges, the user namespace last --
 * then clones the container with CLONE_PARENT, which makes it our child,
 * not its own, and exits. (runc's nsexec does this dance in C, before
 * its Go runtime starts threads that setns would refuse.)
 */
static pid_t clone_joined(struct container *c, int flags, char *stack_top)
{
	int channel[2], status;
	pid_t pid = -1;

	if (c->njoins == 0)
		return clone(container_main, stack_top, flags | SIGCHLD, c);
	if (pipe2(channel, O_CLOEXEC) == -1)
		die("pipe2", "joiner");
	pid_t helper = fork();
	if (helper == -1)
		die("fork", "joiner");
	if (helper == 0) {
		for (int user = 0; user <= 1; user++) {
			for (size_t i = 0; i < c->njoins; i++) {
				struct join *j = &c->joins[i];
				if ((j->flag == CLONE_NEWUSER) != user || j->own)
					continue;
				if (setns(j->fd, j->flag) == -1) {
					complain("setns", j->path);
					_exit(EXIT_SETUP);
				}
			}
		}
		pid = clone(container_main, stack_top, flags | CLONE_PARENT | SIGCHLD, c);
		if (pid == -1)
			complain("clone", "new namespaces");
		_exit(write(channel[1], &pid, sizeof(pid)) == sizeof(pid) && pid != -1
			      ? 0
			      : EXIT_SETUP);
	}
	close(channel[1]);
	if (read(channel[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(channel[0]);
	while (waitpid(helper, &status, 0) == -1 && errno == EINTR)
		;
	if (pid == -1) {
		undo();
		exit(EXIT_SETUP);
	}
	return pid;
}

/*
 * The namespaces the container has: --persist keeps each of them. (Not
 * the cgroup namespace: the child makes it after the go-ahead.)
 */
static const char *const namespaces[] = {"mnt", "uts", "ipc", "pid", "net", "user", NULL};

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
	if (made.veth[0] != '\0' && delete_link(made.veth) == -1)
		complain("RTM_DELLINK", made.veth);
	if (made.cgroup_id != NULL)
		remove_cgroups(made.cgroup_id);
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

	if (c->use_cgroup) {
		int lock = lock_cgroups();
		remove_stale_cgroups();
		close(lock);
	}

	say("cloning the container's first process");
	int flags = CLONE_NEWNS;
	flags |= CLONE_NEWUTS;
	flags |= CLONE_NEWIPC;
	flags |= CLONE_NEWPID;
	flags |= CLONE_NEWNET;
	flags |= CLONE_NEWUSER;
	/* ...but not those it joins: --join. */
	flags &= ~c->joined;
	pid_t pid = clone_joined(c, flags, stack + sizeof(stack));
	if (pid == -1)
		die("clone", "new namespaces");
	made.child = pid;
	close(c->go[0]);
	done();

	if (!(c->joined & CLONE_NEWUSER))
		write_id_maps(pid, c->uid_map, c->gid_map);
	if (c->use_cgroup) {
		int lock = lock_cgroups();
		made.cgroup_id = c->id;
		join_cgroup(pid, c->id, &c->limits);
		join_every_hierarchy(pid, c->id);
		close(lock);
	}
	if (persist_dir)
		persist_namespaces(pid, persist_dir);
	int net = NET_NONE;
	char host[IF_NAMESIZE] = "";
	if (c->veth)
		net = wire_container(pid, host, sizeof(host));
	/*
	 * A child that died early closed the pipe: report its status below.
	 * Our end stays open while we live: the child's lifeline.
	 */
	if (write(c->go[1], &net, sizeof(net)) != sizeof(net) && errno != EPIPE)
		die("write", "go-ahead");

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
			/* The pair dies with the namespace, but not at once: now. */
			if (host[0] != '\0' && delete_link(host) == -1)
				die("RTM_DELLINK", host);
			made.veth[0] = '\0';
			if (c->use_cgroup) {
				int lock = lock_cgroups();
				leave_cgroup(c->id, &c->limits);
				close(lock);
			}
			return exit_code(status);
		}
	}
}

/*
 * Check one "INSIDE OUTSIDE COUNT" line and append it to a map. The
 * kernel checks the rest (overlaps, what the caller may map) when the
 * parent writes it.
 */
static bool add_map_line(char *map, size_t size, const char *line)
{
	unsigned long inside, outside, count;
	char extra;

	/* strtoul(3), under %lu, would take "-1" for 2^64-1: no sign at all. */
	if (strpbrk(line, "+-") != NULL ||
	    sscanf(line, "%lu %lu %lu %c", &inside, &outside, &count, &extra) != 3 || count == 0 ||
	    inside > UINT32_MAX || outside > UINT32_MAX || count > UINT32_MAX) {
		fprintf(stderr,
			"container: bad map \"%s\": want \"INSIDE OUTSIDE COUNT\", "
			"such as \"0 1000 1\"\n",
			line);
		return false;
	}
	size_t used = strlen(map);
	if (snprintf(map + used, size - used, "%lu %lu %lu\n", inside, outside, count) >=
	    (int)(size - used)) {
		fputs("container: too many map lines\n", stderr);
		return false;
	}
	return true;
}

/*
 * Every whole number on the command line goes through here: decimal
 * digits, an optional k, m or g where `sizes` allows it (powers of 1024,
 * as in docker: "512m" is 536870912), and within [min, max] once scaled.
 * strtoll(3) clamps what overflows to LLONG_MAX and says so only in
 * errno: "99999999999999999999" must be refused, not quietly made 2^63-1.
 */
static bool parse_integer(const char *text, bool sizes, long long min, long long max,
			  long long *value)
{
	char *end;

	errno = 0;
	long long n = strtoll(text, &end, 10);
	int shift = !sizes || end == text        ? 0
		    : *end == 'k' || *end == 'K' ? 10
		    : *end == 'm' || *end == 'M' ? 20
		    : *end == 'g' || *end == 'G' ? 30
						 : 0;

	if (shift)
		end++;
	if (end == text || *end != '\0' || errno == ERANGE || n > (max >> shift) ||
	    n < (min >> shift) || n * (1LL << shift) < min)
		return false;
	*value = n * (1LL << shift);
	return true;
}

static bool parse_bytes(const char *text, long long *bytes)
{
	if (parse_integer(text, true, 1, LLONG_MAX, bytes))
		return true;
	fprintf(stderr, "container: --memory %s: want a size such as 64m\n", text);
	return false;
}

/*
 * The kernel refuses an offset that would put CLOCK_BOOTTIME below zero,
 * or near its overflow (time_namespaces(7)); we only check the number.
 */
static bool parse_offset(const char *text, long long *seconds)
{
	if (parse_integer(text, false, LLONG_MIN, LLONG_MAX, seconds))
		return true;
	fprintf(stderr, "container: --uptime-offset %s: want whole seconds\n", text);
	return false;
}

/* pids.max takes at most the kernel's PID_MAX_LIMIT, 4194304 (2^22). */
static bool parse_count(const char *text, long long *count)
{
	if (parse_integer(text, false, 1, 4194304, count))
		return true;
	fprintf(stderr, "container: --pids %s: want a number from 1 to 4194304\n", text);
	return false;
}

static bool parse_cpus(const char *text, double *cpus)
{
	char *end;
	double n = strtod(text, &end);

	if (end == text || *end != '\0' || !(n >= 0.01 && n <= 1024)) {
		fprintf(stderr, "container: --cpus %s: want a number of CPUs such as 0.5\n", text);
		return false;
	}
	*cpus = n;
	return true;
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

/*
 * HOST:INSIDE, where INSIDE is a path in the container: absolute, not
 * "/" itself, and without a ".." that would climb out of the rootfs
 * before pivot_root (docker refuses the same).
 */
static bool valid_bind(const char *bind)
{
	const char *inside = strchr(bind, ':');

	if (inside == NULL || inside == bind || inside[1] != '/' ||
	    inside[strspn(inside + 1, "/") + 1] == '\0')
		return false;
	for (const char *p = inside + 1; *p != '\0'; p += strcspn(p, "/"), p += strspn(p, "/")) {
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return false;
	}
	return true;
}

/*
 * enter DIR|PID [COMMAND]: start a process inside a running container,
 * as `docker exec` does. Chapter 03's enter joined the namespaces and
 * ran the command with every privilege of the caller; this one gives it
 * what the container's own processes have, and no more. A process that
 * joins a container is the classic way in for an attack: root inside
 * owns that container's processes, and the one entering comes from the
 * host, holding the host's things. So, before anything else, it makes
 * itself non-dumpable: nothing inside may then open its /proc/PID/exe
 * -- the entering binary on the host, which runc's CVE-2019-5736 let a
 * container overwrite -- nor its descriptors, nor ptrace it
 * (CVE-2016-9962). It closes every descriptor but 0-2 and starts in the
 * container's "/" (CVE-2024-21626: a host directory or descriptor
 * reaching the command).
 */

/*
 * The uid and gid of a process inside, as its user namespace numbers
 * them: a /proc/PID/status opened by a process in that namespace shows
 * them so (the file translates for its opener). So: once joined.
 */
static void read_ids(const char *pid, struct process *p)
{
	char path[64], line[256];
	unsigned int uid, gid;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		die("open", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u", &uid) == 1)
			p->uid = uid;
		if (sscanf(line, "Gid: %u", &gid) == 1)
			p->gid = gid;
	}
	p->gid_set = true;
	fclose(f);
}

/* From /proc/PID/status: the capabilities (CapBnd) and seccomp mode of a process inside. */
static void read_privileges(const char *pid, struct process *p)
{
	char path[64], line[256];
	unsigned long long caps;
	int mode;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		die("open", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapBnd: %llx", &caps) == 1)
			p->caps = caps;
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			p->seccomp = mode == 2;
	}
	fclose(f);
}

/*
 * The container's cgroup, in every hierarchy: /proc/PID/cgroup lists
 * "ID:CONTROLLERS:PATH" lines, PATH as the host sees it. Joined first,
 * while we are still the host's root; the cgroup namespace then shows
 * it as "/".
 */
static void join_cgroups_of(const char *pid)
{
	char path[4096], line[4096], self[32];

	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		die("open", path);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while (fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':'), *group;
		if (controllers == NULL || (group = strchr(++controllers, ':')) == NULL)
			continue;
		*group++ = '\0';
		group[strcspn(group, "\n")] = '\0';
		if (strncmp(controllers, "name=", 5) == 0)
			controllers += 5;
		const char *hierarchy = controllers[0] != '\0'          ? controllers
					: cgroup_version() == CGROUP_V2 ? ""
									: "unified";
		snprintf(path, sizeof(path), "%s/%s%s", cgroup_root, hierarchy, group);
		if (access(path, F_OK) == 0)
			write_cgroup_file(path, "cgroup.procs", self);
	}
	fclose(f);
}

/*
 * The environment of a process inside, as NAME=VALUE strings: the
 * container's. A container's init is a copy of `container` that cleared
 * its own (forget_host_strings), so for init, read its first child's --
 * the command's.
 */
static char **environment_of(const char *pid)
{
	static char text[65536];
	static char *env[256];
	char path[128], child[32];
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%s/task/%s/children", pid, pid);
	FILE *f = fopen(path, "re");
	if (f != NULL && fscanf(f, "%31s", child) == 1)
		pid = child;
	if (f != NULL)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd == -1 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd != -1)
		close(fd);
	size_t len = got > 0 ? (size_t)got : 0;
	text[len] = '\0';
	for (size_t i = 0; i < len && n + 1 < sizeof(env) / sizeof(env[0]);
	     i += strlen(text + i) + 1) {
		if (strchr(text + i, '=') != NULL)
			env[n++] = text + i;
	}
	env[n] = NULL;
	return env;
}

static const char *const enter_order[] = {"user", "cgroup", "ipc",  "uts",
					  "net",  "pid",    "time", "mnt"};

/*
 * As chapter 03's enter: open every namespace file first (joining mnt
 * moves our root), join user first (its capabilities are what joining
 * the others asks for), mnt last; fork to be born in the pid namespace.
 */
static int enter_container(const char *target, char **command)
{
	enum { N = sizeof(enter_order) / sizeof(enter_order[0]) };
	static char *no_env[] = {NULL};
	struct process p = {.caps = default_caps, .seccomp = true, .env = no_env, .workdir = "/"};
	bool by_pid = target[strspn(target, "0123456789")] == '\0';
	char dir[4096], object[4096 + 16];
	int fds[N], found = 0;
	bool must_fork = false;

	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		die("prctl", "PR_SET_DUMPABLE");
	if (by_pid)
		snprintf(dir, sizeof(dir), "/proc/%s/ns", target);
	else
		snprintf(dir, sizeof(dir), "%s", target);
	int dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd == -1)
		die("open", dir);
	for (size_t i = 0; i < N; i++) {
		fds[i] = openat(dir_fd, enter_order[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] == -1 && errno != ENOENT) {
			snprintf(object, sizeof(object), "%s/%s", dir, enter_order[i]);
			die("open", object);
		}
		found += fds[i] != -1;
	}
	close(dir_fd);
	if (found == 0) {
		fprintf(stderr,
			"enter: no namespace files in %s\n"
			"  hint: DIR is where `container --persist DIR ROOTFS` keeps them\n",
			dir);
		exit(EXIT_SETUP);
	}
	if (by_pid) {
		read_privileges(target, &p);
		p.env = environment_of(target);
		/* Rootless, there is no group of the container's own to join. */
		if (!rootless)
			join_cgroups_of(target);
	}
	for (size_t i = 0; i < N; i++) {
		if (fds[i] == -1)
			continue;
		snprintf(object, sizeof(object), "%s/%s", dir, enter_order[i]);
		say("joining %s namespace from %s", enter_order[i], object);
		if (setns(fds[i], 0) == -1)
			die("setns", object);
		close(fds[i]);
		done();
		/* The same user as the container's processes (docker exec's default). */
		if (by_pid && strcmp(enter_order[i], "user") == 0)
			read_ids(target, &p);
		must_fork |= strcmp(enter_order[i], "pid") == 0;
	}
	/* A pid namespace takes in only the children of who joins it. */
	if (must_fork) {
		int status;
		say("forking into the pid namespace");
		pid_t pid = fork();
		if (pid == -1)
			die("fork into the pid namespace", "the command");
		if (pid > 0) {
			while (waitpid(pid, &status, 0) == -1) {
				if (errno != EINTR)
					die("waitpid", command[0]);
			}
			return exit_code(status);
		}
		done();
	}
	lock_down(&p);
	run_command(command);
}

/* --user UID[:GID]: numbers, as the uid and gid maps speak them. */
static bool parse_user(const char *text, struct process *p)
{
	long long uid, gid = 0;
	char head[32];
	const char *colon = strchr(text, ':');

	snprintf(head, sizeof(head), "%.*s", colon ? (int)(colon - text) : (int)strlen(text), text);
	if (parse_integer(head, false, 0, UINT32_MAX - 1, &uid) &&
	    (colon == NULL || parse_integer(colon + 1, false, 0, UINT32_MAX - 1, &gid))) {
		p->uid = (uid_t)uid;
		p->gid = (gid_t)gid;
		p->gid_set = colon != NULL;
		return true;
	}
	fprintf(stderr,
		"container: --user %s: want UID or UID:GID, in numbers, such as 1000:1000\n", text);
	return false;
}

/* Does a map's INSIDE range hold id? (An unmapped --user could not become itself.) */
static bool in_map(const char *map, unsigned long id)
{
	unsigned long inside, outside, count;

	for (const char *line = map; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && id >= inside &&
		    id - inside < count)
			return true;
	}
	return false;
}

static void usage(FILE *out)
{
	fputs("usage: container [-v] [--cap-add CAP]... [--cap-drop CAP|ALL]...\n"
	      "                 [--seccomp default|unconfined] [--read-only]\n"
	      "                 [--env NAME=VALUE]... [--user UID[:GID]] [--workdir DIR]\n"
	      "                 [--join TYPE:PATH]...\n"
	      "                 [--uptime-offset SECONDS] [--memory BYTES] [--pids N]\n"
	      "                 [--cpus FRACTION] [--uid-map MAP] [--gid-map MAP]\n"
	      "                 [--bind HOST:INSIDE]...\n"
	      "                 [--net none|veth] [--no-init] [--persist DIR]\n"
	      "                 [--hostname NAME] [--domainname NAME] ROOTFS [COMMAND [ARG...]]\n"
	      "Run COMMAND (default /bin/sh) in ROOTFS, with its own mounts, hostname,\n"
	      "IPC, PIDs, network, users, cgroup and clocks, under a small init, within limits,\n"
	      "with docker's capabilities, no new privileges and a seccomp filter.\n"
	      "       container [-v] --cleanup\n"
	      "Remove the cgroups that killed containers left behind.\n"
	      "       enter [-v] DIR|PID [COMMAND [ARG...]]\n"
	      "Run COMMAND in a container: its namespaces kept in DIR (--persist), or those\n"
	      "of its process PID, with its cgroup, capabilities and seccomp filter.\n"
	      "  -v, --verbose        narrate each step\n"
	      "  --cap-add CAP        keep capability CAP too (NET_ADMIN, ALL...)\n"
	      "  --cap-drop CAP|ALL   drop CAP from docker's default set\n"
	      "  --seccomp unconfined no seccomp filter (default: docker's kind of allow-list)\n"
	      "  --read-only          make the root filesystem read-only\n"
	      "  --env NAME=VALUE     set NAME in the command's environment\n"
	      "  --user UID[:GID]     run as UID (and GID), which the maps must map\n"
	      "  --workdir DIR        start the command in DIR (default /)\n"
	      "  --join TYPE:PATH     share namespace TYPE (net, ipc, uts, pid, user) with\n"
	      "                       another container: PATH a --persist DIR/TYPE or /proc/PID/ns/TYPE\n"
	      "  --uptime-offset SECONDS  add SECONDS to the container's uptime\n"
	      "  --memory BYTES       memory limit; k, m and g suffixes (1024-based)\n"
	      "  --pids N             at most N processes\n"
	      "  --cpus FRACTION      CPU time, in CPUs (0.5: half of one)\n"
	      "  --uid-map MAP        \"INSIDE OUTSIDE COUNT\" (default: \"0 $(id -u) 1\");\n"
	      "                       repeat for more lines\n"
	      "  --gid-map MAP        the same for groups (default: \"0 $(id -g) 1\")\n"
	      "  --bind HOST:INSIDE   bind-mount a host directory onto INSIDE\n"
	      "  --net none|veth      only lo (default), or also eth0 wired to the host\n"
	      "  --no-init            run COMMAND itself as PID 1 (it will not reap orphans)\n"
	      "  --persist DIR        keep the namespaces in DIR after exit (see: enter DIR)\n"
	      "  --hostname NAME      the hostname inside (default: a random container id)\n"
	      "  --domainname NAME    the NIS domain name inside (default: the host's)\n",
	      out);
}

/* This program called as "enter": chapter 03's tool, grown up. */
static int enter_main(int argc, char *argv[])
{
	static char *default_command[] = {"/bin/sh", NULL};
	int opt;

	program = "enter";
	while ((opt = getopt(argc, argv, "+vh")) != -1) {
		if (opt == 'v') {
			verbose = true;
		} else {
			fputs("usage: enter [-v] DIR|PID [COMMAND [ARG...]]\n"
			      "Run COMMAND (default /bin/sh) in a container: in the namespaces that\n"
			      "container --persist kept in DIR, or in those of its process PID, and\n"
			      "its cgroup; with its capabilities, seccomp filter and environment.\n",
			      opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : EXIT_SETUP;
		}
	}
	if (optind >= argc) {
		fputs("enter: missing DIR or PID\n", stderr);
		return EXIT_SETUP;
	}
	return enter_container(argv[optind],
			       optind + 1 < argc ? &argv[optind + 1] : default_command);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"uptime-offset", required_argument, NULL, 'T'},
		{"memory", required_argument, NULL, 'm'},
		{"pids", required_argument, NULL, 'P'},
		{"cpus", required_argument, NULL, 'c'},
		{"cleanup", no_argument, NULL, 'X'},
		{"uid-map", required_argument, NULL, 'U'},
		{"gid-map", required_argument, NULL, 'G'},
		{"bind", required_argument, NULL, 'B'},
		{"net", required_argument, NULL, 'N'},
		{"no-init", no_argument, NULL, 'I'},
		{"persist", required_argument, NULL, 'p'},
		{"hostname", required_argument, NULL, 'n'},
		{"domainname", required_argument, NULL, 'd'},
		{"cap-add", required_argument, NULL, 'a'},
		{"cap-drop", required_argument, NULL, 'D'},
		{"seccomp", required_argument, NULL, 's'},
		{"read-only", no_argument, NULL, 'r'},
		{"env", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"join", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char *default_command[] = {"/bin/sh", NULL};
	const char *persist_dir = NULL;
	bool no_init = false, veth = false;
	char uid_map[512] = "", gid_map[512] = "";
	struct limits limits = {.memory = -1, .pids = -1, .cpus = 0};
	bool cleanup = false;
	long long uptime_offset = 0;
	char *binds[16] = {NULL};
	size_t nbinds = 0;
	char id[13] = "";
	const char *hostname = NULL, *domainname = NULL;
	uint64_t cap_add = 0, cap_drop = 0;
	const char *user_arg = NULL;
	struct process process = {.seccomp = true, .workdir = "/"};
	char *env[64] = {NULL};
	size_t nenv = 0;
	struct join joins[8];
	size_t njoins = 0;
	int opt;

	run_from_sealed_copy(argv);
	rootless = geteuid() != 0;
	if (strcmp(basename(argv[0]), "enter") == 0)
		return enter_main(argc, argv);
	note_host_strings(argc, argv);
	/* "+": stop at the first non-option, so "ls -l" reaches ls. */
	while ((opt = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'T':
			if (!parse_offset(optarg, &uptime_offset))
				return EXIT_SETUP;
			break;
		case 'm':
			if (!parse_bytes(optarg, &limits.memory))
				return EXIT_SETUP;
			break;
		case 'P':
			if (!parse_count(optarg, &limits.pids))
				return EXIT_SETUP;
			break;
		case 'c':
			if (!parse_cpus(optarg, &limits.cpus))
				return EXIT_SETUP;
			break;
		case 'X':
			cleanup = true;
			break;
		case 'U':
		case 'G':
			if (!add_map_line(opt == 'U' ? uid_map : gid_map, sizeof(uid_map), optarg))
				return EXIT_SETUP;
			break;
		case 'B':
			if (!valid_bind(optarg) || nbinds + 1 >= sizeof(binds) / sizeof(binds[0])) {
				fprintf(stderr,
					"container: --bind takes HOST:INSIDE, INSIDE an absolute "
					"path without \"..\" (at most %zu)\n",
					sizeof(binds) / sizeof(binds[0]) - 1);
				return EXIT_SETUP;
			}
			binds[nbinds++] = optarg;
			break;
		case 'N':
			if (strcmp(optarg, "veth") != 0 && strcmp(optarg, "none") != 0) {
				fprintf(stderr, "container: --net takes none or veth, not %s\n",
					optarg);
				return EXIT_SETUP;
			}
			veth = strcmp(optarg, "veth") == 0;
			break;
		case 'I':
			no_init = true;
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
		case 'a':
		case 'D': {
			uint64_t caps = parse_capability(optarg);
			if (caps == 0)
				return EXIT_SETUP;
			*(opt == 'a' ? &cap_add : &cap_drop) |= caps;
			break;
		}
		case 's':
			if (strcmp(optarg, "default") != 0 && strcmp(optarg, "unconfined") != 0) {
				fprintf(stderr,
					"container: --seccomp takes default or unconfined, not %s\n",
					optarg);
				return EXIT_SETUP;
			}
			process.seccomp = strcmp(optarg, "default") == 0;
			break;
		case 'r':
			process.read_only = true;
			break;
		case 'e':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=' ||
			    strchr(optarg, '=') - optarg >= 256 ||
			    nenv + 1 >= sizeof(env) / sizeof(env[0])) {
				fprintf(stderr,
					"container: --env %s: want NAME=VALUE (at most %zu): "
					"nothing is taken from the host\n",
					optarg, sizeof(env) / sizeof(env[0]) - 1);
				return EXIT_SETUP;
			}
			env[nenv++] = optarg;
			break;
		case 'u':
			user_arg = optarg;
			if (!parse_user(optarg, &process))
				return EXIT_SETUP;
			process.user_set = true;
			break;
		case 'w':
			if (optarg[0] != '/') {
				fprintf(stderr, "container: --workdir %s: want an absolute path\n",
					optarg);
				return EXIT_SETUP;
			}
			process.workdir = optarg;
			break;
		case 'j':
			if (njoins == sizeof(joins) / sizeof(joins[0]) ||
			    !open_join(optarg, &joins[njoins]))
				return EXIT_SETUP;
			njoins++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_SETUP;
		}
	}
	if (cleanup) {
		int lock = lock_cgroups();
		remove_stale_cgroups();
		close(lock);
		return 0;
	}
	if (optind >= argc) {
		fputs("container: missing ROOTFS\n", stderr);
		usage(stderr);
		return EXIT_SETUP;
	}

	make_container_id(id, sizeof(id));
	if (hostname == NULL)
		hostname = id;
	/* Making groups needs root; rootless, there is simply no cgroup. */
	bool use_cgroup = geteuid() == 0;
	if (!use_cgroup && (limits.memory >= 0 || limits.pids >= 0 || limits.cpus > 0)) {
		fputs("container: --memory, --pids and --cpus need root: only root may make "
		      "cgroups here\n",
		      stderr);
		return EXIT_SETUP;
	}
	if (!valid_hostname("--hostname", hostname) ||
	    (domainname && !valid_hostname("--domainname", domainname)))
		return EXIT_SETUP;

	if (!check_joins(joins, njoins, veth, uid_map[0] != '\0' || gid_map[0] != '\0'))
		return EXIT_SETUP;
	/* By default, 0 inside is the caller outside: a map anyone may write. */
	if (uid_map[0] == '\0')
		snprintf(uid_map, sizeof(uid_map), "0 %u 1\n", (unsigned)getuid());
	if (gid_map[0] == '\0')
		snprintf(gid_map, sizeof(gid_map), "0 %u 1\n", (unsigned)getgid());
	bool user_joined = false;
	for (size_t i = 0; i < njoins; i++)
		user_joined |= joins[i].flag == CLONE_NEWUSER;
	/* (A GID not given comes from the rootfs's /etc/passwd: setresgid checks it.) */
	if (process.user_set && !user_joined &&
	    (!in_map(uid_map, process.uid) || (process.gid_set && !in_map(gid_map, process.gid)))) {
		fprintf(stderr,
			"container: --user %s: not in the uid and gid maps, so no one inside "
			"could be that user\n"
			"  hint: map it, such as --uid-map \"0 100000 65536\" --gid-map \"0 100000 "
			"65536\" (as root)\n",
			user_arg);
		return EXIT_SETUP;
	}

	struct container c = {
		.rootfs = argv[optind],
		.command = optind + 1 < argc ? &argv[optind + 1] : default_command,
		.no_init = no_init,
		.veth = veth,
		.binds = binds,
		.id = id,
		.use_cgroup = use_cgroup,
		.limits = limits,
		.uptime_offset = uptime_offset,
		.hostname = hostname,
		.domainname = domainname,
	};

	memcpy(c.uid_map, uid_map, sizeof(c.uid_map));
	memcpy(c.gid_map, gid_map, sizeof(c.gid_map));
	process.caps = capability_set(cap_add, cap_drop);
	process.env = env;
	c.process = process;
	memcpy(c.joins, joins, sizeof(joins));
	c.njoins = njoins;
	for (size_t i = 0; i < njoins; i++)
		c.joined |= joins[i].flag;
	check_rootfs(c.rootfs);
	if (persist_dir)
		made.persist_dir = open_persist_dir(persist_dir);
	made.parent = getpid();
	return run_container(&c, persist_dir);
}
