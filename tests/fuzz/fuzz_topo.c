/*
 * tests/fuzz/fuzz_topo.c — the synthetic-topology string (`topo --synthetic`,
 * the planner behind --pin) and the pin planner on what it loads.
 */
#include "fuzz.h"

#include "engine/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct lb_topo *t = NULL;
	char err[512];
	if (lb_topo_load(&t, s, err, sizeof err) == 0) {
		static const char *const pins[] = { "compact", "scatter", "cores", "none", "cpus:0-3,1" };
		for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
			struct lb_pin_spec spec;
			int pus[64];
			bool over;
			if (lb_pin_parse(pins[i], &spec, err, sizeof err) == 0)
				lb_pin_plan(t, &spec, 64, pus, &over, err, sizeof err);
		}
		lb_topo_free(t);
	}
	free(s);
	return 0;
}
