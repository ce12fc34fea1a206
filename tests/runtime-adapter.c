/*
 * The runtime adapter: chapters 01-11's promises, run through chapter
 * 12's dcrun. A test asks for `container [OPTIONS] ROOTFS [COMMAND...]`;
 * when the implementation under test is a runtime ($DC_IMPL/dcrun, and
 * no $DC_IMPL/container), the harness asks this file for a bundle that
 * says the same thing in config.json, and runs
 *
 *     dcrun --root STATE run --bundle BUNDLE ID
 *
 * instead. What the adapter adds is what docker adds on top of runc: a
 * random hostname, HOME and the groups from the image, docker's 14
 * capabilities, a default seccomp profile, /tmp. What config.json cannot
 * say (--persist, --net veth, --no-init, --cleanup) fails the test loudly:
 * a promise that cannot be asked must never pass by saying nothing.
 *
 * The seccomp profile is chapter 11's own allow-list and rules, cut from
 * solutions/11-compose/container.c by the Makefile (seccomp_of_11.h), so
 * the two cannot drift apart.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp_of_11.h"

/* Capability names by number, as config.json spells them (capabilities(7)). */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
enum { NCAPS = sizeof(cap_names) / sizeof(cap_names[0]) };

/* Docker's default set (moby's oci/caps/defaults.go). */
static const uint64_t docker_caps =
	1ULL << CAP_CHOWN | 1ULL << CAP_DAC_OVERRIDE | 1ULL << CAP_FSETID | 1ULL << CAP_FOWNER |
	1ULL << CAP_MKNOD | 1ULL << CAP_NET_RAW | 1ULL << CAP_SETGID | 1ULL << CAP_SETUID |
	1ULL << CAP_SETFCAP | 1ULL << CAP_SETPCAP | 1ULL << CAP_NET_BIND_SERVICE |
	1ULL << CAP_SYS_CHROOT | 1ULL << CAP_KILL | 1ULL << CAP_AUDIT_WRITE;

/* What a test asked of `container`, option by option. */
struct request {
	const char *rootfs;
	const char *const *command; /* NULL: /bin/sh */
	const char *hostname, *domainname, *workdir, *user, *seccomp;
	const char *uid_maps[8], *gid_maps[8], *binds[8], *envs[16], *joins[8];
	size_t nuid_maps, ngid_maps, nbinds, nenvs, njoins;
	const char *memory, *pids, *cpus, *uptime_offset;
	uint64_t caps;
	const char *unknown_cap; /* --cap-add of a name no kernel has: written as it is */
	bool read_only;
};

_Noreturn static void not_expressible(const char *option, const char *why)
{
	dc_fail("runtime adapter: container's %s is not expressible through config.json (%s); "
		"retire or adapt this promise for chapter 12",
		option, why);
}

/* One of container's capability spellings: NET_ADMIN, cap_net_admin, CAP_NET_ADMIN; 0 if none. */
static uint64_t cap_bits(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

	if (strcasecmp(bare, "ALL") == 0)
		return ~0ULL >> (64 - NCAPS);
	for (int i = 0; i < NCAPS; i++) {
		if (strcasecmp(bare, cap_names[i] + 4) == 0)
			return 1ULL << i;
	}
	return 0; /* no such capability */
}

#define PUSH(array, n, value)                                                                      \
	do {                                                                                       \
		if ((n) == sizeof(array) / sizeof((array)[0]))                                     \
			dc_fail("runtime adapter: too many of one option");                        \
		(array)[(n)++] = (value);                                                          \
	} while (0)

static struct request parse_request(const char *const args[])
{
	struct request q = {.caps = docker_caps};
	size_t i = 0;

