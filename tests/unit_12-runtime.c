/*
 * The unit tier for dcrun's config.json reader (spec.c) and its error
 * object (error.c): no root, no container, a fraction of a second.
 *
 * The configs are real ones: runc's `runc spec` (which spec_default must
 * write byte for byte), its --rootless one, and one as podman writes it.
 * Each refusal is tested with the exact message a user reads, which names
 * the JSON path of the bad value. A bad config is made from a good one by
 * with(): the good text, one value replaced, through json-c.
 *
 * Built by `make unit` (the Makefile's unit rule for a chapter split by
 * concern: this file, spec.c and error.c).
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <seccomp.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/*
 * The configs are the fuzzer's seed corpus (tests/fuzz/corpus/), built
 * into this program by the Makefile (corpus_12-runtime.h: each file as a
 * C string), since the unit tier runs as nobody, who may not reach the
 * checkout.
 */
#include "corpus_12-runtime.h"

/* A copy of a corpus file's text (freed by the caller). */
static char *corpus(const char *name)
{
	for (size_t i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		if (strcmp(corpus_files[i].name, name) == 0) {
			char *text = strdup(corpus_files[i].text);
			assert_non_null(text);
			return text;
		}
	}
	fail_msg("tests/fuzz/corpus/%s is not built in (Makefile: UNIT_CORPUS)", name);
	return NULL;
}

/*
 * base, with the value at path ("linux.namespaces[1].type") replaced by the
 * JSON text json (or removed, when json is NULL). The parent must exist.
 */
static char *with(const char *base, const char *path, const char *json)
{
	struct json_object *top = json_tokener_parse(base), *parent = top;
	char key[256], *text;
	const char *p = path;

	assert_non_null(top);
	for (;;) {
		size_t n = strcspn(p, ".[");
		bool index = p[0] == '[';

		if (index)
			n = strcspn(++p, "]");
		assert_true(n < sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		p += n + (index ? 1 : 0);
		if (*p == '.')
			p++;
		if (*p == '\0') {
			struct json_object *value = json ? json_tokener_parse(json) : NULL;

			assert_true(json == NULL || value != NULL || strcmp(json, "null") == 0);
			if (index && json)
				json_object_array_put_idx(parent, strtoul(key, NULL, 10), value);
			else if (index)
				json_object_array_del_idx(parent, strtoul(key, NULL, 10), 1);
			else if (json)
				json_object_object_add(parent, key, value);
			else
				json_object_object_del(parent, key);
			break;
		}
		parent = index ? json_object_array_get_idx(parent, strtoul(key, NULL, 10))
			       : json_object_object_get(parent, key);
		if (parent == NULL)
			fail_msg("with(): no %s in %s", key, path);
	}
	text = strdup(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY));
	json_object_put(top);
	assert_non_null(text);
	return text;
}

/*
 * base with its first "from" replaced by "to", as text: for what json-c
 * itself cannot hold (with() would pass it through json-c's tree).
 */
