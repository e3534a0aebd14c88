#!/bin/sh
# The fuzz targets over their seeds and over every input that ever made
# one fail (tests/fuzz/regress/TARGET/), without libFuzzer: part of
# "make check", under the sanitizers in CI.
: "${srcdir:=.}"
: "${builddir:=.}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mailout-replay.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
trap 'exit 99' HUP INT PIPE TERM
sh "$srcdir/tests/fuzz/seeds.sh" "$srcdir" "$T"
n=0
failed=0
# A target is a tests/fuzz/fuzz_TARGET.c; its replay_TARGET must be built.
for target in $(cd "$srcdir/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//'); do
	set --
	for f in "$T/$target"/* "$srcdir/tests/fuzz/regress/$target"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	n=$((n + 1))
	echo "no inputs (seeds.sh makes none)" >"$T/out"
	if [ $# -gt 0 ] &&
		"$builddir/tests/fuzz/replay_$target" "$@" >"$T/out" 2>&1; then
		echo "ok $n - $target: $# inputs"
	else
		failed=$((failed + 1))
		echo "not ok $n - $target"
		sed 's/^/# /' "$T/out" | grep -v '^# ok' | head -20
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
