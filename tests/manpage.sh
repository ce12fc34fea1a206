#!/bin/bash
# tests/manpage.sh [DCRUN [PAGE]]: dcrun(8) and `dcrun --help` name the
# same commands and the same --flags, each flag under the same command
# (make lint runs it: lint-manpage).
#
# From --help: a line "  NAME ..." is a command's entry ("  pause ID,
# resume ID ..." two), "  --flag ..." a global option's, and a more
# indented line goes on with the entry before it; the usage line's flags
# are global. From the page (solutions/12-runtime/dcrun.8.md): "## NAME"
# under "# COMMANDS" is a command ("## pause, resume" two), and a
# definition's term, a line that starts "**-", documents the flags in it:
# a command's, under its heading; a global one, under "# GLOBAL OPTIONS".
# A flag only mentioned in the text is not documented.

set -eu
dcrun=${1:-solutions/12-runtime/dcrun}
page=${2:-solutions/12-runtime/dcrun.8.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each "--flag" in $0, as "WHO --flag" for each WHO in the list `who`.
# shellcheck disable=SC2016 # awk's $0, not the shell's
flags_awk='
function flags(who,    s, n, w, i) {
	n = split(who, w, " ")
	for (s = $0; match(s, /--[a-z][a-z0-9-]*/); s = substr(s, RSTART + RLENGTH))
		for (i = 1; i <= n; i++)
			print w[i], substr(s, RSTART, RLENGTH)
}'

"$dcrun" --help >"$tmp/help" 2>&1 || {
	echo "manpage: $dcrun --help failed:" >&2
	cat "$tmp/help" >&2
	exit 1
}
awk "$flags_awk"'
NR == 1 { flags("global"); next }
/^  [a-z]/ {
	# The entry up to its description (two spaces or more): "pause ID, resume ID".
	text = substr($0, 3)
	if (match(text, /  +/))
		text = substr(text, 1, RSTART - 1)
	n = split(text, names, /, */)
	who = ""
	for (i = 1; i <= n; i++) {
		split(names[i], word, " ")
		who = who " " word[1]
		print "command", word[1]
	}
	flags(who)
	next
}
/^  -/ { who = "global"; flags(who); next }
/^   +[^ ]/ && who != "" { flags(who); next }
{ who = "" }
' "$tmp/help" | sort -u >"$tmp/from-help"

awk "$flags_awk"'
/^# / { section = substr($0, 3); who = section == "GLOBAL OPTIONS" ? "global" : ""; next }
section == "COMMANDS" && /^## / {
	n = split(substr($0, 4), names, /, */)
	who = ""
	for (i = 1; i <= n; i++) {
		who = who " " names[i]
		print "command", names[i]
	}
	next
}
/^\*\*-/ && who != "" { flags(who) }
' "$page" | sort -u >"$tmp/from-page"

# Nothing read on either side would make them agree: the format changed.
for side in help page; do
	if ! grep -q '^command ' "$tmp/from-$side" || ! grep -q '^global --' "$tmp/from-$side"; then
		echo "manpage: no command or no global flag read from the $side: has its layout changed?" >&2
		exit 1
	fi
done

if ! diff -q "$tmp/from-help" "$tmp/from-page" >/dev/null; then
	comm -23 "$tmp/from-help" "$tmp/from-page" | sed "s|^|in $dcrun --help, not in $page: |"
	comm -13 "$tmp/from-help" "$tmp/from-page" | sed "s|^|in $page, not in $dcrun --help: |"
	exit 1
fi
echo "manpage: $page and $dcrun --help agree:" \
	"$(grep -c '^command' "$tmp/from-help") commands, $(grep -c -- ' --' "$tmp/from-help") flags"
