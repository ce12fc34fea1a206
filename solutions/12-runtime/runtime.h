/*
 * runtime.h: dcrun's shared types, one section per file, as xv6's defs.h.
 *
 * dcrun is chapter 11's container, grown into an OCI runtime with runc's
 * command line. It is one program in several files, split by concern as
 * crun's libcrun and runc's libcontainer are split:
 *   dcrun.c     main, and one short function per command
 *   error.c     the error object every function returns through
 *   spec.c      config.json into struct spec, validated up front
 *   state.c     the state directory: state.json, the lock, the status
 *   process.c   the host side: clone, id maps, cgroup join, the sync channel
 *   init.c      the container side, in runc's order, seccomp last
 *   rootfs.c    mounts, devices, pivot_root, masked and read-only paths
 *   cgroup.c    chapter 09's cgroups, for v1, hybrid and v2
 *   security.c  chapter 11's capabilities and seccomp
 *   hooks.c     config.json's hooks, each run where and when the spec says
 *   tty.c       process.terminal: the pty, --console-socket, the relay
 *   exec.c      `dcrun exec`: one more process, joined to a running container
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

/* --- error.c --------------------------------------------------------------- */

/*
 * A failure is returned, never exited on: `create` must undo what it
 * made, and `delete` must go on past one failure. So every function that
 * can fail fills an error object and returns -1 (or NULL), and only
 * main() prints it, once.
 *
 *   if (mount(...) == -1)
 *           return fail(e, errno, "mount", "%s", target);
 *   if (!json_object_is_type(v, json_type_int))
 *           return invalid(e, "%s: expected an integer", path);
 *
 * Hints are keyed by what happened (a code chosen where the error is
 * made, or the call's errno), never found by matching the call's text.
 */
enum hint {
	HINT_NONE,
	HINT_ROOT,          /* EPERM where root (or rootless setup) is needed */
	HINT_ROOTLESS_MAPS, /* an unprivileged user may map only itself */
	HINT_NO_BUNDLE,     /* config.json missing: `dcrun spec` writes one */
	HINT_NO_ROOTFS,     /* root.path missing */
	HINT_ID_IN_USE,     /* a container of that id exists: delete it first */
	HINT_NOT_FOUND,     /* no container of that id under --root */
	HINT_PIVOT_ROOT,    /* the new root must be a mount point, not shared */
	HINT_CGROUP_V2_DEVICES,
	HINT_KERNEL,       /* ENOSYS: the kernel lacks it: `make doctor` */
	HINT_RLIMIT,       /* EPERM raising a hard rlimit: CAP_SYS_RESOURCE, the host's */
	HINT_ROOTFS_REACH, /* EACCES on root.path: the mapped root cannot walk to it */
	HINT_COUNT
};

struct error {
	int err; /* errno, or 0 for bad input (a message of our own) */
	enum hint hint;
	char call[64];     /* "mount", "open", "write uid_map"; "" for bad input */
	char object[1024]; /* what it was called on, or the whole message for bad input */
};

