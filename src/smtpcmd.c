#include "config.h"

#include <string.h>
#include <strings.h>

#include "smtpcmd.h"

static const struct {
	const char *name;
	enum smtp_verb verb;
} verbs[] = {
    {"HELO", SMTP_HELO},
    {"EHLO", SMTP_EHLO},
    {"MAIL", SMTP_MAIL},
    {"RCPT", SMTP_RCPT},
    {"DATA", SMTP_DATA},
    {"RSET", SMTP_RSET},
    {"NOOP", SMTP_NOOP},
    {"QUIT", SMTP_QUIT},
    {"VRFY", SMTP_VRFY},
    {"HELP", SMTP_HELP},
};

/*
 * RFC 5321 4.1.2 Path: "<" ... ">" where a quoted string may hold ">";
 * returns the length of the path at p, or 0 if it is not one.
 */
static size_t
path_len(const char *p, size_t n)
{
	size_t i;
	int quoted = 0;

	if (n == 0 || p[0] != '<')
		return 0;
	for (i = 1; i < n; i++) {
		if (p[i] == '\\' && quoted && i + 1 < n)
			i++;
		else if (p[i] == '"')
			quoted = !quoted;
		else if (p[i] == '>' && !quoted)
			return i + 1;
	}
	return 0;
}

/* "FROM:<path> params" or "TO:<path> params" (a space after ':' too). */
static int
parse_path_arg(struct smtp_cmd *c, const char *kw, const char **why)
{
	const char *p = c->arg;
	size_t n = c->arglen, k = strlen(kw), len;

	if (n < k || strncasecmp(p, kw, k) != 0) {
		*why = c->verb == SMTP_MAIL ? "syntax: MAIL FROM:<address>"
		                            : "syntax: RCPT TO:<address>";
		return -1;
	}
	p += k;
	n -= k;
	while (n > 0 && *p == ' ')
		p++, n--;
	len = path_len(p, n);
	if (len == 0) {
		*why = "the address must be in angle brackets";
		return -1;
	}
	c->path = p;
	c->pathlen = len;
	p += len;
	n -= len;
	if (n > 0 && *p != ' ') {
		*why = "a space must follow the address";
		return -1;
	}
	while (n > 0 && *p == ' ')
		p++, n--;
	c->params = p;
	c->paramslen = n;
	return 0;
}

int
smtpcmd_parse(const char *line, size_t len, struct smtp_cmd *c,
    const char **why)
{
	const char *sp = memchr(line, ' ', len);
	size_t i, v = sp != NULL ? (size_t)(sp - line) : len;

	memset(c, 0, sizeof(*c));
	c->verb = SMTP_UNKNOWN;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
			*why = "control character in the command";
			return -1;
		}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (v == 4 && strncasecmp(line, verbs[i].name, 4) == 0)
			c->verb = verbs[i].verb;
	c->arg = line + (v < len ? v + 1 : v);
	c->arglen = v < len ? len - v - 1 : 0;
	if (c->verb == SMTP_MAIL)
		return parse_path_arg(c, "FROM:", why);
	if (c->verb == SMTP_RCPT)
		return parse_path_arg(c, "TO:", why);
	return 0;
}
