/*
 * cgroup.c: chapter 09's cgroups, driven by config.json's linux.cgroupsPath
 * and linux.resources, for v1, hybrid and v2.
 *
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
 *
 * The container's group has one path, "/dcrun/ID", the same under every
 * hierarchy's root; state.json keeps that one string.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char cgroup_root[] = "/sys/fs/cgroup";

/* --- small helpers: every failure names the call and the file ------------------ */

/* EACCES or EPERM on a cgroup file, without root, is almost always "not root". */
static int cgroup_fail(struct error *e, int err, const char *call, const char *path)
{
	if ((err == EACCES || err == EPERM) && geteuid() != 0)
		return fail_hint(e, HINT_ROOT, err, call, "%s", path);
	return fail(e, err, call, "%s", path);
}

/* DIR/FILE into path; too long a path is an error, never a cut one. */
static int join(char *path, size_t size, const char *dir, const char *file, struct error *e)
{
	if ((size_t)snprintf(path, size, "%s/%s", dir, file) >= size)
		return fail(e, ENAMETOOLONG, "join", "%s/%s", dir, file);
	return 0;
}

/* One write(2) of value into DIR/FILE: a cgroup file takes one value (or rule) a write. */
static int write_file(const char *dir, const char *file, const char *value, struct error *e)
{
	char path[4200];
	size_t len = strlen(value);

	if (join(path, sizeof(path), dir, file, e) == -1)
		return -1;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return cgroup_fail(e, errno, "open", path);
	if (write(fd, value, len) != (ssize_t)len) {
		int err = errno;

		close(fd);
		if ((err == EACCES || err == EPERM) && geteuid() != 0)
			return fail_hint(e, HINT_ROOT, err, "write", "%s to %s", value, path);
		return fail(e, err, "write", "%s to %s", value, path);
	}
	close(fd);
	return 0;
}

/* A number, or "max" for -1: v2's files (and v1's pids.max) spell "unlimited" so. */
static int write_number(const char *dir, const char *file, int64_t value, struct error *e)
{
	char text[32];

	if (value < 0)
		snprintf(text, sizeof(text), "max");
	else
		snprintf(text, sizeof(text), "%lld", (long long)value);
	return write_file(dir, file, text, e);
}

/* The first line of DIR/FILE, without its newline; -1 with errno set. */
static int read_line(const char *dir, const char *file, char *buf, size_t size)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Is name one of the words of list (split at any of sep)? "memory" in "cpuset cpu memory". */
static bool has_word(const char *list, const char *name, const char *sep)
{
	size_t len = strlen(name);

	for (const char *p = list; *p; p += strspn(p, sep)) {
		size_t n = strcspn(p, sep);

		if (n == len && strncmp(p, name, len) == 0)
			return true;
		p += n;
		if (*p == '\0')
			break;
	}
	return false;
}

static int cgroup_version(struct error *e)
{
	struct statfs fs;

	if (statfs(cgroup_root, &fs) == -1)
		return fail(e, errno, "statfs", "%s", cgroup_root);
	return fs.f_type == CGROUP2_SUPER_MAGIC ? CGROUP_V2 : CGROUP_V1;
}

/*
 * The cgroup hierarchies mounted under /sys/fs/cgroup: on v2 the one
 * tree; on v1 and hybrid machines each directory that is a cgroup or
 * cgroup2 mount (memory, freezer, systemd, unified...), not the symlinks
 * that alias them (cpu -> cpu,cpuacct). A hierarchy's directory name
 * lists its controllers, as systemd names them.
 */
enum { MAX_HIERARCHIES = 24 };

static int cgroup_hierarchies(int version, char list[][64], size_t *n, struct error *e)
{
	struct statfs fs;

	*n = 0;
	if (version == CGROUP_V2) {
		snprintf(list[(*n)++], 64, "%s", cgroup_root);
		return 0;
	}
	DIR *d = opendir(cgroup_root);
	if (d == NULL)
		return fail(e, errno, "opendir", "%s", cgroup_root);
	for (struct dirent *de; *n < MAX_HIERARCHIES && (de = readdir(d)) != NULL;) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(list[*n], 64, "%s/%.40s", cgroup_root, de->d_name);
		if (statfs(list[*n], &fs) == 0 &&
		    (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC))
			(*n)++;
	}
	closedir(d);
	return 0;
}

/* Does this v1 hierarchy ("/sys/fs/cgroup/cpu,cpuacct") hold the controller? */
static bool holds(const char *hierarchy, const char *controller)
{
	return has_word(strrchr(hierarchy, '/') + 1, controller, ",");
}

/* --- where the group is ------------------------------------------------------------ */

/*
 * The group this process is in, from /proc/self/cgroup ("4:memory:/a/b"):
 * in the v1 hierarchy that holds controller, or (NULL) v2's "0::/a/b".
 * 1 if found, 0 if no line names it.
 */
