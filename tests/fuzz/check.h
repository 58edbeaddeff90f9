/* SPDX-License-Identifier: GPL-2.0 */
/* What a libFuzzer target does with a broken invariant: says which, and
 * aborts, which libFuzzer reports as a crash with the input that did it. */
#ifndef TN_FUZZ_CHECK_H
#define TN_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                         \
	do {                                                             \
		if (!(c)) {                                              \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", \
				__FILE__, __LINE__, #c);                 \
			abort();                                         \
		}                                                        \
	} while (0)

#endif
