/*
 * Allocation that cannot fail.  When memory runs out the process ends
 * with EX_OSERR before anything was acknowledged, which is the one
 * deliberate exception to "library code never exits": threading ENOMEM
 * through every parser would hide the logic that matters.
 */
#ifndef MAILOUT_XALLOC_H
#define MAILOUT_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *
xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
