/* The spooler: line-end normalisation, the "." line, the header section. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "spool.h"
#include "tap.h"

struct result {
	struct buf file;
	struct buf head;
	long long body_off;
	int headnul;
	size_t maxline;
	int body8bit, bodynul, bodyutf8;
};

/* Spool input in chunks of chunk octets (0: all at once). */
static void
spool_in(const char *in, size_t len, int dot_ends, size_t chunk,
    struct result *r)
{
	struct spool sp;
	struct err e = {0};
	char b[4096];
	ssize_t n;
	size_t off;

	memset(r, 0, sizeof(*r));
	if (spool_open(&sp, "/tmp", dot_ends, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	for (off = 0; off < len; off += chunk ? chunk : len) {
		size_t n1 = chunk && len - off > chunk ? chunk : len - off;
		spool_write(&sp, in + off, n1, &e);
	}
	spool_finish(&sp, &e);
	lseek(sp.fd, 0, SEEK_SET);
	while ((n = read(sp.fd, b, sizeof(b))) > 0)
		buf_append(&r->file, b, (size_t)n);
	buf_append(&r->head, sp.head.data, sp.head.len);
	r->body_off = (long long)spool_body_offset(&sp);
	r->headnul = sp.headnul;
	r->maxline = sp.maxline;
	r->body8bit = sp.body8bit;
	r->bodynul = sp.bodynul;
	r->bodyutf8 = utf8_ok(&sp.bodyutf8);
	spool_close(&sp);
}

static void
check(const char *name, const char *in, int dot_ends, const char *want)
{
	static const size_t chunks[] = {0, 1, 2, 3, 7};
	char label[256];
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct result r;

		spool_in(in, strlen(in), dot_ends, chunks[i], &r);
		snprintf(label, sizeof(label), "%s (chunks of %zu)", name,
		    chunks[i]);
		is_str(buf_cstr(&r.file), want, label);
		buf_free(&r.file);
		buf_free(&r.head);
	}
}

static void
check_head(const char *name, const char *in, const char *head,
    long long body_off)
{
	struct result r;
	char label[256];

	spool_in(in, strlen(in), 0, 0, &r);
	snprintf(label, sizeof(label), "%s: header section", name);
	is_str(buf_cstr(&r.head), head, label);
	snprintf(label, sizeof(label), "%s: body offset", name);
	is_int(r.body_off, body_off, label);
	buf_free(&r.file);
	buf_free(&r.head);
}

/* What the body alone holds, in every chunking of the input. */
static void
check_body(const char *name, const char *in, size_t len, int b8, int nul,
    int utf8)
{
	static const size_t chunks[] = {0, 1, 2, 3};
	struct result r;
	char label[256];
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		spool_in(in, len, 0, chunks[i], &r);
		snprintf(label, sizeof(label), "%s (chunks of %zu)", name,
		    chunks[i]);
		ok(r.body8bit == b8 && r.bodynul == nul && r.bodyutf8 == utf8,
		    label);
		buf_free(&r.file);
		buf_free(&r.head);
	}
}

/* Whether the header section holds a NUL, in every chunking. */
static void
check_headnul(const char *name, const char *in, size_t len, int want)
{
	static const size_t chunks[] = {0, 1, 2, 3};
	struct result r;
	char label[256];
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		spool_in(in, len, 0, chunks[i], &r);
		snprintf(label, sizeof(label), "%s (chunks of %zu)", name,
		    chunks[i]);
		is_int(r.headnul, want, label);
		buf_free(&r.file);
		buf_free(&r.head);
	}
}

/* A string literal and its length, NULs included. */
#define S(lit) lit, sizeof(lit) - 1

static void
body_facts(void)
{
	check_body("8-bit header, ASCII body",
	    S("Subject: caf\xc3\xa9\n\nplain\n"), 0, 0, 1);
	check_body("UTF-8 body", S("To: x\n\ncaf\xc3\xa9 \xe2\x82\xac\n"), 1, 0,
	    1);
	check_body("Latin-1 body", S("To: x\n\ncaf\xe9\n"), 1, 0, 0);
	check_body("character cut by a line end", S("To: x\n\n\xc3\n\xa9\n"), 1,
	    0, 0);
	check_body("overlong form", S("To: x\n\n\xc0\xaf\n"), 1, 0, 0);
	check_body("surrogate", S("To: x\n\n\xed\xa0\x80\n"), 1, 0, 0);
	check_body("first body line without a blank line",
	    S("To: x\nno colon \xff\n"), 1, 0, 0);
	check_body("NUL in the body", S("To: x\n\na\0b\n"), 0, 1, 1);
	check_body("NUL in the header only", S("X-A: a\0b\n\nb\n"), 0, 0, 1);
}

