#!/bin/sh
# No mail is lost: submissions and queue runs killed with SIGKILL at random
# moments; concurrent submissions and queue runs while the relay flaps; a
# full disk.  Every message that mailout acknowledged (exit 0) must reach
# the relay; duplicates may only come from a run killed after the relay
# accepted a message and before its entry was removed.
. "${srcdir:-.}/tests/e2e/lib.sh"

command -v timeout >/dev/null || skip_all "no timeout(1)"

# A message whose Message-ID names it: tag N.
msg() {
	printf 'From: bob@example.org\nTo: rcpt@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@example.org>\nSubject: %s\n\nbody of %s\n' "$1" "$1" "$1"
}

# delivered DIR TAG: how many times the relay in DIR accepted TAG.
delivered() {
	cat "$1"/msg.*/data 2>/dev/null | grep -c "^Message-ID: <$2@example.org>"
}

# flap DIR SECONDS: make the relay in DIR fail and recover at random
# (only before the message data, so a flap never causes a duplicate).
flap() {
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$_end" ]; do
		case $(($(od -An -N1 -tu1 /dev/urandom) % 4)) in
		0) echo 'greeting=421 4.3.2 flapping' >"$1/faults" ;;
		1) echo 'mail=451 4.3.0 flapping' >"$1/faults" ;;
		*) rm -f "$1/faults" ;;
		esac
		sleep 0.2
	done
	rm -f "$1/faults"
}

# drain CONF QUEUE-DIR: run the whole queue until it is empty (at most
# 10 runs).
drain() {
	_i=0
	while [ "$(entries "$2/q")" -gt 0 ] && [ $_i -lt 10 ]; do
		"$MAILOUT" -C "$1" -qR
		_i=$((_i + 1))
	done
}

# ------------------------------------------------ kill -9 at random moments
# ms N: N milliseconds as seconds for timeout(1), "0.250".
ms() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

relay_start "$T/k" --fault 'eod=sleep:0.05' --fault 'greeting=sleep:0.02'
conf "$T/k.conf" "$RELAY_PORT" "queue_dir = \"$T/kq\";" "retry_min = 1;"
# Kills land at random within the time a submission takes here (at least
# 0.3 s, more on a slow or loaded machine, or under a sanitizer), so that
# some submissions are acknowledged and some are cut short.
t0=$(date +%s%N)
msg "k0" | "$MAILOUT" -C "$T/k.conf" -i rcpt@example.com 2>/dev/null
span=$((($(date +%s%N) - t0) / 1000000 * 3))
[ "$span" -ge 300 ] || span=300
echo "# kill -9: kills within $span ms"
flap "$T/k" 25 &
flapper=$!
: >"$T/k.acked"
: >"$T/k.runs"
n=0
while [ $n -lt 200 ]; do
	pids=
	for j in 1 2 3 4 5 6 7 8 9 10; do
		n=$((n + 1))
		delay=$(ms $(($(od -An -N2 -tu2 /dev/urandom) % span + 10)))
		(
			msg "k$n" | timeout -s KILL "$delay" "$MAILOUT" \
				-C "$T/k.conf" -i rcpt@example.com 2>/dev/null
			[ $? -eq 0 ] && echo "k$n" >>"$T/k.acked"
		) 2>/dev/null &
		pids="$pids $!"
	done
	(
		delay=$(ms $(($(od -An -N2 -tu2 /dev/urandom) % (span * 5 / 3) + 10)))
		timeout -s KILL "$delay" "$MAILOUT" -C "$T/k.conf" -qR
		echo $? >>"$T/k.runs"
	) 2>/dev/null &
	pids="$pids $!"
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
done
kill "$flapper" 2>/dev/null
wait "$flapper" 2>/dev/null
rm -f "$T/k/faults"
# The queue runs that sends left detached are not killed by timeout(1):
# let them end, or an entry they deliver vanishes between ls and mailq.
quiesce "$T/k.conf"
# Whatever the kills interrupted, every entry in q/ is whole: mailq can
# read each one.
in_q=$(entries "$T/kq/q")
readable=$(MAILOUT_CONF=$T/k.conf "$MAILOUT" -bp --json |
	sed 's/.*"queued": \([0-9]*\),.*/\1/')
is "$readable" "$in_q" "kill -9: every entry left in q/ is whole ($in_q)"
drain "$T/k.conf" "$T/kq"
quiesce "$T/k.conf"