	for (; args[i] && args[i][0] == '-'; i++) {
		const char *opt = args[i], *eq = strchr(opt, '=');
		char name[64];
		const char *value;

		snprintf(name, sizeof(name), "%.*s", (int)(eq ? eq - opt : (long)strlen(opt)), opt);
		if (strcmp(name, "-v") == 0 || strcmp(name, "--verbose") == 0)
			continue;
		if (strcmp(name, "--read-only") == 0) {
			q.read_only = true;
			continue;
		}
		if (strcmp(name, "--no-init") == 0)
			not_expressible(name, "runc has no init: the command is always PID 1");
		if (strcmp(name, "--cleanup") == 0)
			not_expressible(name, "dcrun delete removes a container's cgroup");
		value = eq ? eq + 1 : args[++i];
		if (value == NULL)
			dc_fail("runtime adapter: %s needs a value", name);
		if (strcmp(name, "--hostname") == 0)
			q.hostname = value;
		else if (strcmp(name, "--domainname") == 0)
			q.domainname = value;
		else if (strcmp(name, "--workdir") == 0)
			q.workdir = value;
		else if (strcmp(name, "--user") == 0)
			q.user = value;
		else if (strcmp(name, "--seccomp") == 0)
			q.seccomp = value;
		else if (strcmp(name, "--memory") == 0)
			q.memory = value;
		else if (strcmp(name, "--pids") == 0)
			q.pids = value;
		else if (strcmp(name, "--cpus") == 0)
			q.cpus = value;
		else if (strcmp(name, "--uptime-offset") == 0)
			q.uptime_offset = value;
		else if (strcmp(name, "--uid-map") == 0)
			PUSH(q.uid_maps, q.nuid_maps, value);
		else if (strcmp(name, "--gid-map") == 0)
			PUSH(q.gid_maps, q.ngid_maps, value);
		else if (strcmp(name, "--bind") == 0)
			PUSH(q.binds, q.nbinds, value);
		else if (strcmp(name, "--env") == 0)
			PUSH(q.envs, q.nenvs, value);
		else if (strcmp(name, "--join") == 0)
			PUSH(q.joins, q.njoins, value);
		else if (strcmp(name, "--cap-add") == 0 && cap_bits(value) == 0)
			q.unknown_cap = value; /* config.json names it, for dcrun to refuse */
		else if (strcmp(name, "--cap-add") == 0)
			q.caps |= cap_bits(value);
		else if (strcmp(name, "--cap-drop") == 0 && cap_bits(value) == 0)
			not_expressible("--cap-drop of an unknown name",
					"config.json lists only what is kept");
		else if (strcmp(name, "--cap-drop") == 0)
			q.caps &= ~cap_bits(value);
		else if (strcmp(name, "--net") == 0 && strcmp(value, "none") != 0)
			not_expressible("--net veth", "runc leaves networking to its caller (CNI)");
		else if (strcmp(name, "--persist") == 0)
			not_expressible(name, "namespaces outlive a container only by bind mounts "
					      "its caller makes");
		else if (strcmp(name, "--net") != 0)
			not_expressible(name, "an option the adapter does not know");
	}
	if (args[i] == NULL)
		not_expressible("missing ROOTFS", "a usage error of container's own");
	q.rootfs = args[i++];
	q.command = args[i] ? &args[i] : NULL;
	return q;
}

/* ---- config.json, piece by piece ------------------------------------------------------ */

static json_object *strings(const char *const *list, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(list[i]));
	return a;
}

/* The set, and `unknown` (not NULL) spelled as config.json would: CAP_ and upper case. */
static json_object *cap_list(uint64_t caps, const char *unknown)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < NCAPS; i++) {
		if (caps >> i & 1)
			json_object_array_add(a, json_object_new_string(cap_names[i]));
	}
	if (unknown) {
		const char *bare = strncasecmp(unknown, "CAP_", 4) == 0 ? unknown + 4 : unknown;
		char name[64];
		size_t n = (size_t)snprintf(name, sizeof(name), "CAP_%s", bare);
		for (size_t i = 4; i < n && i < sizeof(name); i++)
			name[i] = (char)toupper((unsigned char)name[i]);
		json_object_array_add(a, json_object_new_string(name));
	}
	return a;
}

/* "INSIDE OUTSIDE COUNT" lines, or the default: root inside is `outside`. */
static json_object *id_maps(const char *const *maps, size_t n, unsigned long outside)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n || (n == 0 && i == 0); i++) {
		unsigned long in = 0, out = outside, count = 1;
		json_object *m = json_object_new_object();

		if (n > 0 && sscanf(maps[i], "%lu %lu %lu", &in, &out, &count) != 3)
			not_expressible("a malformed --uid-map/--gid-map",
					"container's own check; dcrun sees only numbers");
		json_object_object_add(m, "containerID", json_object_new_int64((int64_t)in));
		json_object_object_add(m, "hostID", json_object_new_int64((int64_t)out));
		json_object_object_add(m, "size", json_object_new_int64((int64_t)count));
		json_object_array_add(a, m);
	}
	return a;
}

/*
 * A positive whole number, with container's k, m and g suffixes
 * (1024-based) where `suffixes`, as a JSON number: exact, even past 64
 * bits, so that a number too big is dcrun's to refuse, never strtoll's
 * to clamp to 2^63-1 here.
 */
