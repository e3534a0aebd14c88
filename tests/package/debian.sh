#!/bin/sh
# The Debian package, built from the distribution's files and installed
# into a fresh Debian 12 system: lintian finds nothing to warn about;
# mailout is the one mail transport agent, with the owners, modes, links
# and units it promises; an ordinary user's mail(1) goes out through it,
# waits in the queue while the relay is down and leaves when the queue
# runs as the service's user; booted by systemd, the timer runs and the
# service sends, in its sandbox, what waited for a relay; removing the
# package keeps queued mail, and purging it keeps a queue that still
# holds some.
#
# Run as root ("make check-package"), with the network access apt needs
# to reach the host's own Debian mirror.  MAILOUT_DEBOOTSTRAP_TARBALL may
# name a tarball made by "debootstrap --make-tarball" for bookworm's
# minbase, to save downloads in local runs.
. "${srcdir:-.}/tests/e2e/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "must run as root"
for c in debootstrap dpkg-buildpackage lintian systemd-analyze systemd-nspawn \
	unshare; do
	command -v "$c" >/dev/null ||
		skip_all "no $c here (tests/debian-deps.sh installs it)"
done

# The chroot and the package build are removed however the script ends
# (the logs in $T stay when a check failed, as in every test).  Nothing
# is ever mounted outside the namespaces that inroot makes.
R=$T/root
B=$T/build
pkg_cleanup() {
	rm -rf --one-file-system "$R" "$B"
	cleanup
}
trap pkg_cleanup EXIT

# ------------------------------------------------------------ helpers

# phase NAME: the time the phase before took, as a TAP comment.
START=$(date +%s)
PHASE=
phase() {
	_now=$(date +%s)
	[ -n "$PHASE" ] && echo "# time: $PHASE: $((_now - PHASE_T0)) s"
	PHASE=$1
	PHASE_T0=$_now
}

# need STATUS NAME LOG: a step the rest depends on; when it failed, the
# end of its log is shown and the rest is not run.
need() {
	ok "$1" "$2"
	if [ "$1" -ne 0 ]; then
		tail -30 "$3" | sed 's/^/#   /'
		skip_rest "$2 failed"
	fi
}

# inroot [--net] CMD...: CMD in the chroot with a clean environment, /proc
# and /dev mounted in a mount namespace of its own (the mounts go with
# it, whatever happens); --net: in an empty network namespace too.
inroot() {
	_net=
	[ "$1" = --net ] && _net=--net && shift
	unshare --mount --propagation private $_net /bin/sh -c '
		r=$1
		shift
		mount -t proc proc "$r/proc" && mount --bind /dev "$r/dev" &&
			exec chroot "$r" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
				PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
				DEBIAN_FRONTEND=noninteractive "$@"' sh "$R" "$@"
}

# as_user USER CMD...: CMD in the chroot as USER, with its groups and home.
as_user() {
	inroot /bin/sh -c 'u=$1
		h=$(getent passwd "$u" | cut -d: -f6)
		shift
		exec setpriv --reuid="$u" --regid="$u" --init-groups \
			env HOME="$h" USER="$u" LOGNAME="$u" "$@"' sh "$@"
}

# apt_get LOG ARGS...: apt-get in the chroot, its output in $T/LOG.
apt_get() {
	_log=$T/$1
	shift
	inroot apt-get -y -q "$@" </dev/null >"$_log" 2>&1
}

# host_sources: "URI SUITE" for bookworm, bookworm-updates and
# bookworm-security as the host's apt sources name them (deb822 .sources
# files, one-line .list files), so that no mirror is written down here.
host_sources() {
	for _f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$_f" ] || continue
		awk '
		function flush(i, j) {
			if (deb && on)
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						if (s[j] ~ /^bookworm(-updates|-security)?$/)
							print u[i], s[j]
			deb = 0; on = 1; nu = 0; ns = 0; field = ""
		}
		BEGIN { on = 1 }
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[^ \t]/ {
			field = tolower(substr($0, 1, index($0, ":")))
			sub(/^[^:]*:/, "")
		}
		{
			if (field == "types:") for (i = 1; i <= NF; i++) deb = deb || $i == "deb"
			if (field == "enabled:") on = $1 != "no"
			if (field == "uris:") for (i = 1; i <= NF; i++) u[++nu] = $i
			if (field == "suites:") for (i = 1; i <= NF; i++) s[++ns] = $i
		}
		END { flush() }' "$_f"
	done
	for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$_f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($2 ~ /^\[/) {
				while (i < NF && $i !~ /\]$/) i++
				i++
			}
			if ($(i + 1) ~ /^bookworm(-updates|-security)?$/)
				print $i, $(i + 1)
		}' "$_f"
	done
}

