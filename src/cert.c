#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "cert.h"
#include "xalloc.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

int
cert_pem_to_der(const char *pem, struct buf *der)
{
	const char *start = strstr(pem, PEM_BEGIN), *end;

	if (start == NULL)
		return -1;
	start += strlen(PEM_BEGIN);
	end = strstr(start, PEM_END);
	if (end == NULL)
		return -1;
	buf_reset(der);
	if (base64_decode(start, (size_t)(end - start), der) < 0 ||
	    der->len == 0)
		return -1;
	return 0;
}

char *
cert_fingerprint(const void *der, size_t n)
{
	unsigned char md[SHA256_LEN];
	struct buf b = BUF_INIT;
	size_t i;

	sha256(der, n, md);
	for (i = 0; i < SHA256_LEN; i++)
		buf_printf(&b, "%s%02X", i ? ":" : "", md[i]);
	return buf_release(&b);
}

/* DER (X.690 8.1): one element; its contents in *val, all of it in *all. */
struct der {
	const unsigned char *p;
	size_t n;
};

static int
der_next(struct der *d, int *tag, struct der *val, struct der *all)
{
	size_t len = 0, hdr = 2, i, nlen;

	if (d->n < 2)
		return -1;
	*tag = d->p[0];
	if (d->p[1] < 0x80) {
		len = d->p[1];
	} else {
		nlen = d->p[1] & 0x7f;
		if (nlen == 0 || nlen > 4 || d->n < 2 + nlen)
			return -1;
		for (i = 0; i < nlen; i++)
			len = len << 8 | d->p[2 + i];
		hdr += nlen;
	}
	if (len > d->n - hdr)
		return -1;
	val->p = d->p + hdr;
	val->n = len;
	all->p = d->p;
	all->n = hdr + len;
	d->p += hdr + len;
	d->n -= hdr + len;
	return 0;
}

#define DER_SEQUENCE 0x30
#define DER_VERSION 0xa0 /* [0] EXPLICIT Version */

/* RFC 5280 4.1: Certificate -> tbsCertificate -> subjectPublicKeyInfo. */
static int
der_spki(const void *p, size_t n, struct der *spki)
{
	struct der d = {p, n}, cert, tbs, val, all;
	int tag, i;

	if (der_next(&d, &tag, &cert, &all) < 0 || tag != DER_SEQUENCE ||
	    der_next(&cert, &tag, &tbs, &all) < 0 || tag != DER_SEQUENCE)
		return -1;
	/* version (optional), serialNumber, signature, issuer, validity,
	 * subject, then subjectPublicKeyInfo. */
	for (i = 0; i < 7; i++) {
		if (der_next(&tbs, &tag, &val, &all) < 0)
			return -1;
		if (i == 0 && tag != DER_VERSION)
			i++;
	}
	if (tag != DER_SEQUENCE)
		return -1;
	*spki = all;
	return 0;
}

char *
cert_key_pin(const void *der, size_t n)
{
	unsigned char md[SHA256_LEN];
	struct der spki;
	char *b64, *pin;

	if (der_spki(der, n, &spki) < 0)
		return NULL;
	sha256(spki.p, spki.n, md);
	b64 = base64_encode(md, sizeof(md));
	pin = xasprintf("sha256//%s", b64);
	free(b64);
	return pin;
}

static int
hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
cert_parse_fingerprint(const char *s, unsigned char out[SHA256_LEN])
{
	size_t i;
	int hi, lo;

	for (i = 0; i < SHA256_LEN; i++) {
		if (i > 0 && *s == ':')
			s++;
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return *s == '\0' ? 0 : -1;
}
