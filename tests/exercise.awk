# Turn a chapter's solution into its exercise.
#
#   awk -v step=NN -f tests/exercise.awk solutions/NN-name/FILE.c
#
# The solution marks the chapter's one new step:
#
#	/* STEP NN: what to do, and which man pages to read
#	 */
#	...the code the student writes...
#	/* STEP STUB: code the exercise needs to compile, if any */
#	/* STEP END */
#
# The exercise keeps the comment (as "TODO NN:"), drops the code and the
# END marker, and keeps the stub as plain code. Everything else is copied,
# so the exercise and the solution cannot drift apart.
# A marker for another chapter's step is an error: each solution marks
# only its own step, so the diff between chapters is the lesson.

BEGIN {
	if (step !~ /^[0-9][0-9]$/) {
		print "exercise.awk: usage: awk -v step=NN -f tests/exercise.awk FILE" > "/dev/stderr"
		bad = 1
		exit 2
	}
	state = "copy"
}

# Any STEP marker must be ours.
/\/\* STEP [0-9][0-9]:/ {
	match($0, /STEP [0-9][0-9]:/)
	found = substr($0, RSTART + 5, 2)
	if (found != step) {
		printf "%s:%d: STEP %s marker in chapter %s's solution\n", FILENAME, FNR, found, step > "/dev/stderr"
		bad = 1
		exit 1
	}
	if (state != "copy") {
		printf "%s:%d: STEP inside another STEP\n", FILENAME, FNR > "/dev/stderr"
		bad = 1
		exit 1
	}
	sub(/STEP [0-9][0-9]:/, "TODO " step ":")
	print
	blocks++
	state = index($0, "*/") ? "code" : "comment"
	next
}

state == "comment" {
	print
	if (index($0, "*/"))
		state = "code"
	next
}

state == "code" && /\/\* STEP STUB: .* \*\/$/ {
	line = $0
	sub(/\/\* STEP STUB: /, "", line)
	sub(/ \*\/$/, "", line)
	print line
	next
}

state == "code" && /\/\* STEP END \*\// {
	state = "copy"
	next
}

state == "code" { next }

/STEP (STUB|END)/ {
	printf "%s:%d: STEP STUB or END outside a STEP block\n", FILENAME, FNR > "/dev/stderr"
	bad = 1
	exit 1
}

{ print }

END {
	if (bad)
		exit 1
	if (state != "copy") {
		printf "%s: STEP %s block has no STEP END\n", FILENAME, step > "/dev/stderr"
		exit 1
	}
}