static json_object *exact_number(const char *text, bool suffixes, const char *option)
{
	size_t digits = strspn(text, "0123456789");
	const char *end = text + digits;
	int shift = !suffixes                    ? 0
		    : *end == 'k' || *end == 'K' ? 10
		    : *end == 'm' || *end == 'M' ? 20
		    : *end == 'g' || *end == 'G' ? 30
						 : 0;
	unsigned __int128 n = 0;
	char decimal[48], *p = decimal + sizeof(decimal);

	/* 28 digits, times 2^30, still fit in 128 bits. */
	if (digits == 0 || digits > 28 || (shift && *++end) || *end)
		not_expressible(option, "container's own check of a value that is no number");
	for (size_t i = 0; i < digits; i++)
		n = n * 10 + (unsigned)(text[i] - '0');
	if (n == 0)
		not_expressible(option, "0, which config.json takes as \"not set\"");
	n <<= shift;
	if (n <= INT64_MAX)
		return json_object_new_int64((int64_t)n);
	*--p = '\0';
	for (; n > 0; n /= 10)
		*--p = (char)('0' + (int)(n % 10));
	/* json-c writes a double_s as its text, digit for digit. */
	return json_object_new_double_s(0, p);
}

static void add_mount(json_object *mounts, const char *dest, const char *type, const char *source,
		      const char *const *options, size_t n)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_object_add(m, "options", strings(options, n));
	json_object_array_add(mounts, m);
}

static void add_namespace(json_object *list, const char *type, const char *path)
{
	json_object *ns = json_object_new_object();

	json_object_object_add(ns, "type", json_object_new_string(type));
	if (path)
		json_object_object_add(ns, "path", json_object_new_string(path));
	json_object_array_add(list, ns);
}

/* The path of --join TYPE:PATH for an OCI type ("network"), or NULL. */
static const char *joined(const struct request *q, const char *oci_type)
{
	static const char *const names[][2] = {{"net", "network"}, {"ipc", "ipc"},
					       {"uts", "uts"},     {"pid", "pid"},
					       {"user", "user"},   {"mnt", "mount"}};

	for (size_t i = 0; i < q->njoins; i++) {
		const char *colon = strchr(q->joins[i], ':');
		for (size_t t = 0; colon && t < sizeof(names) / sizeof(names[0]); t++) {
			if (strlen(names[t][0]) == (size_t)(colon - q->joins[i]) &&
			    strncmp(q->joins[i], names[t][0], strlen(names[t][0])) == 0 &&
			    strcmp(names[t][1], oci_type) == 0)
				return colon + 1;
		}
		if (colon == NULL)
			not_expressible("a --join without TYPE:", "container's own check");
	}
	return NULL;
}

/* A field of the image's passwd or group line whose field `key` is `value`. */
static bool image_entry(const char *rootfs, const char *file, int key, const char *value,
			char fields[][256], int nfields)
{
	char path[4096], line[1024];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/etc/%s", rootfs, file);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = line;
		int i = 0;

		line[strcspn(line, "\n")] = '\0';
		for (char *tok = strsep(&p, ":"); tok && i < nfields; tok = strsep(&p, ":"))
			snprintf(fields[i++], 256, "%s", tok);
		found = i > key && strcmp(fields[key], value) == 0;
	}
	if (f)
		fclose(f);
	return found;
}

/* A uid or gid as container takes it: a number. */
static int64_t id_number(const char *text)
{
	char *end;
	long long n = strtoll(text, &end, 10);

	if (end == text || *end || n < 0)
		not_expressible("a --user that is no UID[:GID]", "container's own check");
	return n;
}

