/*
 * engine/context.c — the reproducibility context of a run.
 */
#define _GNU_SOURCE
#include "engine/context.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine/harness.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "engine/version.h"

/* First line of a file, trimmed; NULL if unreadable. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *r = fgets(buf, (int)len, f);
	fclose(f);
	if (r == NULL)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Value of "key<ws>: value" in a file of such lines (/proc/cpuinfo), or of key="value" (os-release). */
static char *read_keyed(const char *path, const char *key, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char line[512];
	char *found = NULL;
	size_t klen = strlen(key);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) != 0)
			continue;
		char *p = line + klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':' && *p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		snprintf(buf, len, "%s", p);
		found = buf;
		break;
	}
	fclose(f);
	return found;
}

/* argv joined by spaces, as the user could type it again. */
static char *command_line(int argc, char **argv)
{
	size_t need = 1;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	char *cmd = calloc(1, need), *p = cmd;
	for (int i = 0; i < argc && cmd != NULL; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	return cmd ? cmd : lb_strdup("");
}

void lb_context_fill(struct lb_context *x, int argc, char **argv, const struct lb_topo *topo)
{
	char buf[512];
	x->version = lb_strdup(LB_VERSION);
	x->git_commit = lb_strdup(LB_GIT_COMMIT);
	x->command_line = command_line(argc, argv);
	x->argv = calloc(argc > 0 ? (size_t)argc : 1, sizeof *x->argv);
	for (int i = 0; x->argv != NULL && i < argc; i++)
		x->argv[x->argc++] = lb_strdup(argv[i]);

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	x->started_utc = lb_strdup(buf);
	struct utsname u;
	if (uname(&u) == 0) {
		x->host = lb_strdup(u.nodename);
		snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.version);
		x->kernel = lb_strdup(buf);
		x->arch = lb_strdup(u.machine);
	}
	x->os = lb_strdup(read_keyed("/etc/os-release", "PRETTY_NAME", buf, sizeof buf));
	x->cpu_model = lb_strdup(read_keyed("/proc/cpuinfo", "model name", buf, sizeof buf));

	struct lb_topo_summary s;
	lb_topo_summary(topo, &s);
	x->has_topology = x->has_topo_smt = true;
	x->topo_packages = s.packages;
	x->topo_numa_nodes = s.numa_nodes;
	x->topo_cores = s.cores;
	x->topo_pus = s.pus;
	x->topo_smt = s.smt;
	x->allowed_cpus = lb_strdup(s.allowed_cpus);
	x->online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	x->compiler = lb_strdup(__VERSION__);
	x->cflags = lb_strdup(LB_CFLAGS);

	x->timer_source = lb_strdup(lb_timer.source);
	x->timer_cost_ns = lb_timer.cost_ns;
	x->timer_ns_per_tick = lb_timer.ns_per_tick;
	x->timer_tsc_hz = lb_timer.tsc_hz > 0 ? lb_timer.tsc_hz : NAN;
	x->busy_iterations_per_us = lb_busy_iters_per_ns * 1000.0;
	x->cpufreq_governor =
		lb_strdup(read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf));
	x->smt_control = lb_strdup(read_line("/sys/devices/system/cpu/smt/control", buf, sizeof buf));
	x->has_loadavg = getloadavg(x->loadavg, 3) == 3;
}

double lb_machine_busy(unsigned ms)
{
	unsigned long long a[2][8] = { { 0 } };
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen("/proc/stat", "r");
		if (f == NULL)
			return NAN;
		int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &a[k][0], &a[k][1], &a[k][2],
				 &a[k][3], &a[k][4], &a[k][5], &a[k][6], &a[k][7]);
		fclose(f);
		if (got != 8)
			return NAN;
		if (k == 0) {
			struct timespec ts = { 0, (long)ms * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	unsigned long long total = 0, idle = (a[1][3] - a[0][3]) + (a[1][4] - a[0][4]);
	for (int i = 0; i < 8; i++)
		total += a[1][i] - a[0][i];
	return total ? 1.0 - (double)idle / (double)total : NAN;
}

void lb_context_options(struct lb_context *x, const struct lb_run_opts *o, int64_t repeat, const char *pin_text,
			int64_t busy_rate)
{
	struct lb_run_options *ro = &x->options;
	ro->present = true;
	ro->duration_ns = o->duration_ns;
	ro->warmup_ns = o->warmup_ns;
	ro->repeat = repeat;
	ro->pin = lb_strdup(pin_text);
	ro->timing_sample_every = o->sample_every;
	ro->slice_ns = o->slice_ns;
	ro->grace_ns = o->grace_ns;
	ro->order_log_cap = (int64_t)o->order_log_cap;
	ro->busy_rate = lb_strdup(busy_rate > 0 ? "given" : "calibrated");
	char mode[32];
	x->timing_mode = lb_strdup(lb_timing_mode_name(o->sample_every, mode, sizeof mode));
	x->timing_sample_every = o->sample_every;
}
