/*
 * security.c: what the container's process may do, set last before it
 * becomes the command: its resource limits, its user and groups, its
 * capabilities, no_new_privs, its seccomp filter and its AppArmor profile.
 *
 * Chapter 11 chose these itself, as docker does by default; here
 * config.json says: process.rlimits and oomScoreAdj, process.user, the
 * five sets of process.capabilities, process.noNewPrivileges and
 * linux.seccomp. The order is runc's (standard_init_linux.go):
 *
 *   before anything   security_check_labels: refuse a label the host cannot apply
 *   before clone      security_seccomp_prepare: compile the filter (or find it cached)
 *   init, first       security_apparmor: the profile execve will put on
 *   init, privileged  security_limits
 *   init              security_seccomp_load, early, only without noNewPrivileges
 *                     security_user_and_capabilities: bounding set, KEEPCAPS,
 *                     groups, gid, uid, umask, capset, ambient, no_new_privs
 *   just before exec  security_seccomp_load
 *
 * And security_close_descriptors, which init, exec and the hooks call
 * before they become another program: none of dcrun's descriptors may
 * reach it.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <seccomp.h>

/* --- process.rlimits and process.oomScoreAdj -------------------------------------- */

static const char *rlimit_name(int resource)
{
	static const char *const names[RLIM_NLIMITS] = {
		[RLIMIT_CPU] = "RLIMIT_CPU",           [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA",         [RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE",         [RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};

	return resource >= 0 && resource < RLIM_NLIMITS && names[resource] ? names[resource] : "?";
}

/*
 * Lowering a limit needs no privilege; raising a hard limit needs
 * CAP_SYS_RESOURCE in the *host's* user namespace (the kernel asks
 * capable(), not ns_capable()), so root of a container's user namespace
 * cannot, and neither can a root whose bounding set lacks it (some CI
 * hosts: there podman runs with --ulimit nofile=1024:1024). runc sets
 * the limits from the host side, with prlimit(2) on the child, for that
 * reason; here the caller runs this while it still may.
 */
static int set_rlimit(const struct spec_rlimit *r, size_t i, struct error *e)
{
	const struct rlimit want = {.rlim_cur = r->soft, .rlim_max = r->hard};
	struct rlimit now;

	if (setrlimit(r->resource, &want) == 0)
		return 0;
	if (errno == EPERM && getrlimit(r->resource, &now) == 0 && want.rlim_max > now.rlim_max)
		return fail_hint(e, HINT_RLIMIT, EPERM, "setrlimit",
				 "%s %llu:%llu (process.rlimits[%zu]), above our hard limit %llu",
				 rlimit_name(r->resource), (unsigned long long)r->soft,
				 (unsigned long long)r->hard, i, (unsigned long long)now.rlim_max);
	return fail(e, errno, "setrlimit", "%s %llu:%llu (process.rlimits[%zu])",
		    rlimit_name(r->resource), (unsigned long long)r->soft,
		    (unsigned long long)r->hard, i);
}

/*
 * proc(5): -1000 (never kill) to 1000 (kill first). The spec: if it is
 * not set, the runtime MUST NOT change it. Lowering it below what we
 * were given needs CAP_SYS_RESOURCE, as for the limits.
 */
static int set_oom_score_adj(int adj, struct error *e)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", adj);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	ssize_t written;
	int err;

	if (fd == -1)
		return fail(e, errno, "open", "/proc/self/oom_score_adj");
	written = write(fd, text, (size_t)n);
	err = errno;
	close(fd);
	if (written != n)
		return fail(e, written == -1 ? err : EIO, "write", "/proc/self/oom_score_adj %d%s",
			    adj, err == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	return 0;
}

int security_limits(const struct spec *spec, struct error *e)
{
	for (size_t i = 0; i < spec->nrlimits; i++) {
		if (set_rlimit(&spec->rlimits[i], i, e) == -1)
			return -1;
	}
	if (spec->oom_score_adj_set)
		return set_oom_score_adj(spec->oom_score_adj, e);
	return 0;
}

/* --- process.user and process.capabilities ---------------------------------------- */

/*
 * Capabilities (capabilities(7)): since Linux 2.2 (1999), root's power is
 * cut into pieces, from the POSIX.1e drafts -- CAP_NET_RAW for raw
 * sockets, CAP_SYS_ADMIN for mount and much else. A process holds five
 * sets of them: effective (in force now), permitted (may be made
 * effective), inheritable and ambient (what may pass through execve(2)),
 * and the bounding set (the most it can ever gain; per-thread since
 * 2.6.25, 2008; ambient since 4.3, 2015). spec.c has their names.
 */

/* capget(2) and capset(2) take each 64-bit set as two 32-bit halves (version 3). */
struct cap_sets {
	uint64_t effective, permitted, inheritable;
};

static int get_capabilities(struct cap_sets *s, struct error *e)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &header, d) == -1)
		return fail(e, errno, "capget", "this process");
	s->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	s->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	s->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int set_capabilities(const struct cap_sets *s, struct error *e)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {
		{.effective = (uint32_t)s->effective,
		 .permitted = (uint32_t)s->permitted,
		 .inheritable = (uint32_t)s->inheritable},
		{.effective = (uint32_t)(s->effective >> 32),
		 .permitted = (uint32_t)(s->permitted >> 32),
		 .inheritable = (uint32_t)(s->inheritable >> 32)},
	};

	if (syscall(SYS_capset, &header, d) == -1)
		return fail(e, errno, "capset",
			    "effective %#llx, permitted %#llx, inheritable %#llx",
			    (unsigned long long)s->effective, (unsigned long long)s->permitted,
			    (unsigned long long)s->inheritable);
	return 0;
}

