#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "buf.h"
#include "mkhdr.h"

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
