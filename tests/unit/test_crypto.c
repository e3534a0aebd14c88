/* Base64 (RFC 4648), SHA-256 (FIPS 180-4) and certificate fingerprints. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "cert.h"
#include "sha256.h"
#include "tap.h"
#include "xalloc.h"

static void
encode(const char *in, const char *want)
{
	char *got = base64_encode(in, strlen(in));
	char *name = xasprintf("encode \"%s\"", in);

	is_str(got, want, name);
	free(got);
	free(name);
}

static void
decode(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	char *name = xasprintf("decode \"%s\"", in);
	int rc = base64_decode(in, strlen(in), &b);

	is_str(rc == 0 ? buf_cstr(&b) : NULL, want, name);
	buf_free(&b);
	free(name);
}

static void
base64(void)
{
	/* RFC 4648 10. */
	encode("", "");
	encode("f", "Zg==");
	encode("fo", "Zm8=");
	encode("foo", "Zm9v");
	encode("foob", "Zm9vYg==");
	encode("fooba", "Zm9vYmE=");
	encode("foobar", "Zm9vYmFy");
	decode("Zm9vYmFy", "foobar");
	decode("Zm9vYg==", "foob");
	decode("Zm9v\nYmE=\r\n", "fooba");
	decode("Zm9v!mFy", NULL);
	decode("Zg==Zg==", NULL);
	decode("Zh==", NULL); /* bits left over that are not zero */
}

static char *
hex(const unsigned char *p, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%02x", p[i]);
	return buf_release(&b);
}

static void
digest(const char *in, size_t n, const char *want, const char *name)
{
	unsigned char md[SHA256_LEN];
	char *got;

	sha256(in, n, md);
	got = hex(md, sizeof(md));
	is_str(got, want, name);
	free(got);
}

static void
sha(void)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = xmalloc(1000000);

	/* FIPS 180-2 appendix B, and the empty string. */
	digest("abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 abc");
	digest("", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of nothing");
	digest(two_blocks, strlen(two_blocks),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "sha256 of 56 octets (padding in a second block)");
	memset(million, 'a', 1000000);
	digest(million, 1000000,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million a");
	free(million);
}

static void
fingerprints(void)
{
	unsigned char fp[SHA256_LEN];
	struct buf der = BUF_INIT;
	static const char colons[] =
	    "E1:B4:CD:76:64:01:16:B5:AB:94:DA:12:88:42:45:72:EF:14:BB:41:DB:"
	    "DA:25:92:A0:6B:E7:0A:9C:EE:0A:93";
	char *s;

	is_int(cert_parse_fingerprint(colons, fp), 0,
	    "fingerprint with colons");
	is_int(fp[0] == 0xe1 && fp[31] == 0x93, 1, "fingerprint octets");
	is_int(cert_parse_fingerprint("e1b4cd76640116b5ab94da1288424572ef14bb4"
	                              "1dbda2592a06be70a9cee0a93",
	           fp),
	    0, "fingerprint in lower case without colons");
	is_int(cert_parse_fingerprint("E1:B4", fp), -1,
	    "fingerprint too short");
	is_int(cert_parse_fingerprint("e1b4cd76640116b5ab94da1288424572ef14bb4"
	                              "1dbda2592a06be70a9cee0a9300",
	           fp),
	    -1, "fingerprint too long");
	is_int(cert_parse_fingerprint("x1b4cd76640116b5ab94da1288424572ef14bb4"
	                              "1dbda2592a06be70a9cee0a93",
	           fp),
	    -1, "fingerprint with a non-hex digit");
	s = cert_fingerprint("abc", 3);
	is_str(s,
	    "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:"
	    "A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
	    "fingerprint written as openssl does");
	free(s);
	is_int(cert_pem_to_der("no certificate here", &der), -1,
	    "PEM without a certificate");
	is_int(cert_pem_to_der("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n"
	                       "-----END CERTIFICATE-----\n",
	           &der),
	    0, "PEM decoded");
	is_int((long long)der.len, 5, "PEM: the DER octets");
	ok(cert_key_pin(der.data, der.len) == NULL,
	    "key pin of something that is not a certificate: none");
	buf_free(&der);
}

int
main(void)
{
	base64();
	sha();
	fingerprints();
	return tap_done();
}
