/*
 * A relay's certificate as libcurl hands it over (PEM): its SHA-256
 * fingerprint and the pin of its public key, for tls_fingerprint and
 * --server-info.  Pure functions over bytes.
 */
#ifndef MAILOUT_CERT_H
#define MAILOUT_CERT_H

#include <stddef.h>

#include "sha256.h"

struct buf;

/* The DER of the first certificate in pem.  Returns 0, or -1 if none. */
int cert_pem_to_der(const char *pem, struct buf *der);

/* "AB:CD:...": SHA-256 of the DER, as "openssl x509 -fingerprint" prints. */
char *cert_fingerprint(const void *der, size_t n);

/*
 * "sha256//BASE64": SHA-256 of the certificate's SubjectPublicKeyInfo
 * (RFC 5280 4.1), the form libcurl pins (CURLOPT_PINNEDPUBLICKEY).
 * NULL when the DER is not a certificate.
 */
char *cert_key_pin(const void *der, size_t n);

/*
 * A certificate fingerprint as written in the configuration: 64 hex
 * digits, with or without a colon between octets.  Returns 0, or -1.
 */
int cert_parse_fingerprint(const char *s, unsigned char out[SHA256_LEN]);

#endif
