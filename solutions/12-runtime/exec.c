/*
 * exec.c: `dcrun exec`, runc's way into a container that runs: one more
 * process, in every namespace and cgroup the container's first process
 * has, set up as config.json's process says (or --process FILE), running
 * a command of the caller's. runc's setnsProcess (process_linux.go) and
 * linuxSetnsInit (setns_init_linux.go) tell the same story; chapter 11's
 * `enter` told it first.
 *
 * Three processes take part:
 *   dcrun exec    on the host: checks, puts the joiner in the container's
 *                 cgroup, waits for the process's report, then (in the
 *                 foreground) passes signals on and exits with its status
 *   the joiner    forked, made non-dumpable, joins the namespaces with one
 *                 setns(2), clones the process and exits: a PID or time
 *                 namespace takes in only the children of whoever joins it
 *   the process   born inside, as dcrun exec's child (CLONE_PARENT): its
 *                 descriptors, user, capabilities, seccomp, cwd and
 *                 environment, then execve
 *
 * Every one of them is dcrun run from its sealed copy in memory: main()
 * calls run_from_sealed_copy before any command, and the joiner and the
 * process are forks of it that never exec dcrun again. So /proc/PID/exe
 * of the process, the one a container's root can see in its PID
 * namespace, is that sealed memfd, never the host's dcrun: an image whose
 * COMMAND is "#!/proc/self/exe" runs the copy, which cannot be written
 * (CVE-2019-5736), and the host's binary is out of reach.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the process needs: in the joiner's copy of our memory, which clone(2) copies again. */
struct exec_child {
	const struct spec *spec;
	struct seccomp_program *seccomp; /* compiled on the host, loaded last */
	int sync;                        /* its end of the report channel (close-on-exec) */
	int console;                     /* with a terminal: where the pty's master goes; else -1 */
	int joiner;                      /* the joiner's channel, which it must not keep */
	int preserve_fds;
};

/* --- the container, and the process it is asked for ------------------------------------- */

/*
 * ROOT/ID, locked: we hold the lock until the process runs its command,
 * so that no delete or pause comes in between. runc refuses a stopped or
 * a paused container ("cannot exec in a paused container"), and lets a
 * created one in: its init waits on exec.fifo, but its namespaces are
 * all made.
 */
static int open_container(const struct exec_options *o, struct state *st, struct cgroup *cg,
			  struct error *e)
{
	int lock = state_open(o->root, o->id, st, e);

	if (lock == -1)
		return -1;
	if (st->status != STATUS_CREATED && st->status != STATUS_RUNNING) {
		invalid(e, "cannot exec in a %s container", status_name(st->status));
		close(lock);
		state_free(st);
		return -1;
	}
	if (st->cgroup[0] != '\0') {
		cg->version = st->cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1;
		snprintf(cg->path, sizeof(cg->path), "%.4095s", st->cgroup + 2);
	}
	return lock;
}

/* An id as runc's --user and --additional-gids take it: a number, 0 to 2^32-2. */
static int id_of(const char *text, const char *flag, uint32_t *id, struct error *e)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || n > UINT32_MAX - 1)
		return invalid(e, "%s \"%s\": want a number from 0 to %u", flag, text,
			       UINT32_MAX - 1);
	*id = (uint32_t)n;
	return 0;
}

/* A NULL-terminated copy of list, after what *out already holds (NULL: nothing). */
static int append_strings(char ***out, char *const *list, struct error *e)
{
	size_t had = 0, more = 0;

	while (*out != NULL && (*out)[had] != NULL)
		had++;
	while (list != NULL && list[more] != NULL)
		more++;
	char **all = realloc(*out, (had + more + 1) * sizeof(*all));
	if (all == NULL)
		return fail(e, ENOMEM, "realloc", "the process's strings");
	*out = all;
	all[had] = NULL;
	for (size_t i = 0; i < more; i++) {
		if ((all[had + i] = strdup(list[i])) == NULL)
			return fail(e, ENOMEM, "strdup", "%s", list[i]);
		all[had + i + 1] = NULL;
	}
	return 0;
}

/*
 * Without --process: config.json's process with COMMAND for its args,
 * then the flags, as runc's getProcess: --env appended (a later NAME
 * wins, as putenv does), --cwd, --user, --additional-gids appended,
 * --cap added to the bounding, effective, permitted and ambient sets,
 * --no-new-privs. No terminal unless -t: config.json's is the first
 * process's.
 */
