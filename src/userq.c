#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "priv.h"
#include "userq.h"
#include "xalloc.h"

char *
userq_path(const char *state_home, const char *home)
{
	if (state_home != NULL && state_home[0] == '/')
		return xasprintf("%s/mailout/queue", state_home);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/state/mailout/queue", home);
	return NULL;
}

char *
userq_dir(struct err *e)
{
	const char *home = priv_caller_env("HOME");
	struct passwd *pw;
	char *dir;

	if (priv_held()) {
		err_set(e, ERR_SOFTWARE,
		    "a user's queue while holding the group");
		return NULL;
	}
	if ((home == NULL || home[0] != '/') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	dir = userq_path(priv_caller_env("XDG_STATE_HOME"), home);
	if (dir == NULL)
		err_set(e, ERR_CONFIG,
		    "no queue: neither HOME nor the password entry names a "
		    "home directory; set queue_dir");
	return dir;
}

int
userq_make(const char *dir, struct err *e)
{
	char *p = xstrdup(dir), *slash = p;
	int rc = 0;

	/* Each component in turn: those that exist are left as they are. */
	while (rc == 0 && slash != NULL) {
		slash = strchr(slash + 1, '/');
		if (slash != NULL)
			*slash = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = err_sys(e, ERR_CANTCREAT, "cannot create %s", p);
		if (slash != NULL)
			*slash = '/';
	}
	free(p);
	return rc;
}
