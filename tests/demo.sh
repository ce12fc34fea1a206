#!/bin/bash
# tests/demo.sh: the narrated tour that `make demo` runs, and the talk's
# live demo. One function per chapter; each runs that chapter's solution
# with -v, so the container narrates how it is built.

set -eu
BUILD=${BUILD:-build}
CHAPTERS=${CHAPTERS:?set by make}
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
# Show the command as you would type it, then run it; a demo step may fail
# on purpose.
show() {
	local line='$' arg q="'"
	for arg in "$@"; do
		case $arg in
		*[[:space:]\"\'\;\&\|\$\<\>\(\)\*]*) arg="'${arg//$q/$q\\$q$q}'" ;;
		esac
		line+=" $arg"
	done
	printf '%s%s%s\n' "$dim" "$line" "$plain"
	"$@" || printf '%s(exit status %d)%s\n' "$dim" "$?" "$plain"
}

# A file that lives only on the host: what an escape would read.
host_file=$(mktemp /tmp/dc-demo-XXXXXX)
trap 'rm -f "$host_file"' EXIT
echo "a host-only file, $(date -u +%FT%TZ)" >"$host_file"
# The escape tool goes into the demo rootfs, as the tests do.
install -m 755 solutions/01-chroot/unroot "$ROOTFS/bin/unroot"

demo_01() {
	chapter "01 chroot (1979): a new root directory, and nothing else"
	show solutions/01-chroot/container -v "$ROOTFS" /bin/sh -c 'head -n 1 /etc/os-release; ls /'
	echo "The escape: unroot climbs back out, then reads a file on the host."
	show solutions/01-chroot/container "$ROOTFS" /bin/unroot /bin/cat "$host_file"
}

demo_02() {
	chapter "02 pivot_root: a root you cannot climb out of"
	show solutions/02-pivot_root/container -v "$ROOTFS" /bin/unroot /bin/cat "$host_file"
	echo "Inside, only the new root is mounted (plus the /proc we mount to look):"
	show solutions/02-pivot_root/container "$ROOTFS" /bin/sh -c \
		'mount -t proc proc /proc && cut -d" " -f5 /proc/self/mountinfo'
}

demo_03() {
	chapter "03 mnt (2002): a mount table of its own"
	show solutions/03-mnt/container -v "$ROOTFS" /bin/sh -c 'cut -d" " -f5 /proc/self/mountinfo; ls /dev'
	echo "A namespace lives while something holds it: keep it with --persist, rejoin with enter."
	persist=$(mktemp -d /tmp/dc-demo-persist-XXXXXX)
	show solutions/03-mnt/container --persist "$persist" "$ROOTFS" /bin/sh -c 'echo "written inside" > /tmp/note'
	if [ -x solutions/03-mnt/enter ]; then
		show solutions/03-mnt/enter "$persist" /bin/cat /tmp/note
	fi
	show umount "$persist/mnt"
	rm -rf "$persist"
}

demo_04() {
	chapter "04 uts (2006): a hostname of its own"
	show solutions/04-uts/container -v --hostname demo "$ROOTFS" /bin/sh -c 'hostname renamed-inside; hostname'
	echo "The host is still called: $(hostname)"
}

demo_05() {
	chapter "05 ipc (2006): System V IPC and POSIX queues of its own"
	if command -v ipcmk >/dev/null; then
		id=$(ipcmk -Q | awk '{print $NF}')
		echo "On the host, message queue $id:"
		ipcs -q | tail -n +4
		echo "Inside, the kernel's table of queues is empty:"
		show solutions/05-ipc/container "$ROOTFS" /bin/cat /proc/sysvipc/msg
		ipcrm -q "$id"
	fi
}

demo_06() {
	chapter "06 pid (2008): PID 1, and an init to reap"
	show solutions/06-pid/container -v "$ROOTFS" /bin/ps -o pid,ppid,comm
}

demo_07() {
	chapter "07 net (2009): a network of its own, wired to the host by a veth pair"
	show solutions/07-net/container "$ROOTFS" /sbin/ip -br addr
	show solutions/07-net/container -v --net veth "$ROOTFS" /bin/sh -c \
		'ip -br addr show eth0; ip route; ping -c 1 -W 5 "$(ip route | sed -n "s/default via \([^ ]*\).*/\1/p")"'
}

demo_08() {
	chapter "08 user (2013): root inside, nobody outside -- and no root needed"
	if command -v setpriv >/dev/null; then
		echo "Started by uid 65534 (nobody), with no privilege at all:"
		show setpriv --reuid=65534 --regid=65534 --clear-groups \
			solutions/08-user/container -v "$ROOTFS" /bin/sh -c 'id; cat /proc/self/uid_map'
	fi
}

demo_09() {
	chapter "09 cgroup (2016): limits -- the OOM killer at 32 MB"
	if [ -x "$BUILD/tests/hog" ]; then
		install -m 755 "$BUILD/tests/hog" "$ROOTFS/bin/hog"
		show solutions/09-cgroup/container -v --memory 32m "$ROOTFS" /bin/hog 256
	else
		show solutions/09-cgroup/container -v --memory 32m --pids 16 "$ROOTFS" /bin/cat /proc/self/cgroup
	fi
}

demo_10() {
	chapter "10 time (2020): a container that booted a day earlier"
	echo "The host's uptime: $(cut -d' ' -f1 /proc/uptime) s"
	show solutions/10-time/container -v --uptime-offset 86400 "$ROOTFS" /bin/cat /proc/uptime
}

for ch in $CHAPTERS; do
	fn=demo_${ch%%-*}
	if declare -F "$fn" >/dev/null; then
		"$fn"
	fi
done
printf '\n%sThat was every chapter so far. Next: chapters/*/README.md, or make slides.%s\n' "$bold" "$plain"
