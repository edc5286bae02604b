/*
 * sweep/jobs.c — submitting, following, cancelling and locally running a
 * sweep's shards (see jobs.h).
 */
#define _GNU_SOURCE
#include "sweep/jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep/slurm.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static bool is_new_or_rerun(const struct lb_sweep_shard *s)
{
	return strcmp(s->state, "NEW") == 0 || (s->has_rerun && s->rerun);
}

static const char *shard_path(const struct lb_sweep *sw, const char *rel, char *buf, size_t len)
{
	return lb_sweep_path(sw, rel, buf, len);
}

/* The shard's command, from the spec and where the sweep directory is now. */
static void prepare(struct lb_sweep *sw, struct lb_sweep_shard *s)
{
	char result[4200], exitf[4200];
	shard_path(sw, s->result, result, sizeof result);
	shard_path(sw, s->exit_file, exitf, sizeof exitf);
	/* A rerun replaces the shard's result; a stale one must not be merged if it fails. */
	unlink(result);
	unlink(exitf);
	lb_strv_free(s->argv, s->argc);
	s->argv = lb_sweep_shard_argv(&sw->m.spec, sw->m.lockbench ? sw->m.lockbench : "lockbench", s->shard, result,
				      &s->argc);
	s->attempts++;
	lb_str_set(&s->exit_code, NULL);
	lb_str_set(&s->reason, NULL);
	s->has_rerun = s->rerun = false;
	s->cancel_requested = false;
	s->submitting = true;
}

