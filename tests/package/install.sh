#!/bin/sh
# README's manual installation, as written: a tree built with the
# defaults, configured again for /usr, /etc and /var and built again,
# must give a program that reads /etc/mailout.conf and queues in
# /var/spool/mailout, and "make install" and "make install-mta" must
# put the files where that program and systemd look for them.

. "$srcdir/tests/e2e/lib.sh"

command -v systemd-analyze >/dev/null ||
	skip_all "no systemd-analyze (Debian: systemd)"

started=$(date +%s)
src=$T/src
(cd "$builddir" && make distdir distdir="$src") >"$T/distdir.log" 2>&1
ok $? "the distribution's files are copied"
(cd "$src" && ./configure && make -j2) >"$T/build1.log" 2>&1
ok $? "configure with the defaults, make"
(cd "$src" && ./configure --prefix=/usr --sysconfdir=/etc \
	--localstatedir=/var && make -j2) >"$T/build2.log" 2>&1
ok $? "configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var, make"
grep -q 'CC.*src/conf\.o' "$T/build2.log"
ok $? "the second make rebuilds what uses the paths"

# --check-config names the file it read, or the default it did not find.
"$src/mailout" --check-config >"$T/check.out" 2>&1
is "$(sed -n '1s/^# \(no \|read \)\([^:]*\).*/\2/p' "$T/check.out")" \
	"/etc/mailout.conf" "the rebuilt program reads /etc/mailout.conf"
grep -q '^# queue_dir = "/var/spool/mailout";' "$T/check.out"
ok $? "and queues in /var/spool/mailout"

root=$T/root
(cd "$src" && make install DESTDIR="$root" &&
	make install-mta DESTDIR="$root") >"$T/install.log" 2>&1
ok $? "make install and make install-mta into a DESTDIR"
for f in /usr/sbin/mailout /etc/mailout.conf /etc/cron.d/mailout \
	/usr/lib/systemd/system/mailout-queue.service \
	/usr/lib/systemd/system/mailout-queue.timer \
	/usr/lib/systemd/system/mailout-queue.path \
	/usr/share/man/man8/mailout.8 /usr/share/man/man5/mailout.conf.5; do
	[ -f "$root$f" ]
	ok $? "installed: $f"
done
for d in /var/spool/mailout/q /var/spool/mailout/tmp \
	/var/spool/mailout/failed; do
	[ -d "$root$d" ]
	ok $? "installed: $d"
done
for l in /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq \
	/usr/bin/newaliases; do
	is "$(readlink "$root$l")" /usr/sbin/mailout "$l is mailout"
done
for l in sendmail mailq newaliases; do
	is "$(readlink "$root/usr/share/man/man8/$l.8")" mailout.8 \
		"man $l opens mailout(8)"
done

unit=$root/usr/lib/systemd/system/mailout-queue.service
is "$(sed -n 's/^ExecStart=//p' "$unit")" "/usr/sbin/mailout -q --due" \
	"the service runs the due queue with the installed program"
is "$(sed -n 's/^ReadWritePaths=//p' "$unit")" "/var/spool/mailout" \
	"and may write the queue alone"
is "$(sed -n 's/^User=//p' "$unit")" "mailout" "as the user mailout"
path=$root/usr/lib/systemd/system/mailout-queue.path
is "$(sed -n 's/^PathExists=//p' "$path")/$(sed -n 's/^Unit=//p' "$path")" \
	"/var/spool/mailout/wake/mailout-queue.service" \
	"the path unit starts the service while the queue's wake file exists"
systemd-analyze verify --man=no "$path" >"$T/verify.out" 2>&1
ok $? "systemd-analyze verify accepts the path unit"
is "$(awk -F'\t' '!/^#/ && NF {print $2 "|" $3}' "$root/etc/cron.d/mailout")" \
	"mailout|test ! -x /usr/sbin/mailout || test -d /run/systemd/system || /usr/sbin/mailout -q --due" \
	"cron runs the same as the same user, where systemd does not"
score=$(systemd-analyze security --offline=yes "$unit" 2>&1 |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 5.0) }'
ok $? "systemd-analyze security scores the service 5.0 or less ($score)"

echo "# took $(($(date +%s) - started)) s"
done_testing
