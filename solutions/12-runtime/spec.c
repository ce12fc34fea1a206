/*
 * spec.c: config.json into struct spec, validated up front.
 *
 * The OCI runtime spec (1.1) describes config.json. dcrun reads the part
 * of it that it does, checks every value before it makes anything, and
 * names the JSON path of a bad one: `linux.namespaces[1].type: unknown
 * namespace "netwrok"`. A refusal here leaves nothing behind on the host.
 *
 * JSON is json-c's job: it gives a tree of typed values, and this file walks
 * the tree. Two rules of the spec (config.md) shape the walk:
 *   - "Extensibility": runtimes "MUST NOT generate an error if they
 *     encounter an unknown property. Instead they MUST ignore unknown
 *     properties." So a key dcrun does not read is never looked at: a newer
 *     spec's, another platform's ("windows"), and the ones dcrun does not
 *     implement (blockIO, hugepageLimits, unified, personality...), as runc
 *     ignores what it does not know.
 *   - "Valid values": runtimes "MUST generate an error when invalid or
 *     unsupported values are encountered". So an unknown namespace type,
 *     capability, rlimit, seccomp action, architecture or operator, or
 *     mount propagation is an error; so is a value of the wrong type, or
 *     out of the range the kernel takes.
 * A property set to null counts as absent, as in runc (Go's encoding/json).
 */
#include "runtime.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <json-c/json.h>
/* For its constants only (SCMP_ACT_*, SCMP_ARCH_*, SCMP_CMP_*): spec.c does not link libseccomp. */
#include <seccomp.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256 /* Linux 5.10 */
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* Linux 5.19 */
#endif

enum { PATH_LEN = 256 };           /* a JSON path: "linux.seccomp.syscalls[12].args[0].op" */
enum { MAX_CONFIG = 32 << 20 };    /* a config.json above 32 MiB is a mistake */
enum { ID_MAX = UINT32_MAX - 1 };  /* (uid_t)-1 tells setresuid(2) and fchown(2) "leave it" */
enum { MAX_ID_RANGES = 340 };      /* lines in uid_map since Linux 4.15 (user_namespaces(7)) */
#define KTIME_SEC_MAX 9223372036LL /* the largest time offset, in seconds (time_namespaces(7)) */

/* --- reading typed values --------------------------------------------------------- */

enum need { OPTIONAL, REQUIRED };

/* A path only names a place in a message: one too long is cut, and says so. */
static const char *cut(char *buf, int length)
{
	if (length >= PATH_LEN)
		memcpy(buf + PATH_LEN - 4, "...", 4);
	return buf;
}

/* "process" and "cwd": "process.cwd"; "" and "hostname": "hostname". */
static const char *at(char *buf, const char *parent, const char *key)
{
	return cut(buf, snprintf(buf, PATH_LEN, "%s%s%s", parent, parent[0] ? "." : "", key));
}

/* "mounts" and 2: "mounts[2]". */
static const char *nth(char *buf, const char *array, size_t i)
{
	return cut(buf, snprintf(buf, PATH_LEN, "%s[%zu]", array, i));
}

/* Bad input at parent.key: "process.cwd: must be an absolute path". */
static int invalid_at(struct error *e, const char *parent, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int invalid_at(struct error *e, const char *parent, const char *key, const char *fmt, ...)
{
	char p[PATH_LEN], message[sizeof(e->object)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return invalid(e, "%s: %s", at(p, parent, key), message);
}

/* obj[key]: NULL when absent or null, which Go's encoding/json (runc's reader) treats alike. */
static struct json_object *field(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

static int want(struct json_object *v, enum json_type type, const char *path, struct error *e)
{
	static const char *const names[] = {
		[json_type_null] = "null",        [json_type_boolean] = "a boolean",
		[json_type_double] = "a number",  [json_type_int] = "an integer",
		[json_type_object] = "an object", [json_type_array] = "an array",
		[json_type_string] = "a string",
	};

	if (json_object_is_type(v, type))
		return 0;
	return invalid(e, "%s: expected %s", path, names[type]);
}

/*
 * obj[key] of the type wanted: 1 when there, 0 when absent (an error when
 * REQUIRED), -1 on error. Every getter below returns the same.
 */
static int get(struct json_object *obj, const char *parent, const char *key, enum need need,
	       enum json_type type, struct json_object **out, struct error *e)
{
	char p[PATH_LEN];

	*out = field(obj, key);
	if (*out == NULL && need == REQUIRED)
		return invalid_at(e, parent, key, "required, but missing");
	if (*out == NULL)
		return 0;
	return want(*out, type, at(p, parent, key), e) == -1 ? -1 : 1;
}

/* A copy of a string. A NUL inside it ("\u0000") would cut it short in C: refuse it. */
static int string_value(struct json_object *v, const char *path, char **out, struct error *e)
{
	const char *s;

	if (want(v, json_type_string, path, e) == -1)
		return -1;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return invalid(e, "%s: contains a NUL character", path);
	*out = strdup(s);
	if (*out == NULL)
		return fail(e, errno, "strdup", "%s", path);
	return 0;
}

/*
 * Integers. json-c holds one as an int64, or as a uint64 above INT64_MAX,
 * and each getter clamps the other kind: so look at both. A number beyond
 * 64 bits never gets here (see huge_integer()). A fraction, even 1.0, is no
 * integer, as in runc.
 */
static int int_value(struct json_object *v, const char *path, int64_t min, int64_t max,
		     int64_t *out, struct error *e)
{
	if (want(v, json_type_int, path, e) == -1)
		return -1;
	*out = json_object_get_int64(v);
	if (*out < min || *out > max ||
	    (*out == INT64_MAX && json_object_get_uint64(v) > INT64_MAX))
		return invalid(e, "%s: %s is out of range (%lld to %lld)", path,
			       json_object_to_json_string(v), (long long)min, (long long)max);
	return 0;
}

static int uint_value(struct json_object *v, const char *path, uint64_t max, uint64_t *out,
		      struct error *e)
{
	if (want(v, json_type_int, path, e) == -1)
		return -1;
	*out = json_object_get_uint64(v); /* 0 for a negative number: ask int64 too */
	if (json_object_get_int64(v) < 0 || *out > max)
		return invalid(e, "%s: %s is out of range (0 to %llu)", path,
			       json_object_to_json_string(v), (unsigned long long)max);
	return 0;
}

static int get_string(struct json_object *obj, const char *parent, const char *key, enum need need,
		      char **out, struct error *e)
{
	struct json_object *v;
	char p[PATH_LEN];
	int rc = get(obj, parent, key, need, json_type_string, &v, e);

	if (rc == 1 && string_value(v, at(p, parent, key), out, e) == -1)
		return -1;
	return rc;
}

/* The spec wants absolute paths for mount destinations, cwd, hooks, namespaces... */
static int get_path(struct json_object *obj, const char *parent, const char *key, enum need need,
		    char **out, struct error *e)
{
	int rc = get_string(obj, parent, key, need, out, e);

	if (rc == 1 && (*out)[0] != '/')
		return invalid_at(e, parent, key, "must be an absolute path");
	return rc;
}

static int get_bool(struct json_object *obj, const char *parent, const char *key, bool *out,
		    struct error *e)
{
	struct json_object *v;
	int rc = get(obj, parent, key, OPTIONAL, json_type_boolean, &v, e);

	if (rc == 1)
		*out = json_object_get_boolean(v);
	return rc;
}

static int get_int(struct json_object *obj, const char *parent, const char *key, enum need need,
		   int64_t min, int64_t max, int64_t *out, struct error *e)
{
	char p[PATH_LEN];
	struct json_object *v = field(obj, key);

	if (v == NULL)
		return need == REQUIRED ? invalid_at(e, parent, key, "required, but missing") : 0;
	return int_value(v, at(p, parent, key), min, max, out, e) == -1 ? -1 : 1;
}

static int get_uint(struct json_object *obj, const char *parent, const char *key, enum need need,
		    uint64_t max, uint64_t *out, struct error *e)
{
	char p[PATH_LEN];
	struct json_object *v = field(obj, key);

	if (v == NULL)
		return need == REQUIRED ? invalid_at(e, parent, key, "required, but missing") : 0;
	return uint_value(v, at(p, parent, key), max, out, e) == -1 ? -1 : 1;
}

/* The 32-bit ones: ids, sizes, modes. */
static int get_u32(struct json_object *obj, const char *parent, const char *key, enum need need,
		   uint32_t max, uint32_t *out, struct error *e)
{
	uint64_t n;
	int rc = get_uint(obj, parent, key, need, max, &n, e);

	if (rc == 1)
		*out = (uint32_t)n;
	return rc;
}

/* A name the spec knows, and what it is to the kernel. A table ends with {NULL}. */
struct name {
	const char *name;
	unsigned long value;
};

static const struct name *lookup(const struct name *table, const char *name)
{
	for (; table->name; table++) {
		if (strcmp(table->name, name) == 0)
			return table;
	}
	return NULL;
}

/* obj[key], a name in table: else "linux.namespaces[1].type: unknown namespace "netwrok"". */
static int get_name(struct json_object *obj, const char *parent, const char *key, enum need need,
		    const struct name *table, const char *what, const struct name **out,
		    struct error *e)
{
	char *name = NULL;
	int rc = get_string(obj, parent, key, need, &name, e);

	if (rc == 1) {
		*out = lookup(table, name);
		if (*out == NULL)
			rc = invalid_at(e, parent, key, "unknown %s \"%s\"", what, name);
	}
	free(name);
	return rc;
}

/* calloc with one element more: the NULL that ends a string array, and never calloc(0). */
static void *alloc_array(size_t n, size_t size, const char *path, struct error *e)
{
	void *p = calloc(n + 1, size);

	if (p == NULL)
		fail(e, errno, "calloc", "%s", path);
	return p;
}

/*
 * An array of strings, NULL-terminated. *out is set before its elements are
 * read: after a failure half way, spec_free frees what was copied.
 */
static int get_strings(struct json_object *obj, const char *parent, const char *key, enum need need,
		       char ***out, size_t *n, struct error *e)
{
	struct json_object *array;
	char p[PATH_LEN], q[PATH_LEN];
	int rc = get(obj, parent, key, need, json_type_array, &array, e);

	if (rc != 1)
		return rc;
	at(p, parent, key);
	*n = json_object_array_length(array);
	*out = alloc_array(*n, sizeof(char *), p, e);
	if (*out == NULL)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		if (string_value(json_object_array_get_idx(array, i), nth(q, p, i), &(*out)[i],
				 e) == -1)
			return -1;
	}
	return 1;
}

static void free_strings(char **strings)
{
	for (size_t i = 0; strings && strings[i]; i++)
		free(strings[i]);
	free(strings);
}

/* obj[key], an array of names in table: their values, n of them. */
static int get_names(struct json_object *obj, const char *parent, const char *key,
		     const struct name *table, const char *what, unsigned long **values, size_t *n,
		     struct error *e)
{
	char p[PATH_LEN], q[PATH_LEN];
	char **names = NULL;
	int rc = get_strings(obj, parent, key, OPTIONAL, &names, n, e);

	if (rc == 1) {
		*values = alloc_array(*n, sizeof(**values), at(p, parent, key), e);
		rc = *values ? 1 : -1;
	}
	for (size_t i = 0; rc == 1 && i < *n; i++) {
		const struct name *found = lookup(table, names[i]);

		if (found == NULL)
			rc = invalid(e, "%s: unknown %s \"%s\"", nth(q, p, i), what, names[i]);
		else
			(*values)[i] = found->value;
	}
	free_strings(names);
	return rc;
}

/*
 * An array of objects: n elements of size bytes, zeroed, each filled by
 * one(), which gets the array and the index (to look back for duplicates).
 */
typedef int parse_one(struct json_object *obj, const char *path, void *array, size_t i,
		      struct spec *s, struct error *e);

static int get_objects(struct json_object *obj, const char *parent, const char *key, size_t size,
		       parse_one *one, void **out, size_t *n, struct spec *s, struct error *e)
{
	struct json_object *array;
	char p[PATH_LEN], q[PATH_LEN];
	int rc = get(obj, parent, key, OPTIONAL, json_type_array, &array, e);

	if (rc != 1)
		return rc;
	at(p, parent, key);
	*n = json_object_array_length(array);
	*out = alloc_array(*n, size, p, e);
	if (*out == NULL)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		struct json_object *v = json_object_array_get_idx(array, i);

		if (want(v, json_type_object, nth(q, p, i), e) == -1 ||
		    one(v, q, *out, i, s, e) == -1)
			return -1;
	}
	return 1;
}

/* "NAME=VALUE", as runc checks an environment: an '=', and a name before it. */
static int check_env(char **env, const char *path, struct error *e)
{
	char p[PATH_LEN];

	for (size_t i = 0; env && env[i]; i++) {
		const char *equals = strchr(env[i], '=');

		if (equals == NULL || equals == env[i])
			return invalid(e, "%s: \"%s\" is not NAME=VALUE", nth(p, path, i), env[i]);
	}
	return 0;
}

/* --- ociVersion, root, hostname ---------------------------------------------------- */

/*
 * "1.1.0", "1.0.2-dev" (runc 1.1's own), "1.2.0+build": SemVer, major 1.
 * Within a major version the spec only adds properties, which we ignore;
 * a 2.x could change what one means.
 */
static bool supported_version(const char *v)
{
	if (strncmp(v, "1.", 2) != 0 || v[2] < '0' || v[2] > '2' || v[3] != '.')
		return false;
	v += 4;
	if (!isdigit((unsigned char)*v))
		return false;
	while (isdigit((unsigned char)*v))
		v++;
	return *v == '\0' || *v == '-' || *v == '+';
}

static int parse_version(struct json_object *top, struct spec *s, struct error *e)
{
	if (get_string(top, "", "ociVersion", REQUIRED, &s->oci_version, e) == -1)
		return -1;
	if (!supported_version(s->oci_version))
		return invalid(e,
			       "ociVersion: \"%s\" is not a version dcrun reads (1.0.x to 1.2.x)",
			       s->oci_version);
	return 0;
}

/* root is REQUIRED on Linux (config.md), and runc refuses a config without it. */
static int parse_root(struct json_object *top, struct spec *s, struct error *e)
{
	struct json_object *root;
	int rc = get(top, "", "root", OPTIONAL, json_type_object, &root, e);

	if (rc == 0 || (rc == 1 && field(root, "path") == NULL))
		return invalid_hint(e, HINT_NO_ROOTFS, "root.path: required, but missing");
	if (rc == -1 || get_string(root, "root", "path", REQUIRED, &s->root_path, e) == -1 ||
	    get_bool(root, "root", "readonly", &s->root_readonly, e) == -1)
		return -1;
	if (s->root_path[0] == '\0')
		return invalid_hint(e, HINT_NO_ROOTFS, "root.path: must not be empty");
	return 0;
}

/* sethostname(2) and setdomainname(2) take at most 64 bytes. */
static int parse_names(struct json_object *top, struct spec *s, struct error *e)
{
	if (get_string(top, "", "hostname", OPTIONAL, &s->hostname, e) == -1 ||
	    get_string(top, "", "domainname", OPTIONAL, &s->domainname, e) == -1)
		return -1;
	if (s->hostname && strlen(s->hostname) > HOST_NAME_MAX)
		return invalid(e, "hostname: longer than %d bytes (HOST_NAME_MAX)", HOST_NAME_MAX);
	if (s->domainname && strlen(s->domainname) > HOST_NAME_MAX)
		return invalid(e, "domainname: longer than %d bytes", HOST_NAME_MAX);
	return 0;
}

/* --- mounts ----------------------------------------------------------------------- */

/* The options that mount(8) and runc turn into mount(2)'s flags; "rw" clears what "ro" sets. */
static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{"ro", false, MS_RDONLY},
	{"rw", true, MS_RDONLY},
	{"nosuid", false, MS_NOSUID},
	{"suid", true, MS_NOSUID},
	{"nodev", false, MS_NODEV},
	{"dev", true, MS_NODEV},
	{"noexec", false, MS_NOEXEC},
	{"exec", true, MS_NOEXEC},
	{"sync", false, MS_SYNCHRONOUS},
	{"async", true, MS_SYNCHRONOUS},
	{"dirsync", false, MS_DIRSYNC},
	{"remount", false, MS_REMOUNT},
	{"mand", false, MS_MANDLOCK},
	{"nomand", true, MS_MANDLOCK},
	{"atime", true, MS_NOATIME},
	{"noatime", false, MS_NOATIME},
	{"diratime", true, MS_NODIRATIME},
	{"nodiratime", false, MS_NODIRATIME},
	{"relatime", false, MS_RELATIME},
	{"norelatime", true, MS_RELATIME},
	{"strictatime", false, MS_STRICTATIME},
	{"nostrictatime", true, MS_STRICTATIME},
	{"nosymfollow", false, MS_NOSYMFOLLOW},
	{"bind", false, MS_BIND},
	{"rbind", false, MS_BIND | MS_REC},
};

