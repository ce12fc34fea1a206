#!/bin/bash
# tests/containerd.sh [DCRUN [ROOTFS]]: containerd drives dcrun, as a
# Kubernetes node's containerd would drive a runtime class's binary.
#
# It starts Debian's containerd with a config of its own (root, state and
# socket under a temporary directory, a namespace named after it, no CRI
# plugin, the native snapshotter), imports the test rootfs as an OCI image
# made here from a tar (no registry, no network), and has ctr run through
# containerd-shim-runc-v2 with dcrun as the shim's runtime binary
# (ctr run --runc-binary: runc.v2's BinaryName option):
#   1. `ctr run --rm IMAGE ID echo hello` prints hello, and a command's
#      exit status comes back through dcrun, the shim and ctr;
#   2. a detached container shows RUNNING, in the cgroup ctr's spec names
#      (/NAMESPACE/ID) and with dcrun's state under our --runc-root; ctr
#      task ps lists its process; ctr task exec runs a command in it (its
#      output and exit status come back); pause freezes it and resume
#      thaws it; SIGKILL stops it, and task rm and container rm remove it,
#      its state and its cgroup;
#   3. once containerd is stopped, before any sweep: no shim, dcrun or
#      container process, no mount under the directory, no shim socket,
#      no container's cgroup; and after the sweep (the namespace's group,
#      the directory): nothing at all.
# A containerd the host may run is never touched: its socket, root, state
# and namespace are not ours. (containerd 1.6's shim keeps its socket in
# /run/containerd/s whatever the config says, named by the sha256 of
# "OUR_SOCKET/NAMESPACE/ID": ours are removed, and the directories if this
# script made them.)
#
# Exit status: 0 passed, 1 failed (what failed on stderr), 77 skipped
# (not root, or containerd is not installed).

set -eu

DCRUN=$(realpath "${1:-solutions/12-runtime/dcrun}")
ROOTFS=$(realpath "${2:-build/test-rootfs}")
IMAGE=localhost/dc-test-rootfs:latest

dir='' ns='' sock='' containerd_pid='' container_pid='' made_run_dir=''

# Say why the check cannot run, and skip.
skip() {
	echo "SKIPPED: $*"
	exit 77
}

# Name what went wrong and fail (the EXIT trap cleans up).
die() {
	echo "FAILED: $*" >&2
	if [ -n "$dir" ] && [ -s "$dir/containerd.log" ]; then
		echo "--- containerd's log (last lines):" >&2
		tail -n 20 "$dir/containerd.log" >&2
	fi
	exit 1
}

# ctr against our containerd and namespace only, never the host's;
# bounded, so that a runtime that never starts a container fails the check
# (-k: ctr run passes SIGTERM on to the container, and may wait on). No
# input: make test may run with none, and a container's stdin is ctr's.
c() {
	timeout -k 5 60 ctr --address "$sock" --namespace "$ns" "$@" </dev/null
}

# The container's options every run needs: dcrun as the shim's runtime,
# its state (--root) and the I/O fifos under our directory, not /run.
run_options() {
	printf '%s\n' --runc-binary "$DCRUN" --runc-root "$dir/runc" --fifo-dir "$dir/fifo"
}

# The config: our own paths, and no plugin that touches the host (CRI's
# networking, /opt/containerd, other snapshotters, tracing). (The v1
# runtime stays: 1.6's tasks service will not load without it.)
write_config() {
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.internal.v1.opt",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.overlayfs",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]

		[grpc]
		  address = "$sock"

		[ttrpc]
		  address = "$sock.ttrpc"

		[debug]
		  address = ""

		[metrics]
		  address = ""
	EOF
}

# Start containerd and wait (bounded) until it answers on its socket.
start_containerd() {
	containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
	containerd_pid=$!
	for _ in $(seq 100); do
		if c version >/dev/null 2>&1; then
			return
		fi
		kill -0 "$containerd_pid" 2>/dev/null || die "containerd exited at start"
		sleep 0.1
	done
	die "containerd did not answer on $sock within 10 s"
}

