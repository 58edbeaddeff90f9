// SPDX-License-Identifier: GPL-2.0
/* SipHash-2-4, written from the paper ("SipHash: a fast short-input PRF",
 * 2012): 64-bit words read little-endian, two compression rounds per word,
 * four finalization rounds. test_nh checks the paper's test vector. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void round2(struct sip *s, int n)
{
	while (n--) {
		s->v0 += s->v1;
		s->v1 = ROTL(s->v1, 13);
		s->v1 ^= s->v0;
		s->v0 = ROTL(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = ROTL(s->v3, 16);
		s->v3 ^= s->v2;
		s->v0 += s->v3;
		s->v3 = ROTL(s->v3, 21);
		s->v3 ^= s->v0;
		s->v2 += s->v1;
		s->v1 = ROTL(s->v1, 17);
		s->v1 ^= s->v2;
		s->v2 = ROTL(s->v2, 32);
	}
}

static uint64_t le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	round2(s, 2);
	s->v0 ^= m;
}

uint64_t siphash24(const struct hash_key *k, const void *data, size_t len)
{
	struct sip s = {
		.v0 = k->k0 ^ 0x736f6d6570736575ULL,
		.v1 = k->k1 ^ 0x646f72616e646f6dULL,
		.v2 = k->k0 ^ 0x6c7967656e657261ULL,
		.v3 = k->k1 ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		absorb(&s, le64(p + i, 8));
	absorb(&s, (uint64_t)(len & 0xff) << 56 | le64(p + i, len - i));
	s.v2 ^= 0xff;
	round2(&s, 4);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void hash_key_random(struct hash_key *k)
{
	uint8_t b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort(); /* no randomness: no router */
	}
	k->k0 = le64(b, 8);
	k->k1 = le64(b + 8, 8);
	memset(b, 0, sizeof(b));
}
