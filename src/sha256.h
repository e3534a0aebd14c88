/*
 * SHA-256 (FIPS 180-4): the fingerprint of a relay's certificate, as
 * tls_fingerprint pins it and --server-info shows it.
 */
#ifndef MAILOUT_SHA256_H
#define MAILOUT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

void sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);

#endif