/*
 * What is gone from the bounding set can never come back, not even
 * through a set-uid or file-capability program. Dropping needs
 * CAP_SETPCAP; past the last capability this kernel knows, it fails
 * with EINVAL, which ends the loop (an older kernel lacks the newest
 * names: nothing to drop there). Without CAP_SETPCAP runc skips the
 * step; dcrun refuses to start a container with more than was asked.
 */
static int drop_bounding_set(uint64_t keep, struct error *e)
{
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno == EINVAL)
				break;
			return fail(e, errno, "prctl PR_CAPBSET_DROP", "%s",
				    cap < capability_count ? capability_names[cap] : "?");
		}
	}
	return 0;
}

/* Does this user namespace deny setgroups(2)? (A rootless one does: user_namespaces(7).) */
static bool setgroups_denied(void)
{
	char text[8] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	bool denied =
		fd != -1 && read(fd, text, sizeof(text) - 1) > 0 && strncmp(text, "deny", 4) == 0;

	if (fd != -1)
		close(fd);
	return denied;
}

/*
 * process.user: groups first, while we may still change them. Always
 * set the groups, even to none: otherwise the caller's (say, the host's
 * "disk" group) would pass into the container. Where setgroups is denied
 * (rootless), additionalGids cannot be had, and runc goes on without.
 */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "additional_gids is passed to setgroups");

static int switch_user(const struct spec *spec, struct error *e)
{
	if (setgroups(spec->nadditional_gids, spec->additional_gids) == -1 &&
	    !(errno == EPERM && setgroups_denied()))
		return fail(e, errno, "setgroups", "process.user.additionalGids");
	if (setresgid(spec->gid, spec->gid, spec->gid) == -1)
		return fail(e, errno, "setresgid", "%u (process.user.gid: is it in the gid map?)",
			    (unsigned)spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) == -1)
		return fail(e, errno, "setresuid", "%u (process.user.uid: is it in the uid map?)",
			    (unsigned)spec->uid);
	return 0;
}

/*
 * The ambient set (Linux 4.3) is what a program keeps across execve(2)
 * without file capabilities -- the only way a non-root process gets any.
 * The kernel keeps it within permitted and inheritable, so the spec's
 * ambient set is cut to those. runc has never failed on it: through 1.1
 * a bug in its capability package (gocapability) lost every error here,
 * and since its move to moby/sys/capability (2024) it only warns, for
 * compatibility -- `runc spec` itself asks for ambient capabilities
 * without inheritable ones. So a raise that still fails (EINVAL before
 * 4.3, EPERM under SECBIT_NO_CAP_AMBIENT_RAISE) is skipped.
 */
