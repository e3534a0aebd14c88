#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "paths.h" /* QUEUE_USER */
#include "sysinfo.h"
#include "xalloc.h"

/*
 * Each fact is looked up once per process, its absence too: neither the
 * real user nor the host's name changes while mailout runs, and each
 * lookup reads files (/etc/passwd, /etc/hosts) or asks a resolver.
 */
static struct {
	int looked_up;
	int assumed; /* uid is set by sys_assume_user(), not getuid() */
	uid_t uid;
	gid_t gid; /* the password entry's group */
	char *login; /* NULL: the uid has no name */
	char *fullname; /* NULL: none */
} user;

void
sys_assume_user(uid_t uid)
{
	free(user.login);
	free(user.fullname);
	memset(&user, 0, sizeof(user));
	user.assumed = 1;
	user.uid = uid;
}

static struct {
	int looked_up;
	int is_it; /* the real user is QUEUE_USER */
} queue_user;

static struct {
	int looked_up;
	char *host; /* gethostname(), NULL if none */
	char *fqdn; /* NULL if none */
} names;

/* The GECOS field up to its first comma, "&" for the login capitalised. */
static char *
gecos_name(const struct passwd *pw)
{
	struct buf b = BUF_INIT;
	const char *g;

	if (pw->pw_gecos == NULL)
		return NULL;
	for (g = pw->pw_gecos; *g != '\0' && *g != ','; g++) {
		if (*g != '&') {
			buf_putc(&b, *g);
			continue;
		}
		if (pw->pw_name != NULL && pw->pw_name[0] != '\0') {
			buf_putc(&b, toupper((unsigned char)pw->pw_name[0]));
			buf_puts(&b, pw->pw_name + 1);
		}
	}
	if (b.len == 0)
		return NULL;
	return buf_release(&b);
}

static void
lookup_user(void)
{
	struct passwd *pw;

	if (user.looked_up)
		return;
	user.looked_up = 1;
	if (!user.assumed)
		user.uid = getuid();
	pw = getpwuid(user.uid);
	if (pw == NULL)
		return;
	if (pw->pw_name != NULL && pw->pw_name[0] != '\0')
		user.login = xstrdup(pw->pw_name);
	user.gid = pw->pw_gid;
	user.fullname = gecos_name(pw);
}

uid_t
sys_uid(void)
{
	lookup_user();
	return user.uid;
}

char *
sys_username(struct err *e)
{
	lookup_user();
	if (user.login == NULL) {
		err_set(e, ERR_CONFIG,
		    "uid %lu has no user name; use -f or set \"from\"",
		    (unsigned long)user.uid);
		return NULL;
	}
	return xstrdup(user.login);
}

char *
sys_fullname(void)
{
	lookup_user();
	return user.fullname != NULL ? xstrdup(user.fullname) : NULL;
}

char **
sys_groups(size_t *n)
{
	gid_t *gids = NULL;
	int i, want, have = 16;
	char **list;
	struct group *gr;

	*n = 0;
	lookup_user();
	if (user.login == NULL)
		return NULL;
	for (;;) {
		gids = xreallocarray(gids, (size_t)have, sizeof(*gids));
		want = have;
		if (getgrouplist(user.login, user.gid, gids, &want) >= 0)
			break;
		have = want > have ? want : have * 2;
	}
	list = xcalloc((size_t)want + 1, sizeof(*list));
	for (i = 0; i < want; i++)
		if ((gr = getgrgid(gids[i])) != NULL)
			list[(*n)++] = xstrdup(gr->gr_name);
	free(gids);
	return list;
}

int
sys_is_queue_user(void)
{
	struct passwd *pw;

	if (!queue_user.looked_up) {
		queue_user.looked_up = 1;
		pw = getpwnam(QUEUE_USER);
		queue_user.is_it = pw != NULL && pw->pw_uid == getuid();
	}
	return queue_user.is_it;
}

char *
sys_mailname(void)
{
	char *line = NULL, *name = NULL;
	size_t cap = 0, n;
	FILE *fp;

	fp = fopen("/etc/mailname", "re");
	if (fp == NULL)
		return NULL;
	if (getline(&line, &cap, fp) > 0) {
		n = strcspn(line, " \t\r\n");
		if (n > 0)
			name = xstrndup(line, n);
	}
	free(line);
	fclose(fp);
	return name;
}

/* A short name: ask the resolver (normally /etc/hosts) for more. */
static char *
canonical_name(const char *host)
{
	struct addrinfo hints, *res = NULL;
	char *fqdn = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.'))
		fqdn = xstrdup(res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
	return fqdn;
}

static void
lookup_names(void)
{
	char host[256];

	if (names.looked_up)
		return;
	names.looked_up = 1;
	/* Linux names are 64 octets at most; a longer one fails here
	 * (ENAMETOOLONG) rather than come back cut. */
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		return;
	host[sizeof(host) - 1] = '\0';
	names.host = xstrdup(host);
	names.fqdn =
	    strchr(host, '.') != NULL ? xstrdup(host) : canonical_name(host);
}

const char *
sys_hostname(void)
{
	lookup_names();
	return names.host;
}

const char *
sys_fqdn(void)
{
	lookup_names();
	return names.fqdn;
}