/* Fill *e for a failed call (errno err) on an object; returns -1. */
int fail(struct error *e, int err, const char *call, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, with a hint. */
int fail_hint(struct error *e, enum hint hint, int err, const char *call, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Bad input: a message, no errno ("linux.resources.memory.limit: expected an integer"); -1. */
int invalid(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, with a hint: "root.path: required, but missing" and HINT_NO_ROOTFS. */
int invalid_hint(struct error *e, enum hint hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The one line (and its hint line) a user sees: "dcrun: mount /proc: Operation not permitted".
 * The hint is e->hint's, or else errno's (EPERM: HINT_ROOT, ENOSYS: HINT_KERNEL).
 */
void error_print(const struct error *e, FILE *out);
/* The hint's sentence; NULL for HINT_NONE (or a code out of range). */
const char *hint_text(enum hint hint);

/* --- spec.c -------------------------------------------------------------------- */

/* config.json, as the OCI runtime spec 1.2 describes it: only what dcrun does. */
enum { CAP_SETS = 5 }; /* bounding, effective, inheritable, permitted, ambient */
enum cap_set { CAP_BOUNDING, CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED, CAP_AMBIENT };

struct spec_mount {
	char *destination; /* absolute, inside the container */
	char *type;        /* "proc", "tmpfs", "bind"...; NULL for a bind mount */
	char *source;
	unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC... */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE (|MS_REC); 0 */
	char *data;                /* the options that are not flags: "size=64k,mode=755" */
};

struct spec_rlimit {
	int resource; /* RLIMIT_NOFILE... */
	rlim_t soft, hard;
};

struct spec_id_map {
	uint32_t container_id, host_id, size;
};

struct spec_namespace {
	int type;   /* CLONE_NEWNS, CLONE_NEWUTS... */
	char *path; /* join this one, or NULL: make a new one */
};

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	uint32_t mode; /* fileMode; 0666 when not given */
	uint32_t uid, gid;
};

struct spec_device_rule { /* linux.resources.devices[] */
	bool allow;
	char type;            /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];       /* "rwm" or part */
};

struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	int op; /* enum scmp_compare: SCMP_CMP_EQ... */
};

struct spec_seccomp_rule {
	char **names;
	size_t nnames;
	uint32_t action; /* SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(n)... */
	struct spec_seccomp_arg *args;
	size_t nargs;
};

struct spec_seccomp {
	uint32_t default_action;
	uint32_t *architectures; /* SCMP_ARCH_X86_64... */
	size_t narchitectures;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_LOG... */
	struct spec_seccomp_rule *rules;
	size_t nrules;
};

struct spec_hook {
	char *path;
	char **args, **env;
	int timeout; /* seconds, 0: none */
};

enum hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KINDS
};

struct spec_kv {
	char *key, *value;
};

struct spec {
	char *oci_version;
	char *root_path; /* absolute, or relative to the bundle */
	bool root_readonly;
	char *hostname, *domainname;
	struct spec_mount *mounts;
	size_t nmounts;

	/* process */
	bool terminal;
	unsigned int console_height, console_width;
	uint32_t uid, gid;
	bool umask_set;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t nadditional_gids;
	char **args, **env; /* NULL-terminated */
	char *cwd;
	uint64_t caps[CAP_SETS];
	struct spec_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
	bool oom_score_adj_set;
	int oom_score_adj;
	char *apparmor_profile, *selinux_label;
	char *mount_label; /* linux.mountLabel: SELinux, refused like selinuxLabel */

	/* linux */
	struct spec_namespace namespaces[8];
	size_t nnamespaces;
	struct spec_id_map *uid_mappings, *gid_mappings;
	size_t nuid_mappings, ngid_mappings;
	bool time_offsets_set;
	int64_t boottime_secs, monotonic_secs;
	uint32_t boottime_nanosecs, monotonic_nanosecs;
	struct spec_device *devices;
	size_t ndevices;
	char *cgroups_path;
	struct {
		int64_t memory_limit, memory_reservation, memory_swap; /* -1: not set */
		int64_t memory_swappiness;                             /* 0 to 100; -1: not set */
		bool disable_oom_killer;                               /* v1's memory.oom_control */
		uint64_t cpu_shares;                                   /* 0: not set */
		int64_t cpu_quota;   /* -1: not set (or unlimited) */
		uint64_t cpu_period; /* 0: not set */
		char *cpu_cpus, *cpu_mems;
		int64_t pids_limit; /* 0: not set; -1: unlimited */
		struct spec_device_rule *devices;
		size_t ndevices;
	} resources;
	struct spec_kv *sysctl;
	size_t nsysctl;
	struct spec_seccomp *seccomp;     /* NULL: none */
	unsigned long rootfs_propagation; /* 0: the default (rprivate) */
	char **masked_paths, **readonly_paths;
	size_t nmasked_paths, nreadonly_paths;

	struct spec_hook *hooks[HOOK_KINDS];
	size_t nhooks[HOOK_KINDS];
	struct spec_kv *annotations;
	size_t nannotations;
};

/*
 * config.json's bytes into *spec, validated; on bad input, e names the
 * JSON path of the bad value. The fuzzer's entry point: it must never
 * crash, leak or read out of bounds, whatever the bytes.
 *
 * On failure spec_parse frees what it had filled and leaves *spec empty,
 * so spec_free is needed only after success (and is harmless after a
 * failure, or twice). Properties dcrun does not know are ignored, as the
 * runtime spec's "Extensibility" section requires.
 */
