/*
 * Address lists: an I/O-free parser for RFC 5322 3.4 with the obsolete
 * syntax of 4.4 (routes, null members, CFWS around dots, comments
 * anywhere), giving addr-specs in the minimum quoting of RFC 5321 4.1.2.
 *
 * Beyond RFC 5322, a mailbox may be a bare local part without "@domain"
 * ("root", "<fail2ban>") because cron, sudo and many daemons write such
 * addresses; it is accepted only when it looks like a login name (see
 * addr_is_login_name) and is reported with domain == NULL so the caller
 * can qualify it.
 */
#ifndef MAILOUT_ADDR_H
#define MAILOUT_ADDR_H

#include <stddef.h>

struct buf;
struct err;

struct addr {
	char *spec; /* canonical addr-spec ("local@domain", or "local") */
	char *local; /* canonical local part (quoted only where needed) */
	char *domain; /* domain as written without CFWS, NULL if absent */
	/*
	 * Where the addr-spec stands in the parsed text, as offsets: for an
	 * angle-addr the part between "<" and ">" (route included), for a
	 * bare addr-spec the addr-spec itself without surrounding CFWS.
	 * Replacing input[start..end) with a new addr-spec rewrites this one
	 * address and keeps display names, comments and folding.
	 */
	size_t start;
	size_t end;
	int angle; /* written as an angle-addr */
};

struct addr_list {
	struct addr *v;
	size_t n;
	size_t cap;
};

#define ADDR_LIST_INIT \
	{ \
		NULL, 0, 0 \
	}

/*
 * Parse an address-list field body (what follows "To:"), folded or not:
 * CRLF followed by WSP counts as white space.  Empty groups, comment-only
 * lists and null members yield nothing.  On success the addresses are
 * appended to out in order and 0 is returned.  On a malformed list
 * nothing is appended, e is set (ERR_DATA, message naming the problem
 * and its offset) and -1 is returned; no fragment of a bad list is ever
 * returned.
 */
int addr_parse_list(const char *s, size_t len, struct addr_list *out,
    struct err *e);

/*
 * Parse a single address given on the command line or in the
 * configuration: "a@b", "<a@b>", "Name <a@b>", or a bare login name.
 * The null path ("<>" or "") is accepted only when allow_null is set and
 * yields spec "".  Returns 0, or -1 with e set.
 */
int
addr_parse_one(const char *s, struct addr *out, int allow_null, struct err *e);

/* Is s usable as an unqualified local address ([A-Za-z0-9._-], 1-64)? */
int addr_is_login_name(const char *s, size_t len);

/*
 * Canonical form of a local part: the dot-atom if it is one, else a
 * quoted-string escaping only '"' and '\' (RFC 5321 4.1.2).
 */
char *addr_quote_local(const char *local, size_t len);

/*
 * Append s[0..len) as a quoted-string (RFC 5322 3.2.4) that escapes only
 * '"' and '\' (RFC 5321 4.1.2).
 */
void addr_put_quoted(struct buf *b, const char *s, size_t len);

void addr_free(struct addr *a);
void addr_list_free(struct addr_list *l);

#endif
