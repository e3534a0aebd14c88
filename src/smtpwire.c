#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "smtpwire.h"
#include "xalloc.h"

char *
smtp_xtext(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		/* RFC 3461 4: xchar is "!" to "~" except "+" and "=". */
		if (*p >= '!' && *p <= '~' && *p != '+' && *p != '=') {
			buf_putc(&b, *p);
			continue;
		}
		buf_putc(&b, '+');
		buf_putc(&b, hex[*p >> 4]);
		buf_putc(&b, hex[*p & 0x0f]);
	}
	return b.data != NULL ? buf_release(&b) : xstrdup("");
}

/*
 * The local part of addrspec: its length as written (a quoted-string
 * runs to its closing quote, so an "@" in it is not the domain's), and
 * its content unquoted into out.
 */
static size_t
local_part(const char *addrspec, struct buf *out)
{
	const char *p = addrspec;

	if (*p != '"') {
		p += strcspn(p, "@");
		buf_append(out, addrspec, (size_t)(p - addrspec));
		return (size_t)(p - addrspec);
	}
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++; /* RFC 5321 4.1.2 quoted-pairSMTP */
		buf_putc(out, *p);
	}
	if (*p == '"')
		p++;
	return (size_t)(p - addrspec);
}

char *
smtp_path_addr(const char *addrspec)
{
	struct buf local = BUF_INIT;
	size_t n;
	char *quoted, *path;

	if (addrspec[0] == '\0')
		return xstrdup("");
	n = local_part(addrspec, &local);
	/* addr.c's canonical form: the dot-atom if it is one. */
	quoted =
	    addr_quote_local(local.data != NULL ? local.data : "", local.len);
	path = xasprintf("%s%s", quoted, addrspec + n);
	free(quoted);
	buf_free(&local);
	return path;
}
