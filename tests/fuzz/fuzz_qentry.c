/*
 * Fuzz target: a queue entry's "env" file.  What parses must format and
 * parse again to the same text, and to the same state (what it waits
 * for, whatever the input said).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "queue.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qentry q, r;
	struct err e = {0};
	char *text, *again;

	memset(&q, 0, sizeof(q));
	if (qentry_parse((const char *)data, size, &q, &e) == 0) {
		text = qentry_format(&q);
		memset(&r, 0, sizeof(r));
		FUZZ_ASSERT(qentry_parse(text, strlen(text), &r, &e) == 0);
		FUZZ_ASSERT(q.waits == QWAIT_RELAY || q.waits == QWAIT_RCPT);
		FUZZ_ASSERT(r.waits == q.waits);
		again = qentry_format(&r);
		FUZZ_ASSERT(strcmp(text, again) == 0);
		free(again);
		free(text);
		qentry_free(&r);
	}
	qentry_free(&q);
	err_clear(&e);
	return 0;
}