static int apply_flags(const struct exec_options *o, struct spec *spec, struct error *e)
{
	if (o->args == NULL || o->args[0] == NULL)
		return invalid(e, "exec: process args cannot be empty: give a COMMAND, or "
				  "--process FILE");
	if (o->args[0][0] == '\0')
		return invalid(e, "exec: COMMAND must not be empty");
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		const char *equals = strchr(o->env[i], '=');
		if (equals == NULL || equals == o->env[i])
			return invalid(e, "--env \"%s\": want NAME=VALUE", o->env[i]);
	}
	for (size_t i = 0; spec->args != NULL && spec->args[i] != NULL; i++)
		free(spec->args[i]);
	free(spec->args);
	spec->args = NULL;
	if (append_strings(&spec->args, o->args, e) == -1 ||
	    append_strings(&spec->env, o->env, e) == -1)
		return -1;
	if (o->cwd != NULL) {
		if (o->cwd[0] != '/')
			return invalid(e, "--cwd \"%s\": must be an absolute path", o->cwd);
		free(spec->cwd);
		if ((spec->cwd = strdup(o->cwd)) == NULL)
			return fail(e, ENOMEM, "strdup", "--cwd");
	}
	if (o->user != NULL) {
		char uid[32];
		const char *colon = strchr(o->user, ':');
		size_t length = colon ? (size_t)(colon - o->user) : strlen(o->user);

		/* Whole or refused: a number cut short would be another uid (0, even). */
		if (length >= sizeof(uid))
			return invalid(e, "--user \"%s\": the uid is too long", o->user);
		snprintf(uid, sizeof(uid), "%.*s", (int)length, o->user);
		if (id_of(uid, "--user", &spec->uid, e) == -1 ||
		    (colon != NULL && id_of(colon + 1, "--user", &spec->gid, e) == -1))
			return -1;
	}
	for (size_t i = 0; o->gids != NULL && o->gids[i] != NULL; i++) {
		uint32_t *gids = realloc(spec->additional_gids,
					 (spec->nadditional_gids + 1) * sizeof(*gids));
		if (gids == NULL)
			return fail(e, ENOMEM, "realloc", "--additional-gids");
		spec->additional_gids = gids;
		if (id_of(o->gids[i], "--additional-gids", &gids[spec->nadditional_gids], e) == -1)
			return -1;
		spec->nadditional_gids++;
	}
	for (size_t i = 0; o->caps != NULL && o->caps[i] != NULL; i++) {
		int cap = capability_number(o->caps[i]);
		if (cap == -1)
			return invalid(e, "--cap \"%s\": unknown capability (CAP_NET_ADMIN...)",
				       o->caps[i]);
		spec->caps[CAP_BOUNDING] |= 1ULL << cap;
		spec->caps[CAP_EFFECTIVE] |= 1ULL << cap;
		spec->caps[CAP_PERMITTED] |= 1ULL << cap;
		spec->caps[CAP_AMBIENT] |= 1ULL << cap;
	}
	if (o->no_new_privs)
		spec->no_new_privileges = true;
	spec->terminal = o->tty;
	return 0;
}

/*
 * runc's checkTerminal, before anything is made: a terminal's master
 * needs a taker. A detached exec's is whoever listens on
 * --console-socket; in the foreground, we are its terminal.
 */
static int check_terminal(const struct exec_options *o, const struct spec *spec, struct error *e)
{
	if (o->detach && spec->terminal && o->console_socket == NULL)
		return invalid(e, "cannot allocate a terminal for a detached exec without "
				  "--console-socket");
	if ((!o->detach || !spec->terminal) && o->console_socket != NULL)
		return invalid(e, "--console-socket: only with a terminal (-t) and --detach");
	if (o->console_socket != NULL)
		return tty_check_console_socket(o->console_socket, e);
	return 0;
}

/* runc stats each of the N descriptors after 2 first: one not open is a mistake of the caller's. */
static int check_preserved(int n, struct error *e)
{
	if (n < 0)
		return invalid(e, "--preserve-fds %d: want a count, 0 or more", n);
	for (int fd = 3; fd < 3 + n; fd++) {
		if (fcntl(fd, F_GETFD) == -1)
			return fail(e, errno, "--preserve-fds",
				    "descriptor %d (of 3 to %d) is not open", fd, 2 + n);
	}
	return 0;
}

/* --- inside: the process ------------------------------------------------------------ */

/*
 * The terminal first, as runc's linuxSetnsInit: a pty from the
 * container's devpts (we are in its mount namespace), the slave on 0, 1
 * and 2 and owned by process.user, the master sent out at once.
 */
static int open_terminal(struct exec_child *c, struct error *e)
{
	int master;

	if (tty_open_in_container(c->spec, &master, e) == -1)
		return -1;
	int rc = tty_send_fd(c->console, master, e);
	close(master);
	close(c->console);
	return rc;
}