int spec_parse(const char *text, size_t length, struct spec *spec, struct error *e);
/* BUNDLE/config.json, read and parsed; a message is prefixed "BUNDLE/config.json: ". */
int spec_load(const char *bundle, struct spec *spec, struct error *e);
/*
 * exec --process FILE: FILE's process object in place of spec's process,
 * as runc takes it (what FILE leaves out is zero, but the container's
 * rlimits, capabilities and labels stay when FILE names none); a message
 * is prefixed "FILE: ".
 */
int spec_load_process(const char *path, struct spec *spec, struct error *e);
void spec_free(struct spec *spec);
/* Does linux.namespaces list TYPE (CLONE_NEWNS...)? With NEW_ONLY, one to make, not to join by path. */
bool spec_has_namespace(const struct spec *spec, int type, bool new_only);
/* A capability's number from "CAP_NET_ADMIN", or -1. */
int capability_number(const char *name);
extern const char *const capability_names[]; /* by number, "CAP_CHOWN"... */
extern const int capability_count;
/*
 * The default config.json `dcrun spec` writes, as JSON text (malloc'd, no
 * final newline), byte for byte runc 1.1's `runc spec`; rootless: `runc spec
 * --rootless`, which maps the caller's own euid and egid. NULL: out of memory.
 */
char *spec_default(bool rootless);

/* --- state.c ------------------------------------------------------------------- */

/*
 * One directory per container under --root (default /run/dcrun, or
 * $XDG_RUNTIME_DIR/dcrun when rootless): ROOT/ID/state.json, written
 * atomically (a temporary file, then rename(2)) under ROOT/ID's lock,
 * and ROOT/ID/exec.fifo between create and start.
 */
enum status { STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED };

struct state {
	char id[256];
	char bundle[4096];
	char rootfs[8200];             /* absolute */
	pid_t pid;                     /* the container's first process, on the host; 0: none */
	unsigned long long start_time; /* its field 22 of /proc/PID/stat: a reused pid differs */
	char created[64];              /* RFC 3339, as runc */
	uid_t owner;
	char cgroup
		[4100]; /* "V:PATH", what cgroup.c needs to find its groups again ("" for none) */
	bool rootless;  /* it made no cgroup (and other rootless choices) */
	bool creating;  /* saved by create as soon as the process exists; false once created */
	enum status status; /* computed by state_status(), never trusted from the file */
	struct spec_kv *annotations;
	size_t nannotations;
	/*
	 * The hooks start and delete must run (poststart, poststop), copied
	 * from config.json at create and kept in state.json, as runc keeps its
	 * config: config.json may have changed, or gone, by then.
	 */
	struct spec_hook *poststart, *poststop;
	size_t npoststart, npoststop;
};

/* ID: 1 to 255 of [A-Za-z0-9_.+-] and not "." or ".." (no "/": it is a directory name). */
int state_check_id(const char *id, struct error *e);
/* The --root to use: the option, else /run/dcrun, or $XDG_RUNTIME_DIR/dcrun for a non-root user. */
const char *state_root(const char *option);
/* Make ROOT/ID (refused if it exists: HINT_ID_IN_USE) and lock it; returns the lock's fd. */
int state_create(const char *root, const char *id, struct error *e);
/* Lock ROOT/ID (HINT_NOT_FOUND if none) and read its state.json; returns the lock's fd. */
int state_open(const char *root, const char *id, struct state *st, struct error *e);
/*
 * Read it without the lock, for `state` and `list`, which change nothing:
 * state.json is replaced whole, and a create holds the lock throughout,
 * so a locked read could never see it "creating". 0, or -1.
 */
int state_read(const char *root, const char *id, struct state *st, struct error *e);
/* Write ROOT/ID/state.json atomically. */
int state_save(const char *root, const struct state *st, struct error *e);
/* Remove ROOT/ID and what is in it. */
int state_remove(const char *root, const char *id, struct error *e);
/*
 * The status, from the pid and its start time: stopped once it has gone;
 * else creating until create has finished (or was killed first), created
 * while exec.fifo exists, paused when frozen, else running.
 */
enum status state_status(const char *root, const struct state *st);
const char *status_name(enum status status);
/* The OCI state as JSON text (malloc'd): ociVersion, id, status, pid, bundle, annotations (+ runc's rootfs, created, owner). */
char *state_json(const struct state *st);
/* Every container under ROOT: ids, malloc'd, NULL-terminated. */
char **state_list(const char *root, struct error *e);
void state_free(struct state *st);
/* Field 22 of /proc/PID/stat (0 if it is gone). */
unsigned long long process_start_time(pid_t pid);
/* Wait up to 5 s for that process to be gone (a zombie is). */
void process_wait_gone(pid_t pid, unsigned long long start_time);

