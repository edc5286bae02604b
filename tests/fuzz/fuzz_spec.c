/*
 * tests/fuzz/fuzz_spec.c — the lock and workload specs of --locks and
 * --workload ("gil:interval=1ms,force_switch=0,pthread", "cs:cs_ns=200").
 * Inputs that would load a plug-in (a path, plugin:...) are left out: those
 * open files, which is the plug-in target's business, not a parser's.
 */
#include "fuzz.h"

#include "engine/run.h"
#include "engine/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = fuzz_string(data + 1, size - 1);
	char err[512];
	if (data[0] & 1) {
		struct lb_wl_choice wl;
		if (lb_parse_workload(s, &wl, err, sizeof err) == 0)
			lb_params_free(wl.wl->params, wl.params);
	} else if (strchr(s, '/') == NULL && strstr(s, "plugin") == NULL && strstr(s, ".so") == NULL) {
		struct lb_lock_choice *locks = NULL;
		size_t n = 0;
		lb_parse_lock_list(s, &locks, &n, err, sizeof err);
		for (size_t i = 0; i < n; i++) {
			char label[256];
			lb_lock_label(&locks[i], label, sizeof label);
			lb_params_free(locks[i].ops->params, locks[i].params);
		}
		free(locks);
	}
	free(s);
	return 0;
}