/*
 * Then, in runc's order: the filter early only without
 * noNewPrivileges (loading it then needs CAP_SYS_ADMIN, about to go),
 * the user and the capabilities, then the working directory -- resolved
 * in the container's root, which joining the mount namespace made ours:
 * no directory of the host's stays in reach -- and the environment.
 */
static int set_up(struct exec_child *c, struct error *e)
{
	const struct spec *spec = c->spec;

	if ((spec->terminal && open_terminal(c, e) == -1) ||
	    security_close_descriptors(3 + c->preserve_fds, &c->sync, 1, e) == -1)
		return -1;
	if (!spec->no_new_privileges && security_seccomp_load(c->seccomp, e) == -1)
		return -1;
	struct error warning = {0};
	if (security_user_and_capabilities(spec, &warning, e) == -1)
		return -1;
	if (warning.object[0] != '\0' && process_warn(c->sync, &warning) == -1)
		return fail(e, errno, "write", "a warning to dcrun exec");
	if (chdir(spec->cwd) == -1)
		return fail(e, errno, "chdir", "process.cwd %s (in the container)", spec->cwd);
	return init_environment(spec, e);
}

/* The process, from clone(2) to execve(2): never returns. */
static int exec_child_main(void *arg)
{
	struct exec_child *c = arg;
	struct error e = {0};
	sigset_t none;

	/* The joiner's end: its EOF tells dcrun exec the joiner is done. */
	close(c->joiner);
	/* dcrun exec blocks the signals it passes on; a blocked set survives execve. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		fail(&e, errno, "sigprocmask", "the signals dcrun exec blocked");
	if (e.call[0] == '\0' && set_up(c, &e) == 0 && security_seccomp_load(c->seccomp, &e) == 0) {
		/* Last, as runc: the filter would refuse what the steps above needed. */
		execvp(c->spec->args[0], c->spec->args);
		fail(&e, errno, "exec", "\"%s\" (in the container)", c->spec->args[0]);
	}
	/* The report: dcrun exec prints it and exits 255, as runc does (or it is gone). */
	if (write(c->sync, &e, sizeof(e)) != sizeof(e))
		_exit(255);
	_exit(255);
}

/* --- the joiner ------------------------------------------------------------------------- */

/*
 * The namespaces config.json gives the container, made new or joined by
 * path: the container's first process is in all of them, and so must we
 * be. Those it does not list are the host's, where we are already.
 */
static int namespace_flags(const struct spec *spec)
{
	int flags = 0;

	for (size_t i = 0; i < spec->nnamespaces; i++)
		flags |= spec->namespaces[i].type;
	return flags;
}

struct joiner_args {
	pid_t parent;
	pid_t target;                  /* the container's first process */
	unsigned long long start_time; /* its start time, as state.json has it */
	int pidfd;                     /* a pidfd of it, or -1 */
	int flags;                     /* its namespaces to join */
	int channel;                   /* ours: "here", then the go-ahead, then the report */
	int lock;                      /* dcrun exec's lock on ROOT/ID: never ours to hold */
	struct exec_child *child;
};

/*
 * Without a pidfd to join with -- pidfd_open(2) is Linux 5.3, and
 * unknown to valgrind 3.19; setns(2) takes one since 5.8, EINVAL before
 * -- as nsenter does: open every /proc/PID/ns file first, check that PID
 * is still the container's process (its start time: the files are then
 * its namespaces), and join them one by one, the user namespace first:
 * then the others, owned by it, are ours to join.
 */
static int join_one_by_one(const struct joiner_args *a, struct error *e)
{
	static const struct {
		int type;
		const char *name;
	} kinds[] = {
		{CLONE_NEWUSER, "user"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWIPC, "ipc"},
		{CLONE_NEWUTS, "uts"},   {CLONE_NEWNET, "net"},       {CLONE_NEWPID, "pid"},
		{CLONE_NEWTIME, "time"}, {CLONE_NEWNS, "mnt"},
	};
	enum { KINDS = sizeof(kinds) / sizeof(kinds[0]) };
	int fds[KINDS], rc = 0;
	char path[64];

	for (size_t i = 0; i < KINDS; i++) {
		fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)a->target, kinds[i].name);
		if (rc == 0 && (a->flags & kinds[i].type) &&
		    (fds[i] = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			rc = fail(e, errno, "open", "%s", path);
	}
	if (rc == 0 && process_start_time(a->target) != a->start_time)
		rc = fail(e, ESRCH, "exec", "the container's process %d is gone", (int)a->target);
	for (size_t i = 0; i < KINDS; i++) {
		if (rc == 0 && fds[i] != -1 && setns(fds[i], kinds[i].type) == -1)
			rc = fail(e, errno, "setns", "/proc/%d/ns/%s", (int)a->target,
				  kinds[i].name);
		if (fds[i] != -1)
			close(fds[i]);
	}
	return rc;
}

