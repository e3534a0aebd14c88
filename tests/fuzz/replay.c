/*
 * Without libFuzzer: run a fuzz target over the files named on the
 * command line (saved crashers and seeds), as a TAP test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "fuzz.h"

static int
run_file(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
	buf_free(&b);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		int ok = run_file(argv[i]) == 0;

		printf("%sok %d - %s\n", ok ? "" : "not ", i, argv[i]);
		failed += !ok;
	}
	printf("1..%d\n", argc - 1);
	return failed != 0;
}