# blob FILE MEDIATYPE: store FILE as a blob of the layout; print its descriptor.
blob() {
	local digest size
	digest=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$dir/image/blobs/sha256/$digest"
	printf '{"mediaType":"%s","digest":"sha256:%s","size":%s}' "$2" "$digest" "$size"
}

# The test rootfs as an OCI image layout in a tar (image-spec's
# image-layout.md): one gzipped layer, its config, a manifest and an index.
make_image_tar() {
	local arch diff_id layer config manifest
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	mkdir -p "$dir/image/blobs/sha256"
	# --one-file-system: whatever another test has mounted in it stays out.
	tar --numeric-owner --one-file-system -C "$ROOTFS" -cf "$dir/layer.tar" .
	diff_id=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	gzip -1 -n "$dir/layer.tar"
	layer=$(blob "$dir/layer.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
	printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$arch" "$diff_id" >"$dir/config.json"
	config=$(blob "$dir/config.json" application/vnd.oci.image.config.v1+json)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
		"$config" "$layer" >"$dir/manifest.json"
	manifest=$(blob "$dir/manifest.json" application/vnd.oci.image.manifest.v1+json)
	# io.containerd.image.name: the image's full name, which ctr import keeps.
	printf '{"schemaVersion":2,"manifests":[%s]}' \
		"${manifest%\}},\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"},\"annotations\":{\"io.containerd.image.name\":\"$IMAGE\",\"org.opencontainers.image.ref.name\":\"latest\"}}" \
		>"$dir/image/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/image/oci-layout"
	tar -C "$dir/image" -cf "$dir/image.tar" oci-layout index.json blobs
}

# ctr run --rm: the output is the command's, and so is the exit status.
check_run_rm() {
	local out status=0
	# shellcheck disable=SC2046 # run_options prints one word a line
	out=$(c run --rm $(run_options) "$IMAGE" "$ns-echo" echo hello 2>&1) || status=$?
	# (124 or 137: ctr had no answer within c's 60 s.)
	[ "$status" -eq 0 ] || die "ctr run --rm ... echo hello: exit $status: $out"
	[ "$out" = hello ] || die "ctr run --rm ... echo hello printed \"$out\", not \"hello\""
	status=0
	# shellcheck disable=SC2046
	out=$(c run --rm $(run_options) "$IMAGE" "$ns-exit" sh -c 'exit 3' 2>&1) || status=$?
	[ "$status" -eq 3 ] || die "ctr run --rm ... sh -c 'exit 3': exit $status, not 3: $out"
}

