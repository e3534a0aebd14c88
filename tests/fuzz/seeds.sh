#!/bin/sh
# seeds.sh SRCDIR OUTDIR: seed inputs for each fuzz target, made from the
# test vectors: OUTDIR/TARGET for each tests/fuzz/fuzz_TARGET.c.
src=$1
out=$2
for t in $(cd "$src/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//'); do
	mkdir -p "$out/$t"
done
i=0
for f in "$src/tests/data/address-cases.tsv" "$src/tests/data/address-invalid.tsv"; do
	tail -n +2 "$f" | cut -f1 | while IFS= read -r line; do
		i=$((i + 1))
		printf '%s' "$line" >"$out/addr/$(basename "$f" .tsv).$i"
	done
done
for f in "$src"/tests/data/rfc5322-appendix-a/*.eml "$src"/tests/data/messages/*.eml; do
	cp "$f" "$out/header/"
	# Each To, Cc, Bcc value is an address list too.
	grep -i '^\(to\|cc\|bcc\)[ ]*:' "$f" | sed 's/^[^:]*: *//' |
		tr -d '\r' >"$out/addr/$(basename "$f").lists"
done
i=0
for line in 'EHLO client.example' 'HELO [127.0.0.1]' \
	'MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME' 'MAIL FROM:<>' \
	'RCPT TO:<"a>b"@example.com>' 'RCPT TO:<@r.example:x@y.example>' \
	'DATA' 'RSET' 'NOOP' 'QUIT' 'VRFY root' 'BDAT 10 LAST'; do
	i=$((i + 1))
	printf '%s' "$line" >"$out/smtpcmd/$i"
done
printf 'version\t1\ncreated\t1764323400\nnext\t1764324000\nattempts\t2\nuid\t0\naccount\twork\nbounce\t1\nerror\t451 4.3.0 later\nsender\tbob@example.org\nrcpt\tP\t0\ta@example.com\nrcpt\tS\t250\t"x y"@example.com\t250 2.1.5 Ok\nrcpt\tF\t550\tc@example.com\t550 5.1.1 no\n' >"$out/qentry/1"
printf 'version\t1\ncreated\t1764323400\nnext\t1764324000\nattempts\t1\nwait\trcpt\nuid\t1000\nerror\t1 of 2 recipients not accepted\nsender\tbob@example.org\nrcpt\tP\t450\ta@example.com\t450 4.2.1 try later\nrcpt\tS\t250\tb@example.com\t250 2.1.5 Ok\n' >"$out/qentry/2"
printf 'version\t1\ncreated\t1764323400\nnext\t1764324000\nattempts\t0\nuid\t1000\nnotify\tSUCCESS,FAILURE\nret\tHDRS\nenvid\tQQ314159\nsender\tbob@example.org\nrcpt\tP\t0\tops@example.org\norcpt\troot@example.org\nrcpt\tP\t0\tb@example.com\n' >"$out/qentry/3"
cp "$src/etc/mailout.conf" "$out/conf/example"
# A relay's replies: pipelined, refused, multi-line, DATA taken for nobody.
printf '\004250 ok\n250 a\n354 go\n250 queued\n' >"$out/smtptx/1"
printf '\025250 reset\n451 later\n503 a\n503 b\n554 no\n' >"$out/smtptx/2"
printf '\001250-a\n250 b\n550 x\n452 y\n354 go\n250 ok\n' >"$out/smtptx/3"
printf '\014250 ok\n550 a\n354 go\n554 none\n' >"$out/smtptx/4"
printf '\010250 ok\n250 a\n250 queued\n' >"$out/smtptx/5"
printf '\054250 ok\n550 a\n554 none\n' >"$out/smtptx/6"
printf 'host = "a"; port = 25; tls = "none";\naccounts = ( { name = "x"; match = ("*@a", "b@*"); host = "b"; } );\nqueue_lifetime = "5d"; retry_min = 60;\n' >"$out/conf/accounts"
