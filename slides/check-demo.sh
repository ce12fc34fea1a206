#!/bin/bash
# slides/check-demo.sh: the live demo runs what the slides show.
#
# For every chapter, the commands tests/demo.sh runs with `show` (in its
# demo_NN function) must be, in order, the commands of the chapter's
# "Live demo" slide: the ```{.console .demo} block in slides/NN-*.md,
# one "# command" per line. Both sides may continue a line with "\";
# runs of blanks count as one, and demo.sh's "$ROOTFS" and "$BUILD" are
# read as build/rootfs and build, their defaults, as the slides spell them.
# Run by make test-slides from the repo root; exits 1 on any difference.

set -eu
demo=tests/demo.sh

# demo_NN's shown commands, one per line.
from_script() {
	awk -v fn="demo_$1()" '
		$1 == fn { inside = 1; next }
		inside && /^}/ { exit }
		!inside { next }
		{ line = line $0 }
		/\\$/ { sub(/\\$/, "", line); next }
		{
			if (line ~ /^[ \t]*show[ \t]/) {
				sub(/^[ \t]*show[ \t]+/, "", line)
				gsub(/"\$ROOTFS"|\$ROOTFS/, "build/rootfs", line)
				gsub(/"\$BUILD"|\$BUILD/, "build", line)
				gsub(/[ \t]+/, " ", line)
				print line
			}
			line = ""
		}' "$demo"
}

# The commands of a chapter's demo slide, one per line; anything else in
# the block (output, a prompt-less line) is an error: the slide shows only
# what the demo types.
from_slides() {
	awk '
		/^```\{\.console \.demo\}/ { inside = 1; blocks++; next }
		inside && /^```/ { inside = 0; next }
		!inside || /^[ \t]*$/ { next }
		{ line = line $0 }
		/\\$/ { sub(/\\$/, "", line); next }
		{
			if (line !~ /^# /) {
				printf "%s: not a \"# command\" line in a demo block: %s\n", FILENAME, line > "/dev/stderr"
				bad = 1
			}
			sub(/^# /, "", line)
			gsub(/[ \t]+/, " ", line)
			print line
			line = ""
		}
		END { if (blocks > 1) { print FILENAME ": more than one demo block" > "/dev/stderr"; bad = 1 }; exit bad }' "$@"
}

chapters=$(sed -n 's/^demo_\([0-9][0-9]\)() {$/\1/p' "$demo")
if [ -z "$chapters" ]; then
	echo "check-demo: no demo_NN() functions in $demo" >&2
	exit 1
fi
# A demo slide for a chapter the demo does not know is a difference too.
for md in slides/[0-9][0-9]-*.md; do
	nn=$(basename "$md" | cut -c1-2)
	if grep -q '^```{\.console \.demo}' "$md" && ! grep -qx "$nn" <<<"$chapters"; then
		echo "FAIL demo: $md has a demo slide, but $demo has no demo_$nn" >&2
		exit 1
	fi
done

failed=0
for nn in $chapters; do
	md=$(ls slides/"$nn"-*.md 2>/dev/null || true)
	script=$(from_script "$nn")
	if [ -z "$md" ]; then
		echo "FAIL demo $nn: no slides/$nn-*.md for demo_$nn"
		failed=1
		continue
	fi
	if ! slides=$(from_slides "$md"); then
		failed=1
		continue
	fi
	if [ -z "$script" ]; then
		echo "FAIL demo $nn: demo_$nn shows no command"
		failed=1
	elif [ -z "$slides" ]; then
		echo "FAIL demo $nn: $md has no \`\`\`{.console .demo} block with demo_$nn's commands"
		failed=1
	elif [ "$script" = "$slides" ]; then
		echo "ok   demo $nn: the slide shows the $(wc -l <<<"$script") command(s) demo_$nn runs"
	else
		echo "FAIL demo $nn: $md and demo_$nn differ (< slide, > demo.sh):"
		diff <(echo "$slides") <(echo "$script") | sed 's/^/     /' || true
		failed=1
	fi
done
exit "$failed"
