# snippet.awk -- cut one snippet out of a C source file, for slides and lessons.
#
#   awk -v fn=NAME  -f slides/snippet.awk FILE   the function NAME: the comment
#       block right above it, its signature at column 0 (with the return-type
#       line above when the name starts the line) down to its closing "}" at
#       column 0. STEP marker lines are dropped (/* STEP END */ and
#       /* STEP STUB: ... */); the STEP NN comment itself is kept, as it asks
#       the question the step answers.
#   awk -v step=NN  -f slides/snippet.awk FILE   the code of one step: what lies
#       between the end of the "/* STEP NN: ... */" comment and the line
#       "/* STEP END */", without any /* STEP STUB: ... */, dedented. A step
#       with several blocks (say, a function and its clone flag in
#       run_container) gives all of them, in file order, each headed by the
#       function it is in: "/* in set_hostname(): */" for the first, then a
#       blank line and "/* ...and in run_container(): */" before each next one.
#   -v raw=1 keeps every marker line (fn mode only).
#
# Two options shape a snippet for a slide (either mode):
#   -v nocomments=1  drops every comment that stands on lines of its own
#       (the block above a function too), so a long function fits; the
#       slide's notes then say what the comments said. Comments after code
#       on the same line stay.
#   -v part=K/N      the Kth of N parts. The cuts fall on blank lines
#       between the function's own statements (never inside a block or a
#       statement), chosen so that the longest part is as short as it can
#       be. A part after the first starts with "/* in NAME(), continued: */"
#       unless it starts a block of its own. Used to spread one function
#       over two slides, or two columns.
#
# The snippet goes to stdout. When it is not found, the message goes to stderr
# and the exit status is 1 (2 for bad usage). Never prints an empty snippet.
# POSIX awk: runs under mawk, gawk and busybox awk.

function fail(code, msg) {
	printf "snippet.awk: %s\n", msg > "/dev/stderr"
	failed = code
	exit code
}

function is_marker(s) {
	return s ~ /^[ \t]*\/\*[ \t]*STEP END[ \t]*\*\/[ \t]*$/
}

function is_stub_start(s) {
	return s ~ /^[ \t]*\/\*[ \t]*STEP STUB:/
}

BEGIN {
	if ((fn == "") == (step == ""))
		fail(2, "usage: awk -v fn=NAME -f snippet.awk FILE  or  awk -v step=NN -f snippet.awk FILE")
	if (fn != "" && fn !~ /^[A-Za-z_][A-Za-z0-9_]*$/)
		fail(2, "fn=" fn ": not a C identifier")
	if (step != "" && step !~ /^[0-9A-Za-z_]+$/)
		fail(2, "step=" step ": not a step number")
	if (part != "") {
		if (part !~ /^[1-9][0-9]*\/[1-9][0-9]*$/)
			fail(2, "part=" part ": not K/N")
		split(part, kn, "/")
		part_k = kn[1] + 0
		part_n = kn[2] + 0
		if (part_k > part_n)
			fail(2, "part=" part ": K is greater than N")
	}
	if (ARGC < 2)
		fail(2, "no input file given")
}

{ line[++n] = $0 }

END {
	if (failed)	# exit in BEGIN still runs END
		exit failed
	what = (fn != "") ? "function '" fn "'" : "STEP " step
	if (n == 0)
		fail(1, FILENAME ": empty file, no " what)
	if (fn != "")
		cut_function()
	else
		cut_step()
}

