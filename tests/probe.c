/*
 * probe: report what a process can see of its environment, for the tests.
 *
 * The tests copy this static binary into a test rootfs as /bin/probe, run it
 * inside a container and parse its stdout.  Each chapter adds one kind of
 * isolation; the probe shows which facts it changed.
 *
 * Output contract (tests rely on it):
 *   - One fact per line, `key=value`, in the fixed order below.
 *   - A value never contains a newline: the lines of a multi-line source are
 *     joined with `,` and runs of spaces or tabs become one space.  A newline
 *     inside a path or hostname is printed as the two characters `\n`.
 *   - If a fact is unavailable (e.g. /proc is not mounted, as in chapters 01
 *     and 02) the probe prints `key=?` and on the next line
 *     `key.error=<strerror text>`, and still exits 0.  "No such file or
 *     directory" means the /proc file is missing; "No data available" means
 *     it was read but the fact is not in it (root_mount: our root is not a
 *     mount point, as after a chroot into a plain directory with /proc
 *     mounted inside).
 *
 * Keys, in order:
 *   pid ppid uid gid euid egid  getpid(2), getuid(2), ...
 *   groups                      getgroups(2), comma-joined
 *   uid_map gid_map setgroups   /proc/self/..., e.g. uid_map=0 0 4294967295
 *   hostname domainname         uname(2) nodename and domainname
 *   cwd                         raw getcwd syscall; "(unreachable)/..." when
 *                               the cwd is outside our root
 *   root_inode                  stat("/") as major:minor:inode
 *   root_mount                  mountinfo entry of the mount that is our root
 *                               (mount point "/"): FSTYPE SOURCE, then its
 *                               propagation fields (shared:N master:N ...)
 *                               or `private`, e.g. `ext4 /dev/vda private`
 *   mounts                      number of lines of /proc/self/mountinfo
 *   mount_points                mountinfo field 5, comma-joined, in file order
 *   ifaces                      /proc/net/dev names with up/down from
 *                               SIOCGIFFLAGS, e.g. ifaces=lo:up,eth0:down
 *   addrs                       IPv4 addresses from getifaddrs(3),
 *                               e.g. addrs=lo=127.0.0.1/8,eth0=10.0.0.2/24
 *   ns.cgroup ns.ipc ns.mnt ns.net ns.pid ns.pid_for_children ns.time
 *   ns.time_for_children ns.user ns.uts
 *                               inode number of each /proc/self/ns link
 *   cgroup                      /proc/self/cgroup lines, comma-joined
 *   cap_inh cap_prm cap_eff cap_bnd cap_amb
 *                               CapInh... of /proc/self/status, 16 hex digits
 *   seccomp                     Seccomp of /proc/self/status (0, 1 or 2)
 *   no_new_privs                prctl(PR_GET_NO_NEW_PRIVS): 0 or 1
 *   uptime                      first field of /proc/uptime
 *   boottime                    clock_gettime(CLOCK_BOOTTIME), whole seconds
 *   realtime                    time(2)
 *   pids                        numeric entries of /proc, sorted numerically
 *   dev                         entries of /dev, sorted by name (bytewise),
 *                               comma-joined: `NAME=c MAJ:MIN MODE` for a
 *                               character device (MODE: permission bits in
 *                               octal), `NAME=b MAJ:MIN MODE` for a block
 *                               device, `NAME->TARGET` for a symlink, and
 *                               `NAME=d`, `NAME=f`, `NAME=p`, `NAME=s` for a
 *                               directory, file, fifo or socket, e.g.
 *                               dev=fd->/proc/self/fd,null=c 1:3 0666,pts=d
 *   ipc_msg ipc_shm ipc_sem     keys of the System V message queues, shared
 *                               memory segments and semaphore sets of our IPC
 *                               namespace (/proc/sysvipc/msg, shm, sem), as
 *                               ipcs(1) prints them (0x%08x), in file order
 *   mqueues                     names of the POSIX message queues in
 *                               /dev/mqueue, sorted; "No such file or
 *                               directory" when no mqueue filesystem is
 *                               mounted there
 *   fds                         the probe's open descriptors, from
 *                               /proc/self/fd, sorted numerically (not the
 *                               one it reads them through), e.g. fds=0,1,2
 *   rlimit_nofile               RLIMIT_NOFILE, "SOFT HARD" (getrlimit(2)),
 *                               "unlimited" for RLIM_INFINITY
 *
 * Usage: probe [--mount-proc] [KEY...]
 * `probe` prints every key.  `probe KEY...` prints those keys in the order
 * given.  An unknown key prints `probe: unknown key: X` on stderr and exits 2
 * before any output.  `probe -h` prints usage.  If stdout cannot be written
 * the probe exits 1.  `--mount-proc` first mounts a procfs on /proc, for the
 * chapters whose container does not, and does nothing where /proc is already
 * mounted (a failure is reported on stderr and the
 * /proc facts print `?`).  Use it only inside a container's own mount
 * namespace: in chapter 01 the new mount would show up on the host.
 *
 * Three more modes make the attempts chapter 11's tests need, each a real
 * system call whose answer is printed, never a guess:
 *
 *   probe --try CALL...   make each call (below) and print `try.CALL=ok`
 *                         or `try.CALL=<strerror text>`, in the order
 *                         given; an unknown CALL exits 2 before any call.
 *                         The calls are made by the probe itself, one
 *                         after another: one that succeeds changes what
 *                         the next one sees (after unshare_user the probe
 *                         is in a new user namespace).
 *     mount        mount(2) a tmpfs on /tmp          umount   umount2(2) /tmp
 *     unshare_user unshare(CLONE_NEWUSER)            unshare_mnt unshare(CLONE_NEWNS)
 *     clone_newuser clone(2) with CLONE_NEWUSER (the child exits at once)
 *     clone3       clone3(2) with no arguments: EINVAL from the kernel, or
 *                  whatever a filter answers first
 *     keyctl       keyctl(2) KEYCTL_GET_KEYRING_ID of the session keyring
 *     add_key      add_key(2) a "user" key to the process keyring
 *     bpf          bpf(2) BPF_MAP_CREATE, all zero
 *     init_module  init_module(2) of nothing   finit_module  of descriptor -1
 *     setns        setns(2) into our own network namespace
 *     pivot_root   pivot_root(2) of /tmp onto itself
 *     kexec_load   kexec_load(2) of nothing
 *     open_by_handle_at  open_by_handle_at(2), the "shocker" escape's call
 *     swapon       swapon(2) of a file that is not there
 *     mknod_block  mknod(2) a block device (8:0, sda) at /tmp/dc-block
 *     ptrace_self  a child that asks PTRACE_TRACEME, and its parent's answer
 *     int80        getpid through i386's `int $0x80` (x86-64 only): a filter
 *                  that knows only x86-64 kills the probe (SIGSYS) instead
 *
 *   probe --reach PID     try what a debugger of PID could do, as
 *                         ptrace(2)'s access check ("ptrace access mode")
 *                         allows or not, and print reach.WHAT=ok or the
 *                         error: exe cwd root (opening /proc/PID/exe, cwd
 *                         and root with O_PATH), fd (opening each
 *                         /proc/PID/fd/N: "ok" if any opened, "none" if
 *                         there is none), environ (reading it), mem
 *                         (opening it, the attach-level check).
 *
 *   probe --steal-exe PID DIR
 *                         CVE-2019-5736's attack: open /proc/PID/exe with
 *                         O_PATH and print steal.open=ok or the error. On
 *                         success it forks and returns, and the child
 *                         keeps the descriptor: it makes the fifos DIR/go
 *                         and DIR/result, waits for a line on DIR/go, then
 *                         tries to open /proc/self/fd/N for writing (again
 *                         and again while the file is busy, ETXTBSY, for up
 *                         to 10 s), writes "dc-overwritten" over its first
 *                         bytes if it can, and writes steal.write=ok or the
 *                         error to DIR/result.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* One fact's value; if it would not fit, the fact reports EOVERFLOW. */
