#!/bin/sh
# "make bench": install msmtp if missing, build the benchmark's C tools,
# run bench.py.  Arguments are passed to bench.py (--quick, --only 1,2...).
#
# Environment: srcdir and builddir (the top of the trees, default: this
# script's tree), MAILOUT (the program under test), CC, CFLAGS, PYTHON3.
set -e
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
: "${MAILOUT:=$builddir/mailout}"
: "${CC:=cc}"
: "${CFLAGS:=-O2 -Wall -Wextra}"
: "${PYTHON3:=/usr/bin/python3}"
bench=$srcdir/tests/bench
out=$builddir/tests/bench/out
bin=$out/bin

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
apt_install() {
	echo "run.sh: installing $*"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$SUDO env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends "$@"
}

command -v msmtp >/dev/null 2>&1 || apt_install msmtp
pkg-config --exists openssl || apt_install libssl-dev
pkg-config --exists libcurl || apt_install libcurl4-openssl-dev
command -v openssl >/dev/null 2>&1 || apt_install openssl

if [ ! -x "$MAILOUT" ]; then
	echo "run.sh: $MAILOUT not found: run make first" >&2
	exit 1
fi

mkdir -p "$bin"
# shellcheck disable=SC2046,SC2086 # flags are lists of words
{
	$CC $CFLAGS -o "$bin/sink" "$bench/sink.c" \
	    $(pkg-config --cflags --libs openssl)
	$CC $CFLAGS -o "$bin/rawsmtp" "$bench/rawsmtp.c"
	$CC $CFLAGS -o "$bin/curlfloor" "$bench/curlfloor.c" \
	    $(pkg-config --cflags --libs libcurl)
	$CC $CFLAGS -o "$bin/measure" "$bench/measure.c"
	$CC $CFLAGS -o "$bin/delayproxy" "$bench/delayproxy.c"
}

exec "$PYTHON3" "$bench/bench.py" --mailout "$MAILOUT" --bindir "$bin" \
    --srcdir "$srcdir" --out "$out" "$@"