/* A NUL counts for the header section only where the line ends up. */
static void
head_facts(void)
{
	char *l;
	size_t n;

	check_headnul("NUL in a field", S("X-A: a\0b\n\nb\n"), 1);
	check_headnul("NUL in a continuation line", S("To: a,\n b\0c\n\nx\n"),
	    1);
	check_headnul("NUL in the body", S("To: x\n\na\0b\n"), 0);
	check_headnul("NUL in the first body line, no blank line",
	    S("To: x\nno\0colon\n"), 0);
	check_headnul("NUL in a dropped mbox From line",
	    S("From a\0b\nTo: x\n\nb\n"), 0);
	/* A line too long to be a field leaves for the body before its end. */
	n = 6 + 1200 + 1;
	l = malloc(n);
	memcpy(l, "To: x\n", 6);
	memset(l + 6, 'a', 1200);
	l[6 + 3] = '\0';
	l[n - 1] = '\n';
	check_headnul("NUL in a long first body line", l, n, 0);
	free(l);
}

int
main(void)
{
	struct result r;
	char *big;

	check("LF", "a\nb\n", 0, "a\r\nb\r\n");
	check("CRLF", "a\r\nb\r\n", 0, "a\r\nb\r\n");
	check("mixed", "a\r\nb\nc\r\n", 0, "a\r\nb\r\nc\r\n");
	check("lone CR", "a\rb\n", 0, "a\r\nb\r\n");
	check("CR CR LF", "a\r\r\nb\r\r\n", 0, "a\r\nb\r\n");
	check("no final newline", "a\nb", 0, "a\r\nb\r\n");
	check("final lone CR", "a\r", 0, "a\r\n");
	check("empty lines", "\n\n", 0, "\r\n\r\n");
	check("empty input", "", 0, "");
	check("dot ends input", "a\n.\nb\n", 1, "a\r\n");
	check("dot CRLF ends input", "a\r\n.\r\nb\r\n", 1, "a\r\n");
	check("dot at EOF ends input", "a\n.", 1, "a\r\n");
	check("dot lone CR ends input", "a\n.\rb\n", 1, "a\r\n");
	check("dots kept", "a\n..\n.x\n...\n", 1, "a\r\n..\r\n.x\r\n...\r\n");
	check("dot kept with -i", "a\n.\nb\n", 0, "a\r\n.\r\nb\r\n");
	check("dot first line ends", ".\nb\n", 1, "");
	check("dot mid-line", "a.\n", 1, "a.\r\n");
	check("mbox From line dropped", "From a@b Sat Nov 28\nTo: x\n\nb\n", 0,
	    "To: x\r\n\r\nb\r\n");
	check("From line later kept", "To: x\n\nFrom a@b\n", 0,
	    "To: x\r\n\r\nFrom a@b\r\n");

	check_head("blank line", "To: x\nSubject: y\n\nbody\n",
	    "To: x\r\nSubject: y\r\n\r\n", 21);
	check_head("folded", "To: x,\n y\n\nb\n", "To: x,\r\n y\r\n\r\n", 14);
	check_head("no blank line", "To: x\nbody line\nmore\n", "To: x\r\n", 7);
	check_head("no header", "just text\n", "", 0);
	check_head("obs WSP before colon", "To  : x\n\nb\n", "To  : x\r\n\r\n",
	    11);

	spool_in("To: x\n\nabc\xc3\xa9\n12345\n", 19, 0, 0, &r);
	ok(r.body8bit && !r.bodynul && !r.headnul, "8-bit octet noticed");
	is_int((long long)r.maxline, 5, "longest body line");
	buf_free(&r.file);
	buf_free(&r.head);
	spool_in("To: x\n\na\0b\n", 11, 0, 0, &r);
	ok(r.bodynul && !r.body8bit && !r.headnul, "NUL octet noticed");
	buf_free(&r.file);
	buf_free(&r.head);

	body_facts();
	head_facts();

	/* A 1 MiB line that is no header goes to the body, not to memory. */
	big = malloc(1 << 20);
	memset(big, 'x', 1 << 20);
	spool_in(big, 1 << 20, 0, 4096, &r);
	is_int((long long)r.file.len, (1 << 20) + 2, "1 MiB line spooled");
	is_int((long long)r.head.len, 0, "1 MiB line is not a header");
	buf_free(&r.file);
	buf_free(&r.head);
	free(big);
	return tap_done();
}