struct value {
	char text[65536];
	size_t len;
	int overflow;
};

__attribute__((format(printf, 2, 3))) static void add(struct value *v, const char *fmt, ...)
{
	size_t room = sizeof v->text - v->len;
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(v->text + v->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		v->overflow = 1;
		v->text[v->len] = '\0';
		return;
	}
	v->len += (size_t)n;
}

/* Items of a list are separated by commas. */
static void add_comma(struct value *v)
{
	if (v->len > 0)
		add(v, ",");
}

/* Append the words of S separated by single spaces. */
static void add_words(struct value *v, char *s)
{
	char *save = NULL;
	const char *sep = "";

	for (char *w = strtok_r(s, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		add(v, "%s%s", sep, w);
		sep = " ";
	}
}

/* The text of the file a fact reads; bigger files report EOVERFLOW. */
static char input[1 << 20];

/* Read all of PATH into input[], NUL-terminated; returns 0 or an errno. */
static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, input + len, sizeof input - 1 - len)) > 0)
		len += (size_t)n;
	int err = n < 0 ? errno : 0;
	close(fd);
	input[len] = '\0';
	if (err == 0 && len == sizeof input - 1)
		err = EOVERFLOW;
	return err;
}

/* The fields of a mountinfo line; *dash is the index of the "-" separator. */
static int mountinfo_fields(char *line, char **field, int max, int *dash)
{
	char *save = NULL;
	int n = 0;

	*dash = -1;
	for (char *f = strtok_r(line, " ", &save); f != NULL && n < max;
	     f = strtok_r(NULL, " ", &save)) {
		if (n >= 6 && *dash < 0 && strcmp(f, "-") == 0)
			*dash = n;
		field[n++] = f;
	}
	return n;
}