/* Propagation takes a mount(2) call of its own; these are rootfsPropagation's values too. */
static const struct name propagations[] = {
	{"private", MS_PRIVATE},
	{"rprivate", MS_PRIVATE | MS_REC},
	{"shared", MS_SHARED},
	{"rshared", MS_SHARED | MS_REC},
	{"slave", MS_SLAVE},
	{"rslave", MS_SLAVE | MS_REC},
	{"unbindable", MS_UNBINDABLE},
	{"runbindable", MS_UNBINDABLE | MS_REC},
	{NULL, 0},
};

static bool mount_flag(struct spec_mount *m, const char *option)
{
	for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++) {
		if (strcmp(option, mount_flags[i].name) != 0)
			continue;
		if (mount_flags[i].clear)
			m->flags &= ~mount_flags[i].flag;
		else
			m->flags |= mount_flags[i].flag;
		return true;
	}
	return false;
}

/* The filesystem's own options ("mode=755", "size=64k"), comma-joined for mount(2)'s data. */
static int add_data(char **data, const char *option, const char *path, struct error *e)
{
	size_t used = *data ? strlen(*data) : 0;
	char *more = realloc(*data, used + strlen(option) + 2);

	if (more == NULL)
		return fail(e, errno, "realloc", "%s", path);
	snprintf(more + used, strlen(option) + 2, "%s%s", used ? "," : "", option);
	*data = more;
	return 0;
}

/* A mount's options: flags, propagation (the last one wins), and the filesystem's data. */
static int mount_options(struct spec_mount *m, char **options, const char *path, struct error *e)
{
	for (size_t i = 0; options && options[i]; i++) {
		const struct name *propagation = lookup(propagations, options[i]);

		if (propagation)
			m->propagation = propagation->value;
		else if (!mount_flag(m, options[i]) &&
			 add_data(&m->data, options[i], path, e) == -1)
			return -1;
	}
	/* mount(2) copies one page of data, and would cut the rest off silently. */
	if (m->data && strlen(m->data) >= 4096)
		return invalid_at(e, path, "options",
				  "the filesystem's options are longer than a page (4096 bytes)");
	return 0;
}

static int parse_mount(struct json_object *obj, const char *path, void *array, size_t i,
		       struct spec *s, struct error *e)
{
	struct spec_mount *m = (struct spec_mount *)array + i;
	char **options = NULL;
	size_t n;
	int rc;

	(void)s;
	if (get_path(obj, path, "destination", REQUIRED, &m->destination, e) == -1 ||
	    get_string(obj, path, "type", OPTIONAL, &m->type, e) == -1 ||
	    get_string(obj, path, "source", OPTIONAL, &m->source, e) == -1)
		return -1;
	rc = get_strings(obj, path, "options", OPTIONAL, &options, &n, e);
	if (rc == 1)
		rc = mount_options(m, options, path, e);
	free_strings(options);
	if (rc == -1)
		return -1;

