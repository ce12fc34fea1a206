#!/bin/bash
# tests/bench.sh: how long `run` of /bin/true takes, dcrun next to runc and
# crun, on one bundle (make bench). A benchmark, never a test: timings
# depend on the machine and its load, so nothing here passes or fails.
#
# The bundle is `dcrun spec`'s config.json with /bin/true and no terminal,
# on a copy of the test rootfs, plus the seccomp profile podman sends
# (containers-common's default, as podman 4.3 wrote it in the config.json
# of a `podman run`: tests/fuzz/corpus/podman-run.json), so that all three
# do the same work: namespaces, mounts, masked paths, capabilities, a
# cgroup and a seccomp filter. dcrun keeps compiled filters in a cache
# under its --root, which the warm-up runs fill.
#
# crun refuses a hybrid cgroup layout (v1 controllers beside an empty v2
# tree), so on such a host every runtime runs inside `unshare -m` with
# /sys/fs/cgroup/unified unmounted: the same for all three, for fairness.
set -eu
BUILD=${BUILD:-build}
dcrun=$PWD/solutions/12-runtime/dcrun
dir=$PWD/$BUILD/bench
runs=${RUNS:-100}

for tool in hyperfine jq; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (sudo make bench)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/bundle"
cp -a "$BUILD/test-rootfs" "$dir/bundle/rootfs"
(cd "$dir/bundle" && "$dcrun" spec)
jq --slurpfile podman tests/fuzz/corpus/podman-run.json \
	'.process.terminal = false | .process.args = ["/bin/true"] | .linux.seccomp = $podman[0].linux.seccomp' \
	"$dir/bundle/config.json" >"$dir/config.json"
mv "$dir/config.json" "$dir/bundle/config.json"

runtimes=("$dcrun")
for r in runc crun; do
	if command -v "$r" >/dev/null; then runtimes+=("$r"); else echo "bench: $r not installed, left out"; fi
done
commands=()
for r in "${runtimes[@]}"; do
	name=$(basename "$r")
	commands+=("$r --root $dir/state-$name run --bundle $dir/bundle bench-$name")
done

inner=$(printf '%q ' hyperfine -N --warmup 10 --runs "$runs" --export-json "$dir/times.json" "${commands[@]}")
if [ -d /sys/fs/cgroup/unified ]; then
	echo "bench: hybrid cgroups: every runtime runs in a mount namespace without /sys/fs/cgroup/unified"
	unshare -m sh -c "umount /sys/fs/cgroup/unified && $inner"
else
	sh -c "$inner"
fi

# The medians, and each runtime's time as a multiple of crun's (the target: dcrun at most 0.8).
echo
echo "median of $runs runs, and the ratio to crun's median:"
jq -r '(.results | map(select(.command | test("^crun ")))[0].median) as $crun |
	.results[] | "  \(.command | split(" ")[0] | split("/")[-1])\t\(.median * 1000 | . * 10 | round / 10) ms" +
	(if $crun then "\t\(.median / $crun | . * 100 | round / 100)x crun" else "" end)' "$dir/times.json"
rm -rf "$dir"