acked=$(wc -l <"$T/k.acked" | tr -d ' ')
killed_runs=$(grep -c '^137$' "$T/k.runs")
lost=0
dups=0
for tag in $(cat "$T/k.acked"); do
	c=$(delivered "$T/k" "$tag")
	[ "$c" -eq 0 ] && lost=$((lost + 1)) && echo "# lost: $tag"
	[ "$c" -gt 1 ] && dups=$((dups + c - 1))
done
echo "# kill -9: 200 submissions, $acked acknowledged, $killed_runs of 20 queue runs killed, $dups duplicate(s)"
ok $([ "$acked" -gt 0 ]; echo $?) "kill -9: some submissions were acknowledged"
is "$lost" 0 "kill -9: no acknowledged message lost"
ok $([ "$dups" -le "$killed_runs" ]; echo $?) \
	"kill -9: duplicates ($dups) at most one per killed queue run ($killed_runs)"
is "$(entries "$T/kq/q")" 0 "kill -9: the queue is empty at the end"
is "$(entries "$T/kq/failed")" 0 "kill -9: nothing failed"

# ----------------------- 100 concurrent submissions, 3 queue runs, flapping
relay_start "$T/c"
conf "$T/c.conf" "$RELAY_PORT" "queue_dir = \"$T/cq\";" "retry_min = 1;"
flap "$T/c" 8 &
flapper=$!
pids=
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	msg "c$i" | "$MAILOUT" -C "$T/c.conf" -i rcpt@example.com 2>/dev/null &
	pids="$pids $!"
done
for r in 1 2 3; do
	(
		end=$(($(date +%s) + 8))
		while [ "$(date +%s)" -lt "$end" ]; do
			"$MAILOUT" -C "$T/c.conf" -qR
			sleep 0.1
		done
	) &
	pids="$pids $!"
done
for p in $pids $flapper; do
	wait "$p"
done
rm -f "$T/c/faults"
quiesce "$T/c.conf"
drain "$T/c.conf" "$T/cq"
quiesce "$T/c.conf"
once=0
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	c=$(delivered "$T/c" "c$i")
	if [ "$c" -eq 1 ]; then
		once=$((once + 1))
	else
		echo "# c$i delivered $c times"
	fi
done
is "$once" 100 "concurrency: each of 100 messages delivered exactly once"
is "$(entries "$T/cq/q")" 0 "concurrency: the queue is empty"

# ------------------------------------------------------------- a full disk
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/full" &&
	mount -t tmpfs -o size=512k tmpfs "$T/full" 2>/dev/null; then
	# However the script ends, lib.sh's cleanup unmounts it (reap).
	fport=$(free_port)
	conf "$T/f.conf" "$fport" "queue_dir = \"$T/full\";" \
		"logfile = \"$T/f.log\";"
	# 300 KiB: the spool fits, a queue copy beside it does not.
	{
		msg big
		head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 76
	} >"$T/big"
	"$MAILOUT" -C "$T/f.conf" -i rcpt@example.com <"$T/big" 2>"$T/f.err"
	is $? 75 "full disk: relay down, cannot queue: exit 75"
	grep -q 'cannot be queued' "$T/f.err"
	ok $? "full disk: says it could not queue"
	is "$(entries "$T/full/q")" 0 "full disk: no entry in q/"
	is "$(find "$T/full/tmp" -mindepth 1 | wc -l | tr -d ' ')" 0 \
		"full disk: nothing left in tmp/"
	# 600 KiB: the spool itself does not fit.
	{
		msg bigger
		head -c 600000 /dev/zero | tr '\0' 'x' | fold -w 76
	} >"$T/bigger"
	"$MAILOUT" -C "$T/f.conf" -i rcpt@example.com <"$T/bigger" 2>"$T/f.err"
	is $? 74 "full disk: the message does not fit the spool: exit 74"
	is "$(find "$T/full/q" "$T/full/tmp" -mindepth 1 | wc -l | tr -d ' ')" 0 \
		"full disk: still nothing in q/ or tmp/"
	# The log: each refused, under the id the submission was given.
	log_norm "$T/f.log" >"$T/f.lines"
	is "$(wc -l <"$T/f.lines" | tr -d ' ')/$(grep -cx "refused id=ID $ME from=<[^>]*> to=<rcpt@example.com> relay=127.0.0.1:$fport tls=none auth=none size=[0-9]* reason=\"127.0.0.1:$fport: connect: [^\"]*; and it cannot be queued: cannot write the queue entry: No space left on device\"" "$T/f.lines")/$(sed -n 2p "$T/f.lines")" \
		"2/1/refused id=ID $ME reason=\"$(sed 's/^mailout: //' "$T/f.err")\"" \
		"full disk: the log says refused, with the reason, each time"
	umount "$T/full"
