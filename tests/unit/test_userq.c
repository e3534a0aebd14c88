/* The queue of a user's own configuration: where it is, how it is made. */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "err.h"
#include "tap.h"
#include "userq.h"
#include "xalloc.h"

static void
path(const char *state_home, const char *home, const char *want,
    const char *name)
{
	char *got = userq_path(state_home, home);

	is_str(got, want, name);
	free(got);
}

/* Each missing component made 0700; one there already is no error. */
static void
make(void)
{
	const char *tmp = getenv("TMPDIR");
	char *top = xasprintf("%s/mailout-test.XXXXXX", tmp ? tmp : "/tmp");
	char *dir, *cmd;
	struct stat st;
	struct err e = {0};

	if (mkdtemp(top) == NULL) {
		ok(0, "a scratch directory");
		free(top);
		return;
	}
	dir = xasprintf("%s/a/b/queue", top);
	is_int(userq_make(dir, &e), 0, "make: a path of three new directories");
	ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700,
	    "make: the queue directory is 0700");
	is_int(userq_make(dir, &e), 0, "make: again, once it exists");
	cmd = xasprintf("rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	free(cmd);
	free(dir);
	free(top);
}

int
main(void)
{
	path("/s", "/h", "/s/mailout/queue", "XDG_STATE_HOME first");
	path(NULL, "/h", "/h/.local/state/mailout/queue",
	    "no XDG_STATE_HOME: HOME/.local/state");
	path("", "/h", "/h/.local/state/mailout/queue",
	    "an empty XDG_STATE_HOME is unset");
	path("s", "/h", "/h/.local/state/mailout/queue",
	    "a relative XDG_STATE_HOME is ignored");
	path(NULL, "h", NULL, "a relative HOME: none");
	path(NULL, NULL, NULL, "nothing: none");
	make();
	return tap_done();
}