/* pid ... egid: these calls cannot fail (getpid(2), getuid(2)). */
static int fact_pid(struct value *v)
{
	add(v, "%d", (int)getpid());
	return 0;
}
static int fact_ppid(struct value *v)
{
	add(v, "%d", (int)getppid());
	return 0;
}
static int fact_uid(struct value *v)
{
	add(v, "%u", (unsigned)getuid());
	return 0;
}
static int fact_gid(struct value *v)
{
	add(v, "%u", (unsigned)getgid());
	return 0;
}
static int fact_euid(struct value *v)
{
	add(v, "%u", (unsigned)geteuid());
	return 0;
}
static int fact_egid(struct value *v)
{
	add(v, "%u", (unsigned)getegid());
	return 0;
}

/* Supplementary groups, as mapped into our user namespace (getgroups(2)). */
static int fact_groups(struct value *v)
{
	static gid_t list[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, list);
	if (n < 0)
		return errno;
	for (int i = 0; i < n; i++) {
		add_comma(v);
		add(v, "%u", (unsigned)list[i]);
	}
	return 0;
}

/* Every line of a small /proc file, words collapsed, lines comma-joined. */
static int join_lines(struct value *v, const char *path)
{
	int err = slurp(path);
	char *rest = input, *line;
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL) {
		if (line[strspn(line, " \t")] == '\0')
			continue;
		add_comma(v);
		add_words(v, line);
	}
	return err;
}

/* User namespace maps and setgroups policy (user_namespaces(7)). */
static int fact_uid_map(struct value *v)
{
	return join_lines(v, "/proc/self/uid_map");
}
static int fact_gid_map(struct value *v)
{
	return join_lines(v, "/proc/self/gid_map");
}
static int fact_setgroups(struct value *v)
{
	return join_lines(v, "/proc/self/setgroups");
}

/* The names that a UTS namespace makes private (uname(2)). */
static int fact_hostname(struct value *v)
{
	struct utsname u;
	if (uname(&u) < 0)
		return errno;
	add(v, "%s", u.nodename);
	return 0;
}

static int fact_domainname(struct value *v)
{
	struct utsname u;
	if (uname(&u) < 0)
		return errno;
	add(v, "%s", u.domainname);
	return 0;
}

/* The raw getcwd syscall: glibc's getcwd(3) turns "(unreachable)" into ENOENT. */
static int fact_cwd(struct value *v)
{
	char buf[PATH_MAX + 1];
	long n = syscall(SYS_getcwd, buf, sizeof buf - 1);
	if (n < 0)
		return errno;
	buf[n] = '\0'; /* the kernel's n includes its NUL; ours is a guard */
	add(v, "%s", buf);
	return 0;
}

/* Device and inode of "/" tell two roots apart (stat(2)). */
static int fact_root_inode(struct value *v)
{
	struct stat st;
	if (stat("/", &st) < 0)
		return errno;
	add(v, "%u:%u:%llu", major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino);
	return 0;
}

/*
 * The mount that is our root and its propagation type (proc(5) mountinfo,
 * mount_namespaces(7)).  It is found by mount id (statx(2) STATX_MNT_ID),
 * because a mount stacked on "/" also shows "/" as its mount point but does
 * not become anyone's root until they chroot or pivot_root into it.
 */
static int fact_root_mount(struct value *v)
{
	struct statx stx;
	if (statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &stx) < 0)
		return errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return EOPNOTSUPP; /* Linux older than 5.8 */
	int err = slurp("/proc/self/mountinfo");
	char *rest = input, *line, *field[32];
	int dash;
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL) {
		int n = mountinfo_fields(line, field, 32, &dash);
		if (dash < 0 || dash + 2 >= n || strtoull(field[0], NULL, 10) != stx.stx_mnt_id)
			continue;
		add(v, "%s %s", field[dash + 1], field[dash + 2]);
		for (int i = 6; i < dash; i++)
			add(v, " %s", field[i]);
		if (dash == 6)
			add(v, " private");
		return 0;
	}
	if (err == 0)
		err = ENODATA; /* our root is not a mount point: chroot */
	return err;
}

/* How many mounts our mount namespace shows below our root (proc(5) mountinfo). */
static int fact_mounts(struct value *v)
{
	int err = slurp("/proc/self/mountinfo");
	char *rest = input, *line;
	long count = 0;
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL)
		if (*line != '\0')
			count++;
	add(v, "%ld", count);
	return err;
}