	/*
	 * A mount with "bind" or "rbind" is a bind mount, whose type is a
	 * dummy, often "none" (config.md); and since mount(2) knows no
	 * filesystem called "bind", that type can only mean one too.
	 */
	if (m->type && strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND;
	if (m->flags & MS_BIND) {
		free(m->type);
		m->type = NULL;
		if (m->source == NULL)
			return invalid_at(e, path, "source",
					  "required for a bind mount, but missing");
	} else if (m->type == NULL) {
		return invalid_at(e, path, "type", "required, except for a bind mount");
	}
	return 0;
}

static int parse_mounts(struct json_object *top, struct spec *s, struct error *e)
{
	void *mounts = NULL;
	int rc = get_objects(top, "", "mounts", sizeof(struct spec_mount), parse_mount, &mounts,
			     &s->nmounts, s, e);

	s->mounts = mounts;
	return rc;
}

/* --- process ---------------------------------------------------------------------- */

/* The capabilities by number (<linux/capability.h>), named as the spec names them. */
const char *const capability_names[] = {
	[CAP_CHOWN] = "CAP_CHOWN",
	[CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
	[CAP_FOWNER] = "CAP_FOWNER",
	[CAP_FSETID] = "CAP_FSETID",
	[CAP_KILL] = "CAP_KILL",
	[CAP_SETGID] = "CAP_SETGID",
	[CAP_SETUID] = "CAP_SETUID",
	[CAP_SETPCAP] = "CAP_SETPCAP",
	[CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
	[CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
	[CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
	[CAP_NET_ADMIN] = "CAP_NET_ADMIN",
	[CAP_NET_RAW] = "CAP_NET_RAW",
	[CAP_IPC_LOCK] = "CAP_IPC_LOCK",
	[CAP_IPC_OWNER] = "CAP_IPC_OWNER",
	[CAP_SYS_MODULE] = "CAP_SYS_MODULE",
	[CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
	[CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
	[CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
	[CAP_SYS_PACCT] = "CAP_SYS_PACCT",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
	[CAP_SYS_BOOT] = "CAP_SYS_BOOT",
	[CAP_SYS_NICE] = "CAP_SYS_NICE",
	[CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
	[CAP_SYS_TIME] = "CAP_SYS_TIME",
	[CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
	[CAP_MKNOD] = "CAP_MKNOD",
	[CAP_LEASE] = "CAP_LEASE",
	[CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
	[CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
	[CAP_SETFCAP] = "CAP_SETFCAP",
	[CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
	[CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
	[CAP_SYSLOG] = "CAP_SYSLOG",
	[CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
	[CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
	[CAP_AUDIT_READ] = "CAP_AUDIT_READ",
	[CAP_PERFMON] = "CAP_PERFMON",
	[CAP_BPF] = "CAP_BPF",
	[CAP_CHECKPOINT_RESTORE] = "CAP_CHECKPOINT_RESTORE",
};
const int capability_count = sizeof(capability_names) / sizeof(capability_names[0]);
/* Newer headers know more capabilities: then this table must learn their names. */
_Static_assert(sizeof(capability_names) / sizeof(capability_names[0]) == CAP_LAST_CAP + 1,
	       "capability_names[] must name every capability up to CAP_LAST_CAP");
_Static_assert(CAP_LAST_CAP < 64, "struct spec keeps a capability set in 64 bits");

bool spec_has_namespace(const struct spec *spec, int type, bool new_only)
{
	for (size_t i = 0; i < spec->nnamespaces; i++) {
		if (spec->namespaces[i].type == type && (!new_only || !spec->namespaces[i].path))
			return true;
	}
	return false;
}

int capability_number(const char *name)
{
	for (int i = 0; i < capability_count; i++) {
		if (strcmp(name, capability_names[i]) == 0)
			return i;
	}
	return -1;
}

/*
 * The spec: a name "which cannot be mapped to a relevant kernel interface
 * MUST cause an error". Whether the running kernel has it (a newer name on
 * an older kernel) is for the container's setup to find out.
 */
static int capability_set(struct json_object *caps, const char *name, uint64_t *set,
			  struct error *e)
{
	char p[PATH_LEN], q[PATH_LEN];
	char **names = NULL;
	size_t n = 0;
	int rc = get_strings(caps, "process.capabilities", name, OPTIONAL, &names, &n, e);

	at(p, "process.capabilities", name);
	for (size_t i = 0; rc == 1 && i < n; i++) {
		int cap = capability_number(names[i]);

		if (cap == -1)
			rc = invalid(e, "%s: unknown capability \"%s\"", nth(q, p, i), names[i]);
		else
			*set |= 1ULL << cap;
	}
	free_strings(names);
	return rc;
}

static int parse_capabilities(struct json_object *process, struct spec *s, struct error *e)
{
	static const char *const sets[CAP_SETS] = {
		[CAP_BOUNDING] = "bounding",       [CAP_EFFECTIVE] = "effective",
		[CAP_INHERITABLE] = "inheritable", [CAP_PERMITTED] = "permitted",
		[CAP_AMBIENT] = "ambient",
	};
	struct json_object *caps;
	int rc = get(process, "process", "capabilities", OPTIONAL, json_type_object, &caps, e);

	for (int set = 0; rc == 1 && set < CAP_SETS; set++) {
		if (capability_set(caps, sets[set], &s->caps[set], e) == -1)
			return -1;
	}
	return rc == -1 ? -1 : 0;
}

static const struct name rlimit_names[] = {
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_STACK", RLIMIT_STACK},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{NULL, 0},
};

static int parse_rlimit(struct json_object *obj, const char *path, void *array, size_t i,
			struct spec *s, struct error *e)
{
	struct spec_rlimit *all = array, *r = &all[i];
	const struct name *type = NULL;
	uint64_t soft, hard;

	(void)s;
	if (get_name(obj, path, "type", REQUIRED, rlimit_names, "resource", &type, e) == -1)
		return -1;
	r->resource = (int)type->value;
	/*
	 * The spec: "If rlimits contains duplicated entries with same type, the
	 * runtime MUST generate an error."
	 */
	for (size_t j = 0; j < i; j++) {
		if (all[j].resource == r->resource)
			return invalid_at(e, path, "type", "%s again, after process.rlimits[%zu]",
					  type->name, j);
	}
	if (get_uint(obj, path, "soft", REQUIRED, UINT64_MAX, &soft, e) == -1 ||
	    get_uint(obj, path, "hard", REQUIRED, UINT64_MAX, &hard, e) == -1)
		return -1;
	/* setrlimit(2) would refuse it with EINVAL, later and less clearly. */
	if (soft > hard)
		return invalid(e, "%s: soft (%llu) is above hard (%llu)", path,
			       (unsigned long long)soft, (unsigned long long)hard);
	r->soft = soft;
	r->hard = hard;
	return 0;
}

static int parse_user(struct json_object *process, struct spec *s, struct error *e)
{
	struct json_object *user, *gids;
	char p[PATH_LEN];
	uint64_t gid;
	int rc = get(process, "process", "user", OPTIONAL, json_type_object, &user, e);

	/* Without user, the process runs as root (0:0), as in runc. */
	if (rc != 1)
		return rc;
	/*
	 * umask(2) keeps the permission bits only: above 0777 is a mistake,
	 * most often octal written as decimal (755 for 0755).
	 */
	if (get_u32(user, "process.user", "uid", REQUIRED, ID_MAX, &s->uid, e) == -1 ||
	    get_u32(user, "process.user", "gid", REQUIRED, ID_MAX, &s->gid, e) == -1 ||
	    (rc = get_u32(user, "process.user", "umask", OPTIONAL, 0777, &s->umask, e)) == -1)
		return -1;
	s->umask_set = rc == 1;
	rc = get(user, "process.user", "additionalGids", OPTIONAL, json_type_array, &gids, e);
	if (rc != 1)
		return rc;
	s->nadditional_gids = json_object_array_length(gids);
	s->additional_gids = alloc_array(s->nadditional_gids, sizeof(uint32_t),
					 "process.user.additionalGids", e);
	if (s->additional_gids == NULL)
		return -1;
	for (size_t i = 0; i < s->nadditional_gids; i++) {
		if (uint_value(json_object_array_get_idx(gids, i),
			       nth(p, "process.user.additionalGids", i), ID_MAX, &gid, e) == -1)
			return -1;
		s->additional_gids[i] = (uint32_t)gid;
	}
	return 0;
}

/* The pty's size: TIOCSWINSZ takes a struct winsize, of unsigned shorts. */
static int parse_console_size(struct json_object *process, struct spec *s, struct error *e)
{
	struct json_object *size;
	uint32_t height = 0, width = 0;
	int rc = get(process, "process", "consoleSize", OPTIONAL, json_type_object, &size, e);

	if (rc != 1)
		return rc;
	if (get_u32(size, "process.consoleSize", "height", REQUIRED, USHRT_MAX, &height, e) == -1 ||
	    get_u32(size, "process.consoleSize", "width", REQUIRED, USHRT_MAX, &width, e) == -1)
		return -1;
	s->console_height = height;
	s->console_width = width;
	return 0;
}

/*
 * The spec makes process REQUIRED only when start is called; runc requires
 * it at create too, since create makes the process that start releases.
 * So do we: args (at least one), cwd (absolute), as runc checks them.
 */
static int parse_process(struct json_object *top, struct spec *s, struct error *e)
{
	struct json_object *proc;
	void *rlimits = NULL;
	size_t nargs = 0, nenv;
	int64_t oom = 0;
	int rc = get(top, "", "process", REQUIRED, json_type_object, &proc, e);

	if (rc != 1)
		return -1;
	if (get_bool(proc, "process", "terminal", &s->terminal, e) == -1 ||
	    parse_console_size(proc, s, e) == -1 || parse_user(proc, s, e) == -1 ||
	    get_strings(proc, "process", "args", REQUIRED, &s->args, &nargs, e) == -1 ||
	    get_strings(proc, "process", "env", OPTIONAL, &s->env, &nenv, e) == -1 ||
	    check_env(s->env, "process.env", e) == -1 ||
	    get_path(proc, "process", "cwd", REQUIRED, &s->cwd, e) == -1 ||
	    parse_capabilities(proc, s, e) == -1)
		return -1;
	rc = get_objects(proc, "process", "rlimits", sizeof(struct spec_rlimit), parse_rlimit,
			 &rlimits, &s->nrlimits, s, e);
	s->rlimits = rlimits;
	if (rc == -1 ||
	    get_bool(proc, "process", "noNewPrivileges", &s->no_new_privileges, e) == -1)
		return -1;
	/* oom_score_adj takes -1000 (never kill) to 1000 (kill first): proc(5). */
	rc = get_int(proc, "process", "oomScoreAdj", OPTIONAL, -1000, 1000, &oom, e);
	s->oom_score_adj_set = rc == 1;
	s->oom_score_adj = (int)oom;
	if (rc == -1)
		return -1;
	/* Kept for the setup, which refuses them where the host has no such LSM. */
	if (get_string(proc, "process", "apparmorProfile", OPTIONAL, &s->apparmor_profile, e) < 0 ||
	    get_string(proc, "process", "selinuxLabel", OPTIONAL, &s->selinux_label, e) < 0)
		return -1;
	if (nargs == 0)
		return invalid(e, "process.args: must name the program to run");
	if (s->args[0][0] == '\0')
		return invalid(e, "process.args[0]: must not be empty");
	return 0;
}

/* --- linux: namespaces, id maps, time offsets, devices ----------------------------- */

static const struct name namespace_types[] = {
	{"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},   {NULL, 0},
};
/* struct spec has room for one namespace of each type, and the {NULL} ends the table. */
_Static_assert(sizeof(namespace_types) / sizeof(namespace_types[0]) == 8 + 1,
	       "struct spec's namespaces[8] holds one of each type");

static const char *namespace_name(int type)
{
	const struct name *n = namespace_types;

	while (n->name && n->value != (unsigned long)type)
		n++;
	return n->name ? n->name : "?";
}

static int parse_namespace(struct json_object *obj, const char *path, struct spec *s,
			   struct error *e)
{
	const struct name *type = NULL;

	if (want(obj, json_type_object, path, e) == -1 ||
	    get_name(obj, path, "type", REQUIRED, namespace_types, "namespace", &type, e) == -1)
		return -1;
	/*
	 * The spec: "If a namespaces field contains duplicated namespaces with
	 * same type, the runtime MUST generate an error."
	 */
	for (size_t j = 0; j < s->nnamespaces; j++) {
		if (s->namespaces[j].type == (int)type->value)
			return invalid_at(e, path, "type",
					  "\"%s\" again, after linux.namespaces[%zu]", type->name,
					  j);
	}
	s->namespaces[s->nnamespaces].type = (int)type->value;
	/* A path joins that namespace (setns(2)); without one, the container gets a new one. */
	return get_path(obj, path, "path", OPTIONAL, &s->namespaces[s->nnamespaces++].path, e);
}

static int parse_namespaces(struct json_object *lx, struct spec *s, struct error *e)
{
	struct json_object *array;
	char p[PATH_LEN];
	int rc = get(lx, "linux", "namespaces", OPTIONAL, json_type_array, &array, e);

	for (size_t i = 0; rc == 1 && i < json_object_array_length(array); i++) {
		if (parse_namespace(json_object_array_get_idx(array, i),
				    nth(p, "linux.namespaces", i), s, e) == -1)
			return -1;
	}
	return rc == -1 ? -1 : 0;
}

/*
 * One line of uid_map or gid_map. The kernel refuses an empty range, and
 * one that runs past 4294967295 on either side (user_namespaces(7)).
 */
static int parse_id_map(struct json_object *obj, const char *path, void *array, size_t i,
			struct spec *s, struct error *e)
{
	struct spec_id_map *m = (struct spec_id_map *)array + i;

	(void)s;
	if (get_u32(obj, path, "containerID", REQUIRED, UINT32_MAX, &m->container_id, e) == -1 ||
	    get_u32(obj, path, "hostID", REQUIRED, UINT32_MAX, &m->host_id, e) == -1 ||
	    get_u32(obj, path, "size", REQUIRED, UINT32_MAX, &m->size, e) == -1)
		return -1;
	if (m->size == 0)
		return invalid_at(e, path, "size", "must be at least 1");
	if ((uint64_t)m->container_id + m->size > UINT32_MAX ||
	    (uint64_t)m->host_id + m->size > UINT32_MAX)
		return invalid(e, "%s: the range runs past id 4294967294", path);
	return 0;
}

static int parse_id_maps(struct json_object *lx, const char *key, struct spec_id_map **maps,
			 size_t *n, struct spec *s, struct error *e)
{
	void *array = NULL;
	int rc = get_objects(lx, "linux", key, sizeof(struct spec_id_map), parse_id_map, &array, n,
			     s, e);

	*maps = array;
	if (rc == 1 && *n > MAX_ID_RANGES)
		return invalid(e, "linux.%s: %zu ranges, more than the kernel's %d", key, *n,
			       MAX_ID_RANGES);
	/*
	 * The kernel refuses a map whose ranges share an id, inside or
	 * outside (user_namespaces(7)): with a bare EINVAL, once the
	 * container's process exists. Say which two, before anything is made.
	 */
	for (size_t i = 0; rc == 1 && i < *n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct spec_id_map *a = &(*maps)[j], *b = &(*maps)[i];
			bool inside = a->container_id < (uint64_t)b->container_id + b->size &&
				      b->container_id < (uint64_t)a->container_id + a->size;
			bool outside = a->host_id < (uint64_t)b->host_id + b->size &&
				       b->host_id < (uint64_t)a->host_id + a->size;

			if (inside || outside)
				return invalid(
					e,
					"linux.%s[%zu]: its %s range overlaps linux.%s[%zu]'s: "
					"no id may be mapped twice",
					key, i, inside ? "containerID" : "hostID", key, j);
		}
	}
	return rc;
}

/*
 * {"boottime": {"secs": 86400}}: a time namespace's offsets. The clock
 * names are values, not properties: the kernel offsets only these two.
 */
static int parse_time_offsets(struct json_object *lx, struct spec *s, struct error *e)
{
	struct json_object *offsets;
	int rc = get(lx, "linux", "timeOffsets", OPTIONAL, json_type_object, &offsets, e);

	if (rc != 1)
		return rc;
	s->time_offsets_set = true;
	json_object_object_foreach(offsets, clock_name, value)
	{
		char p[PATH_LEN];
		int64_t *secs = &s->monotonic_secs;
		uint32_t *nanosecs = &s->monotonic_nanosecs;

		if (strcmp(clock_name, "boottime") == 0) {
			secs = &s->boottime_secs;
			nanosecs = &s->boottime_nanosecs;
		} else if (strcmp(clock_name, "monotonic") != 0) {
			return invalid_at(e, "linux", "timeOffsets",
					  "unknown clock \"%s\" (boottime or monotonic)",
					  clock_name);
		}
		at(p, "linux.timeOffsets", clock_name);
		if (want(value, json_type_object, p, e) == -1)
			return -1;
		if (get_int(value, p, "secs", OPTIONAL, -KTIME_SEC_MAX, KTIME_SEC_MAX, secs, e) <
			    0 ||
		    get_u32(value, p, "nanosecs", OPTIONAL, 999999999, nanosecs, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * mknod(2) takes a 32-bit dev_t: 12 bits of major, 20 of minor. glibc
 * refuses more with EOVERFLOW; say so here, with the path.
 */
enum { MAJOR_MAX = 4095, MINOR_MAX = 1048575 };

static int parse_device(struct json_object *obj, const char *path, void *array, size_t i,
			struct spec *s, struct error *e)
{
	struct spec_device *d = (struct spec_device *)array + i;
	char *type = NULL;
	enum need numbers;

	(void)s;
	d->mode = 0666;
	if (get_path(obj, path, "path", REQUIRED, &d->path, e) == -1 ||
	    get_string(obj, path, "type", REQUIRED, &type, e) == -1)
		return -1;
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		invalid_at(e, path, "type", "unknown device type \"%s\" (c, b, u or p)", type);
	else
		d->type = type[0];
	free(type);
	if (d->type == '\0')
		return -1;
	/* A fifo (p) has no numbers: major and minor are REQUIRED for the others. */
	numbers = d->type == 'p' ? OPTIONAL : REQUIRED;
	/* fileMode is the permission bits, with set-id and sticky: the type comes from "type". */
	if (get_int(obj, path, "major", numbers, 0, MAJOR_MAX, &d->major, e) == -1 ||
	    get_int(obj, path, "minor", numbers, 0, MINOR_MAX, &d->minor, e) == -1 ||
	    get_u32(obj, path, "fileMode", OPTIONAL, 07777, &d->mode, e) == -1 ||
	    get_u32(obj, path, "uid", OPTIONAL, ID_MAX, &d->uid, e) == -1 ||
	    get_u32(obj, path, "gid", OPTIONAL, ID_MAX, &d->gid, e) == -1)
		return -1;
	return 0;
}

/* --- linux.resources, cgroupsPath ----------------------------------------------------- */

/* A devices cgroup rule: "c 1:3 rwm" in v1's devices.allow, or a case of v2's eBPF program. */
static int parse_device_rule(struct json_object *obj, const char *path, void *array, size_t i,
			     struct spec *s, struct error *e)
{
	struct spec_device_rule *r = (struct spec_device_rule *)array + i;
	struct json_object *allow;
	char *type = NULL, *access = NULL;
	int rc;

	(void)s;
	/* Absent, type, major and minor mean "all" (the spec); access, "rwm", as crun reads it. */
	r->type = 'a';
	r->major = r->minor = -1;
	snprintf(r->access, sizeof(r->access), "rwm");
	if (get(obj, path, "allow", REQUIRED, json_type_boolean, &allow, e) == -1)
		return -1;
	r->allow = json_object_get_boolean(allow);
	rc = get_string(obj, path, "type", OPTIONAL, &type, e);
	if (rc == 1 && (strlen(type) != 1 || strchr("acb", type[0]) == NULL))
		rc = invalid_at(e, path, "type", "unknown device type \"%s\" (a, c or b)", type);
	else if (rc == 1)
		r->type = type[0];
	free(type);
	if (rc == -1 || get_int(obj, path, "major", OPTIONAL, -1, MAJOR_MAX, &r->major, e) == -1 ||
	    get_int(obj, path, "minor", OPTIONAL, -1, MINOR_MAX, &r->minor, e) == -1)
		return -1;
	/* r, w and m, each at most once: "rwm", "rw", "m"... */
	rc = get_string(obj, path, "access", OPTIONAL, &access, e);
	if (rc == 1 &&
	    (access[0] == '\0' || strlen(access) > 3 || strspn(access, "rwm") != strlen(access) ||
	     strchr(access + 1, access[0]) != NULL ||
	     (access[1] && strchr(access + 2, access[1]) != NULL)))
		rc = invalid_at(e, path, "access", "\"%s\" is not made of r, w and m", access);
	else if (rc == 1)
		snprintf(r->access, sizeof(r->access), "%s", access);
	free(access);
	return rc == -1 ? -1 : 0;
}

/* "0-3,8": the cpuset list syntax of cpuset.cpus and cpuset.mems. */
static int check_cpu_list(const char *list, const char *path, struct error *e)
{
	if (list && strspn(list, "0123456789,-") != strlen(list))
		return invalid(e, "%s: \"%s\" is not a list such as \"0-3,8\"", path, list);
	return 0;
}

/*
 * Memory, in bytes, or -1 for unlimited. runc writes a limit only when it
 * is not 0, and a new cgroup is unlimited already: so 0 and -1 both end as
 * -1 here ("not set").
 */
static int get_memory(struct json_object *memory, const char *key, int64_t *out, struct error *e)
{
	int rc = get_int(memory, "linux.resources.memory", key, OPTIONAL, -1, INT64_MAX, out, e);

	if (*out == 0)
		*out = -1;
	return rc;
}

static int parse_memory(struct json_object *resources, struct spec *s, struct error *e)
{
	struct json_object *memory;
	int64_t limit, swap;
	uint64_t swappiness;
	int rc =
		get(resources, "linux.resources", "memory", OPTIONAL, json_type_object, &memory, e);

	if (rc != 1)
		return rc;
	if (get_memory(memory, "limit", &s->resources.memory_limit, e) == -1 ||
	    get_memory(memory, "reservation", &s->resources.memory_reservation, e) == -1 ||
	    get_memory(memory, "swap", &s->resources.memory_swap, e) == -1 ||
	    get_bool(memory, "linux.resources.memory", "disableOOMKiller",
		     &s->resources.disable_oom_killer, e) == -1)
		return -1;
	/*
	 * The kernel's swappiness range, 0 to 100. runc refuses more only when
	 * it writes the file (v1); here it is refused before anything is made.
	 */
	rc = get_uint(memory, "linux.resources.memory", "swappiness", OPTIONAL, 100, &swappiness,
		      e);
	if (rc == -1)
		return -1;
	if (rc == 1)
		s->resources.memory_swappiness = (int64_t)swappiness;
	/*
	 * swap is memory+swap, as cgroup v1's memory.memsw.limit_in_bytes: no
	 * less than limit, and meaningless without it (runc refuses both).
	 */
	limit = s->resources.memory_limit;
	swap = s->resources.memory_swap;
	if (swap > 0 && limit <= 0)
		return invalid(e, "linux.resources.memory.swap: needs a memory limit");
	if (swap > 0 && swap < limit)
		return invalid(
			e,
			"linux.resources.memory.swap: %lld is below limit (%lld): it is memory+swap",
			(long long)swap, (long long)limit);
	return 0;
}

/*
 * CFS bandwidth: quota microseconds of CPU in each period. The kernel takes
 * a period from 1 ms to 1 s, and a quota of at least 1 ms; runc writes
 * neither when it is 0, and a quota of -1 is unlimited.
 */
static int parse_cpu(struct json_object *resources, struct spec *s, struct error *e)
{
	struct json_object *cpu;
	const char *p = "linux.resources.cpu";
	int64_t quota = -1;
	uint64_t period = 0;
	int rc = get(resources, "linux.resources", "cpu", OPTIONAL, json_type_object, &cpu, e);

	if (rc != 1)
		return rc;
	if (get_uint(cpu, p, "shares", OPTIONAL, UINT64_MAX, &s->resources.cpu_shares, e) == -1 ||
	    get_int(cpu, p, "quota", OPTIONAL, -1, INT64_MAX, &quota, e) == -1 ||
	    get_uint(cpu, p, "period", OPTIONAL, 1000000, &period, e) == -1 ||
	    get_string(cpu, p, "cpus", OPTIONAL, &s->resources.cpu_cpus, e) == -1 ||
	    get_string(cpu, p, "mems", OPTIONAL, &s->resources.cpu_mems, e) == -1 ||
	    check_cpu_list(s->resources.cpu_cpus, "linux.resources.cpu.cpus", e) == -1 ||
	    check_cpu_list(s->resources.cpu_mems, "linux.resources.cpu.mems", e) == -1)
		return -1;
	if (period != 0 && period < 1000)
		return invalid(
			e,
			"linux.resources.cpu.period: %llu is out of range (1000 to 1000000 microseconds)",
			(unsigned long long)period);
	if (quota > 0 && quota < 1000)
		return invalid(
			e,
			"linux.resources.cpu.quota: %lld is below the kernel's 1000 microseconds",
			(long long)quota);
	s->resources.cpu_quota = quota == 0 ? -1 : quota;
	s->resources.cpu_period = period;
	return 0;
}

/* pids.max: 0 is "not set" in runc, -1 unlimited ("max"). */
static int parse_pids(struct json_object *resources, struct spec *s, struct error *e)
{
	struct json_object *pids;
	int rc = get(resources, "linux.resources", "pids", OPTIONAL, json_type_object, &pids, e);

	if (rc != 1)
		return rc;
	return get_int(pids, "linux.resources.pids", "limit", REQUIRED, -1, INT64_MAX,
		       &s->resources.pids_limit, e);
}

static int parse_resources(struct json_object *lx, struct spec *s, struct error *e)
{
	struct json_object *resources;
	void *rules = NULL;
	int rc = get(lx, "linux", "resources", OPTIONAL, json_type_object, &resources, e);

	if (rc != 1)
		return rc;
	if (parse_memory(resources, s, e) == -1 || parse_cpu(resources, s, e) == -1 ||
	    parse_pids(resources, s, e) == -1)
		return -1;
	rc = get_objects(resources, "linux.resources", "devices", sizeof(struct spec_device_rule),
			 parse_device_rule, &rules, &s->resources.ndevices, s, e);
	s->resources.devices = rules;
	return rc;
}

/*
 * The group's path: absolute, under the cgroup root, or relative to
 * dcrun's own group; podman's systemd form is "machine.slice:libpod:ID".
 * It is joined under /sys/fs/cgroup, so ".." could climb out of it: runc
 * cleans the path, dcrun refuses it.
 */
static int parse_cgroups_path(struct json_object *lx, struct spec *s, struct error *e)
{
	const char *p;
	int rc = get_string(lx, "linux", "cgroupsPath", OPTIONAL, &s->cgroups_path, e);

	if (rc != 1)
		return rc;
	for (p = s->cgroups_path; (p = strstr(p, "..")) != NULL; p += 2) {
		if ((p == s->cgroups_path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return invalid(e, "linux.cgroupsPath: \"%s\" climbs out with \"..\"",
				       s->cgroups_path);
	}
	return 0;
}

/* --- linux.sysctl, annotations ------------------------------------------------------- */

/* An object of strings, {"key": "value"}, as sysctl and annotations are. */
static int get_map(struct json_object *obj, const char *parent, const char *key,
		   struct spec_kv **out, size_t *n, struct error *e)
{
	struct json_object *map;
	char p[PATH_LEN], q[PATH_LEN];
	size_t i = 0;
	int rc = get(obj, parent, key, OPTIONAL, json_type_object, &map, e);

	if (rc != 1)
		return rc;
	at(p, parent, key);
	*n = (size_t)json_object_object_length(map);
	*out = alloc_array(*n, sizeof(**out), p, e);
	if (*out == NULL)
		return -1;
	json_object_object_foreach(map, name, value)
	{
		/* The spec, of annotations: "Keys MUST NOT be an empty string." */
		if (name[0] == '\0')
			return invalid(e, "%s: a key is empty", p);
		cut(q, snprintf(q, sizeof(q), "%s[\"%s\"]", p, name));
		(*out)[i].key = strdup(name);
		if ((*out)[i].key == NULL)
			return fail(e, errno, "strdup", "%s", q);
		if (string_value(value, q, &(*out)[i++].value, e) == -1)
			return -1;
	}
	return 1;
}

/*
 * A sysctl is written under /proc/sys, joined from its name ("net.ipv4.
 * ip_forward" is net/ipv4/ip_forward): no name may climb out with "..".
 */
static int parse_sysctl(struct json_object *lx, struct spec *s, struct error *e)
{
	if (get_map(lx, "linux", "sysctl", &s->sysctl, &s->nsysctl, e) == -1)
		return -1;
	for (size_t i = 0; i < s->nsysctl; i++) {
		if (strstr(s->sysctl[i].key, "..") || s->sysctl[i].key[0] == '/')
			return invalid(e, "linux.sysctl[\"%s\"]: not a sysctl name",
				       s->sysctl[i].key);
	}
	return 0;
}

/* --- linux.seccomp ---------------------------------------------------------------------- */

static const struct name seccomp_actions[] = {
	{"SCMP_ACT_KILL", SCMP_ACT_KILL},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
	{NULL, 0},
};

static const struct name seccomp_arches[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64 /* libseccomp 2.6 */
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
	{NULL, 0},
};

static const struct name seccomp_ops[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	{NULL, 0},
};

/* seccomp(2)'s flags, as the spec names them. */
static const struct name seccomp_flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	{NULL, 0},
};

/*
 * An action, and the errno it returns. The spec: errnoRet is for the
 * actions that return one (ERRNO, TRACE), "When the action doesn't support
 * an errno, the runtime MUST print and error and fail"; absent, EPERM, as
 * in runc. SECCOMP_RET_DATA holds 16 bits of it.
 */
static int parse_action(struct json_object *obj, const char *path, const char *key,
			const char *errno_key, uint32_t *out, struct error *e)
{
	const struct name *action = NULL;
	uint32_t ret = EPERM;
	bool takes_errno;
	int rc;

	if (get_name(obj, path, key, REQUIRED, seccomp_actions, "action", &action, e) == -1)
		return -1;
	/* NOTIFY hands the call to a listener (listenerPath), which dcrun does not run. */
	if (action->value == SCMP_ACT_NOTIFY)
		return invalid_at(
			e, path, key,
			"SCMP_ACT_NOTIFY needs a seccomp listener, which dcrun does not support");
	takes_errno = action->value == SCMP_ACT_ERRNO(0) || action->value == SCMP_ACT_TRACE(0);
	rc = get_u32(obj, path, errno_key, OPTIONAL, UINT16_MAX, &ret, e);
	if (rc == 1 && !takes_errno)
		return invalid_at(e, path, errno_key,
				  "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno");
	*out = (uint32_t)action->value | (takes_errno ? ret : 0);
	return rc == -1 ? -1 : 0;
}

static int parse_seccomp_arg(struct json_object *obj, const char *path, void *array, size_t i,
			     struct spec *s, struct error *e)
{
	struct spec_seccomp_arg *a = (struct spec_seccomp_arg *)array + i;
	const struct name *op = NULL;
	uint32_t index = 0;

	(void)s;
	/* A system call has six arguments at most: struct seccomp_data's args[6]. */
	if (get_u32(obj, path, "index", REQUIRED, 5, &index, e) == -1 ||
	    get_uint(obj, path, "value", REQUIRED, UINT64_MAX, &a->value, e) == -1 ||
	    get_uint(obj, path, "valueTwo", OPTIONAL, UINT64_MAX, &a->value_two, e) == -1 ||
	    get_name(obj, path, "op", REQUIRED, seccomp_ops, "operator", &op, e) == -1)
		return -1;
	a->index = index;
	a->op = (int)op->value;
	return 0;
}

/*
 * A rule. Its names are not checked here: a profile lists calls newer than
 * the host's libseccomp knows, and runc skips those; security.c does too.
 */
static int parse_syscall(struct json_object *obj, const char *path, void *array, size_t i,
			 struct spec *s, struct error *e)
{
	struct spec_seccomp_rule *r = (struct spec_seccomp_rule *)array + i;
	char p[PATH_LEN], q[PATH_LEN];
	void *args = NULL;
	int rc;

	if (get_strings(obj, path, "names", REQUIRED, &r->names, &r->nnames, e) == -1)
		return -1;
	if (r->nnames == 0)
		return invalid_at(e, path, "names", "must name at least one system call");
	for (size_t k = 0; k < r->nnames; k++) {
		if (r->names[k][0] == '\0')
			return invalid(e, "%s: an empty name", nth(q, at(p, path, "names"), k));
	}
	if (parse_action(obj, path, "action", "errnoRet", &r->action, e) == -1)
		return -1;
	rc = get_objects(obj, path, "args", sizeof(struct spec_seccomp_arg), parse_seccomp_arg,
			 &args, &r->nargs, s, e);
	r->args = args;
	return rc == -1 ? -1 : 0;
}

/* The architectures the filter is for, and seccomp(2)'s flags. */
static int parse_seccomp_names(struct json_object *obj, struct spec_seccomp *sc, struct error *e)
{
	unsigned long *values = NULL;
	size_t n = 0;
	int rc = get_names(obj, "linux.seccomp", "architectures", seccomp_arches, "architecture",
			   &values, &n, e);

	if (rc == 1) {
		sc->architectures =
			alloc_array(n, sizeof(uint32_t), "linux.seccomp.architectures", e);
		for (size_t i = 0; sc->architectures && i < n; i++)
			sc->architectures[sc->narchitectures++] = (uint32_t)values[i];
		rc = sc->architectures ? 0 : -1;
	}
	free(values);
	values = NULL;
	if (rc != -1)
		rc = get_names(obj, "linux.seccomp", "flags", seccomp_flags, "flag", &values, &n,
			       e);
	for (size_t i = 0; rc == 1 && i < n; i++)
		sc->flags |= (unsigned int)values[i];
	free(values);
	return rc == -1 ? -1 : 0;
}

static int parse_seccomp(struct json_object *lx, struct spec *s, struct error *e)
{
	struct json_object *obj;
	void *rules = NULL;
	int rc = get(lx, "linux", "seccomp", OPTIONAL, json_type_object, &obj, e);

	if (rc != 1)
		return rc;
	s->seccomp = calloc(1, sizeof(*s->seccomp));
	if (s->seccomp == NULL)
		return fail(e, errno, "calloc", "linux.seccomp");
	if (parse_action(obj, "linux.seccomp", "defaultAction", "defaultErrnoRet",
			 &s->seccomp->default_action, e) == -1 ||
	    parse_seccomp_names(obj, s->seccomp, e) == -1)
		return -1;
	rc = get_objects(obj, "linux.seccomp", "syscalls", sizeof(struct spec_seccomp_rule),
			 parse_syscall, &rules, &s->seccomp->nrules, s, e);
	s->seccomp->rules = rules;
	return rc;
}

/* --- linux -------------------------------------------------------------------------- */

/* maskedPaths and readonlyPaths: "The values MUST be absolute paths in the container namespace." */
static int get_paths(struct json_object *lx, const char *key, char ***out, size_t *n,
		     struct error *e)
{
	char p[PATH_LEN], q[PATH_LEN];
	int rc = get_strings(lx, "linux", key, OPTIONAL, out, n, e);

	for (size_t i = 0; rc == 1 && i < *n; i++) {
		if ((*out)[i][0] != '/')
			return invalid(e, "%s: must be an absolute path",
				       nth(q, at(p, "linux", key), i));
	}
	return rc;
}

static int parse_rootfs_propagation(struct json_object *lx, struct spec *s, struct error *e)
{
	const struct name *found = NULL;
	int rc = get_name(lx, "linux", "rootfsPropagation", OPTIONAL, propagations, "propagation",
			  &found, e);

	if (rc == 1)
		s->rootfs_propagation = found->value;
	return rc;
}

static int parse_linux(struct json_object *top, struct spec *s, struct error *e)
{
	struct json_object *lx;
	void *devices = NULL;
	int rc = get(top, "", "linux", OPTIONAL, json_type_object, &lx, e);

	if (rc != 1)
		return rc;
	if (parse_namespaces(lx, s, e) == -1 ||
	    parse_id_maps(lx, "uidMappings", &s->uid_mappings, &s->nuid_mappings, s, e) == -1 ||
	    parse_id_maps(lx, "gidMappings", &s->gid_mappings, &s->ngid_mappings, s, e) == -1 ||
	    parse_time_offsets(lx, s, e) == -1)
		return -1;
	rc = get_objects(lx, "linux", "devices", sizeof(struct spec_device), parse_device, &devices,
			 &s->ndevices, s, e);
	s->devices = devices;
	if (rc == -1 || parse_cgroups_path(lx, s, e) == -1 || parse_resources(lx, s, e) == -1 ||
	    parse_sysctl(lx, s, e) == -1 || parse_seccomp(lx, s, e) == -1 ||
	    parse_rootfs_propagation(lx, s, e) == -1 ||
	    get_string(lx, "linux", "mountLabel", OPTIONAL, &s->mount_label, e) < 0 ||
	    get_paths(lx, "maskedPaths", &s->masked_paths, &s->nmasked_paths, e) == -1 ||
	    get_paths(lx, "readonlyPaths", &s->readonly_paths, &s->nreadonly_paths, e) == -1)
		return -1;
	return 0;
}

/* --- hooks -------------------------------------------------------------------------- */

static const char *const hook_names[HOOK_KINDS] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

/* The spec: path "MUST be absolute"; timeout, "If set, ... MUST be greater than zero". */
static int parse_hook(struct json_object *obj, const char *path, void *array, size_t i,
		      struct spec *s, struct error *e)
{
	struct spec_hook *h = (struct spec_hook *)array + i;
	char p[PATH_LEN];
	size_t n;
	int64_t timeout = 0;

	(void)s;
	if (get_path(obj, path, "path", REQUIRED, &h->path, e) == -1 ||
	    get_strings(obj, path, "args", OPTIONAL, &h->args, &n, e) == -1 ||
	    get_strings(obj, path, "env", OPTIONAL, &h->env, &n, e) == -1 ||
	    check_env(h->env, at(p, path, "env"), e) == -1 ||
	    get_int(obj, path, "timeout", OPTIONAL, 1, INT_MAX, &timeout, e) == -1)
		return -1;
	h->timeout = (int)timeout;
	return 0;
}

static int parse_hooks(struct json_object *top, struct spec *s, struct error *e)
{
	struct json_object *hooks;
	int rc = get(top, "", "hooks", OPTIONAL, json_type_object, &hooks, e);

	for (int kind = 0; rc == 1 && kind < HOOK_KINDS; kind++) {
		void *array = NULL;

		rc = get_objects(hooks, "hooks", hook_names[kind], sizeof(struct spec_hook),
				 parse_hook, &array, &s->nhooks[kind], s, e);
		s->hooks[kind] = array;
		if (rc != -1)
			rc = 1;
	}
	return rc == -1 ? -1 : 0;
}

/* --- what runc's validator checks across properties --------------------------------- */

static const struct spec_namespace *namespace_of(const struct spec *s, int type)
{
	for (size_t i = 0; i < s->nnamespaces; i++) {
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	}
	return NULL;
}

/* Which namespace a sysctl belongs to, as runc's validator knows them; 0: the host's alone. */
static int sysctl_namespace(const char *name)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++) {
		if (strcmp(name, ipc[i]) == 0)
			return CLONE_NEWIPC;
	}
	if (strncmp(name, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(name, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

/*
 * A setting is the container's only in a namespace of the container's own:
 * without one, it would change the host. runc refuses these before it
 * makes anything, and so do we.
 */
static int check_namespaces(const struct spec *s, struct error *e)
{
	const struct spec_namespace *user = namespace_of(s, CLONE_NEWUSER);

	if ((s->hostname || s->domainname) && namespace_of(s, CLONE_NEWUTS) == NULL)
		return invalid(
			e,
			"%s: needs a uts namespace (linux.namespaces has none): it would rename the host",
			s->hostname ? "hostname" : "domainname");
	if ((s->nuid_mappings || s->ngid_mappings) && user == NULL)
		return invalid(e, "linux.%s: needs a user namespace (linux.namespaces has none)",
			       s->nuid_mappings ? "uidMappings" : "gidMappings");
	if (user && user->path == NULL && (s->nuid_mappings == 0 || s->ngid_mappings == 0))
		return invalid(e, "linux.%s: required with a new user namespace, but missing",
			       s->nuid_mappings == 0 ? "uidMappings" : "gidMappings");
	if (s->time_offsets_set && namespace_of(s, CLONE_NEWTIME) == NULL)
		return invalid(
			e, "linux.timeOffsets: needs a time namespace (linux.namespaces has none)");
	for (size_t i = 0; i < s->nsysctl; i++) {
		int type = sysctl_namespace(s->sysctl[i].key);

		if (type == 0)
			return invalid(
				e, "linux.sysctl[\"%s\"]: belongs to the host, not to a namespace",
				s->sysctl[i].key);
		if (namespace_of(s, type) == NULL)
			return invalid(
				e,
				"linux.sysctl[\"%s\"]: needs a %s namespace (linux.namespaces has none): it would change the host's",
				s->sysctl[i].key, namespace_name(type));
	}
	return 0;
}

/* --- the JSON text ------------------------------------------------------------------- */

/* Line and column (from 1) of a byte offset: for errors in the text itself. */
static void position(const char *text, size_t offset, int *line, int *column)
{
	size_t start = 0;

	*line = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*column = (int)(offset - start) + 1;
}

/*
 * json-c 0.16 (Debian 12) saturates an integer that does not fit in 64 bits:
 * 18446744073709551616 becomes 18446744073709551615, -9223372036854775809
 * becomes INT64_MIN, and nothing in the tree tells them apart afterwards
 * (0.17 refuses them in strict mode). So look at the text json-c accepted.
 * This is no parser: in valid JSON a digit outside a string belongs to a
 * number. As 0.17 does, refuse such a number wherever it is, even in a
 * property we would ignore, since the tree cannot say where it was.
 * Returns the number's offset, or length when there is none.
 */
static size_t huge_integer(const char *text, size_t length)
{
	size_t i = 0;

	while (i < length) {
		char c = text[i];
		size_t start = i, first, digits;
		const char *limit = c == '-' ? "9223372036854775808" : "18446744073709551615";

		if (c == '"' || c == '\'') { /* a string ('single-quoted' too, for json-c) */
			for (i++; i < length && text[i] != c; i++) {
				if (text[i] == '\\')
					i++;
			}
			i++;
			continue;
		}
		if (c != '-' && !isdigit((unsigned char)c)) {
			i++;
			continue;
		}
		first = c == '-' ? ++i : i;
		while (i < length && isdigit((unsigned char)text[i]))
			i++;
		digits = i - first;
		/* A fraction or an exponent makes a double, which no integer field takes. */
		if (i < length && text[i] != '\0' && strchr(".eE", text[i])) {
			while (i < length && text[i] != '\0' &&
			       (isdigit((unsigned char)text[i]) || strchr(".eE+-", text[i])))
				i++;
			continue;
		}
		if (digits > strlen(limit) ||
		    (digits == strlen(limit) && strncmp(text + first, limit, digits) > 0))
			return start;
	}
	return length;
}

/*
 * The text into json-c's tree. Strict: JSON as RFC 8259 and Go (runc) read
 * it, with no comments, trailing commas or trailing text; and UTF-8.
 */
static struct json_object *parse_json(const char *text, size_t length, struct error *e)
{
	struct json_tokener *tok;
	struct json_object *top;
	enum json_tokener_error err;
	size_t end, huge;
	int line, column;

	if (length > MAX_CONFIG) {
		invalid(e, "larger than %d MiB: no config.json is", MAX_CONFIG >> 20);
		return NULL;
	}
	tok = json_tokener_new();
	if (tok == NULL) {
		fail(e, ENOMEM, "json_tokener_new", "config.json");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	top = json_tokener_parse_ex(tok, text, (int)length);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	/* json_tokener_continue: the text ended inside a value, waiting for more. */
	if (top == NULL) {
		position(text, err == json_tokener_continue ? length : end, &line, &column);
		invalid(e, "line %d, column %d: %s", line, column,
			err == json_tokener_continue ? "the JSON text ends too early"
						     : json_tokener_error_desc(err));
		return NULL;
	}
	while (end < length && isspace((unsigned char)text[end]))
		end++;
	huge = huge_integer(text, end);
	if (huge < end) {
		size_t n = 1;

		while (huge + n < end && isdigit((unsigned char)text[huge + n]))
			n++;
		position(text, huge, &line, &column);
		invalid(e, "line %d, column %d: the integer %.*s%s does not fit in 64 bits", line,
			column, (int)(n > 32 ? 32 : n), text + huge, n > 32 ? "..." : "");
	} else if (end < length) {
		position(text, end, &line, &column);
		invalid(e, "line %d, column %d: text after the JSON object", line, column);
	}
	if (huge < end || end < length) {
		json_object_put(top);
		return NULL;
	}
	return top;
}

int spec_parse(const char *text, size_t length, struct spec *spec, struct error *e)
{
	struct json_object *top;
	int rc = -1;

	memset(spec, 0, sizeof(*spec));
	top = parse_json(text, length, e);
	if (top == NULL)
		return -1;
	spec->resources.memory_limit = -1;
	spec->resources.memory_reservation = -1;
	spec->resources.memory_swap = -1;
	spec->resources.memory_swappiness = -1;
	spec->resources.cpu_quota = -1;
	if (want(top, json_type_object, "the top level", e) == 0 &&
	    parse_version(top, spec, e) == 0 && parse_root(top, spec, e) == 0 &&
	    parse_names(top, spec, e) == 0 && parse_mounts(top, spec, e) != -1 &&
	    parse_process(top, spec, e) == 0 && parse_linux(top, spec, e) == 0 &&
	    parse_hooks(top, spec, e) == 0 &&
	    get_map(top, "", "annotations", &spec->annotations, &spec->nannotations, e) != -1 &&
	    check_namespaces(spec, e) == 0)
		rc = 0;
	json_object_put(top);
	if (rc == -1)
		spec_free(spec);
	return rc;
}

/* --- freeing --------------------------------------------------------------------------- */

static void free_map(struct spec_kv *map, size_t n)
{
	for (size_t i = 0; map && i < n; i++) {
		free(map[i].key);
		free(map[i].value);
	}
	free(map);
}

static void free_seccomp(struct spec_seccomp *sc)
{
	if (sc == NULL)
		return;
	for (size_t i = 0; sc->rules && i < sc->nrules; i++) {
		free_strings(sc->rules[i].names);
		free(sc->rules[i].args);
	}
	free(sc->rules);
	free(sc->architectures);
	free(sc);
}

/* Every pointer may be NULL: a spec half filled by a failed parse is freed here too. */
void spec_free(struct spec *spec)
{
	free(spec->oci_version);
	free(spec->root_path);
	free(spec->hostname);
	free(spec->domainname);
	for (size_t i = 0; spec->mounts && i < spec->nmounts; i++) {
		free(spec->mounts[i].destination);
		free(spec->mounts[i].type);
		free(spec->mounts[i].source);
		free(spec->mounts[i].data);
	}
	free(spec->mounts);
	free(spec->additional_gids);
	free_strings(spec->args);
	free_strings(spec->env);
	free(spec->cwd);
	free(spec->rlimits);
	free(spec->apparmor_profile);
	free(spec->selinux_label);
	free(spec->mount_label);
	for (size_t i = 0; i < spec->nnamespaces; i++)
		free(spec->namespaces[i].path);
	free(spec->uid_mappings);
	free(spec->gid_mappings);
	for (size_t i = 0; spec->devices && i < spec->ndevices; i++)
		free(spec->devices[i].path);
	free(spec->devices);
	free(spec->cgroups_path);
	free(spec->resources.cpu_cpus);
	free(spec->resources.cpu_mems);
	free(spec->resources.devices);
	free_map(spec->sysctl, spec->nsysctl);
	free_seccomp(spec->seccomp);
	free_strings(spec->masked_paths);
	free_strings(spec->readonly_paths);
	for (int kind = 0; kind < HOOK_KINDS; kind++) {
		for (size_t i = 0; spec->hooks[kind] && i < spec->nhooks[kind]; i++) {
			free(spec->hooks[kind][i].path);
			free_strings(spec->hooks[kind][i].args);
			free_strings(spec->hooks[kind][i].env);
		}
		free(spec->hooks[kind]);
	}
	free_map(spec->annotations, spec->nannotations);
	memset(spec, 0, sizeof(*spec));
}

/* --- BUNDLE/config.json -------------------------------------------------------------- */

static int read_config(int fd, const char *path, char **text, size_t *length, struct error *e)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == -1)
		return fail(e, errno, "fstat", "%s", path);
	/* A FIFO or /dev/zero in its place would never end. */
	if (!S_ISREG(st.st_mode))
		return invalid(e, "%s: not a regular file", path);
	if (st.st_size > MAX_CONFIG)
		return invalid(e, "%s: larger than %d MiB: no config.json is", path,
			       MAX_CONFIG >> 20);
	*text = malloc((size_t)st.st_size + 1);
	if (*text == NULL)
		return fail(e, errno, "malloc", "%s", path);
	for (*length = 0; *length < (size_t)st.st_size; *length += (size_t)n) {
		n = read(fd, *text + *length, (size_t)st.st_size - *length);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n == -1)
			return fail(e, errno, "read", "%s", path);
		else if (n == 0)
			break;
	}
	return 0;
}

/*
 * A namespace's path must name a namespace of its type. setns(2) would
 * refuse another with a bare EINVAL, half way through create: say which
 * entry, and what the file is, before anything is made (NS_GET_NSTYPE,
 * Linux 4.11; on an older kernel setns's refusal stands).
 */
static int check_namespace_paths(const struct spec *s, struct error *e)
{
	for (size_t i = 0; i < s->nnamespaces; i++) {
		const struct spec_namespace *ns = &s->namespaces[i];
		char p[PATH_LEN];

		if (ns->path == NULL)
			continue;
		nth(p, "linux.namespaces", i);
		/* O_NONBLOCK: a FIFO in its place would wait for a writer for ever. */
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd == -1)
			return fail(e, errno, "open", "%s (%s.path)", ns->path, p);
		int type = ioctl(fd, NS_GET_NSTYPE);
		int err = errno;
		close(fd);
		if (type == -1 && err == ENOTTY)
			return invalid(e, "%s.path: %s is no namespace", p, ns->path);
		if (type != -1 && type != ns->type)
			return invalid(e, "%s.path: %s is a %s namespace, not %s", p, ns->path,
				       namespace_name(type), namespace_name(ns->type));
	}
	return 0;
}

int spec_load(const char *bundle, struct spec *spec, struct error *e)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t length = 0;
	int fd, rc;

	memset(spec, 0, sizeof(*spec));
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return fail(e, ENAMETOOLONG, "open", "%s/config.json", bundle);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && (errno == ENOENT || errno == ENOTDIR))
		return fail_hint(e, HINT_NO_BUNDLE, errno, "open", "%s", path);
	if (fd == -1)
		return fail(e, errno, "open", "%s", path);
	rc = read_config(fd, path, &text, &length, e);
	close(fd);
	if (rc == 0)
		rc = spec_parse(text, length, spec, e);
	if (rc == 0 && check_namespace_paths(spec, e) == -1) {
		spec_free(spec);
		rc = -1;
	}
	free(text);
	/* Bad input names the file first: "bundle/config.json: process.cwd: ...". */
	if (rc == -1 && e->call[0] == '\0' && strncmp(e->object, path, strlen(path)) != 0) {
		char message[sizeof(e->object)];

		memcpy(message, e->object, sizeof(message));
		invalid_hint(e, e->hint, "%s: %s", path, message);
	}
	return rc;
}

/* --- `dcrun exec --process FILE`: a process object alone ------------------------------ */

/*
 * FILE is config.json's "process" on its own, read by the same parser.
 * runc decodes it into a fresh specs.Process, so what it leaves out is
 * zero: no user is root, no env is none, noNewPrivileges is false. But
 * libcontainer (newInitConfig) keeps the container's rlimits, AppArmor
 * profile and SELinux label when the file names none, and its
 * capabilities when the file has no "capabilities"; oomScoreAdj and
 * umask stay the container's whatever the file says.
 */
int spec_load_process(const char *path, struct spec *spec, struct error *e)
{
	struct spec p = {0};
	struct json_object *top = NULL, *proc = NULL;
	char *text = NULL;
	size_t length = 0;
	int rc = -1;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "--process %s", path);
	if (read_config(fd, path, &text, &length, e) == 0)
		proc = parse_json(text, length, e);
	close(fd);
	free(text);
	if (proc != NULL && (top = json_object_new_object()) == NULL) {
		json_object_put(proc);
		return fail(e, ENOMEM, "json_object_new_object", "--process %s", path);
	}
	if (proc != NULL) {
		json_object_object_add(top, "process", proc);
		rc = parse_process(top, &p, e);
	}
	if (rc == 0) {
		bool has_caps = field(proc, "capabilities") != NULL;

		spec->terminal = p.terminal;
		spec->console_height = p.console_height;
		spec->console_width = p.console_width;
		spec->uid = p.uid;
		spec->gid = p.gid;
		free(spec->additional_gids);
		spec->additional_gids = p.additional_gids;
		spec->nadditional_gids = p.nadditional_gids;
		p.additional_gids = NULL;
		free_strings(spec->args);
		free_strings(spec->env);
		free(spec->cwd);
		spec->args = p.args;
		spec->env = p.env;
		spec->cwd = p.cwd;
		p.args = p.env = NULL;
		p.cwd = NULL;
		if (has_caps)
			memcpy(spec->caps, p.caps, sizeof(spec->caps));
		if (p.nrlimits > 0) {
			free(spec->rlimits);
			spec->rlimits = p.rlimits;
			spec->nrlimits = p.nrlimits;
			p.rlimits = NULL;
		}
		spec->no_new_privileges = p.no_new_privileges;
		if (p.apparmor_profile != NULL && p.apparmor_profile[0] != '\0') {
			free(spec->apparmor_profile);
			spec->apparmor_profile = p.apparmor_profile;
			p.apparmor_profile = NULL;
		}
		if (p.selinux_label != NULL && p.selinux_label[0] != '\0') {
			free(spec->selinux_label);
			spec->selinux_label = p.selinux_label;
			p.selinux_label = NULL;
		}
	}
	json_object_put(top);
	spec_free(&p);
	/* Bad input names the file: "FILE: process.cwd: required, but missing". */
	if (rc == -1 && e->call[0] == '\0' && strncmp(e->object, path, strlen(path)) != 0) {
		char message[sizeof(e->object)];

		memcpy(message, e->object, sizeof(message));
		invalid(e, "%s: %s", path, message);
	}
	return rc;
}

/* --- `dcrun spec`: runc's default config.json ------------------------------------------ */

/* json-c hands back NULL when out of memory: these never pass a NULL object on. */
static void add(struct json_object *obj, const char *key, struct json_object *value)
{
	if (obj == NULL || json_object_object_add(obj, key, value) != 0)
		json_object_put(value);
}

static void push(struct json_object *array, struct json_object *value)
{
	if (array == NULL || json_object_array_add(array, value) != 0)
		json_object_put(value);
}

static struct json_object *string_array(const char *const *strings)
{
	struct json_object *array = json_object_new_array();

	for (; *strings; strings++)
		push(array, json_object_new_string(*strings));
	return array;
}

static struct json_object *mount_entry(const char *destination, const char *type,
				       const char *source, const char *const *options)
{
	struct json_object *m = json_object_new_object();

	add(m, "destination", json_object_new_string(destination));
	add(m, "type", json_object_new_string(type));
	add(m, "source", json_object_new_string(source));
	if (options)
		add(m, "options", string_array(options));
	return m;
}

/* One line of uid_map: the caller's own id as root inside, which needs no privilege. */
static struct json_object *id_map(unsigned int host_id)
{
	struct json_object *array = json_object_new_array(), *map = json_object_new_object();

	add(map, "containerID", json_object_new_int64(0));
	add(map, "hostID", json_object_new_int64(host_id));
	add(map, "size", json_object_new_int64(1));
	push(array, map);
	return array;
}

static struct json_object *default_process(void)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		NULL};
	/* runc's: few enough to show what each is for. */
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
	struct json_object *process = json_object_new_object(), *user = json_object_new_object();
	struct json_object *sets_json = json_object_new_object();
	struct json_object *rlimits = json_object_new_array(), *nofile = json_object_new_object();

	add(process, "terminal", json_object_new_boolean(true));
	add(user, "uid", json_object_new_int64(0));
	add(user, "gid", json_object_new_int64(0));
	add(process, "user", user);
	add(process, "args", string_array(args));
	add(process, "env", string_array(env));
	add(process, "cwd", json_object_new_string("/"));
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		add(sets_json, sets[i], string_array(caps));
	add(process, "capabilities", sets_json);
	add(nofile, "type", json_object_new_string("RLIMIT_NOFILE"));
	add(nofile, "hard", json_object_new_int64(1024));
	add(nofile, "soft", json_object_new_int64(1024));
	push(rlimits, nofile);
	add(process, "rlimits", rlimits);
	add(process, "noNewPrivileges", json_object_new_boolean(true));
	return process;
}

/*
 * runc spec --rootless: without privilege, devpts cannot take gid=5 (the
 * group is not mapped), sysfs cannot be mounted without a network namespace
 * of one's own user namespace (so /sys is bind-mounted), and no cgroup
 * limit can be set.
 */
static struct json_object *default_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",  NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mqueue[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_bind[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const cgroup[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	static const char *const pts_rootless[] = {"nosuid",        "noexec",    "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	struct json_object *mounts = json_object_new_array();

	push(mounts, mount_entry("/proc", "proc", "proc", NULL));
	push(mounts, mount_entry("/dev", "tmpfs", "tmpfs", dev));
	push(mounts, mount_entry("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	push(mounts, mount_entry("/dev/shm", "tmpfs", "shm", shm));
	push(mounts, mount_entry("/dev/mqueue", "mqueue", "mqueue", mqueue));
	if (rootless)
		push(mounts, mount_entry("/sys", "none", "/sys", sys_bind));
	else
		push(mounts, mount_entry("/sys", "sysfs", "sysfs", sys));
	push(mounts, mount_entry("/sys/fs/cgroup", "cgroup", "cgroup", cgroup));
	return mounts;
}

static struct json_object *default_linux(bool rootless)
{
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	/* rootless: no network namespace (the container keeps the host's), and a user namespace. */
	const char *const types[] = {"pid",
				     rootless ? "ipc" : "network",
				     rootless ? "uts" : "ipc",
				     rootless ? "mount" : "uts",
				     rootless ? "user" : "mount",
				     NULL};
	struct json_object *lx = json_object_new_object(), *namespaces = json_object_new_array();

	if (rootless) {
		add(lx, "uidMappings", id_map(geteuid()));
		add(lx, "gidMappings", id_map(getegid()));
	} else {
		/* Deny every device; the runtime allows the default ones (/dev/null...) itself. */
		struct json_object *resources = json_object_new_object();
		struct json_object *devices = json_object_new_array(),
				   *deny = json_object_new_object();

		add(deny, "allow", json_object_new_boolean(false));
		add(deny, "access", json_object_new_string("rwm"));
		push(devices, deny);
		add(resources, "devices", devices);
		add(lx, "resources", resources);
	}
	for (size_t i = 0; types[i]; i++) {
		struct json_object *ns = json_object_new_object();

		add(ns, "type", json_object_new_string(types[i]));
		push(namespaces, ns);
	}
	add(lx, "namespaces", namespaces);
	add(lx, "maskedPaths", string_array(masked));
	add(lx, "readonlyPaths", string_array(readonly));
	return lx;
}

/*
 * Built as a tree and printed by json-c, in runc's order and layout (Go's
 * json.MarshalIndent with a tab): so `diff <(runc spec) <(dcrun spec)` is
 * empty. ociVersion is runc 1.1's own.
 */
char *spec_default(bool rootless)
{
	struct json_object *top = json_object_new_object(), *root = json_object_new_object();
	const char *json;
	char *text = NULL;
	struct spec check;
	struct error e;

	add(top, "ociVersion", json_object_new_string("1.0.2-dev"));
	add(top, "process", default_process());
	add(root, "path", json_object_new_string("rootfs"));
	add(root, "readonly", json_object_new_boolean(true));
	add(top, "root", root);
	add(top, "hostname", json_object_new_string("runc"));
	add(top, "mounts", default_mounts(rootless));
	add(top, "linux", default_linux(rootless));
	json = json_object_to_json_string_ext(
		top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (json)
		text = strdup(json);
	json_object_put(top);
	/* Out of memory half way, a part could be missing: what we write must parse. */
	if (text && spec_parse(text, strlen(text), &check, &e) == -1) {
		free(text);
		return NULL;
	}
	if (text)
		spec_free(&check);
	return text;
}