# The definition of fn: a line at column 0 that names fn followed by "(",
# which is not a prototype (a ";" comes before any "{").
function find_definition(    i, j) {
	for (i = 1; i <= n; i++) {
		if (line[i] ~ /^[ \t#\/*]/ || line[i] == "")
			continue
		if (!match(line[i], "(^|[^A-Za-z0-9_])" fn "[ \t]*\\("))
			continue
		for (j = i; j <= n; j++) {
			if (line[j] ~ /\{/)
				return i
			if (line[j] ~ /;/)
				break
		}
	}
	return 0
}

function cut_function(    sig, first, last, i, skipping) {
	sig = find_definition()
	if (!sig)
		fail(1, FILENAME ": no definition of function '" fn "' (its name at column 0 of the signature, e.g. 'static int " fn "(...)')")
	first = sig
	# "static int\nfn(...)": take the return-type line too.
	if (line[sig] ~ "^" fn "[ \t]*\\(" && sig > 1 && line[sig - 1] ~ /^[A-Za-z_]/ && line[sig - 1] !~ /[;}]|\*\/[ \t]*$/)
		first = sig - 1
	# The comment block right above: /* ... */ or a run of // lines.
	if (first > 1 && line[first - 1] ~ /\*\/[ \t]*$/) {
		for (i = first - 1; i >= 1; i--)
			if (line[i] ~ /^[ \t]*\/\*/)
				break
		if (i >= 1)
			first = i
	} else {
		while (first > 1 && line[first - 1] ~ /^[ \t]*\/\//)
			first--
	}
	if (line[sig] ~ /\{.*\}[ \t]*$/)
		last = sig	# a one-line function
	else
		for (last = sig; last <= n; last++)
			if (line[last] ~ /^\}/)
				break
	if (last > n)
		fail(1, FILENAME ": function '" fn "' at line " sig " has no closing '}' at column 0")
	skipping = 0
	for (i = first; i <= last; i++) {
		if (!raw) {
			if (skipping) {
				if (line[i] ~ /\*\//)
					skipping = 0
				continue
			}
			if (is_marker(line[i]))
				continue
			if (is_stub_start(line[i])) {
				skipping = (line[i] !~ /\*\//)
				continue
			}
		}
		emit(line[i], fn, 0)
	}
	finish(1)
}

# The name of the function whose body holds line at, or "" at file scope:
# the nearest line above it at column 0 that opens a function ("name(")
# rather than closing one ("}").
function enclosing_function(at,    i, name) {
	for (i = at - 1; i >= 1; i--) {
		if (line[i] ~ /^\}/)
			return ""
		if (line[i] ~ /^[A-Za-z_]/ && match(line[i], /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
			name = substr(line[i], RSTART, RLENGTH)
			sub(/[ \t]*\($/, "", name)
			return name
		}
	}
	return ""
}

# One block of the step: the code between the end of its comment, which
# starts at line start, and its /* STEP END */, without stubs, trimmed of
# blank lines and dedented, appended to snip[].
function cut_block(start,    i, stop, k, out, m, first, prefix, lead, skipping) {
	# The step's comment may run over several lines: the code starts after "*/".
	for (i = start; i <= n; i++)
		if (line[i] ~ /\*\//)
			break
	if (i > n)
		fail(1, FILENAME ": the comment of STEP " step " at line " start " is never closed")
	stop = 0
	for (k = i + 1; k <= n; k++) {
		if (line[k] ~ /\/\*[ \t]*STEP[ \t]+[0-9A-Za-z_]+:/ && !is_stub_start(line[k]))
			break	# the next step began first
		if (is_marker(line[k])) {
			stop = k
			break
		}
	}
	if (!stop)
		fail(1, FILENAME ": STEP " step " at line " start " has no '/* STEP END */' line")
	m = 0
	skipping = 0
	for (k = i + 1; k < stop; k++) {
		if (skipping) {
			if (line[k] ~ /\*\//)
				skipping = 0
			continue
		}
		if (is_stub_start(line[k])) {
			skipping = (line[k] !~ /\*\//)
			continue
		}
		out[++m] = line[k]
	}
	while (m > 0 && out[m] ~ /^[ \t]*$/)
		m--
	for (first = 1; first <= m && out[first] ~ /^[ \t]*$/; first++)
		;
	if (first > m)
		fail(1, FILENAME ": STEP " step " at line " start " has no code")
	# Dedent by the leading whitespace that every non-blank line shares.
	prefix = ""
	for (k = first; k <= m; k++) {
		if (out[k] ~ /^[ \t]*$/)
			continue
		match(out[k], /^[ \t]*/)
		lead = substr(out[k], 1, RLENGTH)
		if (k == first)
			prefix = lead
		else
			while (substr(lead, 1, length(prefix)) != prefix)
				prefix = substr(prefix, 1, length(prefix) - 1)
	}
	for (k = first; k <= m; k++) {
		if (substr(out[k], 1, length(prefix)) == prefix)
			add_snip(substr(out[k], length(prefix) + 1), blockfn, 0)
		else
			add_snip("", blockfn, 0)
	}
}

# Every block of the step, in file order. A step may need code in two
# places (a function, and the clone flag that makes its namespace): then
# each block is headed by the function it sits in, and the blocks are
# parted by a blank line and "/* ...and in NAME(): */".
function cut_step(    i, blocks, at, name, k) {
	blocks = 0
	for (i = 1; i <= n; i++)
		if (line[i] ~ "/\\*[ \t]*STEP[ \t]+" step ":")
			at[++blocks] = i
	if (!blocks)
		fail(1, FILENAME ": no '/* STEP " step ":' comment")
	nsnip = 0
	for (k = 1; k <= blocks; k++) {
		if (blocks > 1) {
			name = enclosing_function(at[k])
			if (k > 1)
				add_snip("", name, 1)
			if (name == "")
				add_snip("/* ... */", name, 1)
			else
				add_snip("/* " (k > 1 ? "...and in " : "in ") name "(): */", name, 1)
		}
		blockfn = enclosing_function(at[k])
		cut_block(at[k])
	}
	for (k = 1; k <= nsnip; k++)
		emit(snip[k], snipfn[k], snipgen[k])
	finish(0)
}

function add_snip(s, name, generated) {
	snip[++nsnip] = s
	snipfn[nsnip] = name
	snipgen[nsnip] = generated
}

# --- the options: nocomments and part ----------------------------------------

# Every line of the snippet passes here, with the function it is in and
# whether this script wrote it (a block's heading: never dropped).
function emit(s, name, generated) {
	if (nocomments && !generated) {
		if (in_dropped) {
			if (s ~ /\*\//)
				in_dropped = 0
			return
		}
		if (s ~ /^[ \t]*\/\//)
			return
		if (s ~ /^[ \t]*\/\*/) {
			# A comment that starts the line: dropped when nothing follows it.
			if (s !~ /\*\//) {
				in_dropped = 1
				return
			}
			if (s ~ /\*\/[ \t]*$/)
				return
		}
		# No two blank lines in a row where a comment was.
		if (s ~ /^[ \t]*$/ && (nout == 0 || out_line[nout] ~ /^[ \t]*$/))
			return
	}
	out_line[++nout] = s
	out_fn[nout] = name
	out_gen[nout] = generated
}

# s without its strings, character constants and comments, so that its
# braces can be counted; a comment left open carries over in in_cmt.
function code_only(s,    r, c, q) {
	r = ""
	while (s != "") {
		if (in_cmt) {
			if (!match(s, /\*\//))
				return r
			s = substr(s, RSTART + 2)
			in_cmt = 0
			continue
		}
		c = substr(s, 1, 1)
		if (substr(s, 1, 2) == "/*") {
			in_cmt = 1
			s = substr(s, 3)
		} else if (substr(s, 1, 2) == "//") {
			return r
		} else if (c == "\"" || c == "'") {
			q = c
			s = substr(s, 2)
			while (s != "" && substr(s, 1, 1) != q)
				s = substr(s, (substr(s, 1, 1) == "\\") ? 3 : 2)
			s = substr(s, 2)
		} else {
			r = r c
			s = substr(s, 2)
		}
	}
	return r
}

# Print the snippet, or the part of it that part=K/N asks for. in_fn: the
# snippet is a whole function, whose statements are at depth 1 (a step's
# are at depth 0).
function finish(in_fn,    i, depth, t, m, cand, j, p, best, from, len, worst, lo, hi, name, first) {
	while (nout > 0 && out_line[nout] ~ /^[ \t]*$/)
		nout--
	if (part == "") {
		for (i = 1; i <= nout; i++)
			print out_line[i]
		return
	}
	# The places a cut may go: blank lines between top-level statements.
	m = 0
	depth = 0
	in_cmt = 0
	for (i = 1; i <= nout; i++) {
		if (out_line[i] ~ /^[ \t]*$/ && depth == in_fn && !in_cmt)
			cand[++m] = i
		t = code_only(out_line[i])
		depth += gsub(/\{/, "{", t) - gsub(/\}/, "}", t)
	}
	if (m < part_n - 1)
		fail(1, FILENAME ": " what ": cannot cut it in " part_n " parts, it has " m " blank line(s) between statements")
	# Cut points 0 = before the first line, m + 1 = after the last.
	cand[0] = 0
	cand[m + 1] = nout + 1
	# best[j, p]: the longest part, at its shortest, when the first j parts
	# end at cut p; from[j, p] the cut before it.
	for (p = 1; p <= m + 1; p++)
		best[1, p] = cand[p] - 1
	for (j = 2; j <= part_n; j++)
		for (p = j; p <= m + 1; p++) {
			best[j, p] = -1
			for (i = j - 1; i < p; i++) {
				len = cand[p] - cand[i] - 1
				worst = (best[j - 1, i] > len) ? best[j - 1, i] : len
				if (best[j, p] == -1 || worst < best[j, p]) {
					best[j, p] = worst
					from[j, p] = i
				}
			}
		}
	p = m + 1
	for (j = part_n; j >= 1; j--) {
		hi[j] = cand[p] - 1
		i = (j > 1) ? from[j, p] : 0
		lo[j] = cand[i] + 1
		p = i
	}
	for (i = lo[part_k]; i <= hi[part_k] && out_line[i] ~ /^[ \t]*$/; i++)
		;
	first = i
	if (first > hi[part_k])
		fail(1, FILENAME ": " what ": part " part " is empty")
	if (part_k > 1 && !out_gen[first]) {
		name = out_fn[first]
		print (name == "" ? "/* ... */" : "/* in " name "(), continued: */")
	}
	for (i = first; i <= hi[part_k]; i++)
		print out_line[i]
}
