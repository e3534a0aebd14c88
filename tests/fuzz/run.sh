#!/bin/sh
# "make fuzz": build each target with clang's libFuzzer, ASan and UBSan,
# and run it for FUZZ_SECONDS (default 600) from seeds made of the test
# vectors.  Inputs that fail are kept in tests/fuzz/work/TARGET/; copy
# them to tests/fuzz/regress/TARGET/ once fixed.
set -e
srcdir=${srcdir:-.}
builddir=${builddir:-.}
seconds=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-2}
cc=${FUZZ_CC:-clang}
work=$builddir/tests/fuzz/work
mkdir -p "$work/bin"
sources=$(ls "$srcdir"/src/*.c | grep -v '/main\.c$')
# A target is a tests/fuzz/fuzz_TARGET.c.
: "${FUZZ_TARGETS:=$(cd "$srcdir/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}"
for target in $FUZZ_TARGETS; do
	echo "== building $target"
	$cc -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -D_GNU_SOURCE \
		-I"$builddir" -I"$srcdir/src" -I"$srcdir/tests/fuzz" \
		$(pkg-config --cflags libcurl libconfig libidn2 json-c) \
		$sources "$srcdir/tests/fuzz/fuzz_$target.c" \
		$(pkg-config --libs libcurl libconfig libidn2 json-c) \
		-o "$work/bin/fuzz_$target"
done
sh "$srcdir/tests/fuzz/seeds.sh" "$srcdir" "$work/seeds"
LSAN_OPTIONS=suppressions=$(cd "$srcdir" && pwd)/tests/fuzz/lsan.supp
export LSAN_OPTIONS
for target in $FUZZ_TARGETS; do
	mkdir -p "$work/$target/corpus" "$work/$target/crashes"
	echo "== fuzzing $target for ${seconds}s"
	(cd "$work/$target" &&
		"../bin/fuzz_$target" -max_total_time="$seconds" \
			-jobs="$jobs" -workers="$jobs" -print_final_stats=1 \
			-artifact_prefix=crashes/ corpus "../seeds/$target" \
			>log 2>&1 || true)
	grep -h 'stat::number_of_executed_units' "$work/$target"/fuzz-*.log \
		2>/dev/null | awk -v t="$target" '{s += $2} END {print t ": " s " executions"}'
	ls "$work/$target/crashes" | sed "s|^|$target: FAILED INPUT crashes/|"
done
