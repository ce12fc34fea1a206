#!/bin/bash
# tests/lessons.sh: keep the code in the lessons cut from the solutions.
#
#   tests/lessons.sh check    (make test) fail if a lesson's code differs
#   tests/lessons.sh update   (make lessons) rewrite the code blocks in place
#
# A lesson (chapters/NN-name/README.md) shows code like this:
#
#   <!-- include: solutions/02-pivot_root/container.c fn=enter_new_root -->
#   ```c
#   ...filled in by `make lessons`...
#   ```
#
# fn=NAME takes a whole function, step=NN the code of a chapter's step; the
# cutting is slides/snippet.awk's, the same script the slides use. The
# README stays readable on a forge, where no filter runs, and the code in
# it can never drift from the code that is tested.

set -eu
mode=${1:-check}
case $mode in check | update) ;; *)
	echo "usage: tests/lessons.sh check|update" >&2
	exit 2
	;;
esac

# refresh README: print README with every included block re-cut.
refresh() {
	local readme=$1 line path key want=''
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -n "$want" ]; then
			# Skip the old block: its opening fence, its body, its closing fence.
			case $line in
			'```c')
				printf '%s\n' "$line"
				awk -v "$want" -f slides/snippet.awk "$path" || {
					echo "$readme: cannot cut $want from $path" >&2
					return 1
				}
				;;
			'```')
				printf '%s\n' "$line"
				want=''
				;;
			esac
			continue
		fi
		printf '%s\n' "$line"
		case $line in
		'<!-- include: '*' -->')
			read -r path key _ <<<"${line#'<!-- include: '}"
			[ -f "$path" ] || { echo "$readme: no such file: $path" >&2; return 1; }
			want=$key
			;;
		esac
	done <"$readme"
	if [ -n "$want" ]; then
		echo "$readme: an include has no \`\`\`c block after it" >&2
		return 1
	fi
}

status=0
for readme in chapters/*/README.md; do
	[ -f "$readme" ] || continue
	new=$(mktemp)
	if ! refresh "$readme" >"$new"; then
		status=1
	elif ! cmp -s "$readme" "$new"; then
		if [ "$mode" = update ]; then
			cp "$new" "$readme"
			echo "updated $readme"
		else
			diff -u "$readme" "$new" || true
			echo "$readme: its code differs from solutions/ (run: make lessons)" >&2
			status=1
		fi
	fi
	rm -f "$new"
done

# tests/promises.list names, for each promise, the lesson section that
# explains it: (lesson NN, "Section"). That section must still be there:
# a heading, or a paragraph's bold lead.
while IFS= read -r line; do
	ch=${line#*(lesson } ch=${ch%%,*}
	section=${line##*, \"} section=${section%\")}
	text=$(cat chapters/"$ch"-*/README.md 2>/dev/null | tr -d '`')
	if ! grep -qxF -e "## $section" -e "### $section" <<<"$text" &&
		! grep -qF -e "**$section.**" -e "**$section**" -e "**$section:**" <<<"$text"; then
		echo "tests/promises.list: lesson $ch has no section \"$section\": $line" >&2
		status=1
	fi
done < <(grep -o '(lesson [0-9][0-9], "[^"]*")' tests/promises.list | sort -u)
exit $status