# stat_of PATH...: "MODE OWNER:GROUP" of each, as the chroot names them.
stat_of() {
	inroot stat -c '%a %U:%G' "$@"
}

# queue_sums: the checksum of every file in the chroot's queue.
queue_sums() {
	(cd "$R/var/spool/mailout/q" && sha256sum -- *) 2>&1
}

# relay_down DIR: stop the relay in DIR and wait until it has gone.
relay_down() {
	_pid=$(cat "$1/pid")
	relay_stop "$1"
	wait "$_pid" 2>/dev/null
}

# plain: stdin with queue ids and connection times made fixed.
plain() {
	sed -e 's/[0-9]\{14\}\.[0-9a-v]\{8\}/ID/g' \
		-e 's/after [0-9]* ms/after N ms/'
}

# runq: run the queue as the service does, as its user.
runq() {
	as_user mailout /usr/sbin/mailout -q
}

# header NAME FILE: the field NAME of the message in FILE, CR removed.
header() {
	sed -n '/^\r\{0,1\}$/q;p' "$2" | tr -d '\r' | grep "^$1:"
}

MTA_LINKS="/usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases"
MAN_LINKS="sendmail mailq newaliases"
QUEUE_DIRS="/var/spool/mailout /var/spool/mailout/tmp /var/spool/mailout/q /var/spool/mailout/failed"
# The statoverride entries of the package's paths.
overrides() {
	inroot dpkg-statoverride --list | grep -e ' /usr/sbin/mailout$' \
		-e ' /etc/mailout.conf$' -e ' /var/spool/mailout' | sort -k4
}

# ------------------------------------------ the package, from the tarball
phase "build"
mkdir -p "$B"
# The builds get a clean environment: none of "make check"'s variables.
clean_env() {
	env -i PATH="$PATH" HOME="${HOME:-/root}" LC_ALL=C.UTF-8 \
		${TMPDIR:+TMPDIR="$TMPDIR"} "$@"
}
clean_env make -C "$builddir" distdir distdir="$B/mailout" >"$T/distdir.log" 2>&1
need $? "make distdir" "$T/distdir.log"
(cd "$B/mailout" && clean_env DEB_BUILD_OPTIONS=parallel=2 \
	dpkg-buildpackage -us -uc -b) >"$T/dpkg-buildpackage.log" 2>&1
need $? "dpkg-buildpackage -us -uc -b in the distribution's files" \
	"$T/dpkg-buildpackage.log"
DEB=$(ls "$B"/mailout_*.deb 2>/dev/null)
is "$(echo "$DEB" | grep -c .)" 1 "one mailout .deb built"
[ -f "$DEB" ] || skip_rest "no single mailout .deb"
CHANGES=$(ls "$B"/mailout_*.changes)

phase "lintian"
# lintian 2.116 leaves its MLDBM files in the temporary directory: in
# the scratch directory, they go with it.
mkdir -p "$T/lintian-tmp"
TMPDIR=$T/lintian-tmp lintian --display-info --pedantic --fail-on none "$CHANGES" \
	>"$T/lintian.out" 2>"$T/lintian.err"
is $? 0 "lintian ran"
sed 's/^/# lintian: /' "$T/lintian.out" "$T/lintian.err"
is "$(grep -c '^E: ' "$T/lintian.out")" 0 "lintian: no error"
is "$(grep -c '^W: ' "$T/lintian.out")" 0 "lintian: no warning"

# --------------------------------------------------- a fresh Debian 12
phase "debootstrap"
host_sources | awk '!seen[$0]++' >"$T/sources"
MIRROR=$(awk '$2 == "bookworm" { print $1; exit }' "$T/sources")
[ -n "$MIRROR" ]
need $? "the host's apt sources name a bookworm mirror" "$T/sources"
# A mirror over https needs the authorities in the chroot too.
case $MIRROR in https:*) INCLUDE=--include=ca-certificates ;; *) INCLUDE= ;; esac
if [ -n "${MAILOUT_DEBOOTSTRAP_TARBALL:-}" ]; then
	set -- --unpack-tarball="$MAILOUT_DEBOOTSTRAP_TARBALL"
	echo "# debootstrap from $MAILOUT_DEBOOTSTRAP_TARBALL"
