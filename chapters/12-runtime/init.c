/*
 * init.c: the container's side, from clone(2) to execve(2), in runc's
 * order (standard_init_linux.go): wait for the host's go-ahead (the id
 * maps and the cgroup come first), become root of the user namespace,
 * the cgroup and time namespaces, the hostname, the filesystem (the
 * create hooks run before its pivot_root), the sysctls, the limits, the
 * user and capabilities, the environment and working directory -- then,
 * non-dumpable, report "ready", wait on exec.fifo until `start`, load the
 * seccomp filter, run the startContainer hooks, and become the process.
 *
 * Nothing here exits on an error: the error object goes up the sync
 * channel to `create`, which prints it once and undoes what it made.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The time namespace's offsets can be written only before any process
 * is in it (time_namespaces(7)): unshare makes it for our children, we
 * write the offsets, then enter it ourselves with setns(2), so that the
 * process execve starts sees the offsets too.
 */
static int enter_time_namespace(const struct spec *spec, struct error *e)
{
	char offsets[128];

	if (unshare(CLONE_NEWTIME) == -1)
		return fail(e, errno, "unshare", "CLONE_NEWTIME");
	snprintf(offsets, sizeof(offsets), "monotonic %lld %u\nboottime %lld %u\n",
		 (long long)spec->monotonic_secs, spec->monotonic_nanosecs,
		 (long long)spec->boottime_secs, spec->boottime_nanosecs);
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "/proc/self/timens_offsets");
	if (write(fd, offsets, strlen(offsets)) != (ssize_t)strlen(offsets)) {
		int err = errno;
		close(fd);
		return fail(e, err, "write", "timens_offsets");
	}
	close(fd);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "/proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) == -1) {
		int err = errno;
		close(fd);
		return fail(e, err, "setns", "/proc/self/ns/time_for_children");
	}
	close(fd);
	return 0;
}

/* linux.sysctl: "net.ipv4.ip_forward" is /proc/sys/net/ipv4/ip_forward (spec.c checked the names). */
static int write_sysctls(const struct spec *spec, struct error *e)
{
	for (size_t i = 0; i < spec->nsysctl; i++) {
		char path[4096];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", spec->sysctl[i].key);
		for (char *p = path + 10; n > 0 && *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		const char *value = spec->sysctl[i].value;
		if (fd == -1 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
			int err = errno;
			if (fd != -1)
				close(fd);
			return fail(e, err, "write", "sysctl %s", spec->sysctl[i].key);
		}
		close(fd);
	}
	return 0;
}

/*
 * A new network namespace has one interface, lo, and it is down: bring
 * it up, as runc does, so that 127.0.0.1 works. Anything more -- a veth,
 * an address, routes -- is the engine's: podman (netavark or CNI) makes
 * and configures a namespace before create and names it by path in
 * linux.namespaces, which dcrun joins and leaves as it is.
 */
static int bring_up_loopback(struct error *e)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd == -1 || ioctl(fd, SIOCGIFFLAGS, &ifr) == -1) {
		int err = errno;
		if (fd != -1)
			close(fd);
		return fail(e, err, "SIOCGIFFLAGS", "lo");
	}
	ifr.ifr_flags |= IFF_UP;
	int rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	int err = errno;
	close(fd);
	return rc == -1 ? fail(e, err, "SIOCSIFFLAGS", "lo up") : 0;
}

/*
 * process.args[0], looked up now -- in the container's root, with its
 * PATH, as its user -- so that a missing program fails `create`, which
 * can still say so, rather than the process after `start` (runc's
 * LookPath does the same).
 */
static int find_program(const char *name, struct error *e)
{
	const char *path = getenv("PATH");
	char candidate[4096];

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0 ? 0 : fail(e, errno, "exec", "\"%s\"", name);
	for (const char *dir = path ? path : "/usr/bin:/bin"; *dir != '\0';) {
		size_t len = strcspn(dir, ":");
		snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)len, len ? dir : ".", name);
		if (access(candidate, X_OK) == 0)
			return 0;
		dir += len + (dir[len] == ':');
	}
	return fail(e, ENOENT, "exec", "\"%s\" (not found in the container's PATH)", name);
}

/*
 * process.terminal, where runc makes it: after the mounts (its devpts is
 * the container's), before the read-only paths and root (/dev/console is
 * bound in /dev) and before process.user (who gets to own it). The
 * master goes up at once on a socket of its own, a->console (as runc's
 * console socket), and we keep only the slave, on 0, 1 and 2.
 */
