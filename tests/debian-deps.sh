#!/bin/sh
# Install what mailout needs to build, test and benchmark on Debian 12
# (or newer).  Runs apt-get through sudo unless already root.
# "make check-package" builds the package (debhelper; systemd names the
# unit directory), checks it (lintian, systemd-analyze of systemd),
# installs it into a system made by debootstrap and boots that system
# with systemd-nspawn (systemd-container) to run the queue's timer.
# tests/e2e/postfix.sh runs a private Postfix of its own: the package's
# system-wide instance stays unconfigured ("No configuration": no
# main.cf), so it neither starts nor listens on port 25.
set -e
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
echo 'postfix postfix/main_mailer_type select No configuration' |
	$SUDO debconf-set-selections
# Postfix replaces whatever mail server owns /usr/sbin/sendmail (mailout's
# own package, exim4...): then it is left out, and postfix.sh says why.
POSTFIX=postfix
owner=$(dpkg -S /usr/sbin/sendmail 2>/dev/null | sed 's/:.*//')
if [ -n "$owner" ] && [ "$owner" != postfix ]; then
	echo "not installing postfix: $owner provides /usr/sbin/sendmail" \
		"(tests/e2e/postfix.sh will fail)" >&2
	POSTFIX=
fi
$SUDO apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake pkgconf \
	libcurl4-openssl-dev libconfig-dev libidn2-dev libjson-c-dev \
	python3-aiosmtpd openssl ca-certificates curl \
	debhelper lintian systemd systemd-container debootstrap \
	mandoc $POSTFIX