/* --- cgroup.c ------------------------------------------------------------------ */

/*
 * Chapter 09's cgroups for v1, hybrid and v2, driven by config.json:
 * linux.cgroupsPath (absolute, or relative to dcrun's own group; empty:
 * /dcrun/ID) and linux.resources. `path` names the container's group the
 * same way in every hierarchy.
 */
struct cgroup {
	char path[4096]; /* "/dcrun/ID", under each hierarchy's root */
	int version;     /* CGROUP_V1 (v1 and hybrid) or CGROUP_V2 */
};
enum { CGROUP_V1 = 1, CGROUP_V2 = 2 };

/* Work out the group's path from cgroupsPath (and the id), without making anything. */
int cgroup_resolve(const struct spec *spec, const char *id, struct cgroup *cg, struct error *e);
/* Make the group in every hierarchy, write the resources and the devices rules, and move pid in. */
int cgroup_enter(const struct cgroup *cg, const struct spec *spec, pid_t pid, struct error *e);
/* Move pid into the container's groups (exec, later). */
int cgroup_join(const struct cgroup *cg, pid_t pid, struct error *e);
/* Freeze or thaw every process in it (v1 freezer.state, v2 cgroup.freeze), and wait until it is so. */
int cgroup_freeze(const struct cgroup *cg, bool frozen, struct error *e);
/* Is it frozen? */
bool cgroup_frozen(const struct cgroup *cg);
/* The pids in the group (malloc'd array, *count of them). */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *count, struct error *e);
/* Remove it in every hierarchy (killing nothing: empty it first). Goes on past a failure. */
int cgroup_remove(const struct cgroup *cg, struct error *e);

/* --- security.c ---------------------------------------------------------------- */

/* process.rlimits, then process.oomScoreAdj: while still privileged. */
int security_limits(const struct spec *spec, struct error *e);
/*
 * In runc's order: the bounding set, KEEPCAPS, the user and groups
 * (process.user), the other four capability sets, then noNewPrivileges.
 * A capability we do not hold to give is left out, and named in
 * *WARNING (the spec: logged as a warning, never fatal).
 */
int security_user_and_capabilities(const struct spec *spec, struct error *warning, struct error *e);
/*
 * linux.seccomp into a filter (libseccomp), compiled to BPF, on the host
 * side before clone -- never after pivot_root: the cache is the host's.
 * The program is cached in STATE_ROOT/.seccomp-cache, keyed by the
 * profile (the compile is most of a start's cost). NULL seccomp: nothing.
 *
 * security_seccomp_load installs it; a second call does nothing. With
 * noNewPrivileges, init calls it as the very last step before execve;
 * without, loading needs CAP_SYS_ADMIN, so init first calls it before
 * security_user_and_capabilities, as runc does:
 *   if (!spec->no_new_privileges && security_seccomp_load(p, e) == -1)
 */
struct seccomp_program;
int security_seccomp_prepare(const struct spec *spec, const char *state_root,
			     struct seccomp_program **program, struct error *e);
int security_seccomp_load(struct seccomp_program *program, struct error *e);
void security_seccomp_free(struct seccomp_program *program);
/*
 * Before anything is made: refuse a label the host cannot apply, in one
 * line naming its JSON path -- process.apparmorProfile where AppArmor is
 * not enabled, process.selinuxLabel, linux.mountLabel and a mount's
 * context= options always (dcrun applies no SELinux label; `features`
 * says so), never ignore one silently.
 */
int security_check_labels(const struct spec *spec, struct error *e);
/* In init, before the filesystem and no_new_privs: the AppArmor profile, which execve puts on. */
int security_apparmor(const struct spec *spec, struct error *e);
/*
 * Close every descriptor from FIRST up but the NKEEP in KEEP: close_range(2),
 * or, where a filter or an old kernel refuses it, one by one.
 */
int security_close_descriptors(int first, const int *keep, size_t nkeep, struct error *e);

/* --- tty.c --------------------------------------------------------------------- */