else
	set --
fi
# debootstrap mounts /proc and /sys in the new system: in a namespace.
unshare --mount --propagation private debootstrap --variant=minbase \
	$INCLUDE "$@" bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1
need $? "debootstrap --variant=minbase bookworm" "$T/debootstrap.log"

phase "apt-get update"
awk '{ print "deb", $1, $2, "main" }' "$T/sources" >"$R/etc/apt/sources.list"
sed 's/^/# apt source: /' "$R/etc/apt/sources.list"
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
# Packages may not start services here (invoke-rc.d(8)).
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
apt_get apt-update.log update
need $? "apt-get update in the chroot" "$T/apt-update.log"

# ---------------------------------------------- install: the only MTA
phase "install"
cp "$DEB" "$R/tmp/"
DEB_IN=/tmp/${DEB##*/}
apt_get apt-install.log install "$DEB_IN"
need $? "apt-get install the .deb (apt brings its dependencies)" \
	"$T/apt-install.log"
apt_get apt-mailx.log install bsd-mailx cron
need $? "apt-get install bsd-mailx cron after it" "$T/apt-mailx.log"

installed() {
	inroot dpkg-query -W -f '${db:Status-Abbrev}|${Package}|${Provides}\n' |
		awk -F'|' '$1 == "ii "'
}
is "$(installed | awk -F'|' '$3 ~ /(^|[, ])mail-transport-agent([ ,]|$)/ { print $2 }')" \
	mailout "mailout is the only installed mail-transport-agent"
is "$(inroot dpkg -S /usr/sbin/sendmail)" "mailout: /usr/sbin/sendmail" \
	"dpkg -S /usr/sbin/sendmail: mailout"
is "$(installed | cut -d'|' -f2 | grep -E '^(exim4.*|postfix|nullmailer|dma|msmtp-mta|ssmtp|sendmail-bin|opensmtpd|courier-mta)$')" \
	"" "no other MTA installed"
is "$(inroot readlink -f /usr/sbin/sendmail)" /usr/sbin/mailout \
	"/usr/sbin/sendmail still resolves to mailout"

# -------------------------------------------------- the installed state
phase "installed state"
is "$(stat_of /usr/sbin/mailout)" "2755 root:mailout" \
	"/usr/sbin/mailout: 2755 root:mailout"
is "$(stat_of /etc/mailout.conf)" "640 root:mailout" \
	"/etc/mailout.conf: 0640 root:mailout"
# shellcheck disable=SC2086 # the list, split on purpose
is "$(inroot stat -c '%a %U:%G %n' $QUEUE_DIRS)" \
	"$(for d in $QUEUE_DIRS; do echo "2770 root:mailout $d"; done)" \
	"the queue and its tmp, q, failed: 2770 root:mailout"
is "$(inroot getent passwd mailout | cut -d: -f6,7)" \
	"/var/spool/mailout:/usr/sbin/nologin" \
	"user mailout: home the queue, shell nologin"
is "$(inroot id -gn mailout)" mailout "user mailout: primary group mailout"
is "$(overrides)" "root mailout 640 /etc/mailout.conf
root mailout 2755 /usr/sbin/mailout
root mailout 2770 /var/spool/mailout
root mailout 2770 /var/spool/mailout/failed
root mailout 2770 /var/spool/mailout/q
root mailout 2770 /var/spool/mailout/tmp" "dpkg-statoverride --list: the six entries"
is "$(inroot readlink /etc/systemd/system/timers.target.wants/mailout-queue.timer)" \
	/lib/systemd/system/mailout-queue.timer "the queue timer is enabled"
is "$(inroot readlink /etc/systemd/system/paths.target.wants/mailout-queue.path)" \
	/lib/systemd/system/mailout-queue.path "the queue's path unit is enabled"
# Debian's cron skips file names with a dot in /etc/cron.d.
is "$(inroot dpkg -L mailout | grep '^/etc/cron.d/')" /etc/cron.d/mailout \
	"the package's cron.d file: /etc/cron.d/mailout, no dot"
is "$(stat_of /etc/cron.d/mailout)" "644 root:root" \
	"/etc/cron.d/mailout: 0644 root:root (cron reads no other)"
CRON_LINE=$(grep -v -e '^#' -e '^[[:space:]]*$' "$R/etc/cron.d/mailout")
is "$(echo "$CRON_LINE" | awk '{ print $6 }')" mailout \
	"the cron job runs as mailout"
links=
for l in $MTA_LINKS; do
	links="$links$(inroot readlink -f "$l") "
done
is "$links" "/usr/sbin/mailout /usr/sbin/mailout /usr/sbin/mailout /usr/sbin/mailout " \
	"sendmail, /usr/lib/sendmail, mailq, newaliases: links to mailout"
links=
for l in $MAN_LINKS; do
	links="$links$(inroot readlink -f "/usr/share/man/man8/$l.8.gz") "
done
is "$links" "$(for l in $MAN_LINKS; do printf '/usr/share/man/man8/mailout.8.gz '; done)" \
	"sendmail.8, mailq.8, newaliases.8: links to mailout.8"
SYSTEMD_COLORS=0 systemd-analyze security --offline=yes --root="$R" \
	--no-pager mailout-queue.service >"$T/security.out" 2>&1
is $? 0 "systemd-analyze security on the installed service"
score=$(sed -n 's/^.*Overall exposure level for mailout-queue.service: \([0-9.]*\) .*$/\1/p' "$T/security.out")
echo "# systemd-analyze security: exposure $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 5.0) }'
ok $? "mailout-queue.service: exposure 5.0 or less"

# ----------------------------------------- the sample configuration
phase "mail"
echo example.org >"$R/etc/mailname"
echo 'root: admin@example.org' >"$R/etc/aliases"
# A message sent with the configuration as installed, with no network at
# all: the sample names no relay, so the message waits in the queue.
why='no relay configured ("host")'
printf 'Subject: sample\n\nbody\n' |
	inroot --net sendmail -i admin@example.org 2>"$T/sample.err"
is $? 0 "the sample configuration: a send exits 0"
is "$(plain <"$T/sample.err")" "mailout: queued as ID: $why" \
	"the sample configuration: queued, and why"
is "$(inroot mailq | sed -n 3p)" "    last error: $why" \
	"the sample configuration: mailq says why"
sample_id=$(entry_ids "$R/var/spool/mailout/q")

# ------------------------------------------ the timer under systemd
# systemd boots the system (systemd-nspawn, on the host's network): the
# timer is enabled and running, and the queue service, in its sandbox as
# the user mailout, sends the message that waited for a relay to be set.
phase "systemd"
apt_get apt-systemd.log install systemd-sysv
need $? "apt-get install systemd-sysv: systemd as init" "$T/apt-systemd.log"
relay_start "$T/r0"
printf 'host = "127.0.0.1";\nport = %s;\ntls = "none";\n' "$RELAY_PORT" \
	>"$R/etc/mailout.conf"
cat >"$R/root/boottest.sh" <<'EOF'
systemctl is-enabled mailout-queue.timer
systemctl is-active mailout-queue.timer
systemctl start mailout-queue.service
systemctl show -p Result -p ExecMainStatus -p User -p Group \
	mailout-queue.service
journalctl -b -u mailout-queue.service -o cat --no-pager | grep '^sent '
EOF
unit=$R/etc/systemd/system/mailout-boottest.service
cat >"$unit" <<'EOF'
[Unit]
Description=mailout's package test: the queue service, then power off
After=multi-user.target
[Service]
Type=oneshot
StandardOutput=file:/root/boottest.out
ExecStart=/bin/sh /root/boottest.sh
ExecStopPost=/bin/systemctl --no-block poweroff
EOF
wants=$R/etc/systemd/system/multi-user.target.wants
mkdir -p "$wants"
ln -sf /etc/systemd/system/mailout-boottest.service "$wants/"
machine=mailout-test-$$
before_send "$T/r0"
timeout 180 systemd-nspawn --quiet --register=no --keep-unit \
	--machine="$machine" -D "$R" --boot --console=pipe \
	</dev/null >"$T/boot.log" 2>&1
echo "# systemd-nspawn: exit status $?"
rm -rf "/run/systemd/nspawn/propagate/$machine"
rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn 2>/dev/null
rm -f "$wants/mailout-boottest.service" "$unit" "$R/root/boottest.sh"
sed 's/^/# boot: /' "$T/boot.log" | tail -20
sed 's/^/# boottest: /' "$R/root/boottest.out"
is "$(sed -n 1,6p "$R/root/boottest.out" 2>&1)" "enabled
active
Result=success
ExecMainStatus=0
User=mailout
Group=mailout" "systemd: the timer enabled and active; the service ran as mailout, exit 0"
grep -q "^sent id=$sample_id uid=0(root) from=<root@example.org> to=<admin@example.org> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=[0-9]* reply=\"250 [^\"]*\"\$" \
	"$R/root/boottest.out"
ok $? "systemd: the service's log line, in the journal, says sent"
is "$(count "$T/r0")" 1 "systemd: the relay received the waiting message"
is "$(last "$T/r0" mail)/$(last "$T/r0" rcpt)" \
	"<root@example.org>/<admin@example.org>" \
	"systemd: its envelope: root, aliased to admin@example.org"
is "$(entries "$R/var/spool/mailout/q")" 0 "systemd: the queue is empty"
rm -f "$R/root/boottest.out"
relay_down "$T/r0"

# --------------------------------------------- an ordinary user's mail
inroot useradd -m alice
is $? 0 "useradd -m alice"
relay_start "$T/r1"
cat >"$T/mailout.conf" <<EOF
host = "127.0.0.1";
port = $RELAY_PORT;
tls = "none";
EOF
cat "$T/mailout.conf" >"$R/etc/mailout.conf"
is "$(stat_of /etc/mailout.conf)" "640 root:mailout" \
	"/etc/mailout.conf rewritten: still 0640 root:mailout"

before_send "$T/r1"
echo body | as_user alice mail -s hello root 2>"$T/mail.err"
is $? 0 "alice: mail -s hello root: exit 0"
is "$(cat "$T/mail.err")" "" "alice: mail: nothing on stderr"
is "$(count "$T/r1")" 1 "the relay received one message"
is "$(last "$T/r1" mail)" "<alice@example.org>" "MAIL FROM:<alice@example.org>"
is "$(last "$T/r1" rcpt)" "<admin@example.org>" \
	"RCPT TO:<admin@example.org> (root through /etc/aliases)"
# mailx wrote "To: root"; mailout aliases and qualifies the header too.
data=$(last_msg "$T/r1")/data
is "$(header To "$data")" "To: admin@example.org" "To: as the relay saw it"
is "$(header From "$data")" "From: alice@example.org" "From: alice, qualified"
is "$(header Subject "$data")" "Subject: hello" "Subject: as mailx wrote it"
is "$(sed '1,/^\r$/d' "$data")" "body$(printf '\r')" "the body"

# ------------------------------------------- the queue and its user
phase "queue"
relay_down "$T/r1"
echo body | as_user alice mail -s queued root 2>"$T/mail.err"
is $? 0 "relay down: mail exits 0"
is "$(plain <"$T/mail.err")" \
	"mailout: queued as ID: 127.0.0.1:$RELAY_PORT: connect: Failed to connect to 127.0.0.1 port $RELAY_PORT after N ms: Couldn't connect to server" \
	"relay down: mailout says it is queued, and why"
Q=$R/var/spool/mailout
is "$(entries "$Q/q")" 1 "relay down: one entry in /var/spool/mailout/q"
id=$(entry_ids "$Q/q")
inroot mailq >"$T/mailq"
is $? 0 "mailq as root: exit 0"
# The next try is retry_min (5 minutes) after the attempt: "in 4m" once
# a second has passed.
is "$(sed 1d "$T/mailq" | plain | sed 's/^\(    attempts: 1, next: in \)4m$/\15m/')" "    <admin@example.org>  pending
    last error: 127.0.0.1:$RELAY_PORT: connect: Failed to connect to 127.0.0.1 port $RELAY_PORT after N ms: Couldn't connect to server
    attempts: 1, next: in 5m
-- 1 queued, 0 failed" "mailq as root: the entry pending, why, when"
is "$(sed -n '1p' "$T/mailq" | awk '{ print $1, $NF }')" \
	"$id <alice@example.org>" "mailq: the entry's id and sender"

relay_start "$T/r2" --port "$RELAY_PORT"
before_send "$T/r2"
runq
is $? 0 "the queue run as user mailout: exit 0"
is "$(count "$T/r2")" 1 "the relay received the queued message once"
is "$(last "$T/r2" mail)/$(last "$T/r2" rcpt)" \
	"<alice@example.org>/<admin@example.org>" "the queued message's envelope"
is "$(header Subject "$(last_msg "$T/r2")/data")" "Subject: queued" \
	"the queued message's Subject"
is "$(entries "$Q/q")/$(entries "$Q/failed")" 0/0 "the queue is empty"

# The cron job, run as cron runs it on a host without systemd as init
# (this chroot, outside systemd-nspawn), runs the due queue quietly.
CRON_CMD=$(echo "$CRON_LINE" |
	awk '{ for (i = 1; i <= 6; i++) sub(/^[ \t]*[^ \t]+/, ""); sub(/^[ \t]+/, ""); print }')
echo "# cron job: $CRON_CMD"
as_user mailout env PATH=/usr/bin:/bin sh -c "$CRON_CMD" >"$T/cron.out" 2>&1
is "$?/$(cat "$T/cron.out")" "0/" "the cron job runs the queue: exit 0, no output"

# ------------------------------------- remove keeps mail, purge too
phase "remove and purge"
relay_down "$T/r2"
echo body | as_user alice mail -s kept root 2>"$T/mail.err"
is "$?/$(entries "$Q/q")" 0/1 "relay down: a message queued"
queue_sums >"$T/sums"
apt_get apt-remove.log remove mailout bsd-mailx
need $? "apt-get remove mailout bsd-mailx" "$T/apt-remove.log"
is "$(inroot dpkg-query -W -f '${db:Status-Abbrev}' mailout)" "rc " \
	"mailout removed, its configuration files kept"
is "$(queue_sums)" "$(cat "$T/sums")" "remove: the queued entry is kept, byte for byte"
same_file "$R/etc/mailout.conf" "$T/mailout.conf" \
	"remove: /etc/mailout.conf is kept"
# The cron job is a conffile: it stays, and must then do nothing.
as_user mailout env PATH=/usr/bin:/bin sh -c "$CRON_CMD" >"$T/cron.out" 2>&1
is "$?/$(cat "$T/cron.out")" "0/" "remove: the cron job left behind does nothing, quietly"

inroot dpkg --purge mailout >"$T/purge.out" 2>&1
is $? 0 "dpkg --purge mailout: exit 0"
sed 's/^/# purge: /' "$T/purge.out"
is "$(grep '^mailout: ' "$T/purge.out")" \
	"mailout: /var/spool/mailout still holds 1 queued or failed messages; it was left in place (remove it by hand once they are no longer needed)" \
	"purge: says the queue was kept"
is "$(queue_sums)" "$(cat "$T/sums")" "purge: the queued entry is kept, byte for byte"
is "$(ls "$R/etc/mailout.conf" "$R/etc/cron.d/mailout" 2>/dev/null)" "" \
	"purge: /etc/mailout.conf and /etc/cron.d/mailout are gone"

# The empty case: installed again, the queue sent, then purged.
apt_get apt-reinstall.log install "$DEB_IN"
need $? "apt-get install the .deb again" "$T/apt-reinstall.log"
is "$(stat_of /usr/sbin/mailout)" "2755 root:mailout" \
	"installed again: /usr/sbin/mailout 2755 root:mailout"
cat "$T/mailout.conf" >"$R/etc/mailout.conf"
relay_start "$T/r3" --port "$RELAY_PORT"
before_send "$T/r3"
runq
is "$?/$(count "$T/r3")/$(entries "$Q/q")" 0/1/0 \
	"the kept message sent by the queue run, the queue empty"
is "$(header Subject "$(last_msg "$T/r3")/data")" "Subject: kept" \
	"the kept message's Subject"
inroot dpkg --purge mailout >"$T/purge.out" 2>&1
is $? 0 "dpkg --purge mailout with an empty queue: exit 0"
is "$(grep -c '^mailout: ' "$T/purge.out")" 0 "purge: nothing to say"
[ ! -e "$Q" ]
ok $? "purge: /var/spool/mailout is gone"
is "$(overrides)" "" "purge: no statoverride left for mailout's paths"

phase ""
echo "# time: total: $(($(date +%s) - START)) s"
done_testing
