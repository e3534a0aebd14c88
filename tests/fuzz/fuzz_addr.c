/*
 * Fuzz target: the address-list parser.  Every span must lie inside the
 * input and in order, and every address must parse back to itself.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list l = ADDR_LIST_INIT;
	struct err e = {0};
	char *s = malloc(size + 1);
	size_t i, last = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	if (addr_parse_list(s, size, &l, &e) == 0) {
		for (i = 0; i < l.n; i++) {
			struct addr again;
			struct err e2 = {0};

			FUZZ_ASSERT(l.v[i].start <= l.v[i].end);
			FUZZ_ASSERT(l.v[i].end <= size);
			FUZZ_ASSERT(l.v[i].start >= last);
			last = l.v[i].end;
			if (l.v[i].spec[0] != '\0' &&
			    addr_parse_one(l.v[i].spec, &again, 0, &e2) == 0) {
				FUZZ_ASSERT(
				    strcmp(again.spec, l.v[i].spec) == 0);
				addr_free(&again);
			}
			err_clear(&e2);
		}
	} else {
		FUZZ_ASSERT(l.n == 0);
	}
	addr_list_free(&l);
	err_clear(&e);
	{
		struct addr one;

		if (addr_parse_one(s, &one, 1, &e) == 0)
			addr_free(&one);
	}
	err_clear(&e);
	free(s);
	return 0;
}
