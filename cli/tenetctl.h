/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tenetctl's commands share (cli/tenetctl.c) with those done in a
 * file of their own: tenetctl apply (cli/apply.c).
 */
#ifndef TENET_CLI_TENETCTL_H
#define TENET_CLI_TENETCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "grammar.h"

/* Exit status for bad usage or input: nothing was sent. */
#define EXIT_USAGE 2
/* A sentence of tenetd's, or why it could not be asked. */
#define TN_CTL_WHY_MAX 1024

/*
 * Sends req on tenetd's socket (--socket, --timeout) and gets the reply:
 * 0, or 1 with the reason on one line (tenetd's refusal, or why it could
 * not be asked) in why, or on stderr if why is NULL.
 */
int ctl_call(json_object *req, json_object **reply, char *why, size_t n);
/* A connection to tenetd's socket, or -1 with the reason as ctl_call
 * gives it. */
int ctl_connect(char *why, size_t n);
/* ctl_call() on connection fd (-1: one of its own, closed after), left
 * open; the descriptor that came with the reply in *pass (-1 before, -1
 * after if none came or the request failed). */
int ctl_call_fd(int fd, json_object *req, json_object **reply, int *pass,
		char *why, size_t n);

/* tenetctl capture with its checked arguments and the request's args as
 * the grammar made them: the exit status. */
int capture_main(const struct tn_gargs *a, json_object *args, bool json);

/* tenetctl apply with its checked arguments: the exit status. */
int apply_main(const struct tn_gargs *a, bool json);

#endif
