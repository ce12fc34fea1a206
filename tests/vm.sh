#!/bin/bash
# tests/vm.sh: run a command inside a small qemu guest whose cgroups are pure v2.
#
#   tests/vm.sh [--kernel /boot/vmlinuz-VER] [--timeout SECS] --share DIR -- COMMAND [ARG...]
#
# Why a guest: cgroups come in two layouts, and a machine picks one at boot.
# This project's machines are "hybrid" (v1 controllers on a tmpfs at
# /sys/fs/cgroup, and a v2 tree beside them with no useful controller in
# it), while most users' machines are pure v2 (systemd's default since
# 2021). Chapter 09 must be tested on both, and only another kernel -- a
# guest -- can show us the other layout.
#
# The guest boots the host's Debian kernel (the newest /boot/vmlinuz-* unless
# --kernel names one) with a tiny initramfs built once under build/vm/, and
# sees:
#   DIR              the host's DIR, read-write, at the same absolute path
#                    (9p). COMMAND starts in the host's working directory if
#                    that lies inside DIR, else in DIR, so the paths in
#                    COMMAND mean what they mean on the host.
#   /usr             the host's /usr, read-only (9p), with /bin, /lib, /lib64
#                    and /sbin linked into it as on the host: the host's own
#                    dynamically linked programs -- the ASan test binaries,
#                    libcmocka, bash, make, valgrind -- run unchanged.
#   /sys/fs/cgroup   cgroup2 and nothing else, with the memory, pids and cpu
#                    controllers available (enabling them in
#                    cgroup.subtree_control is left to the program under test).
#   / /tmp /run      tmpfs; /proc, /sys, /dev, /dev/pts, /dev/shm; loopback up.
# COMMAND runs as root, in the guest's root cgroup. Its stdout and stderr
# both come out on our stdout, through the serial console, as it runs.
#
# Device nodes cannot be made on DIR (qemu 7.2 refuses special files on a
# 9p share since CVE-2023-2861): make them on a tmpfs, as containers do.
#
# Exit status: COMMAND's own; 124 if COMMAND ran longer than --timeout
# (default 600 s, 0 for none); 125 if the guest never wrote COMMAND's status (a kernel
# panic, an /init error, or the whole guest hung); 2 for a usage error;
# 77 (automake's "skipped") if this machine has no qemu or no kernel.
#
# Software emulation (TCG) is the default because KVM cannot boot Debian's
# kernel on this project's machines; VM_ACCEL=kvm tries KVM elsewhere.

set -eu
# modprobe lives in /sbin, which is not on every user's PATH.
PATH=$PATH:/usr/sbin:/sbin

usage() {
	echo "usage: tests/vm.sh [--kernel /boot/vmlinuz-VER] [--timeout SECS] --share DIR -- COMMAND [ARG...]" >&2
	exit 2
}

die() {
	echo "vm.sh: $*" >&2
	exit 125
}

# Loud, because a skipped guest means chapter 09 went untested on cgroup v2.
skip() {
	{
		echo
		echo "********************************************************************"
		echo "vm.sh: SKIPPED: $*"
		echo "vm.sh: nothing was tested on pure cgroup v2."
		echo "vm.sh: apt-get install qemu-system-x86 linux-image-amd64"
		echo "********************************************************************"
		echo
	} >&2
	exit 77
}

kernel='' share='' timeout=600
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--share) [ $# -ge 2 ] || usage; share=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--) shift && break ;;
	*) usage ;;
	esac
done
if [ -z "$share" ] || [ $# -eq 0 ]; then usage; fi
case $timeout in '' | *[!0-9]*) usage ;; esac

