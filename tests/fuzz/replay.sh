#!/bin/sh
# The fuzz targets over their seeds and over every input that ever made
# one fail (tests/fuzz/regress/TARGET/), without libFuzzer: part of
# "make check", under the sanitizers in CI.
: "${srcdir:=.}"
: "${builddir:=.}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mailout-replay.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
sh "$srcdir/tests/fuzz/seeds.sh" "$srcdir" "$T"
n=0
failed=0
for target in addr header smtpcmd qentry conf; do
	set -- "$T/$target"/*
	for f in "$srcdir/tests/fuzz/regress/$target"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	n=$((n + 1))
	if "$builddir/tests/fuzz/replay_$target" "$@" >"$T/out" 2>&1; then
		echo "ok $n - $target: $# inputs"
	else
		failed=$((failed + 1))
		echo "not ok $n - $target"
		sed 's/^/# /' "$T/out" | grep -v '^# ok' | head -20
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
