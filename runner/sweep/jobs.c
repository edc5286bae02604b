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

static bool is_new_or_rerun(json_t *s)
{
	return strcmp(lb_shard_str(s, "state"), "NEW") == 0 || json_is_true(json_object_get(s, "rerun"));
}

static const char *shard_path(const struct lb_sweep *sw, json_t *s, const char *key, char *buf, size_t len)
{
	return lb_sweep_path(sw, lb_shard_str(s, key), buf, len);
}

/* The shard's command, from the spec and where the sweep directory is now. */
static void prepare(struct lb_sweep *sw, json_t *s)
{
	char result[4200], exitf[4200];
	shard_path(sw, s, "result", result, sizeof result);
	shard_path(sw, s, "exit_file", exitf, sizeof exitf);
	/* A rerun replaces the shard's result; a stale one must not be merged if it fails. */
	unlink(result);
	unlink(exitf);
	const char *exe = json_string_value(json_object_get(sw->manifest, "lockbench"));
	unsigned k = (unsigned)json_integer_value(json_object_get(s, "shard"));
	json_object_set_new(s, "argv", lb_sweep_shard_argv(&sw->spec, exe ? exe : "lockbench", k, result));
	json_object_set_new(s, "attempts", json_integer(json_integer_value(json_object_get(s, "attempts")) + 1));
	json_object_set_new(s, "exit_code", json_null());
	json_object_set_new(s, "reason", json_null());
	json_object_del(s, "rerun");
	json_object_del(s, "cancel_requested");
	json_object_set_new(s, "submitting", json_true());
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
	json_t *shards = lb_sweep_shards(sw), *s, *a;
	size_t i, j;
	json_array_foreach(shards, i, s) {
		if (strcmp(lb_shard_str(s, "machine"), machine) != 0 || !json_is_array(json_object_get(s, "argv")))
			continue;
		fprintf(f, "%lld) set --", (long long)json_integer_value(json_object_get(s, "shard")));
		json_array_foreach(json_object_get(s, "argv"), j, a) {
			fputc(' ', f);
			sh_quote(f, json_string_value(a));
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

int lb_sweep_submit(struct lb_sweep *sw, FILE *out, char *err, size_t errlen)
{
	json_t *shards = lb_sweep_shards(sw), *s;
	size_t i;
	for (size_t m = 0; m < sw->spec.nmachines; m++) {
		const struct lb_sweep_machine *mach = &sw->spec.machines[m];
		char tasks[8192] = "";
		size_t used = 0, count = 0;
		json_array_foreach(shards, i, s) {
			if (strcmp(lb_shard_str(s, "machine"), mach->name) != 0 || !is_new_or_rerun(s))
				continue;
			prepare(sw, s);
			used += (size_t)snprintf(tasks + used, sizeof tasks - used, "%s%lld", count ? "," : "",
						 (long long)json_integer_value(json_object_get(s, "shard")));
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
		json_t *argv = json_array();
		if (lb_slurm_submit(mach, sw->spec.time_limit, name, tasks, logs, script, argv, job, sizeof job, err,
				    errlen) != 0) {
			json_decref(argv);
			return -1;
		}
		json_t *sub = json_object();
		json_object_set_new(sub, "machine", json_string(mach->name));
		json_object_set_new(sub, "job_id", json_string(job));
		json_object_set_new(sub, "tasks", json_string(tasks));
		json_object_set_new(sub, "sbatch", argv);
		json_array_append_new(json_object_get(sw->manifest, "submissions"), sub);
		json_array_foreach(shards, i, s) {
			if (!json_is_true(json_object_get(s, "submitting")))
				continue;
			char id[128];
			snprintf(id, sizeof id, "%s_%lld", job, (long long)json_integer_value(json_object_get(s, "shard")));
			json_object_set_new(s, "job_id", json_string(job));
			json_object_set_new(s, "slurm_id", json_string(id));
			json_object_set_new(s, "state", json_string("PENDING"));
			json_object_del(s, "submitting");
		}
		if (out)
			fprintf(out, "machine %s: job %s, tasks %s\n", mach->name, job, tasks);
		if (lb_sweep_save(sw, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* The last line of a shard's log that says something: why a task failed. */
static void last_log_line(const struct lb_sweep *sw, json_t *s, char *buf, size_t len)
{
	char path[4200], line[1024];
	buf[0] = '\0';
	FILE *f = fopen(shard_path(sw, s, "log", path, sizeof path), "r");
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
static int exit_status(const struct lb_sweep *sw, json_t *s)
{
	char path[4200];
	FILE *f = fopen(shard_path(sw, s, "exit_file", path, sizeof path), "r");
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

static void set_state(const struct lb_sweep *sw, json_t *s, const char *state, json_t *exit_code, json_t *reason,
		      FILE *out)
{
	const char *old = lb_shard_str(s, "state");
	if (strcmp(old, state) != 0 && out)
		fprintf(out, "machine %s shard %lld (%s): %s -> %s\n", lb_shard_str(s, "machine"),
			(long long)json_integer_value(json_object_get(s, "shard")),
			*lb_shard_str(s, "slurm_id") ? lb_shard_str(s, "slurm_id") : "local", old, state);
	json_object_set_new(s, "state", json_string(state));
	json_object_set_new(s, "exit_code", exit_code ? exit_code : json_null());
	if (lb_slurm_state_final(state) && strcmp(state, "COMPLETED") != 0 && !json_is_string(reason)) {
		char why[1024];
		last_log_line(sw, s, why, sizeof why);
		json_decref(reason);
		reason = why[0] ? json_string(why) : NULL;
	}
	json_object_set_new(s, "reason", reason ? reason : json_null());
}

int lb_sweep_refresh(struct lb_sweep *sw, FILE *out, char *err, size_t errlen)
{
	json_t *shards = lb_sweep_shards(sw), *s, *known = json_object();
	size_t i;
	int live = 0;
	json_array_foreach(shards, i, s) {
		const char *state = lb_shard_str(s, "state"), *job = lb_shard_str(s, "job_id");
		if (strcmp(state, "NEW") == 0 || lb_slurm_state_final(state) || sw->local || *job == '\0')
			continue;
		json_t *tasks = json_object_get(known, job);
		if (tasks == NULL) {
			tasks = lb_slurm_tasks(job, err, errlen);
			if (tasks == NULL) {
				json_decref(known);
				return -1;
			}
			json_object_set_new(known, job, tasks);
		}
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(s, "shard")));
		json_t *rec = json_object_get(tasks, key);
		int rc;
		bool cancelled = json_is_true(json_object_get(s, "cancel_requested"));
		if (rec) {
			/* Slurm's Reason is why a job waits; once it ended, its log says more. */
			const char *st = json_string_value(json_object_get(rec, "state"));
			json_t *reason = lb_slurm_state_final(st) ? NULL : json_incref(json_object_get(rec, "reason"));
			if (cancelled && strcmp(st, "CANCELLED") == 0)
				reason = json_string("cancelled by lockbench sweep --cancel");
			set_state(sw, s, st, json_incref(json_object_get(rec, "exit_code")), reason, out);
		} else if ((rc = exit_status(sw, s)) >= 0) {
			set_state(sw, s, state_of_exit(rc), json_sprintf("%d:0", rc), NULL, out);
		} else if (cancelled) {
			set_state(sw, s, "CANCELLED", NULL, json_string("cancelled by lockbench sweep --cancel"), out);
		} else {
			set_state(sw, s, "VANISHED", NULL,
				  json_string("Slurm no longer knows the task and it left no exit status"), out);
		}
		live += !lb_slurm_state_final(lb_shard_str(s, "state"));
	}
	json_decref(known);
	return live;
}

int lb_sweep_cancel(struct lb_sweep *sw, char *err, size_t errlen)
{
	json_t *shards = lb_sweep_shards(sw), *s;
	size_t i, n = 0;
	char **ids = calloc(json_array_size(shards) + 1, sizeof *ids);
	if (ids == NULL)
		return ERR("out of memory");
	json_array_foreach(shards, i, s) {
		const char *state = lb_shard_str(s, "state");
		if (strcmp(state, "NEW") == 0 || lb_slurm_state_final(state) || *lb_shard_str(s, "slurm_id") == '\0')
			continue;
		ids[n++] = (char *)lb_shard_str(s, "slurm_id");
		json_object_set_new(s, "cancel_requested", json_true());
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
static int run_one(const struct lb_sweep *sw, json_t *s, char *err, size_t errlen)
{
	json_t *a = json_object_get(s, "argv");
	size_t n = json_array_size(a);
	char **argv = calloc(n + 1, sizeof *argv), log[4200];
	if (argv == NULL)
		return ERR("out of memory");
	for (size_t i = 0; i < n; i++)
		argv[i] = (char *)json_string_value(json_array_get(a, i));
	int fd = open(shard_path(sw, s, "log", log, sizeof log), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		free(argv);
		return ERR("%s: %s", log, strerror(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "lockbench: sweep: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	free(argv);
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
	json_t *shards = lb_sweep_shards(sw), *s;
	size_t i;
	/* ^C reaches the running shard too (one process group): it writes what finished; we then stop. */
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = 0;
	json_array_foreach(shards, i, s) {
		if (!is_new_or_rerun(s))
			continue;
		if (local_stop) {
			rc = 130;
			break;
		}
		prepare(sw, s);
		json_object_del(s, "submitting");
		set_state(sw, s, "RUNNING", NULL, NULL, out);
		int st = run_one(sw, s, err, errlen);
		if (st < 0) {
			rc = -1;
			break;
		}
		char path[4200];
		FILE *f = fopen(shard_path(sw, s, "exit_file", path, sizeof path), "w");
		if (f) {
			fprintf(f, "%d\n", st);
			fclose(f);
		}
		set_state(sw, s, local_stop ? "INTERRUPTED" : state_of_exit(st), json_sprintf("%d:0", st), NULL, out);
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
