/*
 * Errors returned by library code.  A function that fails fills a
 * caller-owned struct err with a kind and a one-line message and returns
 * -1; it never prints and never exits.  Only main() turns a kind into an
 * exit status (exitcode.c).
 */
#ifndef MAILOUT_ERR_H
#define MAILOUT_ERR_H

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE, /* bad command line */
	ERR_DATA, /* bad address or message */
	ERR_NOINPUT, /* missing input file */
	ERR_NOUSER, /* every recipient refused permanently */
	ERR_UNAVAILABLE, /* permanent failure (5xx) */
	ERR_SOFTWARE, /* internal inconsistency */
	ERR_OSERR, /* system error (fork, memory) */
	ERR_CANTCREAT, /* cannot create the queue entry */
	ERR_IO, /* local input/output error */
	ERR_TEMP, /* temporary failure (4xx, network, timeout) */
	ERR_CONFIG, /* configuration error */
	ERR_NOPERM /* the user may not do this (a sender policy) */
};

struct err {
	enum err_kind kind;
	char *msg;
};

/* Record an error; always returns -1 so that "return err_set(...)" works. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As err_set(), with ": strerror(errno)" appended. */
int err_sys(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message of an error already set: "prefix: old message". */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

#endif
