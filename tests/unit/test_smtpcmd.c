/* The -bs command parser: verbs, paths with quoted ">", parameters. */
#include "config.h"

#include <string.h>

#include "smtpcmd.h"
#include "tap.h"

static int
parse(const char *line, struct smtp_cmd *c, const char **why)
{
	return smtpcmd_parse(line, strlen(line), c, why);
}

static char *
part(const char *p, size_t n)
{
	static char b[256];

	snprintf(b, sizeof(b), "%.*s", (int)n, p ? p : "");
	return b;
}

int
main(void)
{
	struct smtp_cmd c;
	const char *why = NULL;

	is_int(parse("EHLO client.example", &c, &why), 0, "EHLO parses");
	is_int(c.verb, SMTP_EHLO, "EHLO verb");
	is_str(part(c.arg, c.arglen), "client.example", "EHLO argument");
	is_int(parse("helo [127.0.0.1]", &c, &why), 0, "helo, lower case");
	is_int(c.verb, SMTP_HELO, "HELO verb");
	is_int(parse("MAIL FROM:<a@b.example> SIZE=12 BODY=8BITMIME", &c, &why),
	    0, "MAIL with parameters");
	is_str(part(c.path, c.pathlen), "<a@b.example>", "MAIL path");
	is_str(part(c.params, c.paramslen), "SIZE=12 BODY=8BITMIME",
	    "MAIL parameters");
	is_int(parse("mail from: <>", &c, &why), 0, "null path, space after :");
	is_str(part(c.path, c.pathlen), "<>", "null path");
	is_int(parse("RCPT TO:<\"a>b\"@c.example>", &c, &why), 0,
	    "quoted \">\" inside the path");
	is_str(part(c.path, c.pathlen), "<\"a>b\"@c.example>", "quoted path");
	is_int(parse("RCPT TO:<@relay.example:x@y.example>", &c, &why), 0,
	    "a source route");
	is_int(parse("MAIL FROM:a@b.example", &c, &why), -1,
	    "no angle brackets");
	is_int(parse("MAIL TO:<a@b.example>", &c, &why), -1, "MAIL TO:");
	is_int(parse("RCPT TO:<a@b.example>x", &c, &why), -1,
	    "text glued to the path");
	is_int(parse("RCPT TO:<a@b.example", &c, &why), -1, "no closing >");
	is_int(parse("DATA", &c, &why), 0, "DATA");
	is_int(c.verb, SMTP_DATA, "DATA verb");
	is_int(parse("QUIT", &c, &why), 0, "QUIT");
	is_int(parse("BDAT 100 LAST", &c, &why), 0, "BDAT parses");
	is_int(c.verb, SMTP_UNKNOWN, "BDAT is unknown");
	is_int(parse("DATAX", &c, &why), 0, "DATAX");
	is_int(c.verb, SMTP_UNKNOWN, "DATAX is not DATA");
	is_int(smtpcmd_parse("NOOP\0x", 6, &c, &why), -1, "NUL refused");
	is_int(parse("RCPT TO:<a@b\r>", &c, &why), -1, "CR refused");
	is_int(parse("", &c, &why), 0, "empty line");
	is_int(c.verb, SMTP_UNKNOWN, "empty line is unknown");
	return tap_done();
}