static int open_terminal(struct init_args *a, struct error *e)
{
	int master;

	if (tty_open_in_container(a->spec, &master, e) == -1)
		return -1;
	int rc = spec_has_namespace(a->spec, CLONE_NEWNS, false) ? tty_mount_console(e) : 0;
	if (rc == 0)
		rc = tty_send_fd(a->console, master, e);
	close(master);
	close(a->console);
	return rc;
}

/*
 * The create hooks' moment, as runc's prepareRootfs: our namespaces and
 * mounts are made, and "/" is still the host's. We say so ("k"); the host
 * runs prestart and createRuntime in its own namespaces, and answers
 * with the state they read -- "creating", then "created", two JSON texts
 * in one message -- since only the host knows our pid as the host sees
 * it, which the state gives. createContainer runs here, in our
 * namespaces, the rootfs our working directory, as runc's init does.
 */
static int hooks_before_pivot(struct init_args *a, struct error *e)
{
	const struct spec *spec = a->spec;

	if (write(a->sync, "k", 1) != 1)
		return fail(e, errno, "write", "the hooks' word to the host");
	/* The answer's length first: MSG_TRUNC makes recv(2) say a datagram's whole length. */
	ssize_t len = recv(a->sync, NULL, 0, MSG_PEEK | MSG_TRUNC);
	/* EOF: the host died, or a hook failed and it kills us. */
	if (len <= 0 || (a->hook_state = calloc(1, (size_t)len + 2)) == NULL ||
	    recv(a->sync, a->hook_state, (size_t)len, 0) != len)
		_exit(1);
	a->created_state = a->hook_state + strlen(a->hook_state) + 1;
	return hooks_run(spec->hooks[HOOK_CREATE_CONTAINER], spec->nhooks[HOOK_CREATE_CONTAINER],
			 "createContainer", a->hook_state, e);
}

int init_environment(const struct spec *spec, struct error *e)
{
	if (clearenv() != 0)
		return fail(e, ENOMEM, "clearenv", "the environment");
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++) {
		if (putenv(spec->env[i]) != 0)
			return fail(e, errno, "putenv", "%s", spec->env[i]);
	}
	return 0;
}

/* The steps up to "ready": -1 and *e on the first failure. */
static int set_up(struct init_args *a, struct error *e)
{
	const struct spec *spec = a->spec;
	char go;

	/* The host writes our maps and joins our cgroup first. EOF: it died. */
	if (read(a->sync, &go, 1) != 1)
		_exit(1);
	if (spec_has_namespace(spec, CLONE_NEWUSER, false) &&
	    (setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1))
		return fail(e, errno, "setresuid", "0 (is 0 in the uid and gid maps?)");
	/*
	 * Changing uid made us non-dumpable, and our /proc/self files then
	 * belong to the host's root: out of reach for the steps below.
	 * Dumpable until set-up is done (see its end).
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_DUMPABLE 1");
	if (security_apparmor(spec, e) == -1)
		return -1;
	/* After the host put us in our group: its root is then ours. */
	if (spec_has_namespace(spec, CLONE_NEWCGROUP, true) && unshare(CLONE_NEWCGROUP) == -1)
		return fail(e, errno, "unshare", "CLONE_NEWCGROUP");
	/*
	 * Entered, offsets or none (zero): after unshare alone only our
	 * children would be in it, and until execve our /proc/PID/ns/time --
	 * what exec joins -- would still be the host's.
	 */
	if (spec_has_namespace(spec, CLONE_NEWTIME, true) && enter_time_namespace(spec, e) == -1)
		return -1;
	if (spec_has_namespace(spec, CLONE_NEWNET, true) && bring_up_loopback(e) == -1)
		return -1;
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) == -1)
		return fail(e, errno, "sethostname", "%s", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) == -1)
		return fail(e, errno, "setdomainname", "%s", spec->domainname);
	if (spec_has_namespace(spec, CLONE_NEWNS, false) &&
	    rootfs_prepare(spec, a->o->bundle, a->o->rootless, e) == -1)
		return -1;
	if (hooks_before_pivot(a, e) == -1 ||
	    (spec_has_namespace(spec, CLONE_NEWNS, false) && rootfs_pivot(spec, e) == -1))
		return -1;
	if (spec->terminal && open_terminal(a, e) == -1)
		return -1;
	if (write_sysctls(spec, e) == -1 ||
	    (spec_has_namespace(spec, CLONE_NEWNS, false) && rootfs_finish(spec, e) == -1) ||
	    security_limits(spec, e) == -1)
		return -1;
	/*
	 * Without no_new_privs, the kernel lets only a holder of
	 * CAP_SYS_ADMIN load a filter: load it now, before the capabilities
	 * go (runc does the same), and live with it for the last steps.
	 */
	if (!spec->no_new_privileges && a->seccomp != NULL) {
		if (security_seccomp_load(a->seccomp, e) == -1)
			return -1;
		security_seccomp_free(a->seccomp);
		a->seccomp = NULL;
	}
	struct error warning = {0};
	if (security_user_and_capabilities(spec, &warning, e) == -1)
		return -1;
	/* What could not be granted: create logs it, the spec's warning. */
	if (warning.object[0] != '\0' && process_warn(a->sync, &warning) == -1)
		return fail(e, errno, "write", "a warning to dcrun create");
	if (chdir(spec->cwd) == -1)
		return fail(e, errno, "chdir", "process.cwd %s", spec->cwd);
	if (init_environment(spec, e) == -1)
		return -1;
	/* Kept: 0-2, --preserve-fds' after them (runc's LISTEN_FDS), and until
	 * execve (close-on-exec) the sync channel and exec.fifo. */
	if (find_program(spec->args[0], e) == -1 ||
	    security_close_descriptors(3 + a->o->preserve_fds, (const int[]){a->sync, a->fifo_fd},
				       2, e) == -1)
		return -1;
	/*
	 * Non-dumpable from here to execve, as runc's init (CVE-2016-9962):
	 * while we wait for `start`, unfiltered, a container that joins our
	 * PID namespace has a root of our uid and capabilities, which could
	 * otherwise write our /proc/PID/mem and run its code as us. A
	 * thread group still reaches its own /proc/self/fd. The command, a
	 * new program, is dumpable again after execve(2).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_DUMPABLE 0");
	return 0;
}

/*
 * A failure after start released us: the error goes to start, which reads
 * exec.fifo to its end (process_start), after the byte; the program never
 * runs, and the container is stopped. Without the fifo, to stderr.
 */