/* Where those mounts are, as seen from our root (proc(5) mountinfo). */
static int fact_mount_points(struct value *v)
{
	int err = slurp("/proc/self/mountinfo");
	char *rest = input, *line, *field[5];
	int dash;
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL) {
		if (mountinfo_fields(line, field, 5, &dash) < 5)
			continue;
		add_comma(v);
		add(v, "%s", field[4]);
	}
	return err;
}

/* Interfaces of our network namespace and whether they are up (netdevice(7)). */
static int fact_ifaces(struct value *v)
{
	int err = slurp("/proc/net/dev");
	if (err != 0)
		return err;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return errno;
	char *rest = input, *line;
	while ((line = strsep(&rest, "\n")) != NULL) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue; /* the two header lines and the last, empty one */
		*colon = '\0';
		const char *name = line + strspn(line, " ");
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		/* the kernel keeps device names shorter than IFNAMSIZ */
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
		if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
			err = errno;
			break;
		}
		add_comma(v);
		add(v, "%s:%s", name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	}
	close(sock);
	return err;
}

/* IPv4 addresses of our network namespace (getifaddrs(3), which asks netlink). */
static int fact_addrs(struct value *v)
{
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return errno;
	for (const struct ifaddrs *a = list; a != NULL; a = a->ifa_next) {
		struct sockaddr_in addr, mask = {.sin_addr.s_addr = INADDR_BROADCAST};
		char text[INET_ADDRSTRLEN];
		if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
			continue;
		memcpy(&addr, a->ifa_addr, sizeof addr);
		if (a->ifa_netmask != NULL)
			memcpy(&mask, a->ifa_netmask, sizeof mask);
		if (inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text) == NULL)
			continue;
		int prefix = 0; /* a netmask shifted left is empty after prefix steps */
		for (uint32_t m = ntohl(mask.sin_addr.s_addr); m != 0; m <<= 1)
			prefix++;
		add_comma(v);
		add(v, "%s=%s/%d", a->ifa_name, text, prefix);
	}
	freeifaddrs(list);
	return 0;
}

/* A namespace is known by the inode of its /proc/self/ns link (namespaces(7)). */
static int ns_inode(struct value *v, const char *name)
{
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/self/ns/%s", name);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return errno;
	link[n] = '\0'; /* e.g. "mnt:[4026531841]" */
	char *start = strchr(link, '['), *end = strchr(link, ']');
	if (start == NULL || end == NULL || end < start)
		return EPROTO;
	*end = '\0';
	add(v, "%s", start + 1);
	return 0;
}

static int fact_ns_cgroup(struct value *v)
{
	return ns_inode(v, "cgroup");
}
static int fact_ns_ipc(struct value *v)
{
	return ns_inode(v, "ipc");
}
static int fact_ns_mnt(struct value *v)
{
	return ns_inode(v, "mnt");
}
static int fact_ns_net(struct value *v)
{
	return ns_inode(v, "net");
}
static int fact_ns_pid(struct value *v)
{
	return ns_inode(v, "pid");
}
static int fact_ns_pid_for_children(struct value *v)
{
	return ns_inode(v, "pid_for_children");
}
static int fact_ns_time(struct value *v)
{
	return ns_inode(v, "time");
}
static int fact_ns_time_for_children(struct value *v)
{
	return ns_inode(v, "time_for_children");
}
static int fact_ns_user(struct value *v)
{
	return ns_inode(v, "user");
}
static int fact_ns_uts(struct value *v)
{
	return ns_inode(v, "uts");
}

/* Which cgroup we are in, one line per hierarchy (cgroups(7)). */
static int fact_cgroup(struct value *v)
{
	return join_lines(v, "/proc/self/cgroup");
}

/* The value of one "Name:\tvalue" line of /proc/self/status (proc(5)). */
static int status_field(struct value *v, const char *name)
{
	int err = slurp("/proc/self/status");
	char *rest = input, *line;
	size_t len = strlen(name);
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			add_words(v, line + len + 1);
			return 0;
		}
	}
	if (err == 0)
		err = ENODATA;
	return err;
}

/* Capability sets (capabilities(7)) and the seccomp mode (seccomp(2)). */
static int fact_cap_inh(struct value *v)
{
	return status_field(v, "CapInh");
}
static int fact_cap_prm(struct value *v)
{
	return status_field(v, "CapPrm");
}
static int fact_cap_eff(struct value *v)
{
	return status_field(v, "CapEff");
}
static int fact_cap_bnd(struct value *v)
{
	return status_field(v, "CapBnd");
}
static int fact_cap_amb(struct value *v)
{
	return status_field(v, "CapAmb");
}
static int fact_seccomp(struct value *v)
{
	return status_field(v, "Seccomp");
}

