/*
 * plugin_util.c — see plugin_util.h. The tests build plug-ins at run time,
 * as a user would, so the loader is tested against real shared objects.
 */
#include "plugin_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_util.h"

char *plugin_build(const char *src, const char *extra, const char *name)
{
	char *dir = cli_tmpdir();
	if (dir == NULL)
		return NULL;
	char *path = malloc(strlen(dir) + strlen(name) + 8);
	sprintf(path, "%s/%s.so", dir, name);
	free(dir);
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "cc -std=gnu11 -O1 -Wall -Wextra -Werror -fPIC -shared -pthread -Iinclude -Itests/fixtures/plugins"
		 " %s -o %s %s",
		 extra ? extra : "", path, src);
	int st = system(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		free(path);
		return NULL;
	}
	return path;
}
