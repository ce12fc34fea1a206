/*
 * libFuzzer's entry into dcrun's config.json reader: any bytes at all must
 * give a spec or an error, never a crash, a leak or a read out of bounds.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined fuzz_spec.c spec.c error.c -ljson-c
 *   ./a.out -max_total_time=60 corpus/
 *
 * corpus/ is the seed: runc's default config.json and its --rootless one,
 * one as podman writes it, and every input that ever crashed the reader.
 */
#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec spec;
	struct error e;

	/* The bytes as they are: no NUL at the end, which spec_parse must not need. */
	if (spec_parse((const char *)data, size, &spec, &e) == 0)
		spec_free(&spec);
	return 0;
}