/* Whether execve(2) can still gain privileges (prctl(2) PR_GET_NO_NEW_PRIVS). */
static int fact_no_new_privs(struct value *v)
{
	int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (r < 0)
		return errno;
	add(v, "%d", r);
	return 0;
}

/* Uptime as /proc shows it; a time namespace offsets it (time_namespaces(7)). */
static int fact_uptime(struct value *v)
{
	int err = slurp("/proc/uptime");
	if (err != 0)
		return err;
	input[strcspn(input, " \n")] = '\0';
	add(v, "%s", input);
	return input[0] != '\0' ? 0 : ENODATA;
}

/* CLOCK_BOOTTIME, which a time namespace can offset (clock_gettime(2)). */
static int fact_boottime(struct value *v)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return errno;
	add(v, "%lld", (long long)ts.tv_sec);
	return 0;
}

/* The wall clock, which no namespace changes (time(2)). */
static int fact_realtime(struct value *v)
{
	time_t now = time(NULL);
	if (now == (time_t)-1)
		return errno;
	add(v, "%lld", (long long)now);
	return 0;
}

static int is_pid(const struct dirent *e)
{
	return e->d_name[0] != '\0' && e->d_name[strspn(e->d_name, "0123456789")] == '\0';
}

static int by_number(const struct dirent **a, const struct dirent **b)
{
	long x = atol((*a)->d_name), y = atol((*b)->d_name);
	return (x > y) - (x < y);
}

/* The processes that the pid namespace of our /proc shows (proc(5)). */
static int fact_pids(struct value *v)
{
	struct statfs fs;
	struct dirent **list;
	if (statfs("/proc", &fs) < 0)
		return errno;
	if (fs.f_type != PROC_SUPER_MAGIC)
		return ENOENT; /* a plain directory: procfs is not mounted */
	int n = scandir("/proc", &list, is_pid, by_number);
	if (n < 0)
		return errno;
	for (int i = 0; i < n; i++) {
		add_comma(v);
		add(v, "%s", list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return 0;
}

/* The device nodes, links and mount points in /dev (stat(2), makedev(3)). */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_entry(const struct dirent *e)
{
	return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

static int fact_dev(struct value *v)
{
	struct dirent **list;
	int n = scandir("/dev", &list, is_entry, by_name);
	if (n < 0)
		return errno;
	int err = 0;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof path, "/dev/%s", list[i]->d_name);
		if (err == 0 && lstat(path, &st) < 0)
			err = errno;
		if (err == 0) {
			add_comma(v);
			add(v, "%s", list[i]->d_name);
			if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
				add(v, "=%c %u:%u %04o", S_ISCHR(st.st_mode) ? 'c' : 'b',
				    major(st.st_rdev), minor(st.st_rdev),
				    (unsigned)(st.st_mode & 07777));
			} else if (S_ISLNK(st.st_mode)) {
				char target[PATH_MAX];
				ssize_t len = readlink(path, target, sizeof target - 1);
				if (len < 0)
					err = errno;
				else
					add(v, "->%.*s", (int)len, target);
			} else {
				add(v, "=%c",
				    S_ISDIR(st.st_mode)    ? 'd'
				    : S_ISREG(st.st_mode)  ? 'f'
				    : S_ISFIFO(st.st_mode) ? 'p'
							   : 's');
			}
		}
		free(list[i]);
	}
	free(list);
	return err;
}

/* The first column of a /proc/sysvipc table: each object's key (sysvipc(7)). */
static int sysv_keys(struct value *v, const char *path)
{
	int err = slurp(path);
	char *rest = input, *line;
	while (err == 0 && (line = strsep(&rest, "\n")) != NULL) {
		char *end;
		long key = strtol(line, &end, 10);
		if (end == line)
			continue; /* the header, "key msqid perms ...", and the last, empty line */
		add_comma(v);
		add(v, "0x%08x", (unsigned)key);
	}
	return err;
}

static int fact_ipc_msg(struct value *v)
{
	return sysv_keys(v, "/proc/sysvipc/msg");
}
static int fact_ipc_shm(struct value *v)
{
	return sysv_keys(v, "/proc/sysvipc/shm");
}
static int fact_ipc_sem(struct value *v)
{
	return sysv_keys(v, "/proc/sysvipc/sem");
}

/* POSIX message queues are files in an mqueue filesystem (mq_overview(7)). */
#define MQUEUE_MAGIC 0x19800202 /* linux/magic.h leaves it out */

