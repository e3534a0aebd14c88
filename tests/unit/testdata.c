#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "testdata.h"

/* The test data lives under $srcdir/tests/data (automake sets srcdir). */
char *
read_data(const char *rel, size_t *lenp)
{
	const char *dir = getenv("srcdir");
	struct buf path = BUF_INIT, data = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	buf_printf(&path, "%s/tests/data/%s", dir ? dir : ".", rel);
	fp = fopen(buf_cstr(&path), "rb");
	if (fp == NULL) {
		printf("# cannot open %s\n", buf_cstr(&path));
		buf_free(&path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&data, chunk, n);
	fclose(fp);
	buf_free(&path);
	*lenp = data.len;
	return buf_release(&data);
}