static _Noreturn void fail_start(int fifo, const struct error *e)
{
	if (fifo == -1 || write(fifo, e, sizeof(*e)) != sizeof(*e))
		error_print(e, stderr);
	_exit(1);
}

int init_main(void *arg)
{
	struct init_args *a = arg;
	struct error e = {0};
	char path[64];
	sigset_t none;

	/* `run` blocks the signals it passes on; a blocked set survives execve. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		_exit(1);
	/*
	 * clone copied create's descriptors: the lock on ROOT/ID (held while
	 * we hold it: a `delete` would wait for us) and its end of the
	 * channel (while we hold it, its death never reads as EOF). Close
	 * them, then say so: create names us in the state only after.
	 */
	close(a->host_sync);
	close(a->o->lock_fd);
	if (write(a->sync, "h", 1) != 1)
		_exit(1);

	if (set_up(a, &e) == -1) {
		if (write(a->sync, &e, sizeof(e)) != sizeof(e))
			_exit(2);
		_exit(1);
	}
	/* Ready: an empty report. Then wait for `start` on exec.fifo. */
	if (write(a->sync, &e, sizeof(e)) != sizeof(e))
		_exit(1);
	close(a->sync);
	int fifo = -1;
	/* TODO 12: Wait here until `dcrun start`. exec.fifo is a FIFO, and
	 * opening one for writing blocks until someone opens it to read:
	 * open it for writing through /proc/self/fd/<a->fifo_fd> (we hold it
	 * O_PATH, which cannot write) into `fifo`, write one byte, and leave
	 * it open: close-on-exec closes it at execve, and start, which reads
	 * to EOF, returns once the program runs. set_up made this process
	 * non-dumpable just before: what does PR_SET_DUMPABLE do, and why
	 * must init be non-dumpable while it waits here? Why a FIFO, and not
	 * a signal?
	 * man 7 fifo, man 2 open, man 2 prctl, man 2 ptrace ("Ptrace access
	 * mode checking")
	 */
	(void)path;
	close(a->fifo_fd);
	/* Last, as runc: the filter would refuse what the steps above needed. */
	if (security_seccomp_load(a->seccomp, &e) == -1)
		fail_start(fifo, &e);
	/* startContainer: in the container, as its process will be, before the program (runc's order). */
	if (hooks_run(a->spec->hooks[HOOK_START_CONTAINER], a->spec->nhooks[HOOK_START_CONTAINER],
		      "startContainer", a->created_state, &e) == -1)
		fail_start(fifo, &e);
	execvp(a->spec->args[0], a->spec->args);
	/* Gone since create checked it: start says so (else our stderr), as fail_start. */
	int err = errno;
	fail(&e, err, "exec", "\"%s\"", a->spec->args[0]);
	if (fifo == -1 || write(fifo, &e, sizeof(e)) != sizeof(e))
		error_print(&e, stderr);
	_exit(err == ENOENT ? 127 : 126);
}