/*
 * process.terminal (and exec -t), as runc does it. The pseudoterminal is
 * made inside the container, from its own devpts (mounted newinstance at
 * /dev/pts, /dev/ptmx -> pts/ptmx), so that its slave is /dev/pts/0 there
 * and is nothing on the host's devpts. The process keeps the slave; the
 * master, the other end, goes up to the host side on a socketpair of its
 * own (as runc's console socket), which hands it to whoever drives the
 * terminal: --console-socket (conmon, containerd), or, for `run` in the
 * foreground, dcrun's own relay.
 *
 * tty_open_in_container: in the container, after its mounts: open
 * /dev/ptmx, unlock it, open the slave (TIOCGPTPEER), start a new session
 * with it as controlling terminal, on 0, 1 and 2, sized by
 * spec->console_height and console_width (both 0: left as is). *master is
 * the master (close-on-exec, for the caller to send and close).
 */
int tty_open_in_container(const struct spec *spec, int *master, struct error *e);
/*
 * create's init only (not exec's): bind the terminal, on fd 0 by then,
 * onto /dev/console, as the runtime spec asks (config-linux.md).
 */
int tty_mount_console(struct error *e);
/* One descriptor over an AF_UNIX socket, with SCM_RIGHTS (unix(7)), and a one-byte payload. */
int tty_send_fd(int sock, int fd, struct error *e);
/* Its counterpart: *fd is the descriptor received (close-on-exec); EPIPE if the peer is gone. */
int tty_recv_fd(int sock, int *fd, struct error *e);
/*
 * Before anything is made: is --console-socket PATH a socket (stat, S_ISSOCK)?
 * A clear line naming the path, rather than a failed connect after clone.
 */
int tty_check_console_socket(const char *path, struct error *e);
/*
 * --console-socket: connect to PATH (AF_UNIX, SOCK_STREAM) and send the
 * master as runc's utils.SendFile does, the terminal's name ("/dev/ptmx")
 * as payload, which conmon and containerd's console.RecvFd read.
 */
int tty_send_to_console_socket(const char *path, int master, struct error *e);
/*
 * `run` (or `exec -t`) in the foreground without --console-socket: be the
 * terminal's other end. If stdin is a terminal, put it in raw mode (the
 * container's pty does the line editing and echo) and pass its window
 * size on, now and on every SIGWINCH; copy stdin to the master and the
 * master to stdout; pass the signals in *forward (which the caller has
 * blocked, with SIGCHLD) to child; return once child has exited, its
 * output drained, with *status its wait status. The caller's terminal
 * and signal mask are restored on every return.
 */
int tty_relay(int master, pid_t child, const sigset_t *forward, int *status, struct error *e);

/* --- exec.c -------------------------------------------------------------------- */

/*
 * `dcrun exec`: one more process in a created or running container, as
 * runc's exec: in every namespace and cgroup of the container's, set up
 * as config.json's process (or --process FILE) says, with the flags.
 */
struct exec_options {
	const char *root, *id;
	const char *process; /* --process FILE: the whole process; the flags below are ignored */
	char *const *args;   /* COMMAND [ARG...], NULL-terminated: config.json's process runs it */
	char *const *env;    /* --env NAME=VALUE..., appended to process.env (NULL-terminated) */
	char *const *gids;   /* --additional-gids, appended (NULL-terminated) */
	char *const *caps;   /* --cap: added to the bounding, effective, permitted, ambient sets */
	const char *cwd, *user;     /* --cwd DIR, --user UID[:GID]; or NULL */
	bool tty, no_new_privs;     /* -t, --no-new-privs */
	bool detach;                /* -d: the process outlives us */
	const char *console_socket; /* with -t: where the pty's master goes */
	int preserve_fds;
	void (*warn)(const struct error *warning); /* logs what the process's set-up warns of */
};
/*
 * Returns the process's host pid once it has become COMMAND (its execve
 * done), or -1 and *e (then nothing of it is left). *master: with a
 * terminal and no --console-socket, the pty's master, for tty_relay;
 * else -1.
 */
pid_t exec_process(const struct exec_options *o, int *master, struct error *e);

/* --- hooks.c ------------------------------------------------------------------- */

/*
 * Run one hook of config.json (hooks.KIND[INDEX]): fork, and execve its
 * path with its args and env exactly (none of ours), the state JSON on
 * its stdin through a pipe, its stdout and stderr read (and quoted in the
 * error if it fails, as runc does), no descriptor of ours beyond 0-2;
 * killed (SIGKILL) past its timeout. Fails, naming the hook, when it
 * cannot run, exits non-zero, is killed or runs past its timeout.
 * It runs in the namespaces of its caller: that is where it is called.
 */