/* --user UID[:GID], with the home, the group and the groups the image gives that uid. */
static json_object *process_user(const struct request *q, char *home, size_t home_size)
{
	json_object *user = json_object_new_object(), *groups = json_object_new_array();
	char pw[7][256] = {{0}}, gr[4][256] = {{0}}, uid[32] = "0", *gid = NULL;

	if (q->user) {
		snprintf(uid, sizeof(uid), "%s", q->user);
		gid = strchr(uid, ':');
		if (gid)
			*gid++ = '\0';
	}
	bool known = image_entry(q->rootfs, "passwd", 2, uid, pw, 7);
	snprintf(home, home_size, "%s", known ? pw[5] : "/");
	json_object_object_add(user, "uid", json_object_new_int64(id_number(uid)));
	json_object_object_add(user, "gid",
			       json_object_new_int64(gid     ? id_number(gid)
						     : known ? atoll(pw[3])
							     : 0));
	/* Supplementary groups: every group of the image that lists the user's name. */
	char path[4096], line[1024];
	snprintf(path, sizeof(path), "%s/etc/group", q->rootfs);
	FILE *f = known ? fopen(path, "re") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line;
		int i = 0;

		line[strcspn(line, "\n")] = '\0';
		for (char *tok = strsep(&p, ":"); tok && i < 4; tok = strsep(&p, ":"))
			snprintf(gr[i++], 256, "%s", tok);
		for (char *m = gr[3], *tok; i == 4 && (tok = strsep(&m, ",")) != NULL;) {
			if (strcmp(tok, pw[0]) == 0)
				json_object_array_add(groups, json_object_new_int64(atoll(gr[2])));
		}
	}
	if (f)
		fclose(f);
	json_object_object_add(user, "additionalGids", groups);
	return user;
}

/* A rule of the profile: names, an action, and at most one argument test. */
static json_object *rule(json_object *names, const char *action, int errno_ret, int op_index,
			 const char *op, uint64_t value, uint64_t value_two)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "names", names);
	json_object_object_add(r, "action", json_object_new_string(action));
	if (errno_ret)
		json_object_object_add(r, "errnoRet", json_object_new_int(errno_ret));
	if (op) {
		json_object *args = json_object_new_array(), *a = json_object_new_object();

		json_object_object_add(a, "index", json_object_new_int(op_index));
		json_object_object_add(a, "value", json_object_new_uint64(value));
		json_object_object_add(a, "valueTwo", json_object_new_uint64(value_two));
		json_object_object_add(a, "op", json_object_new_string(op));
		json_object_array_add(args, a);
		json_object_object_add(r, "args", args);
	}
	return r;
}

/*
 * Chapter 11's default profile as linux.seccomp: its allow-list, the calls
 * that the kept capabilities add, and its rules on clone, clone3, socket,
 * personality and ptrace. The native architecture only, so that a call
 * made the i386 way is refused (libseccomp kills for a foreign
 * architecture; container.c asks for that explicitly).
 */
static json_object *seccomp_profile(uint64_t caps)
{
	const uint64_t new_namespace = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
				       CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
	const unsigned int personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
	json_object *sc = json_object_new_object(), *rules = json_object_new_array();
	json_object *allowed = strings(allowed_syscalls, DC_COUNT(allowed_syscalls));
	struct utsname u;
	int major = 0, minor = 0;

	for (size_t i = 0; i < DC_COUNT(calls_of_capability); i++) {
		for (size_t n = 0; caps >> calls_of_capability[i].cap & 1 && n < 16 &&
				   calls_of_capability[i].names[n];
		     n++)
			json_object_array_add(
				allowed, json_object_new_string(calls_of_capability[i].names[n]));
	}
	json_object_array_add(rules, rule(allowed, "SCMP_ACT_ALLOW", 0, 0, NULL, 0, 0));
	if (!(caps >> CAP_SYS_ADMIN & 1))
		json_object_array_add(rules,
				      rule(strings((const char *[]){"clone"}, 1), "SCMP_ACT_ALLOW",
					   0, 0, "SCMP_CMP_MASKED_EQ", new_namespace, 0));
	json_object_array_add(rules, rule(strings((const char *[]){"clone3"}, 1), "SCMP_ACT_ERRNO",
					  ENOSYS, 0, NULL, 0, 0));
	json_object_array_add(rules, rule(strings((const char *[]){"socket"}, 1), "SCMP_ACT_ALLOW",
					  0, 0, "SCMP_CMP_LT", AF_VSOCK, 0));
	for (size_t i = 0; i < DC_COUNT(personas); i++)
		json_object_array_add(rules,
				      rule(strings((const char *[]){"personality"}, 1),
					   "SCMP_ACT_ALLOW", 0, 0, "SCMP_CMP_EQ", personas[i], 0));
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	if ((major > 4 || (major == 4 && minor >= 8)) && !(caps >> CAP_SYS_PTRACE & 1))
		json_object_array_add(rules,
				      rule(strings((const char *[]){"ptrace", "process_vm_readv",
								    "process_vm_writev"},
						   3),
					   "SCMP_ACT_ALLOW", 0, 0, NULL, 0, 0));
	json_object_object_add(sc, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
	json_object_object_add(sc, "defaultErrnoRet", json_object_new_int(EPERM));
	json_object_object_add(
		sc, "architectures",
		strings((const char *[]){strcmp(u.machine, "aarch64") == 0 ? "SCMP_ARCH_AARCH64"
									   : "SCMP_ARCH_X86_64"},
			1));
	json_object_object_add(sc, "syscalls", rules);
	return sc;
}

static json_object *child(json_object *parent, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(parent, key, &o)) {
		o = json_object_new_object();
		json_object_object_add(parent, key, o);
	}
	return o;
}

