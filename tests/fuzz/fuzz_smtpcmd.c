/*
 * Fuzz target: the -bs command parser.  Whatever it returns points inside
 * the line.
 */
#include "config.h"

#include <stdint.h>

#include "fuzz.h"
#include "smtpcmd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	struct smtp_cmd c;
	const char *why = NULL;

	if (smtpcmd_parse(line, size, &c, &why) < 0) {
		FUZZ_ASSERT(why != NULL);
		return 0;
	}
	FUZZ_ASSERT(c.arg >= line && c.arg + c.arglen <= line + size);
	if (c.verb == SMTP_MAIL || c.verb == SMTP_RCPT) {
		FUZZ_ASSERT(
		    c.path >= line && c.path + c.pathlen <= line + size);
		FUZZ_ASSERT(c.pathlen >= 2 && c.path[0] == '<' &&
		    c.path[c.pathlen - 1] == '>');
		FUZZ_ASSERT(c.params + c.paramslen == line + size);
	}
	return 0;
}
