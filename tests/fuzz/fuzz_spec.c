/*
 * libFuzzer's entry into dcrun's config.json reader: any bytes at all must
 * give a spec or an error, never a crash, a leak or a read out of bounds.
 * It calls the functions dcrun calls, not copies of them: spec_parse, to
 * which spec_load (`dcrun create` and `run`) hands config.json's bytes,
 * and spec_load_process, which reads `dcrun exec --process FILE`.
 *
 *   make fuzz                  build/fuzz/fuzz_spec, run for FUZZ_SECONDS (60)
 *   make fuzz FUZZ_SECONDS=600
 *
 * tests/fuzz/README.md says how it is run, and what the seed corpus holds.
 */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * What runtime.h promises of a failure: a message to print (bad input
 * names its JSON path). error_print runs too: its format takes the
 * message as it is, %s and all.
 */
static void check_error(const struct error *e)
{
	static FILE *null;

	if (null == NULL && (null = fopen("/dev/null", "we")) == NULL)
		abort();
	if (e->object[0] == '\0' && e->call[0] == '\0')
		abort();
	error_print(e, null);
}

/*
 * The container's spec that exec lays a process over: small (it is parsed
 * afresh for each input), with each field spec_load_process replaces or
 * keeps.
 */
static const char container[] =
	"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": {"
	"\"user\": {\"uid\": 1000, \"gid\": 1000, \"additionalGids\": [5]}, \"args\": [\"sh\"], "
	"\"env\": [\"PATH=/bin\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, "
	"\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 1024}], "
	"\"apparmorProfile\": \"dcrun-default\", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"}}";

/*
 * The same bytes as `exec --process FILE`: a process object alone, laid
 * over that spec. The file is a memfd, written afresh each time:
 * spec_load_process takes a path, and opens it.
 */
static void fuzz_process(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct spec spec;
	struct error e;

	if (fd == -1) {
		if ((fd = memfd_create("process.json", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (spec_parse(container, sizeof(container) - 1, &spec, &e) == -1)
		abort();
	if (spec_load_process(path, &spec, &e) == -1)
		check_error(&e);
	spec_free(&spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct spec empty;
	struct spec spec;
	struct error e;

	/* The bytes as they are: no NUL at the end, which spec_parse must not need. */
	if (spec_parse((const char *)data, size, &spec, &e) == 0) {
		spec_free(&spec);
	} else {
		check_error(&e);
		/* On failure *spec is left empty, so spec_free is harmless after it. */
		if (memcmp(&spec, &empty, sizeof(spec)) != 0)
			abort();
		spec_free(&spec);
	}
	fuzz_process(data, size);
	return 0;
}
