#!/bin/bash
# tests/explain.sh: pass a test run's output through, and after it, for each
# failed test, the promise it checks and where the lesson explains it
# (from tests/promises.list).
#
#   { build/tests/test_03-mnt 2>&1; echo "dc-test-status: $?"; } | tests/explain.sh
#
# Exits with the status that the "dc-test-status: N" line gives (the test
# run's own), so that the pipeline fails when the tests did.

set -u
list=$(dirname "$0")/promises.list
failed=() status=0
while IFS= read -r line; do
	case $line in
	'dc-test-status: '*)
		status=${line#dc-test-status: }
		continue
		;;
	esac
	printf '%s\n' "$line"
	case $line in
	'[  FAILED  ] test_'*)
		name=${line#'[  FAILED  ] '}
		name=${name%% *}
		case " ${failed[*]} " in *" $name "*) ;; *) failed+=("$name") ;; esac
		;;
	esac
done
if [ ${#failed[@]} -gt 0 ]; then
	echo
	echo "What each failed test promises, and where the lesson explains it:"
	for name in "${failed[@]}"; do
		why=$(awk -v t="$name" '$3 == t && /\|/ { sub(/^[^|]*\|[ \t]*/, ""); print; exit }' "$list")
		printf '  %s\n      %s\n' "$name" "${why:-(tests/promises.list says nothing about it yet)}"
	done
fi
exit "$status"