/*
 * setns(2) with a pidfd (Linux 5.8) rather than the files of
 * /proc/PID/ns, one file per namespace: the pidfd names the very process
 * whose start time we checked, where a pid, dead and reused, could name
 * another between two opens; and setns with it joins every namespace of
 * flags at once or none (the user namespace first, as the kernel orders
 * them), so a failure half way cannot leave us in some of the container
 * and some of the host.
 */
static int join(const struct joiner_args *a, struct error *e)
{
	char go;

	if (close(a->lock) == -1)
		return fail(e, errno, "close", "the lock on the container's state");
	/* Of no use once dcrun exec is gone: go with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != a->parent)
		_exit(1);
	/*
	 * The limits now, on the host, where we still may: raising a hard
	 * limit needs CAP_SYS_RESOURCE in the host's user namespace, which
	 * joining the container's takes away. The AppArmor profile too,
	 * through the host's /proc, for the process's execve. The process
	 * inherits both through clone.
	 */
	if (security_limits(a->child->spec, e) == -1 || security_apparmor(a->child->spec, e) == -1)
		return -1;
	/*
	 * Non-dumpable before we join anything, as runc (CVE-2016-9962):
	 * then no one inside may ptrace us, open our /proc/PID/mem, fd, cwd
	 * or exe -- the host's descriptors, memory and binary. The process
	 * inherits it through clone, until its execve.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_DUMPABLE 0");
	/* "Here": dcrun exec puts us in the container's cgroup, then says go. */
	if (write(a->channel, "h", 1) != 1 || read(a->channel, &go, 1) != 1)
		_exit(1);
	if (a->pidfd != -1 && setns(a->pidfd, a->flags) == 0)
		return 0;
	if (a->pidfd != -1 && errno != EINVAL)
		return fail(e, errno, "setns", "the container's namespaces (flags %#x, by pidfd)",
			    (unsigned)a->flags);
	return join_one_by_one(a, e);
}

/*
 * Forked by dcrun exec: join, then clone the process. Joining PID and
 * time namespaces changes only where our children are born, so the
 * process must be a child; CLONE_PARENT makes it dcrun exec's, which
 * waits for it, and we report its pid (the host's: we stay in the host's
 * PID namespace) and exit.
 */
static _Noreturn void joiner_main(struct joiner_args *a)
{
	struct error e = {0};
	pid_t pid = -1;

	if (join(a, &e) == 0) {
		static char stack[1024 * 1024] __attribute__((aligned(16)));
		pid = clone(exec_child_main, stack + sizeof(stack), CLONE_PARENT | SIGCHLD,
			    a->child);
		if (pid == -1)
			fail(&e, errno, "clone", "the process, in the container's namespaces");
	}
	if (write(a->channel, &pid, sizeof(pid)) != sizeof(pid) ||
	    write(a->channel, &e, sizeof(e)) != sizeof(e))
		_exit(1);
	_exit(0);
}

/* --- on the host: dcrun exec -------------------------------------------------------------- */

/*
 * Fork the joiner, put it in the container's cgroup (in every hierarchy
 * the container is in: cgroup_join), let it go, and read the pid of the
 * process it cloned. The process is then our child, born in the cgroup.
 */
