#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

static int
err_vset(struct err *e, enum err_kind kind, const char *suffix, const char *fmt,
    va_list ap)
{
	char *msg;

	msg = xvasprintf(fmt, ap);
	if (suffix != NULL) {
		char *full = xasprintf("%s: %s", msg, suffix);
		free(msg);
		msg = full;
	}
	free(e->msg);
	e->msg = msg;
	e->kind = kind;
	return -1;
}

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, kind, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_sys(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	const char *reason = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, kind, reason, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char *prefix, *full;
	va_list ap;

	va_start(ap, fmt);
	prefix = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("%s: %s", prefix, e->msg != NULL ? e->msg : "error");
	free(prefix);
	free(e->msg);
	e->msg = full;
	return -1;
}

void
err_clear(struct err *e)
{
	free(e->msg);
	e->msg = NULL;
	e->kind = ERR_NONE;
}