/* 'text' for sh, with every ' closed, escaped and reopened. */
static void sh_quote(FILE *f, const char *text)
{
	fputc('\'', f);
	for (const char *p = text; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

/* DIR/slurm/M.sbatch: task K runs shard K's command, then records its exit status. */
static int write_script(const struct lb_sweep *sw, const char *machine, const char *path, char *err, size_t errlen)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return ERR("%s: %s", tmp, strerror(errno));
	fprintf(f, "#!/bin/sh\n# Written by lockbench sweep: machine %s of %s.\n"
		   "# Task K of the job array runs shard K (repetition K of every config).\n"
		   "case \"$SLURM_ARRAY_TASK_ID\" in\n", machine, sw->dir);
	for (size_t i = 0; i < sw->m.nshards; i++) {
		const struct lb_sweep_shard *s = &sw->m.shards[i];
		if (strcmp(s->machine, machine) != 0 || s->argv == NULL)
			continue;
		fprintf(f, "%u) set --", s->shard);
		for (size_t j = 0; j < s->argc; j++) {
			fputc(' ', f);
			sh_quote(f, s->argv[j]);
		}
		fputs(" ;;\n", f);
	}
	fputs("*) echo \"lockbench sweep: no shard $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n", f);
	fputs("# On scancel or at the time limit Slurm sends SIGTERM to every process of the job:\n"
	      "# lockbench then writes what finished; the shell waits for it, then records it.\n"
	      "trap 'echo \"sweep task: SIGTERM\" >&2' TERM\n\"$@\"\nrc=$?\n", f);
	fprintf(f, "exitf=");
	sh_quote(f, sw->dir);
	fprintf(f, "/shards/%s-$SLURM_ARRAY_TASK_ID.exit\n", machine);
	fputs("echo \"$rc\" >\"$exitf.tmp\" && mv \"$exitf.tmp\" \"$exitf\"\nexit \"$rc\"\n", f);
	if (fclose(f) != 0 || chmod(tmp, 0755) != 0 || rename(tmp, path) != 0)
		return ERR("%s: %s", path, strerror(errno));
	return 0;
}

/* Record a job array sbatch accepted, and its shards as PENDING. */
static void submitted(struct lb_sweep *sw, const char *machine, const char *job, const char *tasks, char **sbatch,
		      size_t nsbatch)
{
	struct lb_sweep_manifest *m = &sw->m;
	struct lb_sweep_submission *subs = realloc(m->submissions, (m->nsubmissions + 1) * sizeof *subs);
	if (subs == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	m->submissions = subs;
	m->submissions[m->nsubmissions++] = (struct lb_sweep_submission){ lb_strdup(machine), lb_strdup(job),
									  lb_strdup(tasks), sbatch, nsbatch };
	for (size_t i = 0; i < m->nshards; i++) {
		struct lb_sweep_shard *s = &m->shards[i];
		if (!s->submitting)
			continue;
		char id[128];
		snprintf(id, sizeof id, "%s_%u", job, s->shard);
		lb_str_set(&s->job_id, job);
		lb_str_set(&s->slurm_id, id);
		lb_str_set(&s->state, "PENDING");
		s->submitting = false;
	}
}

int lb_sweep_submit(struct lb_sweep *sw, FILE *out, char *err, size_t errlen)
{
	for (size_t m = 0; m < sw->m.spec.nmachines; m++) {
		const struct lb_sweep_machine *mach = &sw->m.spec.machines[m];
		char tasks[8192] = "";
		size_t used = 0, count = 0;
		for (size_t i = 0; i < sw->m.nshards; i++) {
			struct lb_sweep_shard *s = &sw->m.shards[i];
			if (strcmp(s->machine, mach->name) != 0 || !is_new_or_rerun(s))
				continue;
			prepare(sw, s);
			used += (size_t)snprintf(tasks + used, sizeof tasks - used, "%s%u", count ? "," : "", s->shard);
			count++;
		}
		if (count == 0)
			continue;
		char script[4200], rel[512], logs[4200], job[64], name[128];
		snprintf(rel, sizeof rel, "slurm/%s.sbatch", mach->name);
		lb_sweep_path(sw, rel, script, sizeof script);
		snprintf(rel, sizeof rel, "logs/%s-%%a.out", mach->name);
		lb_sweep_path(sw, rel, logs, sizeof logs);
		snprintf(name, sizeof name, "lockbench-%s", mach->name);
		if (write_script(sw, mach->name, script, err, errlen) != 0)
			return -1;
		char **argv = NULL;
		size_t argc = 0;
		if (lb_slurm_submit(mach, sw->m.spec.time_limit, name, tasks, logs, script, &argv, &argc, job, sizeof job,
				    err, errlen) != 0) {
			lb_strv_free(argv, argc);
			return -1;
		}
		submitted(sw, mach->name, job, tasks, argv, argc);
		if (out)
			fprintf(out, "machine %s: job %s, tasks %s\n", mach->name, job, tasks);
		if (lb_sweep_save(sw, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* The last line of a shard's log that says something: why a task failed. */
static void last_log_line(const struct lb_sweep *sw, const struct lb_sweep_shard *s, char *buf, size_t len)
{
	char path[4200], line[1024];
	buf[0] = '\0';
	FILE *f = fopen(shard_path(sw, s->log, path, sizeof path), "r");
	if (f == NULL)
		return;
	bool from_slurm = false;
	/* slurmstepd's "*** JOB 12 ON node CANCELLED AT ... ***" says most; else lockbench's own error. */
	while (fgets(line, sizeof line, f)) {
		bool slurm = strncmp(line, "slurmstepd", 10) == 0;
		if ((slurm || (!from_slurm && (strncmp(line, "lockbench: ", 11) == 0 || strstr(line, "error")))) &&
		    strstr(line, "warning") == NULL) {
			snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
			from_slurm |= slurm;
		}
	}
	fclose(f);
}

/* The exit status the task's script wrote, or -1. */
static int exit_status(const struct lb_sweep *sw, const struct lb_sweep_shard *s)
{
	char path[4200];
	FILE *f = fopen(shard_path(sw, s->exit_file, path, sizeof path), "r");
	int rc = -1;
	if (f && fscanf(f, "%d", &rc) != 1)
		rc = -1;
	if (f)
		fclose(f);
	return rc;
}

static const char *state_of_exit(int rc)
{
	return rc == 0 ? "COMPLETED" : rc == 130 ? "INTERRUPTED" : "FAILED";
}

/* A new state with its exit code and reason (each NULL: none); a failure without a reason gets its log's. */
static void set_state(const struct lb_sweep *sw, struct lb_sweep_shard *s, const char *state, const char *exit_code,
		      const char *reason, FILE *out)
{
	if (strcmp(s->state, state) != 0 && out)
		fprintf(out, "machine %s shard %u (%s): %s -> %s\n", s->machine, s->shard,
			s->slurm_id ? s->slurm_id : "local", s->state, state);
	lb_str_set(&s->state, state);
	lb_str_set(&s->exit_code, exit_code);
	char why[1024] = "";
	if (lb_slurm_state_final(state) && strcmp(state, "COMPLETED") != 0 && reason == NULL) {
		last_log_line(sw, s, why, sizeof why);
		reason = why[0] ? why : NULL;
	}
	lb_str_set(&s->reason, reason);
}

static const char *const cancelled_by_us = "cancelled by lockbench sweep --cancel";

/* What Slurm knows of a shard's task, or its exit file, or that it is gone. */
static void refresh_one(const struct lb_sweep *sw, struct lb_sweep_shard *s, const struct lb_slurm_job *job, FILE *out)
{
	const struct lb_slurm_task *rec = lb_slurm_task_find(job, s->shard);
	char code[32];
	int rc;
	if (rec) {
		/* Slurm's Reason is why a job waits; once it ended, its log says more. */
		const char *reason = lb_slurm_state_final(rec->state) || !rec->reason[0] ? NULL : rec->reason;
		if (s->cancel_requested && strcmp(rec->state, "CANCELLED") == 0)
			reason = cancelled_by_us;
		set_state(sw, s, rec->state, rec->exit_code[0] ? rec->exit_code : NULL, reason, out);
	} else if ((rc = exit_status(sw, s)) >= 0) {
		snprintf(code, sizeof code, "%d:0", rc);
		set_state(sw, s, state_of_exit(rc), code, NULL, out);
	} else if (s->cancel_requested) {
		set_state(sw, s, "CANCELLED", NULL, cancelled_by_us, out);
	} else {
		set_state(sw, s, "VANISHED", NULL, "Slurm no longer knows the task and it left no exit status", out);
	}
}

int lb_sweep_refresh(struct lb_sweep *sw, FILE *out, char *err, size_t errlen)
{
	/* One scontrol per job array, asked once per refresh. */
	struct lb_slurm_job *known = calloc(sw->m.nshards + 1, sizeof *known);
	size_t nknown = 0;
	int live = 0;
	if (known == NULL)
		return ERR("out of memory");
	for (size_t i = 0; i < sw->m.nshards; i++) {
		struct lb_sweep_shard *s = &sw->m.shards[i];
		if (strcmp(s->state, "NEW") == 0 || lb_slurm_state_final(s->state) || sw->local || s->job_id == NULL ||
		    s->job_id[0] == '\0')
			continue;
		size_t k = 0;
		while (k < nknown && strcmp(known[k].id, s->job_id) != 0)
			k++;
		if (k == nknown) {
			if (lb_slurm_tasks(s->job_id, &known[k], err, errlen) != 0) {
				live = -1;
				break;
			}
			nknown++;
		}
		refresh_one(sw, s, &known[k], out);
		live += !lb_slurm_state_final(s->state);
	}
	for (size_t k = 0; k < nknown; k++)
		lb_slurm_job_free(&known[k]);
	free(known);
	return live;
}

int lb_sweep_cancel(struct lb_sweep *sw, char *err, size_t errlen)
{
	size_t n = 0;
	char **ids = calloc(sw->m.nshards + 1, sizeof *ids);
	if (ids == NULL)
		return ERR("out of memory");
	for (size_t i = 0; i < sw->m.nshards; i++) {
		struct lb_sweep_shard *s = &sw->m.shards[i];
		if (strcmp(s->state, "NEW") == 0 || lb_slurm_state_final(s->state) || s->slurm_id == NULL ||
		    s->slurm_id[0] == '\0')
			continue;
		ids[n++] = s->slurm_id;
		s->cancel_requested = true;
	}
	int rc = n ? lb_slurm_cancel(ids, n, err, errlen) : 0;
	free(ids);
	return rc;
}

static volatile sig_atomic_t local_stop;

static void on_stop(int sig)
{
	(void)sig;
	local_stop = 1;
}

/* One shard's command here, its output to its log. Its exit status, or -1. */
static int run_one(const struct lb_sweep *sw, const struct lb_sweep_shard *s, char *err, size_t errlen)
{
	char log[4200];
	int fd = open(shard_path(sw, s->log, log, sizeof log), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return ERR("%s: %s", log, strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(s->argv[0], s->argv);
		dprintf(STDERR_FILENO, "lockbench: sweep: %s: %s\n", s->argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		return ERR("fork: %s", strerror(errno));
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ERR("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int lb_sweep_run_local(struct lb_sweep *sw, FILE *out, char *err, size_t errlen)
{
	/* ^C reaches the running shard too (one process group): it writes what finished; we then stop. */
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = 0;
	for (size_t i = 0; i < sw->m.nshards; i++) {
		struct lb_sweep_shard *s = &sw->m.shards[i];
		if (!is_new_or_rerun(s))
			continue;
		if (local_stop) {
			rc = 130;
			break;
		}
		prepare(sw, s);
		s->submitting = false;
		set_state(sw, s, "RUNNING", NULL, NULL, out);
		int st = run_one(sw, s, err, errlen);
		if (st < 0) {
			rc = -1;
			break;
		}
		char path[4200], code[32];
		FILE *f = fopen(shard_path(sw, s->exit_file, path, sizeof path), "w");
		if (f) {
			fprintf(f, "%d\n", st);
			fclose(f);
		}
		snprintf(code, sizeof code, "%d:0", st);
		set_state(sw, s, local_stop ? "INTERRUPTED" : state_of_exit(st), code, NULL, out);
		if (lb_sweep_save(sw, err, errlen) != 0) {
			rc = -1;
			break;
		}
		if (local_stop)
			rc = 130;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}