# Physical paths, so that "is the working directory inside DIR" is a
# prefix test, and the guest mounts DIR where the kernel will see it.
[ -d "$share" ] || die "--share $share: not a directory"
share=$(cd "$share" && pwd -P)
[ "$share" != / ] || die "--share /: share a project's directory, not the host's root"
cwd=$(pwd -P)
case $cwd/ in "${share%/}"/*) ;; *) cwd=$share ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
vmdir=$build/vm

# --- what we need from the host ----------------------------------------------

command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
if [ -n "$kernel" ]; then
	[ -f "$kernel" ] || die "--kernel $kernel: no such file"
else
	kernel=$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)
	[ -f "$kernel" ] || skip "no kernel in /boot"
fi
[ -r "$kernel" ] || skip "cannot read $kernel (run as root)"
kver=${kernel##*/vmlinuz-}
[ -d "/lib/modules/$kver" ] || skip "no modules for $kver in /lib/modules/$kver"
command -v modprobe >/dev/null || die "no modprobe: apt-get install kmod"
# The initramfs has no libc: its busybox must be the static one.
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	die "no static /bin/busybox: apt-get install busybox-static"
fi
# The guest gets the host's /usr, and finds /bin, /lib... through the same
# symlinks as the host: that needs a merged /usr (Debian 12's default).
for d in bin lib sbin; do
	[ -L /$d ] || die "/$d is not a symlink into /usr: vm.sh needs a merged-/usr host"
done

# --- the initramfs -----------------------------------------------------------

# The kernel modules the guest needs. Debian builds all of these as modules
# (tmpfs, devtmpfs, cgroups, the namespaces, the serial console and the
# loopback device are built in): virtio_pci and 9pnet_virtio carry the 9p
# shares, 9p mounts them (with netfs and fscache under it), and overlay and
# veth are there for the chapters that build on them. modprobe resolves each
# one's dependencies in load order; the guest has no modprobe, only insmod.
guest_modules=(virtio_pci 9pnet_virtio 9p overlay veth)
mapfile -t module_files < <(modprobe -S "$kver" -a --show-depends "${guest_modules[@]}" |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }')

