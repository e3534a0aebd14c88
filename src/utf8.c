#include "config.h"

#include "utf8.h"

void
utf8_init(struct utf8 *u)
{
	u->need = 0;
	u->lo = 0x80;
	u->hi = 0xbf;
	u->bad = 0;
}

/*
 * RFC 3629 4: the first octet fixes how many follow and, for E0, ED, F0
 * and F4, a narrower range for the second (no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
static void
utf8_lead(struct utf8 *u, unsigned char c)
{
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c < 0x80)
		return;
	if (c >= 0xc2 && c <= 0xdf)
		u->need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		u->need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		u->need = 3;
	else
		u->bad = 1;
	if (c == 0xe0)
		u->lo = 0xa0;
	else if (c == 0xed)
		u->hi = 0x9f;
	else if (c == 0xf0)
		u->lo = 0x90;
	else if (c == 0xf4)
		u->hi = 0x8f;
}

void
utf8_feed(struct utf8 *u, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !u->bad; i++) {
		unsigned char c = (unsigned char)p[i];

		if (u->need == 0) {
			utf8_lead(u, c);
			continue;
		}
		if (c < u->lo || c > u->hi) {
			u->bad = 1;
			break;
		}
		u->need--;
		u->lo = 0x80;
		u->hi = 0xbf;
	}
}

int
utf8_ok(const struct utf8 *u)
{
	return !u->bad && u->need == 0;
}

int
utf8_valid(const char *p, size_t n)
{
	struct utf8 u;

	utf8_init(&u);
	utf8_feed(&u, p, n);
	return utf8_ok(&u);
}

int
utf8_has8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] & 0x80)
			return 1;
	return 0;
}
