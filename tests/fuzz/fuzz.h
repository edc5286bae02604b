/*
 * tests/fuzz/fuzz.h — what every fuzz target shares.
 *
 * A target is one file defining LLVMFuzzerTestOneInput. It is built twice:
 * with libFuzzer (clang -fsanitize=fuzzer, `make fuzz`) to search for new
 * inputs, and with replay.c (any compiler, `make test`) to run its corpus in
 * tests/fuzz/corpus/<target>/ — the seeds and every crasher ever found —
 * so a fixed bug stays fixed.
 */
#ifndef LB_FUZZ_H
#define LB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (malloc'd; NUL bytes inside cut it short). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
