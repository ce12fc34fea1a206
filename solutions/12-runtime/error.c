/*
 * error.c: the error object every function of dcrun returns through.
 *
 * A function that fails fills a struct error and returns -1; only main()
 * prints it, once, as crun's libcrun does with its libcrun_error_t. So a
 * failure deep in create is neither printed three times on its way up nor
 * lost: `create` can undo what it made, and `delete` can go on.
 */
#include "runtime.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

/*
 * What usually fixes each failure. The code is chosen where the error is
 * made (fail_hint), or found from errno below: never by matching the
 * call's text, which would tie the hints to the wording of messages.
 */
static const char *const hints[HINT_COUNT] = {
	[HINT_ROOT] = "this needs root: run as root (sudo), or rootless in a user namespace "
		      "(`dcrun spec --rootless` writes such a config.json)",
	[HINT_ROOTLESS_MAPS] = "without privilege a user namespace may map only your own uid "
			       "and gid, one id each, as `dcrun spec --rootless` does",
	[HINT_NO_BUNDLE] = "a bundle is a directory holding config.json and the root "
			   "filesystem: `dcrun spec` writes a config.json, --bundle names the "
			   "directory (the current one by default)",
	[HINT_NO_ROOTFS] =
		"root.path names the container's root filesystem, relative to the "
		"bundle (\"rootfs\" in `dcrun spec`'s config): ./rootfs-fetch.sh makes one",
	[HINT_ID_IN_USE] = "a container of that id exists: `dcrun delete ID` removes it, or "
			   "choose another id",
	[HINT_NOT_FOUND] = "no container of that id under --root: `dcrun list` shows them, and "
			   "--root must be the one given to create",
	[HINT_PIVOT_ROOT] = "the new root must be a mount point, and neither it nor its parent "
			    "may have shared propagation (see pivot_root(2))",
	[HINT_CGROUP_V2_DEVICES] = "cgroup v2 has no devices.allow file: device rules are an "
				   "eBPF program attached to the cgroup (BPF_CGROUP_DEVICE), "
				   "which needs root and CONFIG_CGROUP_BPF",
	[HINT_KERNEL] = "this kernel lacks the feature, or was built without it: `make doctor` "
			"says what this host can run",
	[HINT_RLIMIT] = "raising a hard limit needs CAP_SYS_RESOURCE in the host's user namespace "
			"(and RLIMIT_NOFILE stops at /proc/sys/fs/nr_open): ask for no more than "
			"`ulimit -H -a` shows, e.g. podman --ulimit nofile=1024:1024",
	[HINT_ROOTFS_REACH] =
		"root inside is linux.uidMappings' hostID on the host, and walks the path to "
		"root.path as that uid: let others through each directory above it (chmod o+x), "
		"or move the rootfs where they may go",
};

/* Where the code that failed gave no hint, errno alone may say enough. */
static const struct {
	int err;
	enum hint hint;
} errno_hints[] = {
	{EPERM, HINT_ROOT},
	{ENOSYS, HINT_KERNEL},
};

const char *hint_text(enum hint hint)
{
	if ((unsigned int)hint >= HINT_COUNT)
		return NULL;
	return hints[hint];
}

static void vfail(struct error *e, enum hint hint, int err, const char *call, const char *fmt,
		  va_list ap)
{
	e->err = err;
	e->hint = hint;
	snprintf(e->call, sizeof(e->call), "%s", call);
	vsnprintf(e->object, sizeof(e->object), fmt, ap);
}

int fail(struct error *e, int err, const char *call, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, HINT_NONE, err, call, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_hint(struct error *e, enum hint hint, int err, const char *call, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, hint, err, call, fmt, ap);
	va_end(ap);
	return -1;
}

/* Bad input is no failed call: no errno, and the message is all there is. */
int invalid(struct error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, HINT_NONE, 0, "", fmt, ap);
	va_end(ap);
	return -1;
}

int invalid_hint(struct error *e, enum hint hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, hint, 0, "", fmt, ap);
	va_end(ap);
	return -1;
}

/* "dcrun: mount /proc: Operation not permitted", or "dcrun: MESSAGE"; then the hint. */
void error_print(const struct error *e, FILE *out)
{
	const char *hint = hint_text(e->hint);

	if (e->call[0] == '\0')
		fprintf(out, "dcrun: %s\n", e->object);
	else if (e->err == 0)
		fprintf(out, "dcrun: %s %s\n", e->call, e->object);
	else if (e->object[0] == '\0')
		fprintf(out, "dcrun: %s: %s\n", e->call, strerror(e->err));
	else
		fprintf(out, "dcrun: %s %s: %s\n", e->call, e->object, strerror(e->err));

	for (size_t i = 0; hint == NULL && i < sizeof(errno_hints) / sizeof(errno_hints[0]); i++) {
		if (e->err != 0 && e->err == errno_hints[i].err)
			hint = hint_text(errno_hints[i].hint);
	}
	if (hint)
		fprintf(out, "  hint: %s\n", hint);
}
