# Turn tests/promises.list into one chapter's list of tests.
#
#   awk -v ch=NN -v name=NN-name -f tests/list.awk tests/promises.list > list_NN-name.h
#
# The header defines DC_CHAPTER, DC_FIRST_OWN (the first test the chapter
# itself adds: DC_OWN_ONLY=1 runs from there) and DC_TESTS, the entries of
# its CMUnitTest array: DC_PROMISE(test) -- the test file picks its
# chapter's teardown -- dc_net_user(test), or dc_runtime_promise(test)
# (12's own, which drive dcrun itself).

BEGIN {
	if (ch !~ /^[0-9][0-9]$/ || name == "") {
		print "list.awk: usage: awk -v ch=NN -v name=NN-name -f tests/list.awk FILE" > "/dev/stderr"
		bad = 1
		exit 2
	}
}

/^#/ || NF == 0 { next }

# What the promise is, for people, follows a "|": drop it here.
{ sub(/[ \t]*\|.*/, "") }

NF < 3 || NF > 4 || $1 !~ /^[0-9][0-9]$/ || ($2 != "promise" && $2 != "net_user" && $2 != "runtime") ||
    $3 !~ /^test_[a-z0-9_]+$/ || (NF == 4 && $4 !~ /^[0-9][0-9]$/) {
	printf "%s:%d: want \"CH KIND TEST [RETIRED]\": %s\n", FILENAME, FNR, $0 > "/dev/stderr"
	bad = 1
	exit 1
}

$3 in seen {
	printf "%s:%d: %s is listed twice\n", FILENAME, FNR, $3 > "/dev/stderr"
	bad = 1
	exit 1
}

{ seen[$3] = 1 }

$1 + 0 <= ch + 0 && (NF < 4 || $4 + 0 > ch + 0) {
	n++
	entry[n] = ($2 == "net_user" ? "dc_net_user" : $2 == "runtime" ? "dc_runtime_promise" : "DC_PROMISE") "(" $3 ")"
	if ($1 == ch && first_own == "")
		first_own = $3
}

END {
	if (bad)
		exit 1
	if (first_own == "") {
		printf "list.awk: chapter %s makes no promise of its own\n", ch > "/dev/stderr"
		exit 1
	}
	print "/* Made by tests/list.awk from tests/promises.list: edit that, not this. */"
	printf "#define DC_CHAPTER \"%s\"\n", name
	printf "#define DC_FIRST_OWN \"%s\"\n", first_own
	print "#define DC_TESTS \\"
	for (i = 1; i <= n; i++)
		printf "\t%s%s\n", entry[i], i < n ? ", \\" : ""
}
