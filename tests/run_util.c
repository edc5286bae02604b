/*
 * run_util.c — lb_run_config, run again after a window without any
 * acquisition (see run_util.h).
 */
#include "run_util.h"

int run_config_settled(const struct lb_run_opts *opts, const void *topo, const struct lb_lock_choice *lock,
		       const struct lb_wl_choice *wl, unsigned nthreads, const int *pus, struct lb_outcome *out)
{
	for (int attempt = 1;; attempt++) {
		int rc = lb_run_config(opts, topo, lock, wl, nthreads, pus, out);
		if (rc != 0 || out->status != LB_STATUS_OK || out->acquisitions != 0 || attempt == 3)
			return rc;
		lb_outcome_free(out);
	}
}
