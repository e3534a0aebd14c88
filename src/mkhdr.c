#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "addr.h"
#include "buf.h"
#include "mkhdr.h"
#include "rfc5322.h"
#include "utf8.h"
#include "xalloc.h"

/* RFC 2047 2: an encoded-word is at most 75 octets. */
#define EW_MAX 75
#define EW_OPEN "=?UTF-8?Q?"
#define EW_CLOSE "?="

void
mkhdr_date(struct buf *b, time_t t)
{
	/* strftime's %a and %b follow the locale; RFC 5322 wants English. */
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	buf_printf(b, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

void
mkhdr_msgid(struct buf *b, const char *domain)
{
	struct timeval tv;
	uint64_t rnd = 0;

	gettimeofday(&tv, NULL);
#ifdef HAVE_GETRANDOM
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
#endif
		rnd = (uint64_t)tv.tv_usec * 2654435761u ^ (uint64_t)getpid();
	buf_printf(b, "<%llx.%lx.%llx@%s>", (unsigned long long)tv.tv_sec,
	    (unsigned long)getpid(), (unsigned long long)rnd, domain);
}

/* RFC 2047 5 (3): what may stand for itself in a phrase's "Q" word. */
static int
is_qsafe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!*+-/", c) != NULL);
}

/* Octets in the UTF-8 character that starts with c. */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	return c >= 0xc0 ? 2 : 1;
}

/*
 * One character (n <= 4 octets, from utf8_len), Q-encoded (RFC 2047
 * 4.2) into out, which holds Q_CHAR_MAX octets: "=XX" for each octet.
 */
#define Q_CHAR_MAX 12

static size_t
q_char(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, len = 0;

	for (i = 0; i < n && len + 3 <= Q_CHAR_MAX; i++) {
		if (p[i] == ' ')
			out[len++] = '_';
		else if (is_qsafe(p[i]))
			out[len++] = (char)p[i];
		else {
			out[len++] = '=';
			out[len++] = hex[p[i] >> 4];
			out[len++] = hex[p[i] & 0x0f];
		}
	}
	return len;
}

/*
 * RFC 2047 5 (3): the whole name as encoded-words, split between whole
 * characters (RFC 2047 5) so that none is longer than 75 octets; the
 * spaces between words are not part of the name (RFC 2047 6.2).
 */
static void
phrase_encoded(struct buf *b, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t room = 0, n, len;
	char enc[Q_CHAR_MAX];
	int open = 0;

	while (*p != '\0') {
		n = utf8_len(*p);
		len = q_char(p, n, enc);
		if (!open || len > room) {
			if (open)
				buf_printf(b, "%s ", EW_CLOSE);
			open = 1;
			buf_puts(b, EW_OPEN);
			room = EW_MAX - strlen(EW_OPEN) - strlen(EW_CLOSE);
		}
		buf_append(b, enc, len);
		room -= len;
		p += n;
	}
	buf_puts(b, EW_CLOSE);
}

static int
is_atoms(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!(rfc5322_is_atext((unsigned char)s[i]) ||
		        (s[i] == ' ' && s[i + 1] != ' ')))
			return 0;
	return 1;
}

void
mkhdr_mailbox(struct buf *b, const char *name, const char *spec)
{
	char *clean = xstrdup(name != NULL ? name : ""), *p;

	for (p = clean; *p != '\0'; p++)
		if (rfc5322_is_ctl((unsigned char)*p))
			*p = ' ';
	if (clean[0] == '\0' || !utf8_valid(clean, strlen(clean))) {
		buf_puts(b, spec);
	} else {
		if (is_atoms(clean))
			buf_puts(b, clean);
		else if (utf8_has8bit(clean, strlen(clean)))
			phrase_encoded(b, clean);
		else
			addr_put_quoted(b, clean, strlen(clean));
		buf_printf(b, " <%s>", spec);
	}
	free(clean);
}