static int set_ambient(uint64_t ambient, struct error *e)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		return fail(e, errno, "prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
	for (int cap = 0; cap < 64; cap++) {
		if (ambient & (1ULL << cap))
			(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	}
	return 0;
}

/* The warning the spec asks for: which of config.json's capabilities we do not hold to give. */
static void not_granted(uint64_t missing, struct error *warning)
{
	char names[512] = "";
	size_t used = 0;

	for (int cap = 0; cap < 64 && used < sizeof(names); cap++) {
		if (missing & (1ULL << cap))
			used += (size_t)snprintf(
				names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
				cap < capability_count ? capability_names[cap] : "?");
	}
	invalid(warning,
		"process.capabilities: %s cannot be granted (dcrun does not hold %s: not in its "
		"bounding set, or unknown to this kernel); the container runs without %s",
		names, strchr(names, ',') ? "them" : "it", strchr(names, ',') ? "them" : "it");
}

/*
 * Keep the capabilities config.json names, for good, in runc's order
 * (finalizeNamespace). The bounding set first: it needs CAP_SETPCAP,
 * which the later steps may take away. PR_SET_KEEPCAPS around the change
 * of user: a change of uid away from 0 would otherwise empty the
 * permitted set. Then capset(2) sets effective, permitted and
 * inheritable as the spec says -- inheritable is empty in `runc spec`
 * and podman's configs: filling it, as runc and docker did until 2022,
 * let a program with inheritable file capabilities gain them
 * (CVE-2022-24769).
 *
 * The spec: a capability that "cannot be granted ... MUST be logged as
 * a warning", and runtimes "SHOULD NOT fail". So only what this process
 * has to give is asked for (on a host whose bounding set lacks
 * CAP_SYS_RESOURCE, say), within the kernel's rules: effective within
 * permitted, inheritable within the bounding set; *WARNING says what was
 * not granted, for the caller to log. (runc 1.1 fails instead: "unable
 * to apply caps: operation not permitted".)
 */
int security_user_and_capabilities(const struct spec *spec, struct error *warning, struct error *e)
{
	const uint64_t *caps = spec->caps;
	struct cap_sets had = {0}, want;

	if (get_capabilities(&had, e) == -1 || drop_bounding_set(caps[CAP_BOUNDING], e) == -1)
		return -1;
	uint64_t asked = caps[CAP_BOUNDING] | caps[CAP_PERMITTED] | caps[CAP_EFFECTIVE] |
			 caps[CAP_INHERITABLE] | caps[CAP_AMBIENT];
	if ((asked & ~had.permitted) != 0)
		not_granted(asked & ~had.permitted, warning);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_KEEPCAPS");
	if (switch_user(spec, e) == -1)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_KEEPCAPS");
	if (spec->umask_set)
		umask(spec->umask);

	want.permitted = caps[CAP_PERMITTED] & had.permitted;
	want.effective = caps[CAP_EFFECTIVE] & want.permitted;
	want.inheritable = caps[CAP_INHERITABLE] & had.permitted & caps[CAP_BOUNDING];
	if (set_capabilities(&want, e) == -1 ||
	    set_ambient(caps[CAP_AMBIENT] & want.permitted & want.inheritable, e) == -1)
		return -1;
	/*
	 * From here on, execve(2) can grant nothing: set-uid bits and file
	 * capabilities are ignored (prctl(2), Linux 3.5, 2012). It also lets
	 * an unprivileged process load a seccomp filter.
	 */
	if (spec->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return fail(e, errno, "prctl", "PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* --- linux.seccomp ------------------------------------------------------------------- */

/*
 * Seccomp began in 2.6.12 (2005) as "strict" mode: read, write, exit and
 * sigreturn, nothing else. Linux 3.5 (2012) added filters: a small BPF
 * program that the kernel runs on every system call, looking at its
 * number, its architecture and its six arguments (never at memory they
 * point to), together with no_new_privs, which lets anyone load one.
 * The profile -- docker's, podman's -- is config.json's now; libseccomp
 * turns it into that program.
 *
 * Compiling is most of a start's cost (libseccomp resolves hundreds of
 * names for each architecture, then builds and optimizes a tree), and
 * podman asks for the same profile every time. So the program is kept
 * on disk, keyed by the profile, and a start that finds it hands it to
 * seccomp(2) itself, as runc's patchbpf and crun do, without libseccomp.
 */
struct seccomp_program {
	struct sock_filter *filter;
	unsigned short length; /* instructions; the kernel takes at most BPF_MAXINSNS */
	unsigned int flags;    /* seccomp(2)'s: the program itself does not carry them */
	bool loaded;
};

/*
 * One rule of the profile, for each of its names. runc's rules, which
 * crun shares:
 *   - a rule whose action is the default one adds nothing (libseccomp
 *     would refuse it with EACCES);
 *   - a name this libseccomp does not know is skipped: profiles list
 *     calls newer than the host's library;
 *   - the args of a rule must all hold (AND), but libseccomp refuses two
 *     conditions on one argument in a rule. When the profile has them,
 *     runc falls back to its old reading: each condition a rule of its
 *     own (OR), every one of them, not only those on the shared index.
 *     podman's own profile avoids it, writing personality's five allowed
 *     values as five rules.
 */
static int add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_rule *r, size_t i,
		    struct error *e)
{
	struct scmp_arg_cmp cmp[6];
	unsigned int seen = 0;
	bool each_alone = false;

	/* Six arguments at most: more conditions than that share an index. */
	for (size_t k = 0; k < r->nargs; k++) {
		each_alone = each_alone || k >= 6 || (seen & (1U << r->args[k].index));
		seen |= 1U << r->args[k].index;
	}
	for (size_t n = 0; n < r->nnames; n++) {
		int nr = seccomp_syscall_resolve_name(r->names[n]);
		int rc = 0;

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (r->nargs == 0)
			rc = seccomp_rule_add_array(ctx, r->action, nr, 0, NULL);
		for (size_t k = 0; rc == 0 && k < r->nargs; k++) {
			const struct spec_seccomp_arg *a = &r->args[k];

			cmp[each_alone ? 0 : k] = (struct scmp_arg_cmp){
				.arg = a->index,
				.op = (enum scmp_compare)a->op,
				.datum_a = a->value,
				.datum_b = a->value_two,
			};
			if (each_alone)
				rc = seccomp_rule_add_array(ctx, r->action, nr, 1, cmp);
			else if (k + 1 == r->nargs)
				rc = seccomp_rule_add_array(ctx, r->action, nr,
							    (unsigned int)r->nargs, cmp);
		}
		if (rc < 0)
			return fail(e, -rc, "seccomp_rule_add", "%s (linux.seccomp.syscalls[%zu])",
				    r->names[n], i);
	}
	return 0;
}

/*
 * The filter's settings. SCMP_FLTATR_CTL_NNP 0: no_new_privs is
 * noNewPrivileges's to decide, and was (libseccomp would set it behind
 * our back). SYSRAWRC: a failure says the kernel's errno, not
 * libseccomp's ECANCELED. The seccomp(2) flags are set here so that
 * libseccomp checks this kernel has them; we pass them to seccomp(2)
 * ourselves at load. WAIT_KILLABLE_RECV is for a listener, which dcrun
 * has none of (spec.c refuses SCMP_ACT_NOTIFY): the kernel would refuse
 * it without one, so it is dropped. Above 32 names, runc asks for a
 * binary tree: a call is found in log(n) steps rather than n.
 */
static int set_attributes(scmp_filter_ctx ctx, const struct spec_seccomp *sc, size_t nnames,
			  struct error *e)
{
	const struct {
		enum scmp_filter_attr attr;
		uint32_t value;
		bool wanted;
		const char *name;
	} attrs[] = {
		{SCMP_FLTATR_CTL_NNP, 0, true, "SCMP_FLTATR_CTL_NNP"},
		{SCMP_FLTATR_API_SYSRAWRC, 1, true, "SCMP_FLTATR_API_SYSRAWRC"},
		{SCMP_FLTATR_CTL_TSYNC, 1, sc->flags & SECCOMP_FILTER_FLAG_TSYNC,
		 "SECCOMP_FILTER_FLAG_TSYNC"},
		{SCMP_FLTATR_CTL_LOG, 1, sc->flags & SECCOMP_FILTER_FLAG_LOG,
		 "SECCOMP_FILTER_FLAG_LOG"},
		{SCMP_FLTATR_CTL_SSB, 1, sc->flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		 "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
		{SCMP_FLTATR_CTL_OPTIMIZE, 2, nnames > 32, "SCMP_FLTATR_CTL_OPTIMIZE"},
	};

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		int rc = attrs[i].wanted ? seccomp_attr_set(ctx, attrs[i].attr, attrs[i].value) : 0;

		if (rc < 0)
			return fail(e, -rc, "seccomp_attr_set", "%s", attrs[i].name);
	}
	return 0;
}

/*
 * The compiled program, into memory. seccomp_export_bpf writes to a
 * descriptor: a memfd (memfd_create(2), Linux 3.17) is a file that lives
 * in memory, so a long program cannot fill it and block, as it would a
 * pipe nobody reads yet (runc reads its pipe from another goroutine).
 */
static int export_program(scmp_filter_ctx ctx, struct seccomp_program *p, struct error *e)
{
	int fd = memfd_create("dcrun-seccomp", MFD_CLOEXEC);
	off_t size;
	int rc;

	if (fd == -1)
		return fail(e, errno, "memfd_create", "the seccomp program");
	rc = seccomp_export_bpf(ctx, fd);
	size = rc < 0 ? 0 : lseek(fd, 0, SEEK_END);
	/* Over 4096 instructions, seccomp(2) would refuse it with EINVAL. */
	if (rc == 0 && (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
			size / sizeof(struct sock_filter) > BPF_MAXINSNS))
		rc = -EFBIG;
	if (rc == 0) {
		p->length = (unsigned short)(size / sizeof(struct sock_filter));
		p->filter = malloc((size_t)size);
		if (p->filter == NULL || pread(fd, p->filter, (size_t)size, 0) != size)
			rc = -EIO;
	}
	close(fd);
	if (rc < 0)
		return fail(e, -rc, "seccomp_export_bpf", "linux.seccomp (%lld bytes)",
			    (long long)size);
	return 0;
}

/* libseccomp builds the program: the filter, its architectures, its rules. */
static int compile(const struct spec_seccomp *sc, struct seccomp_program *p, struct error *e)
{
	scmp_filter_ctx ctx = seccomp_init(sc->default_action);
	size_t nnames = 0;
	int rc = 0;

	if (ctx == NULL)
		return fail(e, EINVAL, "seccomp_init",
			    "linux.seccomp.defaultAction %#x (unknown to this kernel?)",
			    sc->default_action);
	for (size_t i = 0; i < sc->nrules; i++)
		nnames += sc->rules[i].nnames;
	if (set_attributes(ctx, sc, nnames, e) == -1)
		rc = -1;
	/*
	 * seccomp_init made the filter for the native architecture; the
	 * profile adds others (x86_64's: x86 and x32, whose calls have other
	 * numbers). runc, like crun, keeps the native one whatever the list
	 * says, and the native one is already there (EEXIST).
	 */
	for (size_t i = 0; rc == 0 && i < sc->narchitectures; i++) {
		int added = seccomp_arch_add(ctx, sc->architectures[i]);

		if (added < 0 && added != -EEXIST)
			rc = fail(e, -added, "seccomp_arch_add", "linux.seccomp.architectures[%zu]",
				  i);
	}
	for (size_t i = 0; rc == 0 && i < sc->nrules; i++) {
		if (sc->rules[i].action != sc->default_action)
			rc = add_rule(ctx, &sc->rules[i], i, e);
	}
	if (rc == 0)
		rc = export_program(ctx, p, e);
	seccomp_release(ctx);
	return rc;
}

/*
 * The cache's key: everything that makes the program what it is, as
 * text -- the profile as spec.c read it, and what compiles it (this
 * libseccomp, this kernel and machine, this file's rules: bump the
 * "cache 1" when they change). Each name carries its length, so no two
 * profiles give the same text: ["a b"] and ["a", "b"] differ.
 */
static char *cache_key(const struct spec_seccomp *sc, size_t *length)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	char *text = NULL;
	FILE *f = open_memstream(&text, length);

	if (f == NULL)
		return NULL;
	if (uname(&u) == -1)
		memset(&u, 0, sizeof(u));
	fprintf(f, "dcrun seccomp cache 1\nlibseccomp %u.%u.%u\nkernel %s %s %s\n", v->major,
		v->minor, v->micro, u.release, u.version, u.machine);
	fprintf(f, "default %#x\nflags %#x\narchitectures", sc->default_action, sc->flags);
	for (size_t i = 0; i < sc->narchitectures; i++)
		fprintf(f, " %#x", sc->architectures[i]);
	for (size_t i = 0; i < sc->nrules; i++) {
		const struct spec_seccomp_rule *r = &sc->rules[i];

		fprintf(f, "\nrule %#x", r->action);
		for (size_t n = 0; n < r->nnames; n++)
			fprintf(f, " %zu:%s", strlen(r->names[n]), r->names[n]);
		for (size_t k = 0; k < r->nargs; k++)
			fprintf(f, "\n  arg %u op %d %#llx %#llx", r->args[k].index, r->args[k].op,
				(unsigned long long)r->args[k].value,
				(unsigned long long)r->args[k].value_two);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * FNV-1a, 64 bits: only to name the file. The file holds the whole key
 * and is used only if it matches ours byte for byte, so two profiles
 * that hash alike (FNV is easy to collide on purpose) cost a compile,
 * never the wrong filter: no cryptographic hash is needed.
 */
static uint64_t fnv1a(const char *text, size_t length)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < length; i++) {
		hash ^= (unsigned char)text[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/* Ours, and no one else may write it: what is in it becomes a container's filter. */
static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * STATE_ROOT/.seccomp-cache (a dot: `dcrun list` skips it), made if
 * missing; -1 if it cannot be had or trusted, and then there is no cache.
 */
static int open_cache(const char *state_root)
{
	char path[4096];
	struct stat st;
	int dir;

	if (state_root == NULL ||
	    snprintf(path, sizeof(path), "%s/.seccomp-cache", state_root) >= (int)sizeof(path))
		return -1;
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -1;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir != -1 && (fstat(dir, &st) == -1 || !trusted(&st))) {
		close(dir);
		dir = -1;
	}
	return dir;
}

static int read_all(int fd, void *buf, size_t size)
{
	for (char *p = buf; size > 0;) {
		ssize_t n = read(fd, p, size);

		if (n <= 0)
			return -1;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t size)
{
	for (const char *p = buf; size > 0;) {
		ssize_t n = write(fd, p, size);

		if (n <= 0)
			return -1;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

/* A cached program: the key, a NUL, the instructions. 0 if found, whole and ours. */
static int cache_read(int dir, const char *name, const char *key, size_t key_length,
		      struct seccomp_program *p)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	size_t size = 0, program = 0;
	char *text = NULL;
	bool found = false;

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && trusted(&st) &&
	    (size_t)st.st_size > key_length + 1) {
		size = (size_t)st.st_size;
		program = size - key_length - 1;
		text = malloc(size);
	}
	if (text != NULL && program % sizeof(struct sock_filter) == 0 &&
	    program / sizeof(struct sock_filter) <= BPF_MAXINSNS && read_all(fd, text, size) == 0 &&
	    memcmp(text, key, key_length + 1) == 0) {
		p->length = (unsigned short)(program / sizeof(struct sock_filter));
		p->filter = malloc(program);
		found = p->filter != NULL;
		if (found)
			memcpy(p->filter, text + key_length + 1, program);
	}
	free(text);
	close(fd);
	return found ? 0 : -1;
}

/*
 * Written whole or not at all: a temporary file, fsync, then rename(2),
 * which replaces the name in one step -- two dcruns compiling the same
 * profile at once both write the same bytes, and a crash leaves at most
 * a temporary file. A failure costs the next start a compile, never
 * this one its container: a cache is an optimization.
 */
static void cache_write(int dir, const char *name, const char *key, size_t key_length,
			const struct seccomp_program *p)
{
	char temporary[64];
	int fd;
	bool written;

	snprintf(temporary, sizeof(temporary), ".%s.%d", name, (int)getpid());
	fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	written = write_all(fd, key, key_length + 1) == 0 &&
		  write_all(fd, p->filter, p->length * sizeof(struct sock_filter)) == 0 &&
		  fsync(fd) == 0;
	if (close(fd) == -1 || !written || renameat(dir, temporary, dir, name) == -1)
		unlinkat(dir, temporary, 0);
}

/*
 * The cache lives on the host, under the state root: so this runs on the
 * host side, before clone(2) (as crun compiles in its parent), never after
 * pivot_root, where the path would name a file in the container's rootfs,
 * which its image could fill with a program of its own.
 */
int security_seccomp_prepare(const struct spec *spec, const char *state_root,
			     struct seccomp_program **program, struct error *e)
{
	const struct spec_seccomp *sc = spec->seccomp;
	struct seccomp_program *p;
	size_t key_length = 0;
	char *key, name[32];
	int dir, rc = 0;

	*program = NULL;
	if (sc == NULL)
		return 0;
	p = calloc(1, sizeof(*p));
	key = cache_key(sc, &key_length);
	if (p == NULL || key == NULL) {
		free(p);
		free(key);
		return fail(e, ENOMEM, "calloc", "linux.seccomp");
	}
	p->flags = sc->flags & (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
				SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long)fnv1a(key, key_length));
	dir = open_cache(state_root);
	if (dir == -1 || cache_read(dir, name, key, key_length, p) == -1) {
		rc = compile(sc, p, e);
		if (rc == 0 && dir != -1)
			cache_write(dir, name, key, key_length, p);
	}
	if (dir != -1)
		close(dir);
	free(key);
	if (rc == -1)
		security_seccomp_free(p);
	else
		*program = p;
	return rc;
}

/*
 * Install the program on this thread; a second call does nothing.
 * seccomp(2) (Linux 3.17) takes the flags; without flags, prctl(2) does
 * as well on older kernels. A filter is inherited by every child and
 * cannot be removed.
 *
 * Loading one needs no_new_privs or CAP_SYS_ADMIN (in our user
 * namespace): otherwise a set-uid program could be run under a filter
 * that makes it fail in ways its author never expected. With
 * noNewPrivileges, init loads it last, just before execve, so that the
 * fewest calls of our own must pass it; without, it must load it before
 * security_user_and_capabilities takes CAP_SYS_ADMIN away -- runc's two
 * places (standard_init_linux.go) -- and the rest of the setup (setgroups,
 * capset, the exec.fifo, execve) then runs under the filter.
 */
int security_seccomp_load(struct seccomp_program *program, struct error *e)
{
	struct sock_fprog fprog;
	long rc;

	if (program == NULL || program->loaded)
		return 0;
	fprog = (struct sock_fprog){.len = program->length, .filter = program->filter};
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program->flags, &fprog);
	if (rc == -1 && errno == ENOSYS && program->flags == 0)
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
	if (rc == -1 && errno == EACCES)
		return fail(
			e, EACCES, "seccomp",
			"SECCOMP_SET_MODE_FILTER: without noNewPrivileges, a filter must be "
			"loaded while CAP_SYS_ADMIN is held, before the capabilities are dropped");
	/* With TSYNC, a thread that could not follow: its id. dcrun's init has one thread. */
	if (rc != 0)
		return fail(e, rc > 0 ? ESRCH : errno, "seccomp",
			    "SECCOMP_SET_MODE_FILTER (%u instructions)", program->length);
	program->loaded = true;
	return 0;
}

void security_seccomp_free(struct seccomp_program *program)
{
	if (program != NULL)
		free(program->filter);
	free(program);
}

/* --- process.apparmorProfile, and SELinux labels ------------------------------------ */

/* The kernel's word, as runc reads it: AppArmor is on when its module says Y. */
static bool host_has_apparmor(void)
{
	char on = 'N';
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return false;
	if (read(fd, &on, 1) != 1)
		on = 'N';
	close(fd);
	return on == 'Y';
}

/* A mount option that labels the filesystem for SELinux (mount(8)'s context options). */
static bool is_context_option(const char *data)
{
	static const char *const names[] = {
		"context=", "fscontext=", "defcontext=", "rootcontext="};

	for (const char *opt = data; opt != NULL && *opt != '\0';) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strncmp(opt, names[i], strlen(names[i])) == 0)
				return true;
		}
		opt = strchr(opt, ',');
		opt = opt ? opt + 1 : NULL;
	}
	return false;
}