static int group_in(const char *controller, char *group, size_t size, struct error *e)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (f == NULL)
		return fail(e, errno, "open", "/proc/self/cgroup");
	while (!found && fgets(line, sizeof(line), f)) {
		char *names = strchr(line, ':');
		char *path = names ? strchr(names + 1, ':') : NULL;

		if (path == NULL)
			continue;
		*names++ = '\0';
		*path++ = '\0';
		if (controller ? has_word(names, controller, ",")
			       : strcmp(line, "0") == 0 && names[0] == '\0') {
			path[strcspn(path, "\n")] = '\0';
			snprintf(group, size, "%s", path);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/*
 * dcrun's own group. On v1 a process may sit in a different group in each
 * hierarchy, but one path must name the container's group in all of them
 * (runc keeps one path per hierarchy): the memory hierarchy's group, else
 * pids', is the one a relative path starts from.
 */
static int own_group(int version, char *group, size_t size, struct error *e)
{
	int found = version == CGROUP_V2 ? group_in(NULL, group, size, e)
					 : group_in("memory", group, size, e);

	if (found == 0 && version == CGROUP_V1)
		found = group_in("pids", group, size, e);
	if (found == 0)
		snprintf(group, size, "/"); /* in no such hierarchy: its root */
	return found == -1 ? -1 : 0;
}

/*
 * linux.cgroupsPath into cg->path:
 *   "/a/b"  absolute: under each hierarchy's root (podman --cgroup-manager
 *           cgroupfs gives "/libpod_parent/libpod-ID");
 *   "a/b"   relative: under dcrun's own group;
 *   empty   "/dcrun/ID". runc puts such a container in "ID" under its own
 *           group; dcrun gathers its groups under one parent instead, which
 *           `ls /sys/fs/cgroup/.../dcrun` shows, and which on v2 holds no
 *           process, so it may pass controllers down (a `sudo dcrun` in a
 *           login session's scope could not: no internal processes).
 *   "machine.slice:libpod:ID" is systemd's form, for its cgroup driver.
 * The path is joined under /sys/fs/cgroup: ".." is refused, not cleaned.
 * An absolute path resolves to itself: state.json's path gives cg back.
 */
int cgroup_resolve(const struct spec *spec, const char *id, struct cgroup *cg, struct error *e)
{
	const char *given = spec->cgroups_path ? spec->cgroups_path : "";
	char raw[8200], path[4096] = "";
	size_t len = 0;

	if (strchr(given, ':'))
		return invalid(
			e,
			"linux.cgroupsPath: \"%s\" is systemd's slice:prefix:name form, but "
			"dcrun has no systemd cgroup driver (--systemd-cgroup is not "
			"supported): give a path such as /dcrun/%s (podman: --cgroup-manager "
			"cgroupfs)",
			given, id);
	cg->version = cgroup_version(e);
	if (cg->version == -1)
		return -1;
	if (given[0] == '\0') {
		snprintf(raw, sizeof(raw), "/dcrun/%s", id);
	} else if (given[0] == '/') {
		snprintf(raw, sizeof(raw), "%s", given);
	} else {
		char own[4096];

		if (own_group(cg->version, own, sizeof(own), e) == -1)
			return -1;
		snprintf(raw, sizeof(raw), "%s/%s", own, given);
	}

	/* Component by component: "//" and "." dropped, ".." refused. */
	for (const char *p = raw + strspn(raw, "/"); *p; p += strspn(p, "/")) {
		size_t n = strcspn(p, "/");

		if (n == 2 && strncmp(p, "..", 2) == 0)
			return invalid(e, "linux.cgroupsPath: \"%s\" climbs out with \"..\"",
				       given);
		if (len + 1 + n >= sizeof(path))
			return invalid(e, "linux.cgroupsPath: \"%s\" is too long", given);
		if (!(n == 1 && p[0] == '.')) {
			path[len++] = '/';
			memcpy(path + len, p, n);
			len += n;
			path[len] = '\0';
		}
		p += n;
	}
	if (len == 0) /* limits on the root group would be the host's */
		return invalid(e, "linux.cgroupsPath: \"%s\" names the root group", given);
	snprintf(cg->path, sizeof(cg->path), "%s", path);
	return 0;
}

/* The container's group under one hierarchy: HIERARCHY/dcrun/ID. */
static int group_dir(char *dir, size_t size, const char *hierarchy, const struct cgroup *cg,
		     struct error *e)
{
	if ((size_t)snprintf(dir, size, "%s%s", hierarchy, cg->path) >= size)
		return fail(e, ENAMETOOLONG, "join", "%s%s", hierarchy, cg->path);
	return 0;
}

/* --- devices ------------------------------------------------------------------------- */

/*
 * Devices. A node is a door to a driver: whoever opens /dev/sda reads the
 * disk, whatever the mounts, and mode bits do not stop root. docker keeps
 * CAP_MKNOD (images make nodes as they install) and, by default, no user
 * namespace: root inside could make any node. What stops it opening one is
 * the devices controller, asked on every open and mknod of a node. Only
 * opening is checked: a descriptor opened before stays usable.
 *
 * The rules are config.json's linux.resources.devices, in order, then an
 * allow for each node of linux.devices, then runc's default list below,
 * last: runc appends them so, so `dcrun spec`'s "deny all" still leaves
 * /dev/null usable. The last rule that matches decides.
 */
static const struct spec_device_rule default_devices[] = {
	{true, 'c', 1, 3, "rwm"},    /* null */
	{true, 'c', 1, 5, "rwm"},    /* zero */
	{true, 'c', 1, 7, "rwm"},    /* full */
	{true, 'c', 1, 8, "rwm"},    /* random */
	{true, 'c', 1, 9, "rwm"},    /* urandom */
	{true, 'c', 5, 0, "rwm"},    /* tty */
	{true, 'c', 5, 2, "rwm"},    /* ptmx */
	{true, 'c', 136, -1, "rwm"}, /* pts/N */
	{true, 'c', -1, -1, "m"},    /* make any node */
	{true, 'b', -1, -1, "m"},
};
enum { N_DEFAULT_DEVICES = sizeof(default_devices) / sizeof(default_devices[0]) };

/* Every rule, in order (malloc'd); NULL if out of memory. */
static struct spec_device_rule *device_rules(const struct spec *spec, size_t *n)
{
	size_t max = spec->resources.ndevices + spec->ndevices + N_DEFAULT_DEVICES;
	struct spec_device_rule *rules = calloc(max, sizeof(*rules));

	*n = 0;
	if (rules == NULL)
		return NULL;
	for (size_t i = 0; i < spec->resources.ndevices; i++)
		rules[(*n)++] = spec->resources.devices[i];
	for (size_t i = 0; i < spec->ndevices; i++) {
		const struct spec_device *d = &spec->devices[i];

		if (d->type == 'p') /* a fifo is no device: the controller never asks */
			continue;
		rules[(*n)++] = (struct spec_device_rule){true, d->type == 'b' ? 'b' : 'c',
							  d->major, d->minor, "rwm"};
	}
	for (size_t i = 0; i < N_DEFAULT_DEVICES; i++)
		rules[(*n)++] = default_devices[i];
	return rules;
}

/*
 * v1's files: deny all, then each rule into devices.allow or devices.deny,
 * in order: "c 1:3 rwm". "a" resets the list to allow all or deny all (the
 * kernel reads nothing after it). A new group starts with its parent's
 * list and may allow no more than its parent does; and "a" fails (EINVAL)
 * on a group with children, so it goes on the container's own group.
 * v1 drops access from an exception of the same type and numbers only: a
 * deny of c 1:3 does not punch a hole in an earlier allow of c *:*.
 */
static int devices_v1(const char *dir, const struct spec_device_rule *rules, size_t n,
		      struct error *e)
{
	if (write_file(dir, "devices.deny", "a", e) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct spec_device_rule *r = &rules[i];
		char rule[64], major[24] = "*", minor[24] = "*";

		if (r->major >= 0)
			snprintf(major, sizeof(major), "%lld", (long long)r->major);
		if (r->minor >= 0)
			snprintf(minor, sizeof(minor), "%lld", (long long)r->minor);
		if (r->type == 'a')
			snprintf(rule, sizeof(rule), "a");
		else
			snprintf(rule, sizeof(rule), "%c %s:%s %s", r->type, major, minor,
				 r->access);
		if (write_file(dir, r->allow ? "devices.allow" : "devices.deny", rule, e) == -1)
			return -1;
	}
	return 0;
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* "if (reg != imm) goto the next rule" (or ==): where that is, we know at its end. */
static struct bpf_insn unless(__u8 reg, __s32 imm)
{
	return insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm);
}

static struct bpf_insn skip_if(__u8 reg, __s32 imm)
{
	return insn(BPF_JMP | BPF_JEQ | BPF_K, reg, 0, 0, imm);
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
 * struct bpf_cgroup_dev_ctx it is given. Ours reads the rules from the last
 * to the first, so the last that matches decides, each access on its own:
 * r3 holds the accesses asked for and not yet decided. A matching allow
 * settles its accesses (all settled: return 1); a matching deny of one
 * still asked returns 0; none left to read: 0, as a v1 list after "a" denied.
 * At most 8 instructions a rule, and 8 more.
 */
static size_t devices_program(struct bpf_insn *p, const struct spec_device_rule *rules, size_t n)
{
	const __s16 type = offsetof(struct bpf_cgroup_dev_ctx, access_type);
	size_t len = 0;

	/* r2 = type (low 16 bits), r3 = access (high 16), r4 = major, r5 = minor. */
	p[len++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, type, 0);
	p[len++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[len++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, type, 0);
	p[len++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[len++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1,
			offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[len++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1,
			offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t i = n; i-- > 0;) {
		const struct spec_device_rule *r = &rules[i];
		__s32 access = r->type == 'a' ? bpf_access("rwm") : bpf_access(r->access);
		size_t start = len;

		if (r->type != 'a') { /* "a": every device, every access, as in v1 */
			p[len++] = unless(BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK
								    : BPF_DEVCG_DEV_CHAR);
			if (r->major >= 0)
				p[len++] = unless(BPF_REG_4, (__s32)r->major);
			if (r->minor >= 0)
				p[len++] = unless(BPF_REG_5, (__s32)r->minor);
		}
		if (r->allow) { /* r3 &= ~access; if (r3 != 0) goto next; return 1 */
			p[len++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, ~access);
			p[len++] = unless(BPF_REG_3, 0);
		} else { /* if ((r3 & access) == 0) goto next; return 0 */
			p[len++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			p[len++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, access);
			p[len++] = skip_if(BPF_REG_1, 0);
		}
		p[len++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
		p[len++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = start; j < len; j++) /* the next rule: just past this one */
			if (BPF_CLASS(p[j].code) == BPF_JMP && BPF_OP(p[j].code) != BPF_EXIT)
				p[j].off = (__s16)(len - j - 1);
	}
	p[len++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[len++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return len;
}

/* A BPF failure's hint: root, unless root already; else what v2 devices need. */
static int bpf_fail(struct error *e, int err, const char *call, const char *object)
{
	enum hint hint = (err == EPERM || err == EACCES) && geteuid() != 0 ? HINT_ROOT
									   : HINT_CGROUP_V2_DEVICES;

	return fail_hint(e, hint, err, call, "%s", object);
}

/* The verifier's last line before its statistics ("processed 40 insns..."). */
static const char *verifier_reason(char *log)
{
	for (;;) {
		size_t len = strlen(log);

		while (len > 0 && log[len - 1] == '\n')
			log[--len] = '\0';
		char *line = strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log;
		if (strncmp(line, "processed ", 10) != 0)
			return line[0] ? line : "the devices program";
		*line = '\0';
	}
}

static int load_devices_program(const struct spec_device_rule *rules, size_t n, struct error *e)
{
	struct bpf_insn *prog = calloc(8 * (n + 1), sizeof(*prog));
	union bpf_attr attr;
	int fd;

	if (prog == NULL)
		return fail(e, ENOMEM, "calloc", "the devices program");
	memset(&attr, 0, sizeof(attr)); /* the kernel wants every unused byte 0 */
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)prog;
	attr.insn_cnt = (__u32)devices_program(prog, rules, n);
	attr.license = (uintptr_t) "GPL"; /* any string: it calls no GPL-only helper */
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd == -1) {
		/* Again, with the verifier's log, for the line that says what it refused. */
		static char log[65536];
		int err = errno, again;

		attr.log_buf = (uintptr_t)log;
		attr.log_size = sizeof(log) - 1;
		attr.log_level = 1;
		again = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		if (again != -1)
			close(again);
		free(prog);
		return bpf_fail(e, err, "bpf(BPF_PROG_LOAD)", verifier_reason(log));
	}
	free(prog);
	return fd;
}

/*
 * BPF_F_ALLOW_MULTI, as runc: every program attached on the way up
 * runs, and all must allow, so one a nested runtime attaches below
 * ours can only deny more. Flags 0 would forbid any program below
 * (EPERM); ALLOW_OVERRIDE would let one below replace ours. Attached,
 * the program lives as long as the group: its descriptor may go.
 */
static int devices_v2(const char *dir, const struct spec_device_rule *rules, size_t n,
		      struct error *e)
{
	union bpf_attr attr;
	int prog = load_devices_program(rules, n, e);

	if (prog == -1)
		return -1;
	int group = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (group == -1) {
		close(prog);
		return cgroup_fail(e, errno, "open", dir);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)group;
	attr.attach_bpf_fd = (__u32)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	int rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	int err = errno;
	close(group);
	close(prog);
	return rc == -1 ? bpf_fail(e, err, "bpf(BPF_PROG_ATTACH)", dir) : 0;
}

static int write_devices(const char *dir, int version, const struct spec *spec, struct error *e)
{
	size_t n;
	struct spec_device_rule *rules = device_rules(spec, &n);
	int rc;

	if (rules == NULL)
		return fail(e, ENOMEM, "calloc", "the device rules");
	rc = version == CGROUP_V2 ? devices_v2(dir, rules, n, e) : devices_v1(dir, rules, n, e);
	free(rules);
	return rc;
}

/* --- entering: v2 ------------------------------------------------------------------- */

/*
 * What config.json asks of each controller: enabling one it needs must
 * not fail. (swappiness and disableOOMKiller are v1's only: see
 * resources_v2.)
 */
static bool wants_memory(const struct spec *s)
{
	return s->resources.memory_limit != -1 || s->resources.memory_reservation != -1 ||
	       s->resources.memory_swap != -1;
}

static bool wants_cpu(const struct spec *s)
{
	return s->resources.cpu_shares != 0 || s->resources.cpu_quota > 0 ||
	       s->resources.cpu_period != 0;
}

static bool wants_cpuset(const struct spec *s)
{
	return s->resources.cpu_cpus != NULL || s->resources.cpu_mems != NULL;
}

static bool wants_pids(const struct spec *s)
{
	return s->resources.pids_limit != 0;
}

static const struct controller {
	const char *name;
	bool (*wanted)(const struct spec *s);
	const char *field; /* for the message */
} controllers[] = {
	{"memory", wants_memory, "linux.resources.memory"},
	{"pids", wants_pids, "linux.resources.pids"},
	{"cpu", wants_cpu, "linux.resources.cpu"},
	{"cpuset", wants_cpuset, "linux.resources.cpu.cpus/mems"},
};
enum { N_CONTROLLERS = sizeof(controllers) / sizeof(controllers[0]) };

/*
 * A v2 group gets a controller only if its parent lists it in
 * cgroup.subtree_control, and the parent only if its own parent does: so
 * each ancestor, from the root down, passes on each controller it has
 * (its cgroup.controllers). One the container does not need may be
 * missing; one it needs may not, and then the message says where.
 */
static int enable_controllers(const char *dir, const struct spec *spec, struct error *e)
{
	char available[512], value[32], path[4200];

	if (join(path, sizeof(path), dir, "cgroup.controllers", e) == -1)
		return -1;
	if (read_line(dir, "cgroup.controllers", available, sizeof(available)) == -1)
		return cgroup_fail(e, errno, "open", path);
	for (size_t i = 0; i < N_CONTROLLERS; i++) {
		const struct controller *c = &controllers[i];

		if (!has_word(available, c->name, " ")) {
			if (!c->wanted(spec))
				continue;
			return invalid(e,
				       "%s: cgroup v2's %s controller is not available in %s (not "
				       "in its cgroup.controllers)",
				       c->field, c->name, dir);
		}
		snprintf(value, sizeof(value), "+%s", c->name);
		if (write_file(dir, "cgroup.subtree_control", value, e) == 0 || !c->wanted(spec))
			continue;
		if (e->err == EBUSY)
			return fail(e, EBUSY, "write",
				    "%s to %s/cgroup.subtree_control (a group that holds processes "
				    "cannot enable controllers for its children)",
				    value, dir);
		return -1;
	}
	return 0;
}

/* cpu.shares within the kernel's range, 2 to 262144, as v1 would clamp it. */
static int64_t shares(const struct spec *s)
{
	uint64_t n = s->resources.cpu_shares;

	return n < 2 ? 2 : n > 262144 ? 262144 : (int64_t)n;
}

/* mkdir, and an existing group is no error (another container's parent, or ours again). */
static int make_dir(const char *dir, struct error *e)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return cgroup_fail(e, errno, "mkdir", dir);
	return 0;
}

static int resources_v2(const char *dir, const struct spec *spec, struct error *e)
{
	const typeof(spec->resources) *r = &spec->resources; /* (typeof: that struct has no name) */

	if (r->memory_limit != -1 && write_number(dir, "memory.max", r->memory_limit, e) == -1)
		return -1;
	if (r->memory_reservation != -1 &&
	    write_number(dir, "memory.low", r->memory_reservation, e) == -1)
		return -1;
	/* OCI's swap is memory+swap (v1's memsw); v2 counts swap alone. */
	if (r->memory_swap != -1 &&
	    write_number(dir, "memory.swap.max", r->memory_swap - r->memory_limit, e) == -1)
		return -1;
	/*
	 * v2 has no memory.swappiness nor memory.oom_control (swappiness is the
	 * host's vm.swappiness; the OOM killer cannot be turned off per group,
	 * memory.oom.group only chooses who dies): runc's fs2 skips both
	 * silently, so does dcrun, rather than fail a config that runs on v1.
	 */
	if (r->cpu_shares != 0) {
		/*
		 * v1's shares (2 to 262144, 1024 the default) onto v2's weight
		 * (1 to 10000, 100 the default), runc's linear map: 2 -> 1,
		 * 262144 -> 10000 (so 1024 -> 39, not 100).
		 */
		int64_t weight = 1 + ((shares(spec) - 2) * 9999) / 262142;

		if (write_number(dir, "cpu.weight", weight, e) == -1)
			return -1;
	}
	if (r->cpu_quota > 0 || r->cpu_period != 0) {
		/* "QUOTA PERIOD", or "max PERIOD"; without a period the kernel keeps its own. */
		char quota[24] = "max", value[64];

		if (r->cpu_quota > 0)
			snprintf(quota, sizeof(quota), "%lld", (long long)r->cpu_quota);
		if (r->cpu_period != 0)
			snprintf(value, sizeof(value), "%s %llu", quota,
				 (unsigned long long)r->cpu_period);
		else
			snprintf(value, sizeof(value), "%s", quota);
		if (write_file(dir, "cpu.max", value, e) == -1)
			return -1;
	}
	if ((r->cpu_cpus && write_file(dir, "cpuset.cpus", r->cpu_cpus, e) == -1) ||
	    (r->cpu_mems && write_file(dir, "cpuset.mems", r->cpu_mems, e) == -1))
		return -1;
	if (r->pids_limit != 0 && write_number(dir, "pids.max", r->pids_limit, e) == -1)
		return -1;
	return 0;
}

/*
 * Put the container (pid) in its group with its limits. Each ancestor
 * passes the controllers down, and holds no process itself.
 */
static int enter_v2(const struct cgroup *cg, const struct spec *spec, const char *procs,
		    struct error *e)
{
	char dir[4200];
	size_t len = (size_t)snprintf(dir, sizeof(dir), "%s", cgroup_root);

	for (const char *p = cg->path; *p == '/';) { /* "/dcrun/ID": "/dcrun", then "/ID" */
		size_t n = strcspn(p + 1, "/") + 1;

		if (enable_controllers(dir, spec, e) == -1)
			return -1;
		if (len + n >= sizeof(dir))
			return fail(e, ENAMETOOLONG, "mkdir", "%s%s", cgroup_root, cg->path);
		memcpy(dir + len, p, n);
		len += n;
		dir[len] = '\0';
		if (make_dir(dir, e) == -1)
			return -1;
		p += n;
	}
	if (resources_v2(dir, spec, e) == -1 || write_devices(dir, CGROUP_V2, spec, e) == -1)
		return -1;
	return write_file(dir, "cgroup.procs", procs, e);
}

/* --- entering: v1 ------------------------------------------------------------------- */

/* A new v1 cpuset group has no CPUs and no memory nodes: give it its parent's. */
static int inherit_cpuset(const char *dir, const char *file, struct error *e)
{
	char parent[4200], from[4300], value[4096];

	if (read_line(dir, file, value, sizeof(value)) == 0 && value[0] != '\0')
		return 0; /* it has its own */
	snprintf(parent, sizeof(parent), "%s/..", dir);
	snprintf(from, sizeof(from), "%s/%s", parent, file);
	if (read_line(parent, file, value, sizeof(value)) == -1)
		return cgroup_fail(e, errno, "open", from);
	return write_file(dir, file, value, e);
}

/* mkdir -p HIERARCHY/dcrun/ID; each new cpuset level gets its parent's CPUs and nodes. */
static int make_groups_v1(const char *hierarchy, const struct cgroup *cg, char *dir, size_t size,
			  struct error *e)
{
	bool cpuset = holds(hierarchy, "cpuset");
	size_t len = (size_t)snprintf(dir, size, "%s", hierarchy);

	for (const char *p = cg->path; *p == '/';) {
		size_t n = strcspn(p + 1, "/") + 1;

		if (len + n >= size)
			return fail(e, ENAMETOOLONG, "mkdir", "%s%s", hierarchy, cg->path);
		memcpy(dir + len, p, n);
		len += n;
		dir[len] = '\0';
		if (make_dir(dir, e) == -1)
			return -1;
		if (cpuset && (inherit_cpuset(dir, "cpuset.cpus", e) == -1 ||
			       inherit_cpuset(dir, "cpuset.mems", e) == -1))
			return -1;
		p += n;
	}
	return 0;
}

/* The files of v1's controllers this hierarchy holds (several when co-mounted: cpu,cpuacct). */
static int resources_v1(const char *hierarchy, const char *dir, const struct spec *spec,
			struct error *e)
{
	const typeof(spec->resources) *r = &spec->resources;

	if (holds(hierarchy, "memory")) {
		/* The limit first: memsw (memory+swap) may never be below it. */
		if (r->memory_limit != -1 &&
		    write_number(dir, "memory.limit_in_bytes", r->memory_limit, e) == -1)
			return -1;
		if (r->memory_reservation != -1 &&
		    write_number(dir, "memory.soft_limit_in_bytes", r->memory_reservation, e) == -1)
			return -1;
		/* Absent without swap accounting (swapaccount=1): an error only if asked. */
		if (r->memory_swap != -1 &&
		    write_number(dir, "memory.memsw.limit_in_bytes", r->memory_swap, e) == -1)
			return -1;
		if (r->memory_swappiness != -1 &&
		    write_number(dir, "memory.swappiness", r->memory_swappiness, e) == -1)
			return -1;
		/* 1 in oom_control: at the limit, tasks wait for memory instead of being killed. */
		if (r->disable_oom_killer && write_number(dir, "memory.oom_control", 1, e) == -1)
			return -1;
	}
	if (holds(hierarchy, "cpu")) {
		if (r->cpu_shares != 0 && write_number(dir, "cpu.shares", shares(spec), e) == -1)
			return -1;
		/* The period first: the quota is checked against it. */
		if (r->cpu_period != 0 &&
		    write_number(dir, "cpu.cfs_period_us", (int64_t)r->cpu_period, e) == -1)
			return -1;
		if (r->cpu_quota > 0 &&
		    write_number(dir, "cpu.cfs_quota_us", r->cpu_quota, e) == -1)
			return -1;
	}
	if (holds(hierarchy, "cpuset") &&
	    ((r->cpu_cpus && write_file(dir, "cpuset.cpus", r->cpu_cpus, e) == -1) ||
	     (r->cpu_mems && write_file(dir, "cpuset.mems", r->cpu_mems, e) == -1)))
		return -1;
	if (holds(hierarchy, "pids") && r->pids_limit != 0 &&
	    write_number(dir, "pids.max", r->pids_limit, e) == -1)
		return -1;
	if (holds(hierarchy, "devices"))
		return write_devices(dir, CGROUP_V1, spec, e);
	return 0;
}

/*
 * A cgroup namespace's root, in each hierarchy, is the group its maker
 * is in there. So, as runc does, the container gets a group of its own in
 * every hierarchy, not only those that hold its limits (freezer,
 * name=systemd, a hybrid's unified...): left in the host's group there,
 * root inside could mount that tree, list the host's groups and make or
 * remove some.
 */
static int enter_v1(const struct cgroup *cg, const struct spec *spec, const char *procs,
		    struct error *e)
{
	char list[MAX_HIERARCHIES][64], dir[4200];
	size_t n;

	if (cgroup_hierarchies(CGROUP_V1, list, &n, e) == -1)
		return -1;
	/* A resource asked for needs its hierarchy. */
	for (size_t c = 0; c < N_CONTROLLERS; c++) {
		bool mounted = false;

		for (size_t i = 0; i < n && !mounted; i++)
			mounted = holds(list[i], controllers[c].name);
		if (!mounted && controllers[c].wanted(spec))
			return invalid(e, "%s: no cgroup v1 %s hierarchy is mounted under %s",
				       controllers[c].field, controllers[c].name, cgroup_root);
	}
	for (size_t i = 0; i < n; i++) {
		if (make_groups_v1(list[i], cg, dir, sizeof(dir), e) == -1 ||
		    resources_v1(list[i], dir, spec, e) == -1 ||
		    write_file(dir, "cgroup.procs", procs, e) == -1)
			return -1;
	}
	return 0;
}

/*
 * On failure the groups made so far stay: the caller kills pid and calls
 * cgroup_remove, which undoes them (cgroup_enter cannot: pid may already
 * be in some).
 */
int cgroup_enter(const struct cgroup *cg, const struct spec *spec, pid_t pid, struct error *e)
{
	char procs[32];

	snprintf(procs, sizeof(procs), "%d", (int)pid);
	if (cg->version == CGROUP_V2)
		return enter_v2(cg, spec, procs, e);
	return enter_v1(cg, spec, procs, e);
}

/* --- after entering --------------------------------------------------------------------- */

/* `dcrun exec`'s process: into the group in every hierarchy, made already. */
int cgroup_join(const struct cgroup *cg, pid_t pid, struct error *e)
{
	char list[MAX_HIERARCHIES][64], dir[4200], procs[32];
	size_t n;

	snprintf(procs, sizeof(procs), "%d", (int)pid);
	if (cgroup_hierarchies(cg->version, list, &n, e) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (group_dir(dir, sizeof(dir), list[i], cg, e) == -1 ||
		    write_file(dir, "cgroup.procs", procs, e) == -1)
			return -1;
	}
	return 0;
}

/*
 * The container's group in the hierarchy of one of the controllers
 * ("pids memory": the first mounted): v2's one tree, or on v1 the
 * hierarchy that holds it.
 */
static int controller_dir(const struct cgroup *cg, const char *wanted, char *dir, size_t size,
			  struct error *e)
{
	char list[MAX_HIERARCHIES][64];
	size_t n;

	if (cg->version == CGROUP_V2)
		return group_dir(dir, size, cgroup_root, cg, e);
	if (cgroup_hierarchies(CGROUP_V1, list, &n, e) == -1)
		return -1;
	for (const char *w = wanted; *w; w += strspn(w, " ")) {
		char name[32];
		size_t len = strcspn(w, " ");

		snprintf(name, sizeof(name), "%.*s", (int)len, w);
		for (size_t i = 0; i < n; i++)
			if (holds(list[i], name))
				return group_dir(dir, size, list[i], cg, e);
		w += len;
	}
	return invalid(e, "no cgroup v1 hierarchy of %s is mounted under %s", wanted, cgroup_root);
}

/* The freezer's directory: v1's own hierarchy, or v2's group. */
static int freezer_dir(const struct cgroup *cg, char *dir, size_t size, struct error *e)
{
	return controller_dir(cg, "freezer", dir, size, e);
}

/* v1's freezer.state reads FROZEN; v2's cgroup.events has "frozen 1". */
static bool reads_frozen(const struct cgroup *cg, const char *dir, bool frozen)
{
	char line[64];

	if (cg->version == CGROUP_V1)
		return read_line(dir, "freezer.state", line, sizeof(line)) == 0 &&
		       strcmp(line, frozen ? "FROZEN" : "THAWED") == 0;

	char path[4200];
	bool is = false;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strcmp(line, "frozen 1\n") == 0)
			is = true;
	fclose(f);
	return is == frozen;
}

bool cgroup_frozen(const struct cgroup *cg)
{
	char dir[4200];
	struct error ignored;

	return freezer_dir(cg, dir, sizeof(dir), &ignored) == 0 && reads_frozen(cg, dir, true);
}

/*
 * Freezing is not instant: each process stops when it next comes out of
 * the kernel, and v1 reads FREEZING until the last one has. A process
 * forking meanwhile can leave v1 stuck in FREEZING, so runc writes FROZEN
 * again until it holds; we do the same, for at most five seconds, and thaw
 * again if it never does, rather than leave a container half frozen.
 */
int cgroup_freeze(const struct cgroup *cg, bool frozen, struct error *e)
{
	const char *file = cg->version == CGROUP_V2 ? "cgroup.freeze" : "freezer.state";
	const char *value =
		cg->version == CGROUP_V2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	char dir[4200];

	if (freezer_dir(cg, dir, sizeof(dir), e) == -1)
		return -1;
	for (int tries = 0; tries < 500; tries++) {
		if (write_file(dir, file, value, e) == -1)
			return -1;
		for (int polls = 0; polls < 10; polls++) {
			if (reads_frozen(cg, dir, frozen))
				return 0;
			usleep(1000);
		}
	}
	if (frozen) {
		struct error ignored;

		cgroup_freeze(cg, false, &ignored);
	}
	return fail(e, ETIMEDOUT, frozen ? "freeze" : "thaw", "%s/%s", dir, file);
}

/* Add DIR/cgroup.procs's pids to the array, then those of every group below DIR. */
static int collect_pids(const char *dir, pid_t **pids, size_t *count, size_t *max, struct error *e)
{
	char path[4200];
	long pid;

	if (join(path, sizeof(path), dir, "cgroup.procs", e) == -1)
		return -1;
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return cgroup_fail(e, errno, "open", path);
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*count == *max) {
			size_t bigger = *max ? 2 * *max : 16;
			pid_t *more = realloc(*pids, bigger * sizeof(**pids));

			if (more == NULL) {
				fclose(f);
				return fail(e, ENOMEM, "realloc", "the pids of %s", dir);
			}
			*pids = more;
			*max = bigger;
		}
		(*pids)[(*count)++] = (pid_t)pid;
	}
	fclose(f);

	/* Groups the container made inside its own (a systemd in it does). */
	DIR *d = opendir(dir);
	if (d == NULL)
		return cgroup_fail(e, errno, "opendir", dir);
	int rc = 0;
	for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		rc = join(path, sizeof(path), dir, de->d_name, e);
		if (rc == 0)
			rc = collect_pids(path, pids, count, max, e);
	}
	closedir(d);
	return rc;
}

/*
 * Every process in the container's group and the groups below it: `ps`,
 * and `kill --all`. On v1 any hierarchy would do: pids' (else memory's)
 * is the one whose limit the container surely has.
 */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *count, struct error *e)
{
	char dir[4200];
	size_t max = 0;

	*pids = NULL;
	*count = 0;
	if (controller_dir(cg, "pids memory", dir, sizeof(dir), e) == -1 ||
	    collect_pids(dir, pids, count, &max, e) == -1) {
		free(*pids);
		*pids = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

/* --- removing ------------------------------------------------------------------------ */

/*
 * rmdir removes an empty group, and the groups below it must go first.
 * Right after the container's last process is killed or reaped the group
 * can still count as populated for a moment (a SIGKILLed process is not
 * gone until it has run its exit), hence the retries. They share one
 * budget, a second for the whole removal, so a group still in use costs
 * a second, not a second for each v1 hierarchy. A group already gone is
 * no error. Goes on past a failure; reports the first.
 */
static int remove_tree(const char *dir, int *retries, struct error *e)
{
	char path[4200];
	int rc = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return errno == ENOENT ? 0 : cgroup_fail(e, errno, "opendir", dir);
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		struct error sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((join(path, sizeof(path), dir, de->d_name, &sub) == -1 ||
		     remove_tree(path, retries, &sub) == -1) &&
		    rc == 0) {
			*e = sub;
			rc = -1;
		}
	}
	closedir(d);
	while (rmdir(dir) == -1) {
		if (errno == ENOENT)
			return rc;
		if (errno != EBUSY || *retries == 0)
			return rc == 0 ? cgroup_fail(e, errno, "rmdir", dir) : rc;
		(*retries)--;
		usleep(10000);
	}
	return rc;
}

/* The container's group in every hierarchy; its parents (/dcrun) stay, shared. */
int cgroup_remove(const struct cgroup *cg, struct error *e)
{
	char list[MAX_HIERARCHIES][64], dir[4200];
	size_t n;
	int rc = 0, retries = 100; /* of 10 ms */

	if (cgroup_hierarchies(cg->version, list, &n, e) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct error one;

		if ((group_dir(dir, sizeof(dir), list[i], cg, &one) == -1 ||
		     remove_tree(dir, &retries, &one) == -1) &&
		    rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	return rc;
}
