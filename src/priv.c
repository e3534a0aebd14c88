#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv.h"
#include "xalloc.h"

/* A zone name ("Europe/Paris", "UTC"), not a path to some file. */
static int
tz_ok(const char *tz)
{
	if (tz[0] == ':')
		tz++;
	return tz[0] != '/' && strstr(tz, "..") == NULL &&
	    strspn(tz,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789/_+-,.:<>") == strlen(tz);
}

char *
priv_sanitize(void)
{
	const char *conf = getenv("MAILOUT_CONF"), *tz = getenv("TZ");
	char *keep_conf = conf != NULL ? xstrdup(conf) : NULL;
	char *keep_tz = tz != NULL && tz_ok(tz) ? xstrdup(tz) : NULL;
	struct rlimit none = {0, 0};

	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
	if (keep_tz != NULL)
		setenv("TZ", keep_tz, 1);
	free(keep_tz);
	umask(007);
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return keep_conf;
}

int
priv_setgid(void)
{
	return getegid() != getgid();
}

int
priv_drop(void)
{
	gid_t g = getgid(), was = getegid();

	if (was == g)
		return 0;
	if (setresgid(g, g, g) < 0 || getegid() != g)
		return -1;
	/* It must not be possible to get it back. */
	return setegid(was) == 0 ? -1 : 0;
}

int
priv_open_as_user(const char *path, int flags, int mode)
{
	gid_t was = getegid();
	int fd, saved;

	if (was != getgid() && setegid(getgid()) < 0)
		return -1;
	fd = open(path, flags, mode);
	saved = errno;
	if (getegid() != was && setegid(was) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = saved;
	return fd;
}