static int fact_mqueues(struct value *v)
{
	struct statfs fs;
	struct dirent **list;
	if (statfs("/dev/mqueue", &fs) < 0)
		return errno;
	if (fs.f_type != MQUEUE_MAGIC)
		return ENOENT; /* a plain directory: no mqueue mounted */
	int n = scandir("/dev/mqueue", &list, is_entry, by_name);
	if (n < 0)
		return errno;
	for (int i = 0; i < n; i++) {
		add_comma(v);
		add(v, "%s", list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return 0;
}

/* Our open descriptors (proc(5) /proc/self/fd), without the directory's own. */
static int fact_fds(struct value *v)
{
	struct dirent **list;
	int n = scandir("/proc/self/fd", &list, is_pid, by_number);
	if (n < 0)
		return errno;
	/* scandir has closed its descriptor: any number left is one of ours... */
	for (int i = 0; i < n; i++) {
		char path[300];
		/* ...but the directory's was open while it read: it is gone now. */
		snprintf(path, sizeof path, "/proc/self/fd/%s", list[i]->d_name);
		if (access(path, F_OK) == 0 || errno != ENOENT) {
			add_comma(v);
			add(v, "%s", list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	return 0;
}

/* The open-files limit (getrlimit(2)): chapter 11 sets it. */
static void add_limit(struct value *v, rlim_t limit)
{
	if (limit == RLIM_INFINITY)
		add(v, "unlimited");
	else
		add(v, "%llu", (unsigned long long)limit);
}

static int fact_rlimit_nofile(struct value *v)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		return errno;
	add_limit(v, lim.rlim_cur);
	add(v, " ");
	add_limit(v, lim.rlim_max);
	return 0;
}

/* The output contract: every key in order, and the function that reads it. */
static const struct fact {
	const char *key;
	int (*read)(struct value *v);
} facts[] = {
	{"pid", fact_pid},
	{"ppid", fact_ppid},
	{"uid", fact_uid},
	{"gid", fact_gid},
	{"euid", fact_euid},
	{"egid", fact_egid},
	{"groups", fact_groups},
	{"uid_map", fact_uid_map},
	{"gid_map", fact_gid_map},
	{"setgroups", fact_setgroups},
	{"hostname", fact_hostname},
	{"domainname", fact_domainname},
	{"cwd", fact_cwd},
	{"root_inode", fact_root_inode},
	{"root_mount", fact_root_mount},
	{"mounts", fact_mounts},
	{"mount_points", fact_mount_points},
	{"ifaces", fact_ifaces},
	{"addrs", fact_addrs},
	{"ns.cgroup", fact_ns_cgroup},
	{"ns.ipc", fact_ns_ipc},
	{"ns.mnt", fact_ns_mnt},
	{"ns.net", fact_ns_net},
	{"ns.pid", fact_ns_pid},
	{"ns.pid_for_children", fact_ns_pid_for_children},
	{"ns.time", fact_ns_time},
	{"ns.time_for_children", fact_ns_time_for_children},
	{"ns.user", fact_ns_user},
	{"ns.uts", fact_ns_uts},
	{"cgroup", fact_cgroup},
	{"cap_inh", fact_cap_inh},
	{"cap_prm", fact_cap_prm},
	{"cap_eff", fact_cap_eff},
	{"cap_bnd", fact_cap_bnd},
	{"cap_amb", fact_cap_amb},
	{"seccomp", fact_seccomp},
	{"no_new_privs", fact_no_new_privs},
	{"uptime", fact_uptime},
	{"boottime", fact_boottime},
	{"realtime", fact_realtime},
	{"pids", fact_pids},
	{"dev", fact_dev},
	{"ipc_msg", fact_ipc_msg},
	{"ipc_shm", fact_ipc_shm},
	{"ipc_sem", fact_ipc_sem},
	{"mqueues", fact_mqueues},
	{"fds", fact_fds},
	{"rlimit_nofile", fact_rlimit_nofile},
};

static const struct fact *find_fact(const char *key)
{
	for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
		if (strcmp(facts[i].key, key) == 0)
			return &facts[i];
	return NULL;
}

/* Print one fact as `key=value`, or as `key=?` and `key.error=...`. */
static void show(const struct fact *f)
{
	static struct value v;

	v.len = 0;
	v.text[0] = '\0';
	v.overflow = 0;
	int err = f->read(&v);
	if (err == 0 && v.overflow)
		err = EOVERFLOW;
	if (err != 0) {
		printf("%s=?\n%s.error=%s\n", f->key, f->key, strerror(err));
		return;
	}
	printf("%s=", f->key);
	for (const char *s = v.text; *s != '\0'; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
	putchar('\n');
}

/*
 * --mount-proc: give the probe a /proc of our pid namespace to read (proc(5)),
 * unless the container already mounted one (chapter 03 on).
 */
static void mount_proc(void)
{
	if (access("/proc/self/stat", R_OK) == 0)
		return;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fprintf(stderr, "probe: mount proc on /proc: %s\n", strerror(errno));
}

/* ---- Chapter 11's attempts: --try, --reach, --steal-exe ---------------------- */

/* An attempt's answer: 0 for success, else the errno it failed with. */
static int answer(long result)
{
	return result == -1 ? errno : 0;
}

static void print_answer(const char *key, int err)
{
	printf("%s=%s\n", key, err == 0 ? "ok" : strerror(err));
}

static int try_mount(void)
{
	return answer(mount("dc-probe", "/tmp", "tmpfs", 0, NULL));
}
static int try_umount(void)
{
	return answer(umount2("/tmp", MNT_DETACH));
}
static int try_unshare_user(void)
{
	return answer(unshare(CLONE_NEWUSER));
}
static int try_unshare_mnt(void)
{
	return answer(unshare(CLONE_NEWNS));
}

/* clone(2) itself, not glibc's wrapper: fork-like, the flags in the first register. */
static int try_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return answer(pid < 0 ? -1 : 0);
}

static int try_clone3(void)
{
	return answer(syscall(SYS_clone3, NULL, 0));
}
static int try_keyctl(void)
{
	return answer(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
}
static int try_add_key(void)
{
	return answer(syscall(SYS_add_key, "user", "dc-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}
static int try_bpf(void)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof attr);
	return answer(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
}
static int try_init_module(void)
{
	return answer(syscall(SYS_init_module, NULL, 0, ""));
}
static int try_finit_module(void)
{
	return answer(syscall(SYS_finit_module, -1, "", 0));
}
static int try_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = answer(setns(fd, CLONE_NEWNET));
	close(fd);
	return err;
}
static int try_pivot_root(void)
{
	return answer(syscall(SYS_pivot_root, "/tmp", "/tmp"));
}
static int try_kexec_load(void)
{
	return answer(syscall(SYS_kexec_load, 0, 0, NULL, 0));
}
static int try_open_by_handle_at(void)
{
	return answer(syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, O_RDONLY));
}
static int try_swapon(void)
{
	return answer(syscall(SYS_swapon, "/dc-probe-no-such-file", 0));
}
static int try_mknod_block(void)
{
	int err = answer(mknod("/tmp/dc-block", S_IFBLK | 0600, makedev(8, 0)));
	if (err == 0)
		unlink("/tmp/dc-block");
	return err;
}

/* PTRACE_TRACEME in a child: the child exits with the errno, the parent reports it. */
static int try_ptrace_self(void)
{
	int status;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1 ? errno : 0);
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* getpid is 20 in i386's table; x86-64 runs int $0x80 through that table. */
static int try_int80(void)
{
#if defined(__x86_64__)
	long result;
	__asm__ volatile("int $0x80" : "=a"(result) : "a"(20L) : "memory");
	return result < 0 ? (int)-result : 0;
#else
	return ENOSYS;
#endif
}

/* close_range(2) on a descriptor no one has open: 0 unless a filter (or an old kernel) refuses it. */
static int try_close_range(void)
{
	return close_range(1 << 20, 1 << 20, 0) == -1 ? errno : 0;
}

static const struct attempt {
	const char *name;
	int (*run)(void);
} attempts[] = {
	{"mount", try_mount},
	{"umount", try_umount},
	{"unshare_user", try_unshare_user},
	{"unshare_mnt", try_unshare_mnt},
	{"clone_newuser", try_clone_newuser},
	{"clone3", try_clone3},
	{"keyctl", try_keyctl},
	{"add_key", try_add_key},
	{"bpf", try_bpf},
	{"init_module", try_init_module},
	{"finit_module", try_finit_module},
	{"setns", try_setns},
	{"pivot_root", try_pivot_root},
	{"kexec_load", try_kexec_load},
	{"open_by_handle_at", try_open_by_handle_at},
	{"swapon", try_swapon},
	{"mknod_block", try_mknod_block},
	{"ptrace_self", try_ptrace_self},
	{"int80", try_int80},
	{"close_range", try_close_range},
};

static const struct attempt *find_attempt(const char *name)
{
	for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++)
		if (strcmp(attempts[i].name, name) == 0)
			return &attempts[i];
	return NULL;
}

static int try_calls(int n, char **names)
{
	const struct attempt *chosen[64];
	char key[64];

	if (n > 64) {
		fprintf(stderr, "probe: at most 64 calls\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		chosen[i] = find_attempt(names[i]);
		if (chosen[i] == NULL) {
			fprintf(stderr, "probe: unknown call: %s\n", names[i]);
			return 2;
		}
	}
	for (int i = 0; i < n; i++) {
		/* Printed before the next call: int80 may end the probe. */
		snprintf(key, sizeof key, "try.%s", chosen[i]->name);
		print_answer(key, chosen[i]->run());
		fflush(stdout);
	}
	return 0;
}

/* Open /proc/PID/WHAT with `flags`; 0 or the errno. */
static int open_proc(const char *pid, const char *what, int flags)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%s/%s", pid, what);
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Each /proc/PID/fd/N: "ok" if any one opens, else the first error, or "none". */
static void reach_fds(const char *pid)
{
	char path[128];
	struct dirent **list;
	int err = -1;

	snprintf(path, sizeof path, "/proc/%s/fd", pid);
	int n = scandir(path, &list, is_pid, by_number);
	if (n < 0) {
		print_answer("reach.fd", errno);
		return;
	}
	for (int i = 0; i < n; i++) {
		char fd[300];
		snprintf(fd, sizeof fd, "fd/%s", list[i]->d_name);
		int e = open_proc(pid, fd, O_PATH);
		if (err != 0)
			err = err == -1 || e == 0 ? e : err;
		free(list[i]);
	}
	free(list);
	if (err == -1)
		printf("reach.fd=none\n");
	else
		print_answer("reach.fd", err);
}

static int reach(const char *pid)
{
	print_answer("reach.exe", open_proc(pid, "exe", O_PATH));
	print_answer("reach.cwd", open_proc(pid, "cwd", O_PATH));
	print_answer("reach.root", open_proc(pid, "root", O_PATH));
	reach_fds(pid);
	char path[128], byte;
	snprintf(path, sizeof path, "/proc/%s/environ", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = fd < 0 ? errno : read(fd, &byte, 1) < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	print_answer("reach.environ", err);
	print_answer("reach.mem", open_proc(pid, "mem", O_RDONLY));
	return 0;
}

/* The child of --steal-exe: wait for the word, then write through the stolen descriptor. */
static _Noreturn void overwrite_later(int exe, const char *dir)
{
	char go[PATH_MAX], result[PATH_MAX], path[64], line[16];
	int err = ETIMEDOUT;

	snprintf(go, sizeof go, "%s/go", dir);
	snprintf(result, sizeof result, "%s/result", dir);
	snprintf(path, sizeof path, "/proc/self/fd/%d", exe);
	int in = open(go, O_RDONLY | O_CLOEXEC);
	if (in < 0 || read(in, line, sizeof line) < 0)
		err = errno;
	else
		for (int tries = 0; tries < 1000; tries++) {
			int fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				static const char mark[] = "dc-overwritten";
				err = pwrite(fd, mark, sizeof mark - 1, 0) < 0 ? errno : 0;
				close(fd);
				break;
			}
			err = errno;
			if (err != ETXTBSY)
				break;
			usleep(10000);
		}
	FILE *out = fopen(result, "we");
	if (out) {
		fprintf(out, "steal.write=%s\n", err == 0 ? "ok" : strerror(err));
		fclose(out);
	}
	_exit(0);
}

static int steal_exe(const char *pid, const char *dir)
{
	char path[128], go[PATH_MAX], result[PATH_MAX];

	snprintf(path, sizeof path, "/proc/%s/exe", pid);
	int exe = open(path, O_PATH | O_CLOEXEC);
	print_answer("steal.open", exe < 0 ? errno : 0);
	if (exe < 0)
		return 0;
	snprintf(go, sizeof go, "%s/go", dir);
	snprintf(result, sizeof result, "%s/result", dir);
	if (mkfifo(go, 0600) < 0 || mkfifo(result, 0600) < 0) {
		fprintf(stderr, "probe: mkfifo in %s: %s\n", dir, strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "probe: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		/* Hold no one's pipe open: only the fifos talk to us now. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		overwrite_later(exe, dir);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int first = 1; /* argv[first] is the first key */

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: probe [--mount-proc] [KEY...]\n"
		       "       probe --try CALL...  |  --reach PID  |  --steal-exe PID DIR\n"
		       "Print facts about this process's environment as key=value lines.\n"
		       "Keys:");
		for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
			printf(" %s", facts[i].key);
		printf("\n");
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc > 1 && strcmp(argv[1], "--try") == 0)
		return try_calls(argc - 2, argv + 2) || fflush(stdout) != 0;
	if (argc == 3 && strcmp(argv[1], "--reach") == 0)
		return reach(argv[2]) || fflush(stdout) != 0;
	if (argc == 4 && strcmp(argv[1], "--steal-exe") == 0)
		return steal_exe(argv[2], argv[3]) || fflush(stdout) != 0;
	if (argc > 1 && strcmp(argv[1], "--mount-proc") == 0)
		first = 2;
	for (int i = first; i < argc; i++) {
		if (find_fact(argv[i]) == NULL) {
			fprintf(stderr, "probe: unknown key: %s\n", argv[i]);
			return 2;
		}
	}
	if (first == 2)
		mount_proc();
	if (argc == first) {
		for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
			show(&facts[i]);
	}
	for (int i = first; i < argc; i++)
		show(find_fact(argv[i]));
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "probe: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
