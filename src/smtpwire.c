#include "config.h"
#include "smtpwire.h"
#include "buf.h"
#include "xalloc.h"
char *
smtp_xtext(const char *s)
{
	struct buf b = BUF_INIT;
	for (; *s != '\0'; s++)
		if (*s < '!' || *s > '~' || *s == '+' || *s == '=')
			buf_printf(&b, "+%02X", (unsigned char)*s);
		else
			buf_putc(&b, *s);
	return buf_release(&b);
}
char *
smtp_path_addr(const char *addrspec)
{
	return xstrdup(addrspec);
}