# task_status ID: the STATUS column of ctr task ls for ID.
task_status() {
	c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# wait_status ID STATUS: poll (bounded) until ctr task ls shows it.
wait_status() {
	for _ in $(seq 100); do
		[ "$(task_status "$1")" = "$2" ] && return
		sleep 0.1
	done
	die "task $1 is $(task_status "$1"), not $2, after 10 s"
}

# A detached container: RUNNING, in the group ctr's spec names
# (cgroupsPath /NAMESPACE/ID), dcrun's state in our --root; ps, exec,
# pause and resume through the shim; then killed, STOPPED, and removed
# with its group.
check_detached() {
	local id=$ns-sleep pid group
	# shellcheck disable=SC2046
	c run -d $(run_options) "$IMAGE" "$id" sleep 1000 >/dev/null
	wait_status "$id" RUNNING
	pid=$(c task ls | awk -v id="$id" '$1 == id { print $2 }')
	container_pid=$pid
	grep -Eq "^[0-9]+:(pids|):/$ns/$id\$" "/proc/$pid/cgroup" ||
		die "the container's process is not in the group /$ns/$id: $(tr '\n' ' ' <"/proc/$pid/cgroup")"
	[ -d "$dir/runc/$ns/$id" ] || die "dcrun's state for $id is not under --runc-root ($dir/runc/$ns/$id)"
	"$DCRUN" --root "$dir/runc/$ns" state "$id" | grep -q '"status": *"running"' ||
		die "dcrun state $id does not say running"
	# The shim asks dcrun ps --format json for the container's processes.
	c task ps "$id" | awk 'NR > 1 { print $1 }' | grep -qx "$pid" ||
		die "ctr task ps $id does not list its process $pid"
	# ctr task exec (kubectl exec, through CRI): the shim runs dcrun exec
	# --process FILE --detach; the output and exit status come back, and
	# the new process is in the container's group.
	local out status=0
	out=$(c task exec --fifo-dir "$dir/fifo" --exec-id probe "$id" \
		sh -c 'echo from-exec; grep -E "^[0-9]+:(pids|):" /proc/self/cgroup; exit 4' 2>&1) || status=$?
	[ "$status" -eq 4 ] || die "ctr task exec ... exit 4: exit $status, not 4: $out"
	[ "$(echo "$out" | head -n 1)" = from-exec ] || die "ctr task exec printed \"$out\", not from-exec first"
	echo "$out" | sed 1d | grep -Eq ":/$ns/$id\$" || die "the exec'd process is not in /$ns/$id: $out"
	# The shim reports PAUSED once dcrun pause succeeds: ask dcrun, which
	# reads the freezer, that the group is frozen.
	c task pause "$id"
	wait_status "$id" PAUSED
	"$DCRUN" --root "$dir/runc/$ns" state "$id" | grep -q '"status": *"paused"' ||
		die "after ctr task pause, dcrun state $id does not say paused"
	c task resume "$id"
	wait_status "$id" RUNNING
	"$DCRUN" --root "$dir/runc/$ns" state "$id" | grep -q '"status": *"running"' ||
		die "after ctr task resume, dcrun state $id does not say running"
	c task kill -s KILL "$id"
	wait_status "$id" STOPPED
	c task rm "$id" >/dev/null 2>&1 || die "ctr task rm $id failed"
	c container rm "$id"
	[ -z "$(c container ls -q)" ] || die "containers left after rm: $(c container ls -q)"
	[ ! -e "$dir/runc/$ns/$id" ] || die "dcrun delete left its state directory $dir/runc/$ns/$id"
	for group in /sys/fs/cgroup/"$ns/$id" /sys/fs/cgroup/*/"$ns/$id"; do
		[ ! -e "$group" ] || die "dcrun delete left the container's cgroup $group"
	done
}

# Our namespace's groups, children first: containerd names a container's
# group /NAMESPACE/ID (v2: /sys/fs/cgroup/NS/ID; v1: in every hierarchy).
our_groups() {
	local group
	for group in /sys/fs/cgroup/"$ns"/*/ /sys/fs/cgroup/*/"$ns"/*/ /sys/fs/cgroup/"$ns"/ /sys/fs/cgroup/*/"$ns"/; do
		[ -d "$group" ] && echo "${group%/}"
	done
	return 0
}

# Our processes: containerd, its shims and their dcrun (all name our
# directory in their arguments), and whatever is in our namespace's groups.
our_pids() {
	local f args pid group
	# Builtins only: a forked grep would find its own arguments.
	for f in /proc/[0-9]*/cmdline; do
		mapfile -d '' args 2>/dev/null <"$f" || continue
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		if [[ "${args[*]}" == *"$dir/"* ]] && [ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ]; then
			echo "$pid"
		fi
	done
	for group in $(our_groups); do
		cat "$group/cgroup.procs" 2>/dev/null || true
	done
	# The detached container's process, if it is still that sleep.
	if [ -n "$container_pid" ] && [ "$(tr '\0' ' ' 2>/dev/null <"/proc/$container_pid/cmdline")" = "sleep 1000 " ]; then
		echo "$container_pid"
	fi
}

# The shims' sockets of our containers (containerd 1.6's SocketAddress).
our_shim_sockets() {
	local id socket
	for id in "$ns-echo" "$ns-exit" "$ns-sleep"; do
		socket=/run/containerd/s/$(printf '%s' "$sock/$ns/$id" | sha256sum | cut -d' ' -f1)
		[ -S "$socket" ] && echo "$socket"
	done
	return 0
}

# Our mounts: those under our directory, deepest first.
our_mounts() {
	awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Remove every task and container still there (after a failure), and
# stop containerd as a node would (SIGTERM); its shims go with their tasks.
stop_containerd() {
	local id
	if [ -n "$containerd_pid" ] && kill -0 "$containerd_pid" 2>/dev/null; then
		for id in $(c task ls -q 2>/dev/null); do
			c task kill -s KILL "$id" >/dev/null 2>&1 || true
			c task rm -f "$id" >/dev/null 2>&1 || true
		done
		for id in $(c container ls -q 2>/dev/null); do
			c container rm "$id" >/dev/null 2>&1 || true
		done
		kill "$containerd_pid"
		for _ in $(seq 100); do
			kill -0 "$containerd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$containerd_pid" 2>/dev/null || true
		wait "$containerd_pid" 2>/dev/null || true
	fi
	containerd_pid=''
}

# wait_for_no_pids: true once none of ours is left (bounded: a shim
# exits just after containerd has deleted its task).
wait_for_no_pids() {
	for _ in $(seq 50); do
		[ -z "$(our_pids)" ] && return 0
		sleep 0.1
	done
	return 1
}

# What containerd, the shim and dcrun left by themselves, before the
# sweep: no process, no mount, no container's group. (The namespace's
# own group, /NAMESPACE, is containerd's naming: no runtime removes a
# parent, runc neither; the sweep does.)
check_runtime_left_nothing() {
	wait_for_no_pids || die "processes left after containerd stopped: $(our_pids | tr '\n' ' ')"
	[ -z "$(our_mounts)" ] || die "mounts left after containerd stopped: $(our_mounts | tr '\n' ' ')"
	[ -z "$(our_shim_sockets)" ] || die "shim sockets left: $(our_shim_sockets | tr '\n' ' ')"
	local groups
	groups=$(our_groups | grep -v "/$ns\$" || true)
	[ -z "$groups" ] || die "containers' cgroups left: $(echo "$groups" | tr '\n' ' ')"
}

# Stop containerd, then sweep what is left: processes, mounts, cgroups,
# the directory. Runs on every exit; each step is a no-op when done.
teardown() {
	local pid group mount socket
	stop_containerd
	[ -n "$dir" ] || return 0
	for pid in $(our_pids); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for mount in $(our_mounts); do
		umount -l "$mount" || true
	done
	for group in $(our_groups); do
		rmdir "$group" || true
	done
	rm -rf "$dir"
	for socket in $(our_shim_sockets); do
		rm -f "$socket"
	done
	if [ -n "$made_run_dir" ]; then
		rmdir /run/containerd/s /run/containerd 2>/dev/null || true
	fi
}

# After teardown: nothing of ours is left anywhere on the host.
check_nothing_left() {
	wait_for_no_pids || die "processes left: $(our_pids | tr '\n' ' ')"
	[ -z "$(our_mounts)" ] || die "mounts left: $(our_mounts | tr '\n' ' ')"
	[ -z "$(our_groups)" ] || die "cgroups left: $(our_groups | tr '\n' ' ')"
	[ ! -e "$dir" ] || die "directory left: $dir"
	[ -z "$(our_shim_sockets)" ] || die "shim sockets left: $(our_shim_sockets | tr '\n' ' ')"
}

main() {
	[ "$(id -u)" -eq 0 ] || skip "containerd runs as root"
	local tool
	for tool in containerd ctr containerd-shim-runc-v2; do
		command -v "$tool" >/dev/null || skip "$tool is not installed (make deps installs containerd)"
	done
	[ -x "$DCRUN" ] || die "no dcrun at $DCRUN"
	[ -x "$ROOTFS/bin/sh" ] || die "no test rootfs at $ROOTFS"
	[ -d /run/containerd ] || made_run_dir=1
	trap teardown EXIT
	trap 'exit 1' INT TERM HUP
	dir=$(mktemp -d /tmp/dc-containerd-XXXXXX)
	ns=${dir##*/}
	sock=$dir/containerd.sock
	export CONTAINERD_SNAPSHOTTER=native
	write_config
	start_containerd
	make_image_tar
	c images import "$dir/image.tar" >/dev/null
	check_run_rm
	check_detached
	stop_containerd
	check_runtime_left_nothing
	teardown
	check_nothing_left
	dir=''
	echo "containerd $(containerd --version | awk '{print $3}') drove dcrun (run, exit status, ps, exec, pause, kill, delete); nothing left"
}

main
