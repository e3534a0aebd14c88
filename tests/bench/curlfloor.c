/*
 * curlfloor: the libcurl floor of the benchmarks.  What any program that
 * sends mail through libcurl pays at the least: curl_global_init(), one
 * easy handle, a read callback over the file.  The file must already be
 * in CRLF form, as a program that normalises its input would hand it to
 * libcurl; libcurl stuffs the dots.
 *
 * usage: curlfloor [--tls cafile --user user --pass password]
 *                  host port from rcpt file...
 *
 * rcpt is an address, or @path for a file of addresses, one a line.  Each
 * file is one transfer on the same handle, so they share one connection.
 * With --tls: STARTTLS required, the certificate checked against cafile,
 * then AUTH PLAIN.  "curlfloor --version" prints the libcurl in use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define HELO "bench.example.org"

struct opts {
	const char *cafile, *user, *pass;
	const char *host, *port, *from, *rcpt;
	char **files;
	int nfiles;
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	FILE *f = arg;
	size_t n = fread(buf, 1, size * nitems, f);

	if (n == 0 && ferror(f))
		return CURL_READFUNC_ABORT;
	return n;
}

static void
usage(void)
{
	fputs("usage: curlfloor [--tls cafile --user user --pass password]\n"
	      "                 host port from rcpt|@file file...\n",
	    stderr);
	exit(2);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	int i = 1;

	memset(o, 0, sizeof(*o));
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--tls") == 0)
			o->cafile = argv[i + 1];
		else if (strcmp(argv[i], "--user") == 0)
			o->user = argv[i + 1];
		else if (strcmp(argv[i], "--pass") == 0)
			o->pass = argv[i + 1];
		else
			usage();
	}
	if (argc - i < 5 || (o->user == NULL) != (o->pass == NULL))
		usage();
	o->host = argv[i];
	o->port = argv[i + 1];
	o->from = argv[i + 2];
	o->rcpt = argv[i + 3];
	o->files = argv + i + 4;
	o->nfiles = argc - i - 4;
}

/*
 * The recipient, or the addresses in the file named after '@'.  Each node
 * is linked to the tail by hand: curl_slist_append() walks the whole list
 * to find its end, which makes a list of n addresses cost O(n^2).
 */
static struct curl_slist *
recipients(const char *rcpt)
{
	struct curl_slist *head = NULL, *tail = NULL, *node;
	char line[1024];
	FILE *f;

	if (rcpt[0] != '@')
		return curl_slist_append(NULL, rcpt);
	f = fopen(rcpt + 1, "r");
	if (f == NULL) {
		perror(rcpt + 1);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		node = curl_slist_append(NULL, line);
		if (node == NULL) {
			fputs("curlfloor: out of memory\n", stderr);
			exit(1);
		}
		if (tail != NULL)
			tail->next = node;
		else
			head = node;
		tail = node;
	}
	fclose(f);
	return head;
}

static void
set_options(CURL *h, const struct opts *o, struct curl_slist *rcpts)
{
	char url[512];

	snprintf(url, sizeof(url), "smtp://%s:%s/%s", o->host, o->port, HELO);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, o->from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	if (o->cafile != NULL) {
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cafile);
	}
	if (o->user != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, o->pass);
		curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, "AUTH=PLAIN");
	}
}

static int
send_file(CURL *h, const char *path)
{
	FILE *f = fopen(path, "rb");
	CURLcode rc;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_READDATA, f);
	rc = curl_easy_perform(h);
	fclose(f);
	if (rc != CURLE_OK) {
		fprintf(stderr, "curlfloor: %s: %s\n", path,
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct curl_slist *rcpts;
	CURL *h;
	int i, status = 0;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		puts(curl_version());
		return 0;
	}
	parse_args(argc, argv, &o);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (h = curl_easy_init()) == NULL) {
		fputs("curlfloor: cannot initialise libcurl\n", stderr);
		return 1;
	}
	rcpts = recipients(o.rcpt);
	set_options(h, &o, rcpts);
	for (i = 0; i < o.nfiles && status == 0; i++)
		if (send_file(h, o.files[i]) < 0)
			status = 1;
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpts);
	curl_global_cleanup();
	return status;
}
