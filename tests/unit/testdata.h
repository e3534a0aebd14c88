/* Test vectors for the C unit tests, read from $srcdir/tests/data. */
#ifndef MAILOUT_TESTDATA_H
#define MAILOUT_TESTDATA_H

#include <stddef.h>

/* The whole file tests/data/REL and its length; NULL if unreadable. */
char *read_data(const char *rel, size_t *lenp);

#endif