/* The process: command, environment, user, capabilities, limits. */
static void fill_process(json_object *process, const struct request *q, const char *hostname)
{
	static const char *const sh[] = {"/bin/sh", NULL};
	char home[256], env[4][300];
	struct rlimit hard;
	json_object *user = process_user(q, home, sizeof(home)), *caps = json_object_new_object();
	size_t n = 0;

	json_object_object_add(process, "terminal", json_object_new_boolean(0));
	while ((q->command ? q->command : sh)[n])
		n++;
	json_object_object_add(process, "args", strings(q->command ? q->command : sh, n));
	/* container's environment: PATH, HOSTNAME, HOME, TERM, then --env. */
	snprintf(env[0], sizeof(env[0]),
		 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(env[1], sizeof(env[1]), "HOSTNAME=%s", hostname);
	snprintf(env[2], sizeof(env[2]), "HOME=%s", home);
	snprintf(env[3], sizeof(env[3]), "TERM=xterm");
	json_object *envs = strings((const char *[]){env[0], env[1], env[2], env[3]}, 4);
	for (size_t i = 0; i < q->nenvs; i++)
		json_object_array_add(envs, json_object_new_string(q->envs[i]));
	json_object_object_add(process, "env", envs);
	json_object_object_add(process, "cwd",
			       json_object_new_string(q->workdir ? q->workdir : "/"));
	/* Docker (since CVE-2022-24769) gives a user other than root only the bounding set. */
	bool root = json_object_get_int64(json_object_object_get(user, "uid")) == 0;
	json_object_object_add(process, "user", user);
	json_object_object_add(caps, "bounding", cap_list(q->caps, q->unknown_cap));
	json_object_object_add(caps, "effective",
			       cap_list(root ? q->caps : 0, root ? q->unknown_cap : NULL));
	json_object_object_add(caps, "permitted",
			       cap_list(root ? q->caps : 0, root ? q->unknown_cap : NULL));
	json_object_object_add(process, "capabilities", caps);
	/* 1024 open files, as systemd gives a service, up to the caller's hard limit (at most 524288). */
	if (getrlimit(RLIMIT_NOFILE, &hard) == -1)
		hard.rlim_max = 1024;
	if (hard.rlim_max > 524288)
		hard.rlim_max = 524288;
	json_object *nofile = json_object_new_object(), *rlimits = json_object_new_array();
	json_object_object_add(nofile, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(nofile, "hard", json_object_new_uint64(hard.rlim_max));
	json_object_object_add(nofile, "soft",
			       json_object_new_uint64(hard.rlim_max < 1024 ? hard.rlim_max : 1024));
	json_object_array_add(rlimits, nofile);
	json_object_object_add(process, "rlimits", rlimits);
	json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(1));
}

/* linux: namespaces, id maps, clocks, limits, the filter. */
static void fill_linux(json_object *lx, const struct request *q, bool rootless)
{
	static const char *const types[] = {"pid",   "network", "ipc",    "uts",
					    "mount", "user",    "cgroup", "time"};
	json_object *namespaces = json_object_new_array(), *resources = child(lx, "resources");
	bool has_time = access("/proc/self/ns/time", F_OK) == 0;

	for (size_t i = 0; i < DC_COUNT(types); i++) {
		if (strcmp(types[i], "time") != 0 || has_time)
			add_namespace(namespaces, types[i], joined(q, types[i]));
	}
	json_object_object_add(lx, "namespaces", namespaces);
	if (joined(q, "user") == NULL) {
		json_object_object_add(
			lx, "uidMappings",
			id_maps(q->uid_maps, q->nuid_maps, rootless ? NOBODY : getuid()));
		json_object_object_add(
			lx, "gidMappings",
			id_maps(q->gid_maps, q->ngid_maps, rootless ? NOBODY : getgid()));
	}
	if (q->uptime_offset) {
		json_object *offsets = json_object_new_object();
		char *end;
		long long secs = strtoll(q->uptime_offset, &end, 10);

		if (end == q->uptime_offset || *end)
			not_expressible("an --uptime-offset that is no number",
					"container's own check");
		for (int i = 0; i < 2; i++) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "secs", json_object_new_int64(secs));
			json_object_object_add(o, "nanosecs", json_object_new_int(0));
			json_object_object_add(offsets, i ? "monotonic" : "boottime", o);
		}
		json_object_object_add(lx, "timeOffsets", offsets);
	}
	if (q->memory) {
		json_object *memory = child(resources, "memory");
		json_object_object_add(memory, "limit", exact_number(q->memory, true, "--memory"));
		/* Memory plus swap: the same, so no swapping round the limit (as container). */
		json_object_object_add(memory, "swap", exact_number(q->memory, true, "--memory"));
	}
	if (q->pids)
		json_object_object_add(child(resources, "pids"), "limit",
				       exact_number(q->pids, false, "--pids"));
	if (q->cpus) {
		char *end;
		double cpus = strtod(q->cpus, &end);
		if (end == q->cpus || *end || cpus <= 0)
			not_expressible("a --cpus that is no fraction", "container's own check");
		json_object *cpu = child(resources, "cpu");
		json_object_object_add(cpu, "quota",
				       json_object_new_int64((int64_t)(cpus * 100000)));
		json_object_object_add(cpu, "period", json_object_new_uint64(100000));
	}
	if (q->seccomp == NULL || strcmp(q->seccomp, "default") == 0)
		json_object_object_add(lx, "seccomp", seccomp_profile(q->caps));
	else if (strcmp(q->seccomp, "unconfined") != 0)
		not_expressible("a --seccomp other than default or unconfined",
				"container's own check");
}

