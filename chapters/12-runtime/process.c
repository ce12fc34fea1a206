/*
 * process.c: the host's side of starting a container (runc's
 * process_linux.go). Clone the first process into its new namespaces
 * (a short-lived joiner first, for those config.json names by path),
 * write its id maps, put it in its cgroup, then let it go and wait for
 * its report: "ready", once it has built its world and waits on
 * exec.fifo, or the error that stopped it.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The namespaces clone(2) can make: not time (its flag is part of clone's exit signal). */
static int clone_flags(const struct spec *spec)
{
	int flags = 0;

	for (size_t i = 0; i < spec->nnamespaces; i++) {
		int type = spec->namespaces[i].type;
		/* cgroup and time: init unshares them itself, at the right moment. */
		if (spec->namespaces[i].path == NULL && type != CLONE_NEWTIME &&
		    type != CLONE_NEWCGROUP)
			flags |= type;
	}
	return flags;
}

/*
 * clone(2) makes new namespaces but joins none; setns(2) joins, for its
 * caller only. So, as chapter 11's --join, a helper process joins the
 * ones named by path -- the others first, while it has the host's
 * privileges, the user namespace last -- then clones the container with
 * CLONE_PARENT, making it our child, and exits.
 */
static pid_t clone_into(const struct spec *spec, int flags, struct init_args *args, struct error *e)
{
	static char stack[1024 * 1024] __attribute__((aligned(16)));
	char *top = stack + sizeof(stack);
	bool joins = false;
	int channel[2], status;
	pid_t pid = -1;

	for (size_t i = 0; i < spec->nnamespaces; i++)
		joins |= spec->namespaces[i].path != NULL;
	if (!joins) {
		pid = clone(init_main, top, flags | SIGCHLD, args);
		return pid == -1 ? fail(e, errno, "clone", "the container's namespaces") : pid;
	}
	if (pipe2(channel, O_CLOEXEC) == -1)
		return fail(e, errno, "pipe2", "the joiner");
	pid_t parent = getpid();
	pid_t helper = fork();
	if (helper == -1)
		return fail(e, errno, "fork", "the joiner");
	if (helper == 0) {
		struct error mine = {0};
		/* Of no use once create is gone (killed, say): go with it, and its lock. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(1);
		for (int user = 0; user <= 1 && mine.call[0] == '\0'; user++) {
			for (size_t i = 0; i < spec->nnamespaces; i++) {
				const struct spec_namespace *ns = &spec->namespaces[i];
				if (ns->path == NULL || (ns->type == CLONE_NEWUSER) != user)
					continue;
				int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
				if (fd == -1 || setns(fd, ns->type) == -1) {
					fail(&mine, errno, fd == -1 ? "open" : "setns", "%s",
					     ns->path);
					break;
				}
				close(fd);
			}
		}
		if (mine.call[0] == '\0') {
			pid = clone(init_main, top, flags | CLONE_PARENT | SIGCHLD, args);
			if (pid == -1)
				fail(&mine, errno, "clone", "the container's namespaces");
		}
		if (write(channel[1], &pid, sizeof(pid)) != sizeof(pid) ||
		    write(channel[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(1);
		_exit(0);
	}
	close(channel[1]);
	if (read(channel[0], &pid, sizeof(pid)) != sizeof(pid) ||
	    read(channel[0], e, sizeof(*e)) != sizeof(*e)) {
		pid = -1;
		fail(e, EPIPE, "read", "the joiner's report");
	}
	close(channel[0]);
	while (waitpid(helper, &status, 0) == -1 && errno == EINTR)
		;
	return pid;
}

/* /proc/PID/uid_map and friends: written from outside, by us (user_namespaces(7)). */
static int write_proc(pid_t pid, const char *name, const char *text, struct error *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "%s", path);
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	if (n != (ssize_t)strlen(text))
		return fail_hint(e, geteuid() != 0 ? HINT_ROOTLESS_MAPS : HINT_NONE, err, "write",
				 "%s \"%.*s\"", name, (int)strcspn(text, "\n"), text);
	return 0;
}

static int write_map(pid_t pid, const char *name, const struct spec_id_map *map, size_t n,
		     struct error *e)
{
	char text[4096] = "";
	size_t used = 0;

	for (size_t i = 0; i < n && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%u %u %u\n",
					 map[i].container_id, map[i].host_id, map[i].size);
	return write_proc(pid, name, text, e);
}

/*
 * Without privilege, gid_map may be written only after setgroups is
 * denied: else a process could drop a group that was there to deny it
 * access. Root need not, and leaves additionalGids possible.
 */
static int write_id_maps(const struct spec *spec, pid_t pid, struct error *e)
{
	if (write_map(pid, "uid_map", spec->uid_mappings, spec->nuid_mappings, e) == -1)
		return -1;
	if (geteuid() != 0 && write_proc(pid, "setgroups", "deny", e) == -1)
		return -1;
	return write_map(pid, "gid_map", spec->gid_mappings, spec->ngid_mappings, e);
}

/*
 * process.terminal: init sent the pty's master on the terminal's own
 * channel (open_terminal in init.c). It goes on to --console-socket, and
 * our copy is closed: whoever holds the master is the terminal. Or, for
 * `run` in the foreground, to the caller, who relays it (tty_relay).
 */
static int hand_on_terminal(int channel, const struct create_options *o, struct error *e)
{
	int master;

	if (tty_recv_fd(channel, &master, e) == -1)
		return -1;
	if (o->console_socket == NULL && o->terminal != NULL) {
		*o->terminal = master;
		return 0;
	}
	int rc = o->console_socket ? tty_send_to_console_socket(o->console_socket, master, e) : 0;
	close(master);
	return rc;
}

/*
 * The sync channel, one SOCK_SEQPACKET socketpair: each write is one
 * message, read whole, and EOF means the other side is gone.
 *   init -> host  "h"      it closed its copies of our lock and our end
 *   host -> init  "g"      its id maps and cgroup are made: go on
 *   init -> host  "k"      its namespaces and mounts are made, pivot_root
 *                          next: run the create hooks (or, if its set-up
 *                          failed before, its report, a struct error)
 *   host -> init  states   after prestart and createRuntime: the state
 *                          JSON "creating", a NUL, the state "created"
 *                          (for its createContainer and startContainer)
 *   init -> host  warnings "w" and a struct error, each (process_warn)
 *   init -> host  report   a struct error: empty when it is ready
 * A failure on our side: we kill it (SIGKILL) instead of answering.
 */

int process_warn(int channel, const struct error *warning)
{
	char message[1 + sizeof(*warning)] = "w";

	memcpy(message + 1, warning, sizeof(*warning));
	/* write(2), as init's other messages: a filter may refuse sendto. One write is one message. */
	return write(channel, message, sizeof(message)) == (ssize_t)sizeof(message) ? 0 : -1;
}

ssize_t process_report(int channel, struct error *report, void (*warn)(const struct error *))
{
	char message[1 + sizeof(*report)];

	for (;;) {
		ssize_t n = recv(channel, message, sizeof(message), 0);
		if (n != (ssize_t)sizeof(message) || message[0] != 'w') {
			if (n > 0)
				memcpy(report, message,
				       (size_t)n < sizeof(*report) ? (size_t)n : sizeof(*report));
			return n;
		}
		if (warn != NULL) {
			struct error warning;
			memcpy(&warning, message + 1, sizeof(warning));
			warn(&warning);
		}
	}
}

/*
 * The create hooks' moment (runc's procHooks): prestart (deprecated),
 * then createRuntime, here in the runtime's namespaces, with the state
 * "creating" and the container's pid as the host sees it.
 */
static int create_hooks(const struct spec *spec, const struct create_options *o, int sync,
			struct error *e)
{
	struct error report;
	ssize_t n = recv(sync, &report, sizeof(report), 0);

	if (n == sizeof(report)) {
		*e = report;
		return -1;
	}
	if (n != 1)
		return fail(e, n == -1 ? errno : EPIPE, "read",
			    "the container's word before pivot_root (did it die?)");
	/* The answer: "creating" for createContainer, a NUL, "created" for startContainer. */
	o->state->status = STATUS_CREATED;
	char *created = state_json(o->state), *both = NULL;
	o->state->status = STATUS_CREATING;
	char *creating = state_json(o->state);
	int len = created && creating ? asprintf(&both, "%s%c%s", creating, '\0', created) : -1;
	int rc = len == -1 ? fail(e, ENOMEM, "asprintf", "the hooks' state") : 0;
	if (len == -1)
		both = NULL;
	if (rc == 0 &&
	    (hooks_run(spec->hooks[HOOK_PRESTART], spec->nhooks[HOOK_PRESTART], "prestart",
		       creating, e) == -1 ||
	     hooks_run(spec->hooks[HOOK_CREATE_RUNTIME], spec->nhooks[HOOK_CREATE_RUNTIME],
		       "createRuntime", creating, e) == -1))
		rc = -1;
	/* With its last NUL. One datagram: whole, or refused (EMSGSIZE, for a huge state). */
	if (rc == 0 && send(sync, both, (size_t)len + 1, MSG_NOSIGNAL) != len + 1)
		rc = fail(e, errno, "send", "the state to the container's init");
	free(both);
	free(created);
	free(creating);
	return rc;
}

pid_t process_create(const struct spec *spec, const struct create_options *o,
		     const struct cgroup *cg, struct error *e)
{
	int sync[2], console[2] = {-1, -1};
	char go = 'g';
	struct init_args args = {.spec = spec, .o = o, .fifo_fd = o->fifo_fd};

	/*
	 * On the host, before clone: the compiled filter's cache is the
	 * host's, under --root (after pivot_root the path would name a file
	 * in the container's rootfs). The child gets its own copy.
	 */
	if (security_seccomp_prepare(spec, o->root, &args.seccomp, e) == -1)
		return -1;
	/* Datagrams: the report arrives whole, or EOF says the child died. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) == -1) {
		security_seccomp_free(args.seccomp);
		return fail(e, errno, "socketpair", "the sync channel");
	}
	/* process.terminal: the master comes up on a channel of its own, as runc's console socket. */
	if (spec->terminal &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console) == -1) {
		int err = errno;
		security_seccomp_free(args.seccomp);
		close(sync[0]);
		close(sync[1]);
		return fail(e, err, "socketpair", "the terminal's channel");
	}
	args.sync = sync[1];
	args.host_sync = sync[0];
	args.console = console[1];
	pid_t pid = clone_into(spec, clone_flags(spec), &args, e);
	security_seccomp_free(args.seccomp);
	close(sync[1]);
	if (console[1] != -1)
		close(console[1]);
	if (pid == -1) {
		close(sync[0]);
		if (console[0] != -1)
			close(console[0]);
		return -1;
	}
	/*
	 * Its first word: it has closed its copies of our lock and of our end
	 * of the channel (init_main). Only then may the state name it: from
	 * here on, if we die, it reads EOF, and `delete --force` neither
	 * waits for a lock it holds nor misses it.
	 */
	char here;
	if (read(sync[0], &here, 1) != 1) {
		fail(e, EPIPE, "read", "the container's first word (did it die?)");
		goto failed;
	}
	if ((o->cloned != NULL && o->cloned(pid, o->cloned_arg, e) == -1) ||
	    (spec_has_namespace(spec, CLONE_NEWUSER, true) && write_id_maps(spec, pid, e) == -1) ||
	    (cg != NULL && cgroup_enter(cg, spec, pid, e) == -1) ||
	    (write(sync[0], &go, 1) != 1 && fail(e, errno, "write", "the go-ahead") == -1) ||
	    create_hooks(spec, o, sync[0], e) == -1)
		goto failed;

	/* Its report: an empty error when it is ready, else the one that stopped it. */
	struct error report;
	ssize_t n = process_report(sync[0], &report, o->warn);
	if (n != sizeof(report)) {
		fail(e, n == -1 ? errno : EPIPE, "read", "the container's report (did it die?)");
		goto failed;
	}
	if (report.call[0] != '\0' || report.object[0] != '\0') {
		*e = report;
		goto failed;
	}
	if (spec->terminal && hand_on_terminal(console[0], o, e) == -1)
		goto failed;
	close(sync[0]);
	if (console[0] != -1)
		close(console[0]);
	return pid;
failed:
	close(sync[0]);
	if (console[0] != -1)
		close(console[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/*
 * After the byte, read on until init's end of exec.fifo closes: at its
 * execve (close-on-exec), or when it exits after writing the error that
 * stopped it (a startContainer hook's, say). runc's start reads to EOF
 * the same way, so it returns once the program runs.
 */
static int await_exec(int fd, struct error *e)
{
	struct error report;
	char buf[sizeof(report)];
	size_t got = 0;

	for (;;) {
		struct pollfd wait = {.fd = fd, .events = POLLIN};
		if (poll(&wait, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return fail(e, errno, "poll", "exec.fifo");
		}
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		size_t take = (size_t)n < sizeof(report) - got ? (size_t)n : sizeof(report) - got;
		memcpy((char *)&report + got, buf, take);
		got += take;
	}
	if (got != sizeof(report))
		return 0;
	*e = report;
	return -1;
}

/*
 * start: open exec.fifo for reading. init is blocked opening it for
 * writing (a FIFO's open waits for the other end); the two opens meet,
 * init writes one byte and goes on to its startContainer hooks and
 * execve. Unlinked after, so that a second start finds no fifo: the
 * container has started.
 */
int process_start(const char *fifo_path, pid_t pid, unsigned long long start_time, struct error *e)
{
	int fd = -1;

	/* TODO 12: Release the init that waits in init_main. Open fifo_path
	 * for reading into fd -- O_NONBLOCK: a plain open would wait for
	 * ever for an init that died before it opened its end -- then wait
	 * with poll(2), a tenth of a second at a time, for the one byte it
	 * writes (POLLIN: read it), its hang-up without a byte (POLLHUP), or
	 * its death, told by its start time (process_start_time in state.c)
	 * no longer being start_time: both fail() with EPIPE. Leave fd open:
	 * after the step, start reads on to init's execve, then unlinks the
	 * fifo (with no fifo, state.c counts the container as running, and
	 * a second start finds nothing to release). Errors go through
	 * fail(), never exit.
	 * man 7 fifo, man 7 pipe ("I/O on pipes and FIFOs"), man 2 poll
	 */
	(void)fifo_path, (void)pid, (void)start_time, (void)e;
	if (fd == -1)
		return 0;
	int rc = await_exec(fd, e);
	close(fd);
	/* init wrote why its program could not run, and is exiting: return
	 * once it has, so that start's caller finds the container stopped. */
	if (rc == -1)
		process_wait_gone(pid, start_time);
	if (unlink(fifo_path) == -1 && rc == 0)
		return fail(e, errno, "unlink", "%s", fifo_path);
	return rc;
}
