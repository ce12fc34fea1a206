#!/bin/bash
# tests/bench.sh: how long `run` of /bin/true takes, dcrun next to runc and
# crun, on one bundle (make bench). A benchmark, never a test: timings
# depend on the machine and its load, so nothing here passes or fails.
#
# The bundle is `dcrun spec`'s config.json with /bin/true and no terminal,
# on a copy of the test rootfs. crun refuses a hybrid cgroup layout (v1
# controllers beside an empty v2 tree), so on such a host every runtime
# runs inside `unshare -m` with /sys/fs/cgroup/unified unmounted: the
# same for all three, for fairness.
set -eu
BUILD=${BUILD:-build}
dcrun=$PWD/solutions/12-runtime/dcrun
dir=$PWD/$BUILD/bench
runs=${RUNS:-100}

command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (sudo make bench)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/bundle"
cp -a "$BUILD/test-rootfs" "$dir/bundle/rootfs"
(cd "$dir/bundle" && "$dcrun" spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"\/bin\/true"/' "$dir/bundle/config.json"

runtimes=("$dcrun")
for r in runc crun; do
	if command -v "$r" >/dev/null; then runtimes+=("$r"); else echo "bench: $r not installed, left out"; fi
done
commands=()
for r in "${runtimes[@]}"; do
	name=$(basename "$r")
	commands+=("$r --root $dir/state-$name run --bundle $dir/bundle bench-$name")
done

inner=$(printf '%q ' hyperfine -N --warmup 10 --runs "$runs" "${commands[@]}")
if [ -d /sys/fs/cgroup/unified ]; then
	echo "bench: hybrid cgroups: every runtime runs in a mount namespace without /sys/fs/cgroup/unified"
	unshare -m sh -c "umount /sys/fs/cgroup/unified && $inner"
else
	sh -c "$inner"
fi
rm -rf "$dir"
