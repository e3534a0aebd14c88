#include "config.h"

#include <curl/curl.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "https.h"
#include "transport.h"

struct sink {
	struct buf *body;
	int too_big;
};

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->body->len + n > HTTPS_BODY_MAX) {
		s->too_big = 1;
		return 0; /* libcurl stops: CURLE_WRITE_ERROR */
	}
	buf_append(s->body, p, n * size);
	return n * size;
}

static void
set_options(CURL *h, const struct https_request *rq, struct sink *s,
    char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	/* The environment's proxies are not ours (priv_sanitize() removes
	 * them anyway); the token goes straight to the endpoint. */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->ca_file != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, rq->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, rq->connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, rq->timeout);
	/* RFC 6749 3.2: POST, form-encoded; the reply is JSON (5.1). */
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->form);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->form));
	curl_easy_setopt(h, CURLOPT_USERAGENT,
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

int
https_post(const struct https_request *rq, struct https_reply *rp,
    struct err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = {&rp->body, 0};
	struct curl_slist *hdr;
	CURLcode rc;
	CURL *h;

	memset(rp, 0, sizeof(*rp));
	if (transport_global_init(e) < 0)
		return -1;
	if ((h = curl_easy_init()) == NULL)
		return err_set(e, ERR_OSERR, "cannot create a libcurl handle");
	hdr = curl_slist_append(NULL, "Accept: application/json");
	set_options(h, rq, &s, errbuf);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rp->status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	if (rc == CURLE_OK)
		return 0;
	buf_free(&rp->body);
	return err_set(e, ERR_TEMP, "%s: %s", rq->url,
	    s.too_big               ? "the reply is too large"
	        : errbuf[0] != '\0' ? errbuf
	                            : curl_easy_strerror(rc));
}

void
https_reply_free(struct https_reply *rp)
{
	buf_free(&rp->body);
	memset(rp, 0, sizeof(*rp));
}
