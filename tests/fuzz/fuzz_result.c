/*
 * tests/fuzz/fuzz_result.c — the result loader every reader goes through
 * (compare, plot, merge, report): a fuzzed document is loaded, and when it
 * loads, written back and loaded again, and summarised.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

#include "model/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lockbench-fuzz-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	struct lb_result *r = NULL;
	char err[1024];
	if (lb_result_load(path, &r, err, sizeof err) == 0) {
		FILE *f = fopen(path, "w");
		if (f != NULL) {
			lb_result_emit(f, r);
			fclose(f);
		}
		for (size_t i = 0; i < r->nconfigs; i++)
			lb_config_summarize(&r->configs[i]);
		lb_result_free(r);
		r = NULL;
		if (lb_result_load(path, &r, err, sizeof err) == 0)
			lb_result_free(r);
	}
	unlink(path);
	return 0;
}
