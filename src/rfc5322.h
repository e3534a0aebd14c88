/*
 * Character classes that the header and address parsers and the writers
 * of header fields share (RFC 5234 B.1, RFC 5322 3.2.3).  Each takes an
 * octet as an unsigned char value or -1 (no octet: none of them).
 */
#ifndef MAILOUT_RFC5322_H
#define MAILOUT_RFC5322_H

#include <string.h>

/* RFC 5234 B.1 WSP: space and horizontal tab. */
static inline int
rfc5322_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5234 B.1 CTL: %x00-1F and DEL (HTAB included). */
static inline int
rfc5322_is_ctl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* RFC 5322 3.2.3 atext, US-ASCII only (RFC 6532 3.2 adds 8-bit octets). */
static inline int
rfc5322_is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c > 0 && c < 0x80 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Does the string s hold a CTL? */
static inline int
rfc5322_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (rfc5322_is_ctl((unsigned char)*s))
			return 1;
	return 0;
}

#endif