static char *replaced(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	char *text;

	assert_non_null(at);
	text = malloc(strlen(base) - strlen(from) + strlen(to) + 1);
	assert_non_null(text);
	sprintf(text, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return text;
}

static char *runc_default(void)
{
	char *text = spec_default(false);

	assert_non_null(text);
	return text;
}

/* text must be refused with exactly this message, as bad input (no errno); text is freed. */
static void expect_refusal(char *text, const char *message)
{
	struct spec s;
	struct error e;
	int rc;

	assert_non_null(text);
	rc = spec_parse(text, strlen(text), &s, &e);

	free(text);
	if (rc != -1)
		spec_free(&s);
	assert_int_equal(rc, -1);
	assert_string_equal(e.call, "");
	assert_int_equal(e.err, 0);
	assert_string_equal(e.object, message);
}

/* The same, when the message holds a position that depends on the layout. */
static void expect_refusal_containing(char *text, const char *part)
{
	struct spec s;
	struct error e;
	int rc;

	assert_non_null(text);
	rc = spec_parse(text, strlen(text), &s, &e);

	free(text);
	if (rc != -1)
		spec_free(&s);
	assert_int_equal(rc, -1);
	if (strstr(e.object, part) == NULL)
		fail_msg("expected a message with \"%s\", got \"%s\"", part, e.object);
}

static void parse(char *text, struct spec *s)
{
	struct error e;
	int rc;

	assert_non_null(text);
	rc = spec_parse(text, strlen(text), s, &e);

	free(text);
	if (rc == -1)
		fail_msg("refused: %s", e.object);
}

#define BIT(cap) (1ULL << (cap))

/* --- the configs that must parse --------------------------------------------------- */

static void test_runc_default_config_parses(void **state)
{
	const uint64_t caps = BIT(CAP_AUDIT_WRITE) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	struct spec s;

	(void)state;
	parse(runc_default(), &s);
	assert_string_equal(s.oci_version, "1.0.2-dev");
	assert_string_equal(s.root_path, "rootfs");
	assert_true(s.root_readonly);
	assert_string_equal(s.hostname, "runc");
	assert_true(s.terminal);
	assert_string_equal(s.args[0], "sh");
	assert_null(s.args[1]);
	assert_string_equal(s.env[1], "TERM=xterm");
	assert_string_equal(s.cwd, "/");
	assert_int_equal(s.caps[CAP_BOUNDING], caps);
	assert_int_equal(s.caps[CAP_AMBIENT], caps);
	assert_int_equal(s.caps[CAP_INHERITABLE], 0);
	assert_int_equal(s.nrlimits, 1);
	assert_int_equal(s.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s.rlimits[0].soft, 1024);
	assert_true(s.no_new_privileges);
	assert_false(s.umask_set);
	assert_false(s.oom_score_adj_set);

	assert_int_equal(s.nmounts, 7);
	assert_string_equal(s.mounts[1].destination, "/dev");
	assert_string_equal(s.mounts[1].type, "tmpfs");
	assert_int_equal(s.mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(s.mounts[1].data, "mode=755,size=65536k");
	assert_string_equal(s.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_null(s.mounts[0].data);
	assert_int_equal(s.mounts[6].flags,
			 MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);

	assert_int_equal(s.nnamespaces, 5);
	assert_int_equal(s.namespaces[1].type, CLONE_NEWNET);
	assert_null(s.namespaces[1].path);
	assert_int_equal(s.resources.ndevices, 1);
	assert_false(s.resources.devices[0].allow);
	assert_int_equal(s.resources.devices[0].type, 'a');
	assert_int_equal(s.resources.devices[0].major, -1);
	assert_string_equal(s.resources.devices[0].access, "rwm");
	assert_int_equal(s.resources.memory_limit, -1);
	assert_int_equal(s.resources.memory_swappiness, -1);
	assert_false(s.resources.disable_oom_killer);
	assert_int_equal(s.resources.cpu_quota, -1);
	assert_int_equal(s.nmasked_paths, 10);
	assert_string_equal(s.readonly_paths[4], "/proc/sysrq-trigger");
	assert_null(s.seccomp);
	spec_free(&s);
}

/* `dcrun spec` writes what `runc spec` (1.1.5) wrote into the corpus, byte for byte. */
static void test_default_config_is_runcs(void **state)
{
	char *runc = corpus("runc.json"), *ours = runc_default();

	(void)state;
	assert_string_equal(ours, runc);
	free(ours);
	free(runc);
}

static void test_rootless_default_config_maps_only_the_caller(void **state)
{
	char *text = spec_default(true);
	struct spec s;

	(void)state;
	assert_non_null(text);
	parse(text, &s);
	assert_int_equal(s.nnamespaces, 5);
	assert_int_equal(s.namespaces[4].type, CLONE_NEWUSER);
	for (size_t i = 0; i < s.nnamespaces; i++)
		assert_int_not_equal(s.namespaces[i].type, CLONE_NEWNET);
	assert_int_equal(s.nuid_mappings, 1);
	assert_int_equal(s.uid_mappings[0].container_id, 0);
	assert_int_equal(s.uid_mappings[0].host_id, geteuid());
	assert_int_equal(s.gid_mappings[0].host_id, getegid());
	assert_int_equal(s.uid_mappings[0].size, 1);
	/* /sys is bound from the host, and devpts takes no gid= it could not map. */
	assert_null(s.mounts[5].type);
	assert_int_equal(s.mounts[5].flags,
			 MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_string_equal(s.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620");
	assert_int_equal(s.resources.ndevices, 0);
	spec_free(&s);
}

/* runc's own --rootless output, captured as root (hostID 0). */
static void test_runc_rootless_config_parses(void **state)
{
	struct spec s;

	(void)state;
	parse(corpus("runc-rootless.json"), &s);
	assert_int_equal(s.uid_mappings[0].host_id, 0);
	spec_free(&s);
}

static void test_podman_config_parses(void **state)
{
	struct spec s;

	(void)state;
	parse(corpus("podman.json"), &s);
	assert_true(s.umask_set);
	assert_int_equal(s.umask, 022);
	assert_int_equal(s.nadditional_gids, 11);
	assert_int_equal(s.additional_gids[10], 27);
	assert_true(s.oom_score_adj_set);
	assert_int_equal(s.nrlimits, 2);
	assert_int_equal(s.rlimits[1].resource, RLIMIT_NPROC);
	assert_int_equal(s.rlimits[1].hard, 4194304);

	/* podman's bind mounts: type "bind", options bind or rbind, and rprivate. */
	assert_string_equal(s.mounts[5].destination, "/etc/hostname");
	assert_null(s.mounts[5].type);
	assert_int_equal(s.mounts[5].flags, MS_BIND);
	assert_int_equal(s.mounts[5].propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(s.mounts[10].destination, "/data");
	assert_int_equal(s.mounts[10].flags, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV);
	assert_null(s.mounts[10].data);
	assert_string_equal(s.mounts[11].type, "cgroup");
	assert_int_equal(s.mounts[11].propagation, MS_PRIVATE | MS_REC);

	assert_string_equal(s.cgroups_path, "machine.slice:libpod:3f2a9c1d7e4b");
	assert_int_equal(s.resources.memory_limit, 536870912);
	assert_int_equal(s.resources.memory_swap, 1073741824);
	assert_int_equal(s.resources.cpu_quota, 50000);
	assert_int_equal(s.resources.cpu_period, 100000);
	assert_int_equal(s.resources.pids_limit, 2048);
	assert_int_equal(s.resources.ndevices, 2);
	assert_int_equal(s.resources.devices[1].type, 'c');
	assert_int_equal(s.resources.devices[1].minor, 3);
	assert_int_equal(s.nsysctl, 1);
	assert_string_equal(s.sysctl[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(s.sysctl[0].value, "0 0");
	assert_int_equal(s.nannotations, 6);
	assert_string_equal(s.annotations[0].key, "io.container.manager");

	/* The seccomp excerpt: ENOSYS by default, as podman's profile does for unknown calls. */
	assert_non_null(s.seccomp);
	assert_int_equal(s.seccomp->default_action, SCMP_ACT_ERRNO(ENOSYS));
	assert_int_equal(s.seccomp->narchitectures, 3);
	assert_int_equal(s.seccomp->architectures[0], SCMP_ARCH_X86_64);
	assert_int_equal(s.seccomp->nrules, 7);
	assert_int_equal(s.seccomp->rules[0].action, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(s.seccomp->rules[1].action, SCMP_ACT_ALLOW);
	assert_int_equal(s.seccomp->rules[3].args[0].value, 4294967295U);
	assert_int_equal(s.seccomp->rules[4].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(s.seccomp->rules[6].nargs, 2);
	assert_int_equal(s.seccomp->rules[6].args[1].index, 2);
	assert_int_equal(s.seccomp->rules[6].action, SCMP_ACT_ERRNO(EINVAL));
	spec_free(&s);
}

/* Every property dcrun reads, each set once: so each reaches its place in struct spec. */
static void test_everything_dcrun_reads_is_read(void **state)
{
	struct spec s;

	(void)state;
	parse(corpus("everything.json"), &s);
	assert_string_equal(s.domainname, "example.org");
	assert_false(s.root_readonly);
	assert_int_equal(s.console_height, 25);
	assert_int_equal(s.console_width, 80);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.umask, 077);
	assert_string_equal(s.env[1], "EMPTY=");
	assert_int_equal(s.caps[CAP_BOUNDING],
			 BIT(CAP_CHOWN) | BIT(CAP_NET_RAW) | BIT(CAP_CHECKPOINT_RESTORE));
	assert_int_equal(s.caps[CAP_INHERITABLE], 0);
	assert_int_equal(s.rlimits[0].hard, RLIM_INFINITY);
	assert_int_equal(s.oom_score_adj, -500);
	assert_string_equal(s.apparmor_profile, "dcrun-default");

	assert_int_equal(s.mounts[1].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME);
	assert_string_equal(s.mounts[1].data, "size=64k,mode=1777,uid=0");
	assert_null(s.mounts[2].type);
	assert_int_equal(s.mounts[2].flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(s.mounts[2].propagation, MS_SLAVE | MS_REC);

	for (int kind = 0; kind < HOOK_KINDS; kind++)
		assert_int_equal(s.nhooks[kind], 1);
	assert_string_equal(s.hooks[HOOK_CREATE_RUNTIME][0].args[1], "--veth");
	assert_string_equal(s.hooks[HOOK_CREATE_RUNTIME][0].env[0], "KEY=value");
	assert_int_equal(s.hooks[HOOK_CREATE_RUNTIME][0].timeout, 5);
	assert_int_equal(s.hooks[HOOK_POSTSTOP][0].timeout, 0);

	assert_int_equal(s.nnamespaces, 8);
	assert_string_equal(s.namespaces[1].path, "/run/netns/box");
	assert_int_equal(s.namespaces[7].type, CLONE_NEWTIME);
	assert_int_equal(s.uid_mappings[0].host_id, 100000);
	assert_true(s.time_offsets_set);
	assert_int_equal(s.boottime_secs, 86400);
	assert_int_equal(s.boottime_nanosecs, 500);
	assert_int_equal(s.monotonic_secs, -3600);
	assert_int_equal(s.ndevices, 3);
	assert_int_equal(s.devices[0].mode, 0666);
	assert_int_equal(s.devices[1].major, 8);
	assert_int_equal(s.devices[2].type, 'p');
	assert_int_equal(s.devices[2].mode, 0666);

	assert_int_equal(s.resources.memory_limit, 268435456);
	assert_int_equal(s.resources.memory_reservation, 134217728);
	assert_int_equal(s.resources.memory_swap, -1);
	assert_int_equal(s.resources.cpu_shares, 512);
	assert_int_equal(s.resources.cpu_quota, -1);
	assert_string_equal(s.resources.cpu_cpus, "0-1,3");
	assert_int_equal(s.resources.pids_limit, -1);
	assert_int_equal(s.resources.devices[2].minor, -1);
	assert_string_equal(s.resources.devices[2].access, "r");
	assert_int_equal(s.nsysctl, 3);

	assert_int_equal(s.seccomp->default_action, SCMP_ACT_KILL_PROCESS);
	assert_int_equal(s.seccomp->architectures[1], SCMP_ARCH_AARCH64);
	assert_int_equal(s.seccomp->flags,
			 SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_int_equal(s.seccomp->rules[1].action, SCMP_ACT_TRACE(7));
	assert_int_equal(s.seccomp->rules[2].action, SCMP_ACT_LOG);
	assert_int_equal(s.seccomp->rules[4].action, SCMP_ACT_ERRNO(0));
	assert_int_equal(s.seccomp->rules[4].args[0].value_two, 4);
	assert_int_equal(s.rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(s.nannotations, 2);
	assert_string_equal(s.annotations[1].value, "");
	spec_free(&s);
}

/* podman with --cgroup-manager cgroupfs writes a path, not systemd's slice:prefix:name. */
static void test_podman_cgroupfs_path_parses(void **state)
{
	char *podman = corpus("podman.json");
	struct spec s;

	(void)state;
	parse(with(podman, "linux.cgroupsPath", "\"/libpod_parent/libpod-3f2a9c1d7e4b\""), &s);
	assert_string_equal(s.cgroups_path, "/libpod_parent/libpod-3f2a9c1d7e4b");
	spec_free(&s);
	free(podman);
}

/* The spec's "Extensibility": unknown properties MUST be ignored, not refused. */
static void test_unknown_properties_are_ignored(void **state)
{
	char *runc = runc_default(), *a, *b, *c, *d;
	struct spec s;

	(void)state;
	a = with(runc, "windows", "{\"layerFolders\": [\"C:\\\\layers\"]}");
	b = with(a, "linux.intelRdt", "{\"closID\": \"guaranteed_group\"}");
	c = with(b, "linux.resources.blockIO", "{\"weight\": 10}");
	d = with(c, "process.scheduler", "{\"policy\": \"SCHED_OTHER\"}");
	free(a);
	a = with(d, "mounts[0].uidMappings", "[]");
	parse(with(a, "x-dcrun-future", "[1, 2.5, \"three\", null]"), &s);
	assert_int_equal(s.nmounts, 7);
	spec_free(&s);
	free(a);
	free(b);
	free(c);
	free(d);
	free(runc);
}

/* Go's encoding/json, runc's reader, takes null as absent: so do we. */
static void test_null_is_absent(void **state)
{
	char *runc = runc_default();
	struct spec s;

	(void)state;
	parse(with(runc, "hostname", "null"), &s);
	assert_null(s.hostname);
	spec_free(&s);
	free(runc);
}

/* RLIM_INFINITY is 2^64-1: the largest integer that fits must still be taken. */
static void test_rlim_infinity_is_taken(void **state)
{
	char *runc = runc_default();
	struct spec s;

	(void)state;
	parse(with(runc, "process.rlimits[0]",
		   "{\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, \"hard\": 18446744073709551615}"),
	      &s);
	assert_int_equal(s.rlimits[0].hard, RLIM_INFINITY);
	spec_free(&s);
	free(runc);
}

/* swappiness: the kernel's 0 to 100, both ends taken (0 is a value, not "unset"). */
static void test_swappiness_and_disable_oom_killer_are_taken(void **state)
{
	char *runc = runc_default();
	struct spec s;

	(void)state;
	parse(with(runc, "linux.resources.memory",
		   "{\"swappiness\": 0, \"disableOOMKiller\": true}"),
	      &s);
	assert_int_equal(s.resources.memory_swappiness, 0);
	assert_true(s.resources.disable_oom_killer);
	spec_free(&s);
	parse(with(runc, "linux.resources.memory", "{\"swappiness\": 100}"), &s);
	assert_int_equal(s.resources.memory_swappiness, 100);
	assert_false(s.resources.disable_oom_killer);
	spec_free(&s);
	free(runc);
}

/* --- refusals, each with the JSON path of the bad value ------------------------------ */

static void test_wrong_types_name_their_path(void **state)
{
	char *runc = runc_default();

	(void)state;
	expect_refusal(with(runc, "linux.resources.memory", "{\"limit\": \"1g\"}"),
		       "linux.resources.memory.limit: expected an integer");
	expect_refusal(with(runc, "linux.resources.memory", "{\"limit\": 1.0}"),
		       "linux.resources.memory.limit: expected an integer");
	expect_refusal(with(runc, "process.terminal", "\"yes\""),
		       "process.terminal: expected a boolean");
	expect_refusal(with(runc, "mounts[3]", "\"/dev/shm\""), "mounts[3]: expected an object");
	expect_refusal(with(runc, "process.args", "\"sh\""), "process.args: expected an array");
	expect_refusal(with(runc, "process.env[1]", "7"), "process.env[1]: expected a string");
	expect_refusal(with(runc, "linux.maskedPaths", "{}"),
		       "linux.maskedPaths: expected an array");
	expect_refusal(strdup("[]"), "the top level: expected an object");
	free(runc);
}

static void test_missing_required_properties_are_named(void **state)
{
	char *runc = runc_default();
	struct spec s;
	struct error e;
	char *text;

	(void)state;
	expect_refusal(with(runc, "ociVersion", NULL), "ociVersion: required, but missing");
	expect_refusal(with(runc, "process", NULL), "process: required, but missing");
	expect_refusal(with(runc, "process.cwd", NULL), "process.cwd: required, but missing");
	expect_refusal(with(runc, "process.args", NULL), "process.args: required, but missing");
	expect_refusal(with(runc, "process.user.gid", NULL),
		       "process.user.gid: required, but missing");
	expect_refusal(with(runc, "mounts[0].destination", NULL),
		       "mounts[0].destination: required, but missing");
	expect_refusal(with(runc, "linux.resources.devices[0].allow", NULL),
		       "linux.resources.devices[0].allow: required, but missing");
	/* Without a root, the hint says what root.path is. */
	text = with(runc, "root", NULL);
	assert_int_equal(spec_parse(text, strlen(text), &s, &e), -1);
	assert_string_equal(e.object, "root.path: required, but missing");
	assert_int_equal(e.hint, HINT_NO_ROOTFS);
	free(text);
	free(runc);
}

static void test_bad_values_name_their_path(void **state)
{
	char *runc = runc_default();

	(void)state;
	expect_refusal(with(runc, "mounts[2].destination", "\"dev/pts\""),
		       "mounts[2].destination: must be an absolute path");
	expect_refusal(with(runc, "process.cwd", "\"root\""),
		       "process.cwd: must be an absolute path");
	expect_refusal(with(runc, "process.args", "[]"),
		       "process.args: must name the program to run");
	expect_refusal(with(runc, "process.env[0]", "\"PATH\""),
		       "process.env[0]: \"PATH\" is not NAME=VALUE");
	expect_refusal(with(runc, "process.env[1]", "\"=xterm\""),
		       "process.env[1]: \"=xterm\" is not NAME=VALUE");
	expect_refusal(with(runc, "ociVersion", "\"2.0.0\""),
		       "ociVersion: \"2.0.0\" is not a version dcrun reads (1.0.x to 1.2.x)");
	expect_refusal(with(runc, "hostname", "\"a\\u0000b\""),
		       "hostname: contains a NUL character");
	/* The spec: annotation keys "MUST NOT be an empty string", and values are strings. */
	expect_refusal(with(runc, "annotations", "{\"\": \"x\"}"), "annotations: a key is empty");
	expect_refusal(with(runc, "annotations", "{\"com.example.n\": 2}"),
		       "annotations[\"com.example.n\"]: expected a string");
	free(runc);
}

static void test_unknown_values_are_refused(void **state)
{
	char *runc = runc_default();

	(void)state;
	expect_refusal(with(runc, "linux.namespaces[1].type", "\"netwrok\""),
		       "linux.namespaces[1].type: unknown namespace \"netwrok\"");
	expect_refusal(with(runc, "process.capabilities.bounding",
			    "[\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_SYS_ADMIN\", \"CAP_FOO\"]"),
		       "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
	/* The spec spells them CAP_XXX: chapter 11's "NET_ADMIN" is no OCI name. */
	expect_refusal(with(runc, "process.capabilities.ambient[0]", "\"KILL\""),
		       "process.capabilities.ambient[0]: unknown capability \"KILL\"");
	expect_refusal(with(runc, "process.rlimits[0].type", "\"RLIMIT_FILES\""),
		       "process.rlimits[0].type: unknown resource \"RLIMIT_FILES\"");
	expect_refusal(with(runc, "linux.rootfsPropagation", "\"rprivat\""),
		       "linux.rootfsPropagation: unknown propagation \"rprivat\"");
	expect_refusal(with(runc, "linux.devices", "[{\"path\": \"/dev/fuse\", \"type\": \"x\"}]"),
		       "linux.devices[0].type: unknown device type \"x\" (c, b, u or p)");
	expect_refusal(with(runc, "linux.resources.devices[0].access", "\"rwx\""),
		       "linux.resources.devices[0].access: \"rwx\" is not made of r, w and m");
	expect_refusal(with(runc, "linux.timeOffsets", "{\"realtime\": {\"secs\": 1}}"),
		       "linux.timeOffsets: unknown clock \"realtime\" (boottime or monotonic)");
	free(runc);
}

/* The spec: a namespace type twice, or an rlimit type twice, MUST be an error. */
static void test_duplicates_are_refused(void **state)
{
	char *runc = runc_default(), *text;

	(void)state;
	expect_refusal(with(runc, "linux.namespaces[3]", "{\"type\": \"pid\"}"),
		       "linux.namespaces[3].type: \"pid\" again, after linux.namespaces[0]");
	text = with(runc, "process.rlimits[1]",
		    "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 2}");
	expect_refusal(text,
		       "process.rlimits[1].type: RLIMIT_NOFILE again, after process.rlimits[0]");
	free(runc);
}

static void test_integers_out_of_range_are_refused(void **state)
{
	char *runc = runc_default();

	(void)state;
	/* (uid_t)-1 tells setresuid(2) "leave it as it is": as a uid it would keep root. */
	expect_refusal(with(runc, "process.user.uid", "4294967295"),
		       "process.user.uid: 4294967295 is out of range (0 to 4294967294)");
	expect_refusal(with(runc, "process.user.uid", "-1"),
		       "process.user.uid: -1 is out of range (0 to 4294967294)");
	expect_refusal(with(runc, "process.user.gid", "4294967296"),
		       "process.user.gid: 4294967296 is out of range (0 to 4294967294)");
	expect_refusal(with(runc, "process.user.umask", "755"),
		       "process.user.umask: 755 is out of range (0 to 511)");
	expect_refusal(with(runc, "process.oomScoreAdj", "1001"),
		       "process.oomScoreAdj: 1001 is out of range (-1000 to 1000)");
	expect_refusal(
		with(runc, "linux.resources.memory", "{\"limit\": -2}"),
		"linux.resources.memory.limit: -2 is out of range (-1 to 9223372036854775807)");
	expect_refusal(
		with(runc, "linux.resources.memory", "{\"limit\": 9223372036854775808}"),
		"linux.resources.memory.limit: 9223372036854775808 is out of range (-1 to 9223372036854775807)");
	/* runc too: "valid memory swappiness range is 0-100". */
	expect_refusal(with(runc, "linux.resources.memory", "{\"swappiness\": 101}"),
		       "linux.resources.memory.swappiness: 101 is out of range (0 to 100)");
	expect_refusal(with(runc, "process.rlimits[0].soft", "2048"),
		       "process.rlimits[0]: soft (2048) is above hard (1024)");
	expect_refusal(with(runc, "process.consoleSize", "{\"height\": 70000, \"width\": 80}"),
		       "process.consoleSize.height: 70000 is out of range (0 to 65535)");
	expect_refusal(with(runc, "linux.uidMappings",
			    "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]"),
		       "linux.uidMappings[0].size: must be at least 1");
	expect_refusal(
		with(runc, "linux.devices",
		     "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 4096, \"minor\": 0}]"),
		"linux.devices[0].major: 4096 is out of range (0 to 4095)");
	expect_refusal(with(runc, "linux.uidMappings",
			    "[{\"containerID\": 4294967295, \"hostID\": 0, \"size\": 1}]"),
		       "linux.uidMappings[0]: the range runs past id 4294967294");
	/* swap is memory+swap: at least the limit, and nothing without one. */
	expect_refusal(with(runc, "linux.resources.memory", "{\"swap\": 1048576}"),
		       "linux.resources.memory.swap: needs a memory limit");
	expect_refusal(
		with(runc, "linux.resources.memory", "{\"limit\": 2097152, \"swap\": 1048576}"),
		"linux.resources.memory.swap: 1048576 is below limit (2097152): it is memory+swap");
	expect_refusal(
		with(runc, "linux.resources.cpu", "{\"period\": 999}"),
		"linux.resources.cpu.period: 999 is out of range (1000 to 1000000 microseconds)");
	expect_refusal(with(runc, "linux.resources.cpu", "{\"quota\": 500}"),
		       "linux.resources.cpu.quota: 500 is below the kernel's 1000 microseconds");
	expect_refusal(with(runc, "linux.resources.cpu", "{\"cpus\": \"0-3;5\"}"),
		       "linux.resources.cpu.cpus: \"0-3;5\" is not a list such as \"0-3,8\"");
	expect_refusal(
		with(runc, "hooks", "{\"poststart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}"),
		"hooks.poststart[0].timeout: 0 is out of range (1 to 2147483647)");
	free(runc);
}

/*
 * json-c 0.16 reads 99999999999999999999 as UINT64_MAX without a word:
 * such a number is refused with its place in the text, wherever it is.
 */
static void test_huge_integers_are_refused(void **state)
{
	char *runc = runc_default();

	(void)state;
	expect_refusal_containing(
		replaced(runc, "\"soft\": 1024", "\"soft\": 99999999999999999999"),
		": the integer 99999999999999999999 does not fit in 64 bits");
	expect_refusal_containing(
		replaced(runc, "\"hard\": 1024", "\"hard\": 18446744073709551616"),
		": the integer 18446744073709551616 does not");
	expect_refusal_containing(replaced(runc, "\"uid\": 0", "\"uid\": -9223372036854775809"),
				  ": the integer -9223372036854775809 does not");
	/* Even where it would be ignored: json-c's tree cannot say where it was. */
	expect_refusal_containing(replaced(runc, "\"ociVersion\"",
					   "\"x\": [1e5, 99999999999999999999], \"ociVersion\""),
				  "line 2, column 13: the integer 99999999999999999999 does not");
	expect_refusal(
		strdup("{\n  \"ociVersion\": 1234567890123456789012345678901234567890\n}"),
		"line 2, column 17: the integer 12345678901234567890123456789012... does not fit in 64 bits");
	/* In a string, or a fraction, digits are no integer. */
	expect_refusal(
		strdup("{\"ociVersion\": \"99999999999999999999\", \"x\": 1e999}"),
		"ociVersion: \"99999999999999999999\" is not a version dcrun reads (1.0.x to 1.2.x)");
	free(runc);
}

static void test_invalid_json_gives_line_and_column(void **state)
{
	struct spec s;
	struct error e;

	(void)state;
	expect_refusal(strdup("{"), "line 1, column 2: the JSON text ends too early");
	expect_refusal(strdup(""), "line 1, column 1: the JSON text ends too early");
	expect_refusal(strdup("{\n\t\"ociVersion\": \"1.1.0\",\n}"),
		       "line 3, column 1: unexpected character");
	expect_refusal(strdup("{} {}"), "line 1, column 4: unexpected character");
	expect_refusal(strdup("{\"a\": 1} // comment"), "line 1, column 10: unexpected character");
	/* The bytes are given with their length: a NUL after the object is text too. */
	assert_int_equal(spec_parse("{}\0x", 4, &s, &e), -1);
	assert_string_equal(e.object, "line 1, column 3: text after the JSON object");
}

/* runc's validator: a setting of the host's, where the container has no namespace of its own. */
static void test_settings_need_their_namespace(void **state)
{
	char *runc = runc_default(), *rootless = spec_default(true);

	(void)state;
	expect_refusal(
		with(runc, "linux.namespaces[3]", NULL),
		"hostname: needs a uts namespace (linux.namespaces has none): it would rename the host");
	expect_refusal(with(runc, "linux.uidMappings",
			    "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]"),
		       "linux.uidMappings: needs a user namespace (linux.namespaces has none)");
	expect_refusal(with(rootless, "linux.gidMappings", NULL),
		       "linux.gidMappings: required with a new user namespace, but missing");
	expect_refusal(with(runc, "linux.sysctl", "{\"vm.swappiness\": \"10\"}"),
		       "linux.sysctl[\"vm.swappiness\"]: belongs to the host, not to a namespace");
	expect_refusal(
		with(rootless, "linux.sysctl", "{\"net.ipv4.ip_forward\": \"1\"}"),
		"linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace (linux.namespaces has none): it would change the host's");
	expect_refusal(with(runc, "linux.timeOffsets", "{\"boottime\": {\"secs\": 86400}}"),
		       "linux.timeOffsets: needs a time namespace (linux.namespaces has none)");
	free(rootless);
	free(runc);
}

static void test_seccomp_is_checked_against_libseccomp(void **state)
{
	char *runc = runc_default();
	char *profile = with(
		runc, "linux.seccomp",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct spec s;

	(void)state;
	expect_refusal(
		with(profile, "linux.seccomp.syscalls[0].action", "\"SCMP_ACT_NOTIFY\""),
		"linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp listener, which dcrun does not support");
	expect_refusal(with(profile, "linux.seccomp.defaultAction", "\"SCMP_ACT_KILLL\""),
		       "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_KILLL\"");
	expect_refusal(with(profile, "linux.seccomp.architectures",
			    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_Z80\"]"),
		       "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"");
	expect_refusal(
		with(profile, "linux.seccomp.flags", "[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]"),
		"linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
	expect_refusal(with(profile, "linux.seccomp.syscalls[0].args",
			    "[{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]"),
		       "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)");
	expect_refusal(with(profile, "linux.seccomp.syscalls[0].args",
			    "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQUAL\"}]"),
		       "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\"");
	expect_refusal(
		with(profile, "linux.seccomp.defaultErrnoRet", "1"),
		"linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno");
	expect_refusal(with(profile, "linux.seccomp.syscalls[0].names", "[]"),
		       "linux.seccomp.syscalls[0].names: must name at least one system call");

	/* Without errnoRet, ERRNO returns EPERM, as in runc. */
	parse(with(profile, "linux.seccomp.flags", "[\"SECCOMP_FILTER_FLAG_LOG\"]"), &s);
	assert_int_equal(s.seccomp->default_action, SCMP_ACT_ALLOW);
	assert_int_equal(s.seccomp->rules[0].action, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(s.seccomp->flags, 2);
	spec_free(&s);
	free(profile);
	free(runc);
}

static void test_mount_options_become_flags_and_data(void **state)
{
	char *runc = runc_default();
	struct spec s;

	(void)state;
	parse(with(runc, "mounts[0]",
		   "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"ro\", \"rw\", \"nosuid\", \"nodev\", \"noatime\", \"size=64k\", \"mode=1777\", \"rshared\", \"slave\"]}"),
	      &s);
	/* "rw" undoes "ro"; the last propagation wins; the rest is the filesystem's data. */
	assert_int_equal(s.mounts[0].flags, MS_NOSUID | MS_NODEV | MS_NOATIME);
	assert_int_equal(s.mounts[0].propagation, MS_SLAVE);
	assert_string_equal(s.mounts[0].data, "size=64k,mode=1777");
	spec_free(&s);
	expect_refusal(
		with(runc, "mounts[0]", "{\"destination\": \"/data\", \"options\": [\"rbind\"]}"),
		"mounts[0].source: required for a bind mount, but missing");
	expect_refusal(with(runc, "mounts[0]", "{\"destination\": \"/data\", \"source\": \"x\"}"),
		       "mounts[0].type: required, except for a bind mount");
	expect_refusal(with(runc, "linux.sysctl", "{\"net/../../../etc/shadow\": \"x\"}"),
		       "linux.sysctl[\"net/../../../etc/shadow\"]: not a sysctl name");
	expect_refusal(with(runc, "linux.cgroupsPath", "\"/a/../../etc\""),
		       "linux.cgroupsPath: \"/a/../../etc\" climbs out with \"..\"");
	free(runc);
}

/* A failed parse leaves nothing to free; spec_free after it, or twice, is harmless. */
static void test_failed_parse_leaves_spec_empty(void **state)
{
	char *runc = runc_default();
	char *text = with(runc, "linux.readonlyPaths[4]", "\"proc/sysrq-trigger\"");
	struct spec s;
	struct error e;

	(void)state;
	assert_int_equal(spec_parse(text, strlen(text), &s, &e), -1);
	assert_string_equal(e.object, "linux.readonlyPaths[4]: must be an absolute path");
	assert_null(s.mounts);
	assert_null(s.oci_version);
	assert_int_equal(s.nmounts, 0);
	spec_free(&s);
	spec_free(&s);
	free(text);
	free(runc);
}

/* --- spec_load ------------------------------------------------------------------- */

static void test_missing_bundle_hints_at_dcrun_spec(void **state)
{
	struct spec s;
	struct error e;

	(void)state;
	assert_int_equal(spec_load("/nonexistent-bundle", &s, &e), -1);
	assert_string_equal(e.call, "open");
	assert_string_equal(e.object, "/nonexistent-bundle/config.json");
	assert_int_equal(e.err, ENOENT);
	assert_int_equal(e.hint, HINT_NO_BUNDLE);
}

static void test_load_names_the_file(void **state)
{
	char dir[] = "/tmp/unit_spec.XXXXXX", path[128];
	struct spec s;
	struct error e;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\n\"ociVersion\": \"1.1.0\",,", 25), 25);
	close(fd);
	assert_int_equal(spec_load(dir, &s, &e), -1);
	snprintf(path, sizeof(path), "%s/config.json: line 2, column 23: %s", dir,
		 "quoted object property name expected");
	assert_string_equal(e.object, path);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	/* A directory (or a FIFO) in its place is refused before it is read. */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(spec_load(dir, &s, &e), -1);
	assert_non_null(strstr(e.object, "/config.json: not a regular file"));
	rmdir(path);
	rmdir(dir);
}

/* --- error.c ----------------------------------------------------------------------- */

static char *printed(const struct error *e)
{
	static char buf[2048];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	error_print(e, f);
	fclose(f);
	return buf;
}

static void test_error_names_call_object_and_errno(void **state)
{
	struct error e;

	(void)state;
	/* cmocka has a macro fail(): the parentheses call error.c's function instead. */
	assert_int_equal((fail)(&e, ENOENT, "mount", "%s", "/proc"), -1);
	assert_string_equal(printed(&e), "dcrun: mount /proc: No such file or directory\n");
	invalid(&e, "%s: expected an integer", "linux.resources.memory.limit");
	assert_string_equal(printed(&e),
			    "dcrun: linux.resources.memory.limit: expected an integer\n");
}

static void test_hints_come_from_the_code_then_errno(void **state)
{
	struct error e;
	char want[1024];

	(void)state;
	fail_hint(&e, HINT_ID_IN_USE, EEXIST, "mkdir", "/run/dcrun/box");
	snprintf(want, sizeof(want), "dcrun: mkdir /run/dcrun/box: File exists\n  hint: %s\n",
		 hint_text(HINT_ID_IN_USE));
	assert_string_equal(printed(&e), want);
	/* No code given: EPERM means privilege, whatever the call. */
	(fail)(&e, EPERM, "unshare", "CLONE_NEWUSER");
	assert_non_null(strstr(printed(&e), hint_text(HINT_ROOT)));
	(fail)(&e, EINVAL, "unshare", "CLONE_NEWUSER");
	assert_null(strstr(printed(&e), "hint:"));
}

static void test_every_hint_has_a_text(void **state)
{
	(void)state;
	assert_null(hint_text(HINT_NONE));
	assert_null(hint_text(HINT_COUNT));
	for (int h = HINT_NONE + 1; h < HINT_COUNT; h++) {
		if (hint_text(h) == NULL)
			fail_msg("hint %d has no text", h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_default_config_parses),
		cmocka_unit_test(test_default_config_is_runcs),
		cmocka_unit_test(test_rootless_default_config_maps_only_the_caller),
		cmocka_unit_test(test_runc_rootless_config_parses),
		cmocka_unit_test(test_podman_config_parses),
		cmocka_unit_test(test_podman_cgroupfs_path_parses),
		cmocka_unit_test(test_everything_dcrun_reads_is_read),
		cmocka_unit_test(test_unknown_properties_are_ignored),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_rlim_infinity_is_taken),
		cmocka_unit_test(test_swappiness_and_disable_oom_killer_are_taken),
		cmocka_unit_test(test_wrong_types_name_their_path),
		cmocka_unit_test(test_missing_required_properties_are_named),
		cmocka_unit_test(test_bad_values_name_their_path),
		cmocka_unit_test(test_unknown_values_are_refused),
		cmocka_unit_test(test_duplicates_are_refused),
		cmocka_unit_test(test_integers_out_of_range_are_refused),
		cmocka_unit_test(test_huge_integers_are_refused),
		cmocka_unit_test(test_invalid_json_gives_line_and_column),
		cmocka_unit_test(test_settings_need_their_namespace),
		cmocka_unit_test(test_seccomp_is_checked_against_libseccomp),
		cmocka_unit_test(test_mount_options_become_flags_and_data),
		cmocka_unit_test(test_failed_parse_leaves_spec_empty),
		cmocka_unit_test(test_missing_bundle_hints_at_dcrun_spec),
		cmocka_unit_test(test_load_names_the_file),
		cmocka_unit_test(test_error_names_call_object_and_errno),
		cmocka_unit_test(test_hints_come_from_the_code_then_errno),
		cmocka_unit_test(test_every_hint_has_a_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