/*
 * devpts's gid=5 (tty) is EINVAL where the user namespace maps no gid 5:
 * drop it then, as runc's `spec --rootless` and podman do.
 */
static void drop_unmapped_tty_group(json_object *mounts, json_object *gid_maps)
{
	for (size_t i = 0; gid_maps && i < json_object_array_length(gid_maps); i++) {
		json_object *m = json_object_array_get_idx(gid_maps, i);
		int64_t in = json_object_get_int64(json_object_object_get(m, "containerID"));
		int64_t size = json_object_get_int64(json_object_object_get(m, "size"));
		if (in <= 5 && 5 < in + size)
			return;
	}
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		json_object *options = json_object_object_get(m, "options");
		if (strcmp(json_object_get_string(json_object_object_get(m, "type")), "devpts") !=
		    0)
			continue;
		for (size_t o = 0; options && o < json_object_array_length(options); o++) {
			if (strcmp(json_object_get_string(json_object_array_get_idx(options, o)),
				   "gid=5") == 0)
				json_object_array_del_idx(options, o, 1);
		}
	}
}

/* A hostname of 12 hex digits, as docker makes from the container's id. */
static void random_hostname(char *name, size_t size)
{
	unsigned char b[6] = {0};
	FILE *f = fopen("/dev/urandom", "re");

	size_t n = f ? fread(b, 1, sizeof(b), f) : 0;
	if (f)
		fclose(f);
	if (n != sizeof(b))
		dc_fail("runtime adapter: cannot read /dev/urandom");
	snprintf(name, size, "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

bool runtime_adapter_active(void)
{
	static int active = -1;

	if (active == -1)
		active = access(impl_path("dcrun"), X_OK) == 0 &&
			 access(impl_path("container"), F_OK) == -1;
	return active;
}

/* config.json for request q: `dcrun spec`'s (written into BUNDLE), with what q asks. */
static json_object *adapter_config(const struct request *q, bool rootless, const char *bundle,
				   const char *cgroups_path)
{
	char config[4200], random_name[16];
	struct run spec;

	run_program(&spec,
		    (const char *[]){impl_path("dcrun"), "spec", "--bundle", bundle,
				     rootless ? "--rootless" : NULL, NULL},
		    NULL);
	if (spec.exit_code != 0)
		dc_fail("runtime adapter: dcrun spec failed (exit %d): %s", spec.exit_code,
			spec.err);
	run_free(&spec);
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	json_object *c = json_object_from_file(config);
	if (c == NULL)
		dc_fail("runtime adapter: %s: %s", config, json_util_get_last_err());

	/* The name as asked, however long: refusing a bad one is dcrun's job. */
	const char *hostname = q->hostname;
	if (hostname == NULL) {
		random_hostname(random_name, sizeof(random_name));
		hostname = random_name;
	}
	fill_process(child(c, "process"), q, hostname);
	json_object *root = child(c, "root");
	char rootfs[4096];
	if (realpath(q->rootfs, rootfs) == NULL)
		snprintf(rootfs, sizeof(rootfs), "%s", q->rootfs); /* dcrun says what is wrong */
	json_object_object_add(root, "path", json_object_new_string(rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(q->read_only));
	json_object_object_add(c, "hostname", json_object_new_string(hostname));
	if (q->domainname)
		json_object_object_add(c, "domainname", json_object_new_string(q->domainname));
	/* runc's mounts, /proc as docker mounts it, and container's /tmp and --bind. */
	json_object *mounts = child(c, "mounts");
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		if (strcmp(json_object_get_string(json_object_object_get(m, "type")), "proc") == 0)
			json_object_object_add(
				m, "options",
				strings((const char *[]){"nosuid", "noexec", "nodev"}, 3));
	}
	add_mount(mounts, "/tmp", "tmpfs", "tmpfs",
		  (const char *[]){"nosuid", "nodev", "mode=1777"}, 3);
	for (size_t i = 0; i < q->nbinds; i++) {
		const char *colon = strchr(q->binds[i], ':');
		if (colon == NULL)
			not_expressible("a --bind without HOST:INSIDE", "container's own check");
		else {
			char host[4096];
			snprintf(host, sizeof(host), "%.*s", (int)(colon - q->binds[i]),
				 q->binds[i]);
			add_mount(mounts, colon + 1, "bind", host, (const char *[]){"rbind"}, 1);
		}
	}
	fill_linux(child(c, "linux"), q, rootless);
	json_object_object_add(child(c, "linux"), "cgroupsPath",
			       json_object_new_string(cgroups_path));
	drop_unmapped_tty_group(mounts, json_object_object_get(child(c, "linux"), "gidMappings"));
	return c;
}

struct json_object *runtime_adapter_config(const char *const args[])
{
	struct request q = parse_request(args);
	char *bundle = make_temp_dir("bundle");
	json_object *c = adapter_config(&q, false, bundle, RUNTIME_GROUP_PARENT "/dc-test");

	remove_tree(bundle);
	return c;
}

/*
 * This process's runs in the current test: each one's --root and id, for
 * the teardown, and its cgroupsPath, for runtime_adapter_leftover. A
 * forked child's runs are the child's to clean up (harness_exit_child).
 */
enum { MAX_RUNS = 128 };
static struct adapted_run {
	char root[256], id[64], cgroups_path[128];
	pid_t maker;
} runs[MAX_RUNS];
static int nruns;

/* Whether the run's container is still in its --root. */
static bool still_there(const struct adapted_run *run)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", run->root, run->id);
	return access(path, F_OK) == 0;
}

static struct adapted_run *new_run(void)
{
	int kept = 0;

	/* A test with many runs: forget those that are gone already. */
	for (int i = 0; nruns == MAX_RUNS && i < nruns; i++) {
		if (runs[i].maker != getpid() || still_there(&runs[i]))
			runs[kept++] = runs[i];
	}
	if (nruns == MAX_RUNS)
		nruns = kept;
	if (nruns == MAX_RUNS)
		dc_fail("runtime adapter: more than %d containers alive in one test", MAX_RUNS);
	memset(&runs[nruns], 0, sizeof(runs[nruns]));
	runs[nruns].maker = getpid();
	return &runs[nruns++];
}

const char *const *runtime_adapter_args(const char *const args[], bool rootless)
{
	static const char *argv[8];
	static unsigned serial;
	char config[4200], id[64];
	struct request q = parse_request(args);
	/* Tracked at once (make_temp_dir): the test's teardown removes them, whatever fails. */
	char *bundle = make_temp_dir("bundle"), *state = make_temp_dir("dcrun-root");
	struct adapted_run *run = new_run();

	snprintf(run->root, sizeof(run->root), "%s", state);
	snprintf(id, sizeof(id), "dc-test-%d-%u", (int)getpid(), serial++);
	snprintf(run->id, sizeof(run->id), "%s", id);
	/* Chapter 09's parent group, where the cgroup promises look. */
	snprintf(run->cgroups_path, sizeof(run->cgroups_path), RUNTIME_GROUP_PARENT "/%s", id);
	/* Nobody reads the bundle, and keeps its state in a root of its own. */
	if (chmod(bundle, 0755) == -1 || (rootless && chown(state, NOBODY, NOBODY) == -1))
		dc_fail("runtime adapter: chmod/chown %s: %s", bundle, strerror(errno));
	json_object *c = adapter_config(&q, rootless, bundle, run->cgroups_path);
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	if (json_object_to_file_ext(config, c, JSON_C_TO_STRING_PRETTY) == -1)
		dc_fail("runtime adapter: write %s: %s", config, json_util_get_last_err());
	json_object_put(c);
	if (chmod(config, 0644) == -1)
		dc_fail("runtime adapter: chmod %s: %s", config, strerror(errno));
	harness_save_config(config);

	argv[0] = "--root";
	argv[1] = state;
	argv[2] = "run";
	argv[3] = "--bundle";
	argv[4] = bundle;
	argv[5] = run->id;
	argv[6] = NULL;
	return argv;
}

/*
 * `enter PID [COMMAND...]`, chapter 11's way into a running container, as
 * runc's: `dcrun exec` of the container whose process is PID (one of this
 * test's runs), with COMMAND (enter's default, /bin/sh, without). enter
 * DIR (a --persist directory) has no such container: not expressible.
 */
const char *const *runtime_adapter_enter_args(const char *const args[])
{
	static const char *argv[48];
	char *end;
	long pid;
	size_t n = 0;

	if (args[0] != NULL && strcmp(args[0], "-v") == 0)
		args++; /* enter's narration: dcrun has none */
	pid = args[0] ? strtol(args[0], &end, 10) : 0;

	if (args[0] == NULL || end == args[0] || *end != '\0' || pid <= 0)
		not_expressible("enter DIR", "dcrun exec joins a container by its id, and no "
					     "namespace outlives it");
	for (int i = nruns - 1; i >= 0 && n == 0; i--) {
		struct run r;

		if (runs[i].maker != getpid() || !still_there(&runs[i]))
			continue;
		run_program(&r,
			    (const char *[]){impl_path("dcrun"), "--root", runs[i].root, "state",
					     runs[i].id, NULL},
			    NULL);
		json_object *state = r.exit_code == 0 ? json_tokener_parse(r.out) : NULL;
		json_object *p = NULL;
		if (state && json_object_object_get_ex(state, "pid", &p) &&
		    json_object_get_int64(p) == pid) {
			argv[n++] = "--root";
			argv[n++] = runs[i].root;
			argv[n++] = "exec";
			argv[n++] = runs[i].id;
		}
		json_object_put(state);
		run_free(&r);
	}
	if (n == 0)
		dc_fail("runtime adapter: enter %ld: no container of this test has that pid", pid);
	for (size_t i = 1; args[i] != NULL && n + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	if (args[1] == NULL)
		argv[n++] = "/bin/sh";
	argv[n] = NULL;
	return argv;
}

const char *runtime_adapter_leftover(void)
{
	static char what[1024];
	const struct adapted_run *run = NULL;
	char path[512];
	glob_t g;

	for (int i = nruns - 1; i >= 0 && run == NULL; i--) {
		if (runs[i].maker == getpid())
			run = &runs[i];
	}
	if (run == NULL)
		return NULL;
	if (still_there(run)) {
		snprintf(what, sizeof(what), "its container %s, in dcrun's --root %s", run->id,
			 run->root);
		return what;
	}
	/* v2: /sys/fs/cgroup/PATH; v1 and hybrid: /sys/fs/cgroup/HIERARCHY/PATH. */
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s", run->cgroups_path);
	if (access(path, F_OK) == 0) {
		snprintf(what, sizeof(what), "its cgroup %s", path);
		return what;
	}
	snprintf(path, sizeof(path), "/sys/fs/cgroup/*%s", run->cgroups_path);
	bool found = glob(path, 0, NULL, &g) == 0;
	if (found)
		snprintf(what, sizeof(what), "its cgroup %s", g.gl_pathv[0]);
	globfree(&g);
	return found ? what : NULL;
}

void runtime_adapter_teardown(void)
{
	for (int i = 0; i < nruns; i++) {
		struct run r;

		if (runs[i].maker != getpid() || !still_there(&runs[i]))
			continue;
		run_program(&r,
			    (const char *[]){impl_path("dcrun"), "--root", runs[i].root, "delete",
					     "--force", runs[i].id, NULL},
			    NULL);
		if (r.exit_code != 0)
			fprintf(stderr, "runtime adapter: dcrun delete --force %s: %s", runs[i].id,
				r.err);
		run_free(&r);
	}
	nruns = 0;
}