else
	echo "# full disk: not root or no tmpfs; skipped"
fi


# ------------------------------ a full disk in a queue run: no bounce lost
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/fb" &&
	mount -t tmpfs -o size=256k tmpfs "$T/fb" 2>/dev/null; then
	relay_start "$T/b"
	# The relay refuses the recipient for good, and defers the bounce to
	# the sender: the bounce must be queued.
	printf '%s\n' 'rcpt:gone@example.com=550 5.1.1 no such user' \
		'rcpt:bob@example.org=451 4.3.0 mailbox busy' >"$T/b/faults"
	conf "$T/b.conf" "$RELAY_PORT" "queue_dir = \"$T/fb\";" \
		"logfile = \"$T/b.log\";"
	# A header of some 8 KiB, which the bounce quotes: the bounce needs
	# more room than a new state of the entry does.
	{
		printf 'Comments: filler\n'
		i=0
		while [ $i -lt 100 ]; do
			printf '\t%s\n' "$(head -c 74 /dev/zero | tr '\0' 'c')"
			i=$((i + 1))
		done
		msg fb
	} >"$T/fb.msg"
	"$MAILOUT" -C "$T/b.conf" -odq -i -f bob@example.org gone@example.com \
		<"$T/fb.msg" 2>/dev/null
	is "$?/$(entries "$T/fb/q")" "0/1" "full disk, bounce: the message queued"
	id=$(entry_ids "$T/fb/q")
	# Full but for one page: room for the entry's new state, none for the
	# bounce.
	head -c 4096 /dev/zero >"$T/fb/pad"
	dd if=/dev/zero of="$T/fb/fill" bs=4096 2>/dev/null
	rm "$T/fb/pad"
	"$MAILOUT" -C "$T/b.conf" -q
	is "$?/$(count "$T/b")/$(entry_ids "$T/fb/q")/$(entries "$T/fb/failed")" \
		"0/0/$id/0" \
		"full disk, bounce: not queued; the message stays in q/, none in failed/"
	grep -cxF "rcpt	P	550	gone@example.com	550 5.1.1 no such user" \
		"$T/fb/q/$id.state" >"$T/fb.n"
	is "$(cat "$T/fb.n")" 1 "full disk, bounce: its recipient is pending again"
	log_lines "$T/b.log" | grep -cxF "error id=$id $ME reason=\"bounce failed, kept in the queue: 127.0.0.1:$RELAY_PORT: RCPT: 451 4.3.0 mailbox busy; and it cannot be queued: cannot write the queue entry: No space left on device\"" \
		>"$T/fb.n"
	is "$(cat "$T/fb.n")" 1 "full disk, bounce: the failure is logged"
	is "$(find "$T/fb/tmp" -mindepth 1 | wc -l | tr -d ' ')" 0 \
		"full disk, bounce: nothing left in tmp/"
	rm "$T/fb/fill"
	"$MAILOUT" -C "$T/b.conf" -q
	is "$?/$(count "$T/b")/$(entries "$T/fb/q")/$(entry_ids "$T/fb/failed")" \
		"0/0/1/$id" \
		"full disk, bounce: room again; the bounce queued, the message in failed/"
	bid=$(entry_ids "$T/fb/q")
	grep -c -x -e 'bounce	1' -e 'rcpt	P	451	bob@example.org	451 4.3.0 mailbox busy' \
		"$T/fb/q/$bid" >"$T/fb.n"
	is "$(cat "$T/fb.n")" 2 "full disk, bounce: the queued bounce is for the sender"
	cat "$T/b"/session.*.log | grep -cxF 'C: RCPT TO:<gone@example.com>' \
		>"$T/fb.n"
	is "$(cat "$T/fb.n")" 2 "full disk, bounce: the refused recipient tried twice"
	rm "$T/b/faults"
	"$MAILOUT" -C "$T/b.conf" -q
	is "$?/$(count "$T/b")/$(entries "$T/fb/q")/$(entries "$T/fb/failed")" \
		"0/1/0/1" "full disk, bounce: the bounce sent in the next run"
	is "$(cat "$T/b/msg.1/mail")/$(cat "$T/b/msg.1/rcpt")" \
		"<>/<bob@example.org>" "full disk, bounce: from <> to the sender"
	grep -c '^Final-Recipient: rfc822; gone@example.com' "$T/b/msg.1/data" \
		>"$T/fb.n"
	is "$(cat "$T/fb.n")" 1 "full disk, bounce: it reports the recipient"
	umount "$T/fb"
else
	echo "# full disk, bounce: not root or no tmpfs; skipped"
fi

done_testing
