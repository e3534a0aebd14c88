/*
 * A minimal TAP producer for the C unit tests (run by automake's
 * tap-driver.sh).  Each check prints "ok N - name" or "not ok N - name".
 */
#ifndef MAILOUT_TAP_H
#define MAILOUT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void
tap_result(int ok, const char *name)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, name);
}

#define ok(cond, name) tap_result((cond) ? 1 : 0, (name))

static inline void
is_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	tap_result(same, name);
	if (!same)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
}

static inline void
is_int(long long got, long long want, const char *name)
{
	tap_result(got == want, name);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
