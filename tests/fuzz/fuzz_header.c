/*
 * Fuzz target: the header reader.  Fields must tile the header section in
 * order, lie inside the input, and unfolding must never grow a value.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "header.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t section = hdr_section_len(p, size), at = 0;
	struct hdr_iter it;
	struct hdr_field f;
	struct buf b = BUF_INIT;

	FUZZ_ASSERT(section <= size);
	hdr_iter_init(&it, p, size);
	while (hdr_next(&it, &f)) {
		FUZZ_ASSERT(f.raw == p + at);
		FUZZ_ASSERT(f.rawlen > 0 && at + f.rawlen <= section);
		FUZZ_ASSERT(f.name == f.raw && f.namelen > 0);
		FUZZ_ASSERT(f.value >= f.raw &&
		    f.value + f.valuelen <= f.raw + f.rawlen);
		buf_reset(&b);
		hdr_unfold(f.value, f.valuelen, &b);
		FUZZ_ASSERT(b.len <= f.valuelen);
		hdr_line_kind(f.raw, f.rawlen);
		at += f.rawlen;
	}
	hdr_longest_line(p, size);
	buf_free(&b);
	return 0;
}
