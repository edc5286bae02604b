/*
 * tests/fuzz/fuzz_params.c — what users type: times with units, counts,
 * thread lists, and key=value parameters against every built-in lock's and
 * workload's declarations. The first byte picks the parser.
 */
#include "fuzz.h"

#include "engine/harness.h"
#include "engine/params.h"
#include "locks/registry.h"
#include "workloads/registry.h"

static size_t count_decls(void)
{
	size_t n = 0;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		n++;
	for (size_t i = 0; lb_workloads[i] != NULL; i++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = fuzz_string(data + 1, size - 1);
	char err[512];
	int64_t v;
	unsigned list[64];
	size_t n;
	switch (data[0] % 4) {
	case 0:
		lb_parse_duration(s, data[0] & 4, &v, err, sizeof err);
		break;
	case 1:
		lb_parse_int(s, -1000, 1000000, &v, err, sizeof err);
		break;
	case 2:
		lb_parse_uint_list(s, 16384, list, 64, &n, err, sizeof err);
		break;
	default: {
		size_t k = (size_t)(data[0] / 4) % count_decls(), nl = 0;
		while (lb_locks[nl] != NULL)
			nl++;
		const struct lb_param *decl = k < nl ? lb_locks[k]->params : lb_workloads[k - nl]->params;
		union lb_value vals[LB_MAX_PARAMS];
		if (lb_params_parse("fuzz", decl, s, vals, err, sizeof err) == 0) {
			char buf[4096];
			lb_params_format(decl, vals, buf, sizeof buf);
			lb_params_free(decl, vals);
		}
		break;
	}
	}
	free(s);
	return 0;
}
