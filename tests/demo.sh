#!/bin/bash
# tests/demo.sh: the narrated tour that `make demo` runs, and the talk's
# live demo. One function per chapter; each runs that chapter's solution
# with -v, so the container narrates how it is built.
#
#   make demo                 every chapter, back to back
#   make demo CH=03           one chapter
#   make demo CH=03 PACE=1    print each command, wait for Enter, then run it,
#                             so a speaker can talk over it
#
# Every command run with `show` is on the chapter's "Live demo" slide, as
# written here with "$ROOTFS" spelled build/rootfs; slides/check-demo.sh
# (make test-slides) fails when the two differ.

set -eu
BUILD=${BUILD:-build}
CHAPTERS=${CHAPTERS:?set by make}
PACE=${PACE:-}
ROOTFS=$BUILD/rootfs

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	bold=$'\e[1m' dim=$'\e[2m' plain=$'\e[0m'
else
	bold='' dim='' plain=''
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the containers need root: run sudo make demo" >&2
	exit 1
fi

chapter() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
say() { printf '%s\n' "$*"; }
# Show the command as you would type it, then run it; a demo step may fail
# on purpose. With PACE, wait for Enter first (EOF on stdin: go on). The
# command gets /dev/null as stdin, so it cannot eat the speaker's Enters.
show() {
	local line='#' arg q="'"
	for arg in "$@"; do
		case $arg in
		*[[:space:]\"\'\;\&\|\$\<\>\(\)\*]*) arg="'${arg//$q/$q\\$q$q}'" ;;
		esac
		line+=" $arg"
	done
	printf '%s%s%s' "$dim" "$line" "$plain"
	# A terminal echoes the Enter; a pipe (yes '' | make demo PACE=1) does not.
	if [ -n "$PACE" ] && read -r _ && [ -t 0 ]; then
		:
	else
		echo
	fi
	"$@" </dev/null || printf '%s(exit status %d)%s\n' "$dim" "$?" "$plain"
}

# A file that lives only on the host: what an escape would read. A fixed
# name, so the slide can show it; noclobber (O_EXCL) refuses a planted one.
host_file=/tmp/dc-demo-host
persist_dir=$BUILD/demo-ns
pod_dir=$BUILD/demo-pod
bundle_dir=$BUILD/demo-bundle
dcrun=solutions/12-runtime/dcrun
queue='' pod='' podman_dir=''
made_by_12=()
# Chapter 12's leftovers, also when the demo stopped half way (each step
# is harmless when there is nothing to undo): both containers, podman's
# storage, the bundle, and what the demo made that was not there before it
# (made_by_12: dcrun's state directory, its and podman's parent cgroups).
cleanup_12() {
	local made
	if command -v runc >/dev/null; then runc delete --force demo-runc >/dev/null 2>&1 || true; fi
	if [ -x "$dcrun" ]; then "$dcrun" delete --force demo-dcrun >/dev/null 2>&1 || true; fi
	if [ -n "$podman_dir" ]; then
		# Its storage named by flags, not by the environment: never the host's.
		podman --root "$podman_dir"/root --runroot "$podman_dir"/runroot --tmpdir "$podman_dir"/tmp \
			--storage-driver vfs rm --all --force --time 0 >/dev/null 2>&1 || true
		findmnt -rn -o TARGET | awk -v dir="$podman_dir/" 'index($0, dir) == 1' | sort -r |
			while read -r point; do umount -l "$point" || true; done
		rm -rf "$podman_dir"
		podman_dir=''
		unset CONTAINERS_STORAGE_CONF CONTAINERS_CONF
	fi
	rm -rf "$bundle_dir"
	# sort -r: a child group before its parent. Only an empty group goes.
	while read -r made; do
		if [ "$made" = /run/dcrun ]; then rm -rf /run/dcrun/.seccomp-cache; fi
		if [ -d "$made" ]; then rmdir "$made" 2>/dev/null || true; fi
	done < <(printf '%s\n' "${made_by_12[@]}" | sort -r)
	made_by_12=()
}

# podman with storage of its own under a temporary directory, named by
# CONTAINERS_STORAGE_CONF (vfs: it mounts nothing), and its run-time files
# there too (CONTAINERS_CONF: the system's defaults plus tmp_dir), so the
# shown command is the one a user types; an image imported from the demo
# rootfs, so no registry is asked.
podman_storage() {
	local system=/usr/share/containers/containers.conf
	podman_dir=$(mktemp -d /tmp/dc-demo-podman.XXXXXX)
	mkdir "$podman_dir"/tmp
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' \
		"$podman_dir" "$podman_dir" >"$podman_dir"/storage.conf
	{ if [ -f "$system" ]; then grep -vE '^[[:space:]]*(tmp_dir|events_logger)[[:space:]]*=' "$system"; fi; } |
		awk -v dir="$podman_dir" '
			{ print }
			/^\[engine\][[:space:]]*$/ { print "tmp_dir = \"" dir "/tmp\"\nevents_logger = \"file\""; done = 1 }
			END { if (!done) print "[engine]\ntmp_dir = \"" dir "/tmp\"\nevents_logger = \"file\"" }' \
		>"$podman_dir"/containers.conf
	export CONTAINERS_STORAGE_CONF="$podman_dir"/storage.conf CONTAINERS_CONF="$podman_dir"/containers.conf
	tar -C "$ROOTFS" -cf "$podman_dir"/rootfs.tar .
	podman import --quiet "$podman_dir"/rootfs.tar dc-busybox >/dev/null
}

# Until RUNTIME says container ID has stopped: SIGKILL is sent at once,
# but the process takes a moment to go.
wait_stopped() {
	local _
	for _ in $(seq 50); do
		if "$1" state "$2" 2>/dev/null | grep -q '"status": "stopped"'; then return 0; fi
		sleep 0.1
	done
}

cleanup() {
	rm -f "$host_file"
	cleanup_12
	# 11's first container, if the demo stopped before it ended: the
	# background show's child. It passes SIGTERM on, and removes its cgroup.
	if [ -n "$pod" ]; then
		pkill -TERM -P "$pod" 2>/dev/null || true
		wait "$pod" 2>/dev/null || true
		pod=''
	fi
	for dir in "$persist_dir" "$pod_dir"; do
		[ -d "$dir" ] || continue
		for ns in "$dir"/*; do umount "$ns" 2>/dev/null || true; done
		rm -rf "$dir"
	done
	if [ -n "$queue" ]; then ipcrm -q "$queue" || true; fi
}
trap cleanup EXIT
cleanup	# what an interrupted run left
(set -C && echo "a host-only file, $(date -u +%FT%TZ)" >"$host_file")
# The escape tool and the memory hog go into the demo rootfs, as in the tests.
install -m 755 solutions/01-chroot/unroot "$ROOTFS/bin/unroot"
if [ -x "$BUILD/tests/hog" ]; then
	install -m 755 "$BUILD/tests/hog" "$ROOTFS/bin/hog"
fi

demo_01() {
	chapter "01 chroot (1979): a new root directory, and nothing else"
	show solutions/01-chroot/container -v "$ROOTFS" /bin/sh -c 'head -n 1 /etc/os-release; ls /'
	say "The escape: unroot climbs back out, then reads a file on the host."
	show solutions/01-chroot/container "$ROOTFS" /bin/unroot /bin/cat /tmp/dc-demo-host
}

demo_02() {
	chapter "02 pivot_root: a root you cannot climb out of"
	show solutions/02-pivot_root/container -v "$ROOTFS" /bin/unroot /bin/cat /tmp/dc-demo-host
	say "Inside, only the new root is mounted (plus the /proc we mount to look):"
	show solutions/02-pivot_root/container "$ROOTFS" /bin/sh -c \
		'mount -t proc proc /proc && cut -d" " -f5 /proc/self/mountinfo'
}

demo_03() {
	chapter "03 mnt (2002): a mount table of its own"
	show solutions/03-mnt/container -v "$ROOTFS" /bin/sh -c 'cut -d" " -f5 /proc/self/mountinfo; ls /dev'
	say "A namespace lives while something holds it: keep it with --persist, rejoin with enter."
	show mkdir "$BUILD"/demo-ns
	show solutions/03-mnt/container --persist "$BUILD"/demo-ns "$ROOTFS" /bin/sh -c 'echo "written inside" > /tmp/note'
	show solutions/03-mnt/enter "$BUILD"/demo-ns /bin/cat /tmp/note
	show umount "$BUILD"/demo-ns/mnt
	show rm -r "$BUILD"/demo-ns
}

demo_04() {
	chapter "04 uts (2006): a hostname of its own"
	show solutions/04-uts/container -v --hostname demo "$ROOTFS" /bin/sh -c 'hostname renamed-inside; hostname'
	show hostname
}

demo_05() {
	chapter "05 ipc (2006): System V IPC and POSIX queues of its own"
	say "On the host, a message queue (made with ipcmk -Q):"
	queue=$(ipcmk -Q | awk '{print $NF}')
	show ipcs -q
	say "Inside, the kernel's table of queues is empty:"
	show solutions/05-ipc/container "$ROOTFS" /bin/cat /proc/sysvipc/msg
	ipcrm -q "$queue"
	queue=''
}

demo_06() {
	chapter "06 pid (2008): PID 1, and an init to reap"
	show solutions/06-pid/container -v "$ROOTFS" /bin/ps -o pid,ppid,comm
}

demo_07() {
	chapter "07 net (2009): a network of its own, wired to the host by a veth pair"
	show solutions/07-net/container "$ROOTFS" /sbin/ip -o addr
	# shellcheck disable=SC2016 # the container's sh expands it, not this one
	show solutions/07-net/container -v --net veth "$ROOTFS" /bin/sh -c \
		'ip -o -4 addr show eth0; ip route; ping -c 1 -W 5 "$(ip route | sed -n "s/default via \([^ ]*\).*/\1/p")"'
}

demo_08() {
	chapter "08 user (2013): root inside, nobody outside -- and no root needed"
	say "Started by uid 65534 (nobody), with no privilege at all:"
	show setpriv --reuid=65534 --regid=65534 --clear-groups \
		solutions/08-user/container -v "$ROOTFS" /bin/sh -c 'id; cat /proc/self/uid_map'
}

demo_09() {
	chapter "09 cgroup (2016): limits -- the OOM killer at 64 MB"
	show solutions/09-cgroup/container -v --memory 64m "$ROOTFS" /bin/hog 256
}

demo_10() {
	chapter "10 time (2020): a container that booted a day earlier"
	show cat /proc/uptime
	show solutions/10-time/container -v --uptime-offset 86400 "$ROOTFS" /bin/cat /proc/uptime
}

demo_11() {
	chapter "11 compose (1999-2016): capabilities, no_new_privs, seccomp, masks -- and namespaces shared"
	show solutions/11-compose/container -v "$ROOTFS" /bin/grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status
	say "seccomp refuses a new user namespace; --seccomp unconfined lets it through:"
	show solutions/11-compose/container "$ROOTFS" /usr/bin/unshare -U /usr/bin/id
	show solutions/11-compose/container --seccomp unconfined "$ROOTFS" /usr/bin/unshare -U /usr/bin/id
	say "The host's keys, then the container's /proc/keys: /dev/null bound over it."
	show wc -l /proc/keys
	show solutions/11-compose/container "$ROOTFS" /usr/bin/wc -l /proc/keys
	say "Composing namespaces: a first container keeps its namespaces in $pod_dir and listens, in the background (&):"
	show mkdir "$BUILD"/demo-pod
	show solutions/11-compose/container --persist "$BUILD"/demo-pod "$ROOTFS" /usr/bin/nc -l -p 8080 &
	pod=$!
	sleep 1
	show ls -l /proc/"$(pgrep -n nc)"/ns
	show solutions/03-mnt/nsls -t user -t net
	say "The talk's composition, with the host's own tools: its PID namespace joined (nsenter), a mount namespace of our own with a fresh /proc (unshare --mount-proc): the host's files, the container's processes."
	show nsenter --pid=/proc/"$(pgrep -n nc)"/ns/pid unshare --mount-proc ps -o pid,args
	show solutions/11-compose/enter "$(pgrep -n nc)" /bin/ps -o pid,args
	say "A second container joins its user and network namespaces, and talks to it over 127.0.0.1:"
	show solutions/11-compose/container --join user:"$BUILD"/demo-pod/user --join net:"$BUILD"/demo-pod/net \
		"$ROOTFS" /bin/sh -c 'echo hello from next door | nc 127.0.0.1 8080'
	wait "$pod" || true
	pod=''
	show umount "$BUILD"/demo-pod/mnt "$BUILD"/demo-pod/uts "$BUILD"/demo-pod/ipc \
		"$BUILD"/demo-pod/pid "$BUILD"/demo-pod/net "$BUILD"/demo-pod/user
	show rm -r "$BUILD"/demo-pod
}

demo_12() {
	local hierarchy group
	chapter "12 runtime (2015-2017): dcrun, an OCI runtime with runc's command line, next to runc"
	# What this chapter may make that was not there before: cleanup_12 removes it.
	if [ ! -e /run/dcrun ]; then made_by_12+=(/run/dcrun); fi
	for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/*/; do
		for group in dcrun libpod_parent libpod_parent/conmon; do
			if [ ! -e "${hierarchy%/}/$group" ]; then made_by_12+=("${hierarchy%/}/$group"); fi
		done
	done
	say "A bundle: a root filesystem, and the config.json that dcrun spec writes (runc spec's, byte for byte):"
	show mkdir "$BUILD"/demo-bundle
	show cp -a "$ROOTFS" "$BUILD"/demo-bundle/rootfs
	show solutions/12-runtime/dcrun spec --bundle "$BUILD"/demo-bundle
	say "No terminal, and a command that waits, so both containers can be seen:"
	show sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"sleep", "600"/' "$BUILD"/demo-bundle/config.json
	say "The same bundle, run by runc and by dcrun. create leaves each init waiting on its exec.fifo:"
	if command -v runc >/dev/null; then
		show runc create --bundle "$BUILD"/demo-bundle demo-runc
	else
		say "(runc is not installed, so only dcrun runs it: apt-get install runc)"
	fi
	show solutions/12-runtime/dcrun create --bundle "$BUILD"/demo-bundle demo-dcrun
	show solutions/12-runtime/dcrun state demo-dcrun
	if command -v runc >/dev/null; then
		show ls -l /run/runc/demo-runc
	fi
	show ls -l /run/dcrun/demo-dcrun
	say "start opens the other end of the fifo: the command runs."
	if command -v runc >/dev/null; then
		show runc start demo-runc
		show runc list
	fi
	show solutions/12-runtime/dcrun start demo-dcrun
	show solutions/12-runtime/dcrun list
	say "Each container is in five new namespaces (pid, net, ipc, uts, mnt): runc spec asks for no user, cgroup or time namespace."
	show solutions/03-mnt/nsls
	say "sleep is PID 1, which ignores SIGTERM: KILL, then delete."
	if command -v runc >/dev/null; then
		show runc kill demo-runc KILL
	fi
	show solutions/12-runtime/dcrun kill demo-dcrun KILL
	if command -v runc >/dev/null; then
		wait_stopped runc demo-runc
		show runc delete demo-runc
	fi
	wait_stopped "$dcrun" demo-dcrun
	show solutions/12-runtime/dcrun delete demo-dcrun
	show solutions/12-runtime/dcrun list
	show rm -r "$BUILD"/demo-bundle
	if command -v podman >/dev/null && command -v conmon >/dev/null; then
		say "podman drives dcrun (conmon calls create, start, delete). Storage of its own in a temporary directory, an image imported from $ROOTFS:"
		podman_storage
		# shellcheck disable=SC2016 # the container's sh expands it, not this one
		show podman --runtime "$PWD"/solutions/12-runtime/dcrun --cgroup-manager cgroupfs run --rm --network none \
			--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 dc-busybox \
			sh -c 'echo hello from $(hostname); grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; exit 3'
	else
		say "(podman is not installed, so it does not drive dcrun here: apt-get install podman)"
	fi
	cleanup_12
}

for ch in $CHAPTERS; do
	fn=demo_${ch%%-*}
	if declare -F "$fn" >/dev/null; then
		"$fn"
	fi
done
printf '\n%sThat was the demo of: %s. Next: chapters/*/README.md, or make slides.%s\n' "$bold" "$CHAPTERS" "$plain"
