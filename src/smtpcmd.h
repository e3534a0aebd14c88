/*
 * SMTP commands as a client sends them (RFC 5321 4.1): an I/O-free
 * parser for the -bs server, also driven by a fuzzer.
 */
#ifndef MAILOUT_SMTPCMD_H
#define MAILOUT_SMTPCMD_H

#include <stddef.h>

enum smtp_verb {
	SMTP_HELO,
	SMTP_EHLO,
	SMTP_MAIL,
	SMTP_RCPT,
	SMTP_DATA,
	SMTP_RSET,
	SMTP_NOOP,
	SMTP_QUIT,
	SMTP_VRFY,
	SMTP_HELP,
	SMTP_UNKNOWN
};

struct smtp_cmd {
	enum smtp_verb verb;
	const char *arg; /* what follows the verb and its space */
	size_t arglen;
	const char *path; /* MAIL, RCPT: the path, "<" and ">" included */
	size_t pathlen;
	const char *params; /* MAIL, RCPT: the parameters after the path */
	size_t paramslen;
};

/*
 * Parse one command line (without its CRLF).  Returns 0, or -1 when the
 * line is not a well-formed command: *why then says what is wrong (a
 * static string for a 501 reply).
 */
int smtpcmd_parse(const char *line, size_t len, struct smtp_cmd *c,
    const char **why);

#endif
