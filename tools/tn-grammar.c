// SPDX-License-Identifier: GPL-2.0
/*
 * tn-grammar: what is written from tenetctl's command table at build time
 * (lib/ctl_cmds.c through lib/grammar.h), so that the help, the man page,
 * the bash completion and README's command summary cannot drift from what
 * tenetctl and tenetd accept:
 *   tn-grammar man DATE       tenetctl.8
 *   tn-grammar completion     the bash completion
 *   tn-grammar summary        the command lines README shows
 *   tn-grammar readme FILE    FILE with those lines put in its block: the
 *                             code block after the line MARK (make readme)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmds.h"

#define MARK "<!-- tenetctl's commands: written by `make readme`"
#define FENCE "```\n"

static const struct tn_grammar *const g = &tn_ctl_grammar;

/* README with the summary in its block; 0 or 1 (said why). */
static int readme(const char *path)
{
	char *text = NULL, *mark, *open, *close;
	size_t n = 0;
	FILE *f = fopen(path, "r"), *out;
	int err = 0;

	if (!f || getdelim(&text, &n, '\0', f) < 0) {
		fprintf(stderr, "tn-grammar: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		free(text);
		return 1;
	}
	fclose(f);
	mark = strstr(text, MARK);
	open = mark ? strstr(mark, "\n" FENCE) : NULL;
	close = open ? strstr(open + 1 + strlen(FENCE), FENCE) : NULL;
	if (!close) {
		fprintf(stderr, "tn-grammar: %s: no code block after \"%s\"\n",
			path, MARK);
		free(text);
		return 1;
	}
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "tn-grammar: %s: %s\n", path, strerror(errno));
		free(text);
		return 1;
	}
	fwrite(text, 1, (size_t)(open + 1 + strlen(FENCE) - text), out);
	tn_g_summary(out, g, TN_G_SUMMARY_WIDTH);
	fputs(close, out);
	if (fclose(out)) {
		fprintf(stderr, "tn-grammar: %s: %s\n", path, strerror(errno));
		err = 1;
	}
	free(text);
	return err;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "man"))
		tn_g_man(stdout, g, argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "completion"))
		tn_g_completion(stdout, g);
	else if (argc == 2 && !strcmp(argv[1], "summary"))
		tn_g_summary(stdout, g, TN_G_SUMMARY_WIDTH);
	else if (argc == 3 && !strcmp(argv[1], "readme"))
		return readme(argv[2]);
	else {
		fputs("Usage: tn-grammar man DATE | completion | summary |"
		      " readme FILE\n",
		      stderr);
		return 2;
	}
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
