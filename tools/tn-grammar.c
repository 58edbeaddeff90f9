// SPDX-License-Identifier: GPL-2.0
/*
 * tn-grammar: what is written from tenetctl's command table at build time
 * (lib/ctl_cmds.c through lib/grammar.h), so that the help, the man page,
 * the bash completion and README's command summary cannot drift from what
 * tenetctl and tenetd accept:
 *   tn-grammar man DATE     tenetctl.8
 *   tn-grammar completion   the bash completion
 *   tn-grammar summary      the command lines README shows
 */
#include <stdio.h>
#include <string.h>

#include "ctl_cmds.h"

int main(int argc, char **argv)
{
	const struct tn_grammar *g = &tn_ctl_grammar;

	if (argc == 3 && !strcmp(argv[1], "man"))
		tn_g_man(stdout, g, argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "completion"))
		tn_g_completion(stdout, g);
	else if (argc == 2 && !strcmp(argv[1], "summary"))
		tn_g_summary(stdout, g, TN_G_SUMMARY_WIDTH);
	else {
		fputs("Usage: tn-grammar man DATE | completion | summary\n",
		      stderr);
		return 2;
	}
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
