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

/* What priv_caller_env() gives: names, and the values found. */
static const char *const caller_names[] = {"HOME", "XDG_STATE_HOME"};
static char *caller_values[sizeof(caller_names) / sizeof(caller_names[0])];

const char *
priv_caller_env(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(caller_names) / sizeof(caller_names[0]); i++)
		if (strcmp(name, caller_names[i]) == 0)
			return caller_values[i];
	return NULL;
}

char *
priv_sanitize(void)
{
	const char *conf = getenv("MAILOUT_CONF"), *tz = getenv("TZ");
	char *keep_conf = conf != NULL ? xstrdup(conf) : NULL;
	char *keep_tz = tz != NULL && tz_ok(tz) ? xstrdup(tz) : NULL;
	struct rlimit none = {0, 0};
	size_t i;

	for (i = 0; i < sizeof(caller_names) / sizeof(caller_names[0]); i++) {
		const char *v = getenv(caller_names[i]);

		free(caller_values[i]);
		caller_values[i] = v != NULL ? xstrdup(v) : NULL;
	}
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

/* Are the real, effective and saved group IDs all g? */
static int
only_group(gid_t g)
{
	gid_t r, e, s;

	return getresgid(&r, &e, &s) == 0 && r == g && e == g && s == g;
}

int
priv_drop(void)
{
	gid_t g = getgid(), r, e, s;

	if (getresgid(&r, &e, &s) < 0)
		return -1;
	if (e == g && s == g)
		return 0;
	if (setresgid(g, g, g) < 0)
		return -1;
	/* It must not be possible to get it back, except for root, who can
	 * take any group (and has no need of this one's). */
	if (!only_group(g) ||
	    (geteuid() != 0 && setegid(e != g ? e : s) == 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
priv_held(void)
{
	uid_t ru, eu, su;
	gid_t r, e, s;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&r, &e, &s) < 0)
		return 1;
	return eu != ru || su != ru || e != r || s != r;
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
