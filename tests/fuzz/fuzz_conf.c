/*
 * Fuzz target: the configuration loader (libconfig's parser and our
 * schema).  The input is written to a file, as the loader reads files.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct conf c;
	struct err e = {0};
	FILE *fp;
	int rc;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/mailout-fuzz-conf.%ld",
		    (long)getpid());
	fp = fopen(path, "w");
	if (fp == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	/* Not this host's /etc/aliases: the same input, the same run. */
	rc = conf_load_sys_aliases(path, "/nonexistent/aliases", &c, &e);
	/* The file is read only in conf_load: none is left in /tmp after a
	 * replay (make check), a fuzzing run or a failed assertion. */
	unlink(path);
	if (rc < 0)
		FUZZ_ASSERT(e.kind == ERR_CONFIG && e.msg != NULL);
	conf_free(&c);
	err_clear(&e);
	return 0;
}