/*
 * A label is a security promise: a container started without the one it
 * asked for would run less confined than its engine believes. So, before
 * anything is made, one that cannot be applied is refused, never
 * dropped. "unconfined" asks for no profile, which a host without
 * AppArmor gives. SELinux labels dcrun never applies (`features` says
 * "selinux": false), so they are refused everywhere, with the reason.
 */
int security_check_labels(const struct spec *spec, struct error *e)
{
	const char *profile = spec->apparmor_profile;
	const char *why =
		access("/sys/fs/selinux/enforce", F_OK) == 0
			? "dcrun applies no SELinux label (dcrun features: selinux not enabled)"
			: "this host has no SELinux (no /sys/fs/selinux/enforce)";

	if (profile != NULL && profile[0] != '\0' && strcmp(profile, "unconfined") != 0 &&
	    !host_has_apparmor())
		return invalid(e,
			       "process.apparmorProfile: \"%s\" cannot be applied: AppArmor is "
			       "not enabled on this host (/sys/module/apparmor/parameters/enabled)",
			       profile);
	if (spec->selinux_label != NULL && spec->selinux_label[0] != '\0')
		return invalid(e, "process.selinuxLabel: \"%s\" cannot be applied: %s",
			       spec->selinux_label, why);
	if (spec->mount_label != NULL && spec->mount_label[0] != '\0')
		return invalid(e, "linux.mountLabel: \"%s\" cannot be applied: %s",
			       spec->mount_label, why);
	for (size_t i = 0; i < spec->nmounts; i++) {
		if (is_context_option(spec->mounts[i].data))
			return invalid(e,
				       "mounts[%zu].options: an SELinux context cannot be "
				       "applied: %s",
				       i, why);
	}
	return 0;
}