static pid_t spawn(struct joiner_args *a, const struct cgroup *cg, struct error *e)
{
	int channel[2];
	pid_t joiner, pid = -1;
	union {
		pid_t pid;
		char here;
	} first;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, channel) == -1)
		return fail(e, errno, "socketpair", "the joiner's channel");
	a->parent = getpid();
	a->channel = channel[1];
	a->child->joiner = channel[1];
	joiner = fork();
	if (joiner == -1) {
		fail(e, errno, "fork", "the joiner");
		close(channel[0]);
		close(channel[1]);
		return -1;
	}
	if (joiner == 0) {
		close(channel[0]);
		joiner_main(a);
	}
	close(channel[1]);
	/* Its first word: "h", or (it failed before it could say it) its report, with no pid. */
	ssize_t n = read(channel[0], &first, sizeof(first));
	if (n == sizeof(first)) {
		if (read(channel[0], e, sizeof(*e)) != sizeof(*e))
			fail(e, EPIPE, "read", "the joiner's report (did it die?)");
	} else if (n != 1 || first.here != 'h') {
		fail(e, EPIPE, "read", "the joiner's first word (did it die?)");
	} else if (cg->path[0] == '\0' || cgroup_join(cg, joiner, e) == 0) {
		if (write(channel[0], "g", 1) != 1)
			fail(e, errno, "write", "the joiner's go-ahead");
		else if (read(channel[0], &pid, sizeof(pid)) != sizeof(pid) ||
			 read(channel[0], e, sizeof(*e)) != sizeof(*e))
			fail(e, EPIPE, "read", "the joiner's report (did it die?)");
	}
	close(channel[0]);
	/* Its error, or ours: no process may stay (a clone that failed made none). */
	if (e->call[0] != '\0' || e->object[0] != '\0') {
		kill(joiner, SIGKILL);
		if (pid > 0 && kill(pid, SIGKILL) == 0)
			while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
				;
		pid = -1;
	}
	while (waitpid(joiner, NULL, 0) == -1 && errno == EINTR)
		;
	return pid;
}

pid_t exec_process(const struct exec_options *o, int *master, struct error *e)
{
	struct state st = {0};
	struct spec spec = {0};
	struct cgroup cg = {0};
	struct seccomp_program *seccomp = NULL;
	int lock, sync[2] = {-1, -1}, console[2] = {-1, -1}, pidfd = -1;
	pid_t pid = -1;

	*master = -1;
	if (check_preserved(o->preserve_fds, e) == -1 ||
	    (lock = open_container(o, &st, &cg, e)) == -1)
		return -1;
	/* The container's config.json gives the namespaces, the filter and the process's defaults. */
	if (spec_load(st.bundle, &spec, e) == -1)
		goto out;
	if ((o->process ? spec_load_process(o->process, &spec, e) : apply_flags(o, &spec, e)) ==
		    -1 ||
	    check_terminal(o, &spec, e) == -1 || security_check_labels(&spec, e) == -1)
		goto out;
	/* The pid names the container's process only while its start time is the one saved. */
	pidfd = pidfd_open(st.pid, 0);
	if (pidfd == -1 && errno != ENOSYS) {
		fail(e, errno, "pidfd_open", "the container's process %d", (int)st.pid);
		goto out;
	}
	if (process_start_time(st.pid) != st.start_time) {
		fail(e, ESRCH, "exec", "the container's process %d is gone", (int)st.pid);
		goto out;
	}
	/* On the host, before anything joins: the compiled filter's cache is the host's. */
	if (security_seccomp_prepare(&spec, o->root, &seccomp, e) == -1)
		goto out;
	/* Datagrams: the process's report arrives whole; EOF means it is running its command. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) == -1 ||
	    (spec.terminal &&
	     socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console) == -1)) {
		fail(e, errno, "socketpair", "the report channel");
		goto out;
	}
	struct exec_child child = {.spec = &spec,
				   .seccomp = seccomp,
				   .sync = sync[1],
				   .console = console[1],
				   .preserve_fds = o->preserve_fds};
	struct joiner_args joiner = {.target = st.pid,
				     .start_time = st.start_time,
				     .pidfd = pidfd,
				     .flags = namespace_flags(&spec),
				     .lock = lock,
				     .child = &child};
	pid = spawn(&joiner, &cg, e);
	close(sync[1]);
	sync[1] = -1;
	if (console[1] != -1)
		close(console[1]);
	console[1] = -1;
	if (pid == -1)
		goto out;

	/* Its report, or EOF: it runs its command. Then the terminal's master, sent before. */
	struct error report;
	int got = -1;
	ssize_t n = process_report(sync[0], &report, o->warn);
	if (n == sizeof(report))
		*e = report;
	else if (n != 0)
		fail(e, n == -1 ? errno : EPROTO, "read", "the process's report");
	else if (spec.terminal && tty_recv_fd(console[0], &got, e) == 0) {
		if (o->console_socket == NULL) {
			*master = got; /* for the caller's relay */
		} else {
			/* Whoever holds the master is the terminal: never us too. */
			tty_send_to_console_socket(o->console_socket, got, e);
			close(got);
		}
	}
	if (e->call[0] != '\0' || e->object[0] != '\0') {
		/* It failed (and exits), or runs unattended: it goes. */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		pid = -1;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (sync[i] != -1)
			close(sync[i]);
		if (console[i] != -1)
			close(console[i]);
	}
	if (pidfd != -1)
		close(pidfd);
	security_seccomp_free(seccomp);
	spec_free(&spec);
	state_free(&st);
	close(lock);
	return pid;
}
