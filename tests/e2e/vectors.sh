#!/bin/sh
# Public test vectors through the real binary with -t: the 14 messages of
# RFC 5322 Appendix A, every row of address-cases.tsv and
# address-invalid.tsv, and msmtp's header torture message.  Recipients
# are compared as sets with what the relay received.
. "${srcdir:-.}/tests/e2e/lib.sh"

D="$srcdir/tests/data"
relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
M() { before_send "$T/r" && "$MAILOUT" -C "$T/c.conf" "$@"; }
# got: the last message's recipients, sorted, one per line, no <>
got() { last rcpt | sed 's/^<//; s/>$//' | sort; }
# want LIST: a comma-separated list, sorted, one per line
want() { printf '%s' "$1" | tr ',' '\n' | sed '/^$/d' | sort; }

# --- RFC 5322 Appendix A: Resent-aware (column 2).
tail -n +2 "$D/rfc5322-appendix-a/expected.tsv" >"$T/appa"
while IFS=$(printf '\t') read -r file rcpts _; do
	n=$(count "$T/r")
	M -t <"$D/rfc5322-appendix-a/$file"
	is $? 0 "$file: exit 0"
	is "$(count "$T/r")" $((n + 1)) "$file: sent once"
	is "$(got)" "$(want "$rcpts")" "$file: recipients"
done <"$T/appa"

# --- address-cases.tsv: "To: value"; a fixed argument recipient is
# added (-t adds arguments) so that rows without addresses are sent too.
awk -F'\t' 'NR > 1 {
	printf "%s", $1 > ("'"$T"'/case." NR ".val")
	printf "%s", $2 > ("'"$T"'/case." NR ".exp")
}' "$D/address-cases.tsv"
rows=$(awk 'END { print NR }' "$D/address-cases.tsv")
i=2
while [ $i -le "$rows" ]; do
	val=$(cat "$T/case.$i.val")
	printf 'From: a@example.org\nTo: %s\nSubject: case %d\n\nbody\n' "$val" $i |
		M -t fixed@example.net
	is $? 0 "address-cases row $i: exit 0"
	is "$(got)" "$(want "fixed@example.net,$(cat "$T/case.$i.exp")")" \
		"address-cases row $i: $val"
	i=$((i + 1))
done

# --- address-invalid.tsv: refused with 65 and one line naming the
# field; nothing sent, not even to the argument recipient.
awk -F'\t' 'NR > 1 { printf "%s", $1 > ("'"$T"'/bad." NR ".val") }' \
	"$D/address-invalid.tsv"
rows=$(awk 'END { print NR }' "$D/address-invalid.tsv")
i=2
while [ $i -le "$rows" ]; do
	val=$(cat "$T/bad.$i.val")
	n=$(count "$T/r")
	printf 'From: a@example.org\nCc: %s\nSubject: bad %d\n\nbody\n' "$val" $i |
		M -t fixed@example.net 2>"$T/err"
	is $? 65 "address-invalid row $i: exit 65: $val"
	is "$(count "$T/r")" "$n" "address-invalid row $i: nothing sent"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "address-invalid row $i: one line"
	grep -q '^mailout: malformed Cc header: ' "$T/err"
	ok $? "address-invalid row $i: the field is named"
	i=$((i + 1))
done

# --- msmtp's torture message: its 14 recipients, with the local ones
# (to4, to12, to10@localhost, to13@localhost) qualified with "domain".
M -t <"$D/messages/msmtp-header-handling.eml"
is $? 0 "msmtp torture message: exit 0"
sed -e 's/\bto4\b/to4@example.org/; s/\bto12\b/to12@example.org/' \
	-e 's/@localhost/@example.org/g' \
	"$D/messages/msmtp-header-handling.expected" >"$T/msmtp.exp"
is "$(got)" "$(want "$(cat "$T/msmtp.exp")")" "msmtp torture message: recipients"
last data >"$T/data"
grep -qi '^bcc' "$T/data"
is $? 1 "msmtp torture message: no Bcc field sent"
grep -c bcc@example.com "$T/data" >"$T/n"
is "$(cat "$T/n")" 0 "msmtp torture message: the Bcc address is not in the data"
grep -q '^Cc: to4@example.org, ' "$T/data"
ok $? "msmtp torture message: to4 qualified in the header too"
grep -q '^Date: ' "$T/data" && grep -q '^Message-ID: ' "$T/data"
ok $? "msmtp torture message: Date and Message-ID added"

done_testing