/*
 * AppArmor confines a process from its next execve on, with the profile
 * written to /proc/self/attr/apparmor/exec (attr/exec before Linux 5.8's
 * LSM stacking) -- libapparmor's aa_change_onexec, as runc does it.
 * Called early in init, while /sys and /proc are still the host's (the
 * container may mount neither), and before no_new_privs, which would
 * forbid most changes of profile.
 */
int security_apparmor(const struct spec *spec, struct error *e)
{
	const char *profile = spec->apparmor_profile;
	char text[4200];

	if (profile == NULL || profile[0] == '\0' || !host_has_apparmor())
		return 0;
	int fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "/proc/self/attr/exec (process.apparmorProfile)");
	int n = snprintf(text, sizeof(text), "exec %s", profile);
	ssize_t written = write(fd, text, (size_t)n);
	int err = errno;
	close(fd);
	if (written != n)
		return fail(e, err, "apply", "process.apparmorProfile \"%s\"", profile);
	return 0;
}

static bool kept(int fd, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/*
 * Every descriptor from FIRST up is closed but KEEP's (close-on-exec
 * ones the caller still needs until execve): the caller's, our lock, a
 * pidfd, whatever a library left open -- none may reach the container
 * (CVE-2024-21626 was one such leak: runc's handle on the host's
 * cgroupfs, found as /proc/self/fd/N for process.cwd).
 *
 * close_range(2), Linux 5.9, between the kept ones. Where it is refused
 * -- an older kernel, or a seccomp profile that does not know it: init
 * loads the filter before this without noNewPrivileges, and a
 * startContainer hook runs under it -- one close(2) for each descriptor
 * /proc/self/fd lists, or, without it, for each below RLIMIT_NOFILE's
 * hard limit (init may have lowered the soft one already, and a
 * descriptor opened before stays open above it). (The common mistake is to mark them close-on-exec
 * only: a descriptor is still open, and reachable, until execve.)
 */
int security_close_descriptors(int first, const int *keep, size_t nkeep, struct error *e)
{
	unsigned from = (unsigned)first;
	bool refused = false;

	for (unsigned fd = from; !refused; fd++) {
		/* The next kept descriptor at or after fd, if any. */
		unsigned next = ~0U;
		for (size_t i = 0; i < nkeep; i++)
			if (keep[i] >= (int)fd && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next == ~0U) {
			refused = close_range(fd, ~0U, 0) == -1;
			break;
		}
		if (next > fd)
			refused = close_range(fd, next - 1, 0) == -1;
		fd = next;
	}
	if (!refused)
		return 0;
	DIR *d = opendir("/proc/self/fd");
	if (d != NULL) {
		for (struct dirent *entry; (entry = readdir(d)) != NULL;) {
			int fd = atoi(entry->d_name);
			if (fd >= first && fd != dirfd(d) && !kept(fd, keep, nkeep))
				close(fd);
		}
		closedir(d);
		return 0;
	}
	struct rlimit files;
	if (getrlimit(RLIMIT_NOFILE, &files) == -1)
		return fail(e, errno, "getrlimit", "RLIMIT_NOFILE (to close descriptors)");
	/* No descriptor is above fs.nr_open: 1048576 unless raised (it rarely is). */
	rlim_t end = files.rlim_max < (1U << 20) ? files.rlim_max : (1U << 20);
	for (rlim_t fd = (rlim_t)first; fd < end; fd++)
		if (!kept((int)fd, keep, nkeep))
			close((int)fd);
	return 0;
}
