#include "config.h"

#include <string.h>

#include "base64.h"
#include "buf.h"
#include "xalloc.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
base64_encode(const void *p, size_t n)
{
	const unsigned char *in = p;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 |
		    (unsigned long)in[i + 1] << 8 | in[i + 2];

		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (i < n) {
		unsigned long v = (unsigned long)in[i] << 16 |
		    (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0);

		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
value_of(char c)
{
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

int
base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long acc = 0;
	int bits = 0, pad = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = value_of(s[i]);
		if (v < 0 || pad > 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (int)(acc >> bits & 0xff));
		}
	}
	/* RFC 4648 3.5: leftover bits must be zero padding. */
	return pad > 2 || (acc & ((1UL << bits) - 1)) != 0 ? -1 : 0;
}
