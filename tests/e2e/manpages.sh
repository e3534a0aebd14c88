#!/bin/sh
# The manual pages as "make install" installs them (man/mailout.8 and
# man/mailout.conf.5, built from the .in files): mandoc finds nothing to
# warn about, the mailq --json example is valid JSON in the very format
# mailout prints, and EXIT STATUS (and README) name every exit status
# that the program's source can give, and no other.
. "${srcdir:-.}/tests/e2e/lib.sh"

MAN8=$builddir/man/mailout.8
MAN5=$builddir/man/mailout.conf.5

# Without mandoc nothing here can be checked: that is a failure, not a
# skip (Debian: mandoc; tests/debian-deps.sh installs it).
if ! command -v mandoc >/dev/null; then
	ok 1 "mandoc is installed"
	done_testing
	exit 1
fi

# --- mandoc: no warning, no error (its style notes are left to people)
for page in "$MAN8" "$MAN5"; do
	mandoc -Tlint -Wwarning "$page" >"$T/lint" 2>&1
	is "$?/$(cat "$T/lint")" "0/" "mandoc -Tlint -Wwarning ${page##*/}: nothing"
done

# --- the mailq --json example: as a reader sees it, joined up
mandoc -Tascii "$MAN8" | col -b >"$T/mailout.8.txt"
sed -n '/^[[:space:]]*{"queued"/,/}/p' "$T/mailout.8.txt" | tr -s ' \t\n' '   ' |
	sed 's/^ //; s/ $//' >"$T/example.json"
"$PYTHON3" -c 'import json, sys; json.load(open(sys.argv[1]))' \
	"$T/example.json" 2>"$T/json.err"
ok $? "mailout.8: the mailq --json example is valid JSON"
[ -s "$T/json.err" ] && sed 's/^/#   /' "$T/example.json" "$T/json.err"
# The real thing, from an empty queue: the same keys, in the same order,
# the same separators; only the figures differ.
conf "$T/c.conf" "$(free_port)"
"$MAILOUT" -C "$T/c.conf" -bp --json >"$T/real.json"
is "$(sed 's/[0-9][0-9]*/N/g' "$T/example.json")" \
	"$(sed 's/[0-9][0-9]*/N/g' "$T/real.json")" \
	"mailout.8: the mailq --json example is what mailout -bp --json prints"

# --- exit statuses: every <sysexits.h> name the program's source uses
# (exitcode.c's table, and main.c and xalloc.c directly), with its value
# from <sysexits.h>.
grep -oh '\bEX_[A-Z]*\b' "$srcdir"/src/*.c | sort -u >"$T/names"
sp='[[:space:]]'
sed -n "s/^#$sp*define$sp$sp*\(EX_[A-Z]*\)$sp$sp*\([0-9][0-9]*\).*/\1 \2/p" \
	/usr/include/sysexits.h >"$T/values"
sed -n 's/.*\[ERR_[A-Z]*\] = \(EX_[A-Z]*\),.*/\1/p' "$srcdir/src/exitcode.c" |
	sort -u >"$T/table"
[ -s "$T/table" ] && [ -z "$(comm -23 "$T/table" "$T/names")" ] &&
	grep -qx EX_OK "$T/table" && grep -qx EX_TEMPFAIL "$T/table"
ok $? "exitcode.c's table read: EX_OK and EX_TEMPFAIL in it"
# EXIT STATUS as items: ".It 0" for EX_OK, ".It EX_NAME (N)" for others.
sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /s/^\.It //p' "$MAN8" >"$T/items"
: >"$T/want"
for name in $(cat "$T/names"); do
	value=$(sed -n "s/^$name //p" "$T/values")
	if [ -z "$value" ]; then
		ok 1 "$name: a value in <sysexits.h>"
		continue
	fi
	item="$name ($value)"
	[ "$name" = EX_OK ] && item=0
	echo "$item" >>"$T/want"
	grep -qxF "$item" "$T/items"
	ok $? "mailout.8 EXIT STATUS: $item"
	# README's paragraph names the number, as "75 not sent...".
	sed -n '/^Exit status$/,/See mailout(8)/p' "$srcdir/README" |
		tr -s ' \n(' '\n\n\n' | grep -qx "$value"
	ok $? "README Exit status: $value"
done
is "$(grep -vxF -f "$T/want" "$T/items")" "" \
	"mailout.8 EXIT STATUS: no status that the source never gives"

done_testing