int hook_run(const struct spec_hook *hook, const char *kind, size_t index, const char *state_json,
	     struct error *e);
/* The n hooks of one kind, in order; stops at the first that fails. */
int hooks_run(const struct spec_hook *hooks, size_t n, const char *kind_name,
	      const char *state_json, struct error *e);

/* --- rootfs.c ------------------------------------------------------------------ */

/*
 * The container's filesystem, in the container's mount namespace, as
 * root of its user namespace: rootfsPropagation, root.path bound onto
 * itself, every mount in config.json's order (through file descriptors
 * inside the rootfs, never joined path strings), the devices, the
 * /dev links; then (rootfs_pivot) pivot_root; then (rootfs_finish)
 * readonlyPaths and maskedPaths, root.readonly.
 * rootless: devices are bind-mounted from the host, not made.
 */
int rootfs_prepare(const struct spec *spec, const char *bundle, bool rootless, struct error *e);
/*
 * pivot_root into the rootfs (the working directory rootfs_prepare left),
 * the old root let go, and process.cwd made. Apart, because the create
 * hooks run between the two, while the host's root is still there.
 */
int rootfs_pivot(const struct spec *spec, struct error *e);
/* Then, after the sysctls: readonlyPaths, maskedPaths, root.readonly. */
int rootfs_finish(const struct spec *spec, struct error *e);

/* --- process.c (the host side) and init.c (the container side) ----------------- */

/*
 * create: clone the container's first process into its new namespaces
 * (joining those with a path), write its id maps, put it in its cgroup,
 * and wait until its init has set everything up and waits on exec.fifo.
 * Returns its pid, or -1; on failure the caller undoes (kills, removes).
 */
struct create_options {
	const char *root, *id, *bundle;
	const char
		*console_socket; /* or NULL: with process.terminal, the pty's master goes there */
	int *terminal; /* run in the foreground: where the master goes instead, for tty_relay */
	int preserve_fds;
	bool detach;     /* run --detach / create: the process must outlive us */
	bool foreground; /* run: we wait for it */
	int fifo_fd;     /* O_PATH of ROOT/ID/exec.fifo */
	int lock_fd;     /* ROOT/ID's lock, which the container must not keep */
	bool rootless;
	/*
	 * Called once the process exists and holds none of our descriptors,
	 * before its id maps and cgroup: create saves the state then, so that
	 * `delete --force` finds the process and its groups even if create is
	 * killed from there on.
	 */
	int (*cloned)(pid_t pid, void *arg, struct error *e);
	void *cloned_arg;
	/* The state (pid set by cloned): what the hooks read on their stdin. */
	struct state *state;
	/* Logs what the container's set-up warns of (a capability not granted). */
	void (*warn)(const struct error *warning);
};
pid_t process_create(const struct spec *spec, const struct create_options *o,
		     const struct cgroup *cg, struct error *e);
/*
 * The container's side sends warnings on its report channel before its
 * report: "w" and a struct error. process_warn sends one; process_report
 * passes each to WARN, then reads the report itself (recv's result).
 */
int process_warn(int channel, const struct error *warning);
ssize_t process_report(int channel, struct error *report, void (*warn)(const struct error *));
/* start: release the init waiting on exec.fifo. */
int process_start(const char *fifo_path, pid_t pid, unsigned long long start_time, struct error *e);

/* The container side, after clone: never returns (execve, or _exit with the error sent up). */
struct init_args {
	const struct spec *spec;
	const struct create_options *o;
	int sync;      /* socketpair end: the host's go-ahead in, our report out */
	int host_sync; /* the host's end, which we must close: its EOF tells us it died */
	int fifo_fd;   /* exec.fifo, O_PATH */
	struct seccomp_program *seccomp; /* compiled while privileged, loaded last */
	int console; /* process.terminal: a socketpair end, where init sends the pty's master */
	char *hook_state;          /* the host's answer before pivot_root: the state, "creating" */
	const char *created_state; /* and, after it in the same buffer, "created" */
};
int init_main(void *arg);
/* The process's environment: exactly process.env, none of ours (init's and exec's last step but one). */
int init_environment(const struct spec *spec, struct error *e);

#endif