# The guest's /init, PID 1, run by busybox sh. It runs twice: first on the
# initramfs, then, after switch_root, on a tmpfs.
guest_init() {
	cat <<'EOF'
#!/vm/bin/sh
# The guest's /init, written by tests/vm.sh. PID 1, in busybox sh; only
# busybox's applets (/vm/bin) are used here, since the host's /usr arrives
# late and its poweroff needs systemd.
export PATH=/vm/bin

# Stage 1. The initramfs is the kernel's "rootfs", a mount that can never be
# moved away from: pivot_root(2) fails with EINVAL on it, and every
# container the guest runs calls pivot_root. So copy ourselves onto a real
# tmpfs and switch_root into it; there, pivot_root works as on any host.
if [ "${1:-}" != stage2 ]; then
	mount -t devtmpfs -o nosuid,mode=0755 dev /dev
	exec </dev/console >/dev/console 2>&1
	mkdir /newroot
	mount -t tmpfs -o mode=0755 root /newroot
	for f in /*; do
		case $f in /dev | /newroot) ;; *) cp -a "$f" /newroot/ ;; esac
	done
	mkdir /newroot/dev
	mount --move /dev /newroot/dev
	exec switch_root /newroot /init stage2
fi

# Stage 2. Any failure powers off without writing a status, and vm.sh
# reports that the guest failed.
fail() {
	echo "vm: /init: $*" >&2
	poweroff -f
}
# The mounts a systemd machine has, with systemd's options: a container
# that bind-mounts from them inherits those, so they must be the usual ones.
mount -t proc -o nosuid,nodev,noexec proc /proc || fail "mount /proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || fail "mount /sys"
# Pure v2: the one cgroup2 hierarchy on /sys/fs/cgroup, no v1 anywhere.
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
	fail "mount cgroup2 on /sys/fs/cgroup"
mkdir -p /dev/pts /dev/shm
mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0000 devpts /dev/pts || fail "mount /dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm || fail "mount /dev/shm"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmp /tmp || fail "mount /tmp"
mount -t tmpfs -o nosuid,nodev,mode=0755 run /run || fail "mount /run"

for m in /vm/modules/*.ko; do
	insmod "$m" || fail "insmod $m"
done

# The host's directories over 9p (virtio). msize is the largest message
# virtio's 9p transport takes: fewer round trips through the emulator.
# The host's /usr cannot change while we run, so the guest may cache it.
mount9p() {
	mkdir -p "$3" && mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$1" "$2" "$3" ||
		fail "mount the host's $2 share on $3"
}
mount9p ro,cache=loose usr /usr
mount9p rw run /run/vm
share=$(cat /run/vm/share)
mount9p rw share "$share"

# Every controller a chapter limits must be available to the root's children.
read -r controllers </sys/fs/cgroup/cgroup.controllers
for c in memory pids cpu; do
	case " $controllers " in
	*" $c "*) ;;
	*) fail "no $c controller in /sys/fs/cgroup/cgroup.controllers ($controllers)" ;;
	esac
done

ip link set lo up || fail "ip link set lo up"
hostname vm

# The command, in a session of its own with the console as its controlling
# terminal (so an interactive shell gets ^C), then its status for vm.sh.
HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	setsid -c /bin/bash /run/vm/cmd </dev/ttyS0 >/dev/ttyS0 2>&1
echo "$?" >/run/vm/status
sync
# Quiet, even the kernel's "reboot: Power down".
echo 0 >/proc/sys/kernel/printk
poweroff -f
EOF
}

# Everything the initramfs is made of. vm.sh itself stands for the /init
# above and every choice in this file.
inputs() {
	sha256sum "${BASH_SOURCE[0]}"
	echo "$kver"
	stat -L -c '%n %s %Y' /bin/busybox "${module_files[@]}"
	for d in bin lib lib64 sbin; do
		[ -L /$d ] && echo "/$d -> $(readlink /$d)"
	done
	return 0
}

build_initramfs() {
	local stage n=0 ko
	stage=$(mktemp -d "$vmdir/initramfs.XXXXXX")
	mkdir -p "$stage"/{dev,etc,proc,root,run,sys,tmp,usr,vm/bin,vm/modules}
	guest_init >"$stage/init"
	chmod 755 "$stage/init"

	cp /bin/busybox "$stage/vm/bin/"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/vm/bin/$applet"
	done

	# Numbered, so that the guest's glob loads them in dependency order.
	# busybox's insmod wants them uncompressed.
	for ko in "${module_files[@]}"; do
		n=$((n + 1))
		local dest
		dest=$stage/vm/modules/$(printf '%02d' "$n")-$(basename "${ko%.ko*}").ko
		case $ko in
		*.ko.xz) /bin/busybox xzcat "$ko" >"$dest" ;;
		*.ko.gz) /bin/busybox zcat "$ko" >"$dest" ;;
		*.ko.zst) zstd -qdc "$ko" >"$dest" ;;
		*) cp "$ko" "$dest" ;;
		esac
	done

	# /bin, /lib, ... point into the host's /usr, which the guest mounts.
	for d in bin lib lib32 lib64 libx32 sbin; do
		[ -L /$d ] && ln -s "$(readlink /$d)" "$stage/$d"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$stage/etc/passwd"
	printf '%s\n' 'root:x:0:' 'tty:x:5:' 'nogroup:x:65534:' >"$stage/etc/group"
	printf '%s\n' '127.0.0.1 localhost vm' '::1 localhost' >"$stage/etc/hosts"
	ln -s /proc/self/mounts "$stage/etc/mtab"

	# Uncompressed: it is small, and the kernel would only inflate it again.
	(cd "$stage" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) >"$stage.cpio"
	rm -rf "$stage"
	mv "$stage.cpio" "$initramfs"
}

mkdir -p "$vmdir"
initramfs=$vmdir/initramfs-$kver.cpio
if [ ! -f "$initramfs" ] || ! inputs | cmp -s - "$initramfs.inputs"; then
	echo "vm.sh: building $initramfs" >&2
	build_initramfs
	inputs >"$initramfs.inputs"
fi

# --- the kernel ----------------------------------------------------------------

# A bzImage decompresses itself inside the guest, and under software
# emulation that takes half the time of a whole run (16 s instead of 8 on
# this project's machines). So decompress it once
# here and give qemu the ELF kernel inside, which it enters directly through
# PVH (CONFIG_PVH, which Debian's kernels have). The compressed kernel starts
# payload_offset bytes after the (setup_sects + 1) * 512 byte real-mode setup
# (the x86 boot protocol, Documentation/x86/boot.rst).
extract_vmlinux() {
	local setup_sects payload_offset payload_length magic
	setup_sects=$(od -An -tu1 -j 0x1f1 -N 1 "$kernel")
	payload_offset=$(od -An -tu4 -j 0x248 -N 4 "$kernel")
	payload_length=$(od -An -tu4 -j 0x24c -N 4 "$kernel")
	payload() {
		tail -c +$(((setup_sects + 1) * 512 + payload_offset + 1)) "$kernel" | head -c "$payload_length"
	}
	magic=$(payload | od -An -tx1 -N 4 | tr -d ' ')
	case $magic in
	fd377a58) command -v xz >/dev/null && payload | xz -dc --single-stream ;;
	28b52ffd) command -v zstd >/dev/null && payload | zstd -qdc ;;
	1f8b*) payload | gzip -dc ;;
	*) false ;;
	esac
}

vmlinux=$vmdir/vmlinux-$kver
unpacked=$(mktemp "$vmlinux.XXXXXX")
if [ "$vmlinux" -nt "$kernel" ]; then
	boot_kernel=$vmlinux
elif grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null &&
	extract_vmlinux >"$unpacked" && [ -s "$unpacked" ]; then
	mv "$unpacked" "$vmlinux"
	boot_kernel=$vmlinux
else
	echo "vm.sh: cannot unpack $kernel for a direct boot (is xz-utils installed?):" \
		"booting the bzImage, twice as slow" >&2
	boot_kernel=$kernel
fi
rm -f "$unpacked"

# --- the run -----------------------------------------------------------------

# A directory of this run's own, shared with the guest as "run": what to
# run goes in, COMMAND's exit status comes out (qemu's own exit status
# cannot carry it).
run=$(mktemp -d "$vmdir/run.XXXXXX")
vm_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$vm_pid" ]; then
		kill "$vm_pid" 2>/dev/null || true
		wait "$vm_pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# An interactive shell in the guest talks to our terminal, which qemu puts
# in raw mode; otherwise the console must not turn "\n" into "\r\n".
if [ -t 0 ] && [ -t 1 ]; then
	stdin=/dev/stdin term=${TERM:-vt100} crlf=''
else
	stdin=/dev/null term=dumb crlf='stty -onlcr'
fi
printf '%s' "$share" >"$run/share"
{
	echo "# What the guest runs, written by tests/vm.sh."
	echo "$crlf"
	printf 'export TERM=%q\n' "$term"
	printf 'cd -- %q || exit 125\n' "$cwd"
	printf 'exec timeout --foreground -k 10 %d' "$timeout"
	printf ' %q' "$@"
	echo
} >"$run/cmd"

# qemu as root can create files as root on the share (passthrough); as
# anyone else it records the guest's owners in xattrs (mapped-xattr).
if [ "$(id -u)" -eq 0 ]; then model=passthrough; else model=mapped-xattr; fi
# A comma in a -virtfs path is written ",,".
virtfs() { echo "local,path=${2//,/,,},mount_tag=$1,$3"; }

qemu=(
	qemu-system-x86_64 -accel "${VM_ACCEL:-tcg}" -smp 2 -m 2048
	-nodefaults -no-user-config -display none -serial mon:stdio
	-kernel "$boot_kernel" -initrd "$initramfs"
	# panic=-1 reboots at once on a panic, and -no-reboot turns that into qemu's exit.
	-append "console=ttyS0 quiet panic=-1" -no-reboot
	-virtfs "$(virtfs usr /usr security_model=none,readonly=on)"
	-virtfs "$(virtfs share "$share" "security_model=$model,multidevs=remap")"
	-virtfs "$(virtfs run "$run" "security_model=$model")"
)
echo "vm.sh: booting $kver (${VM_ACCEL:-tcg}) with $share shared" >&2

# In the background so that our INT/TERM traps run at once and stop qemu.
# --foreground keeps qemu in our process group, where it may read a terminal.
# The whole guest gets two minutes more than COMMAND (0: no limit either).
qemu_limit=$((timeout > 0 ? timeout + 120 : 0))
qemu_status=0
timeout --foreground -k 10 "$qemu_limit" "${qemu[@]}" <"$stdin" &
vm_pid=$!
wait "$vm_pid" || qemu_status=$?
vm_pid=''

if [ -s "$run/status" ]; then
	read -r status <"$run/status"
	if [ "$status" -eq 124 ]; then
		echo "vm.sh: COMMAND exited 124: timed out after $timeout s? (--timeout)" >&2
	fi
	exit "$status"
elif [ "$qemu_status" -eq 124 ]; then
	die "the guest was still running after $qemu_limit s: killed it"
else
	die "the guest wrote no exit status (qemu exited $qemu_status): see its console above"
fi
