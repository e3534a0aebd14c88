/*
 * Base64 (RFC 4648 4): SASL exchanges carry credentials in it (RFC 4954
 * 4), and certificates arrive from libcurl as PEM.
 */
#ifndef MAILOUT_BASE64_H
#define MAILOUT_BASE64_H

#include <stddef.h>

struct buf;

/* The encoding of p[0..n), with padding; the caller frees it. */
char *base64_encode(const void *p, size_t n);

/*
 * Append the decoding of s[0..n) to out.  White space is skipped (PEM
 * folds its lines).  Returns 0, or -1 for any other character outside
 * the alphabet or misplaced padding.
 */
int base64_decode(const char *s, size_t n, struct buf *out);

#endif
