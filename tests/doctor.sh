#!/usr/bin/env bash
# tests/doctor.sh: can this machine run the workshop? (`make doctor`)
#
# Every check prints one line, and each line says what the result means for
# which chapter:
#   ok    the chapters that depend on this will work
#   warn  something is skipped or needs a workaround (the line says what)
#   fail  fix this first: nothing builds, or the named chapter cannot run
# The last line counts them. The exit status is 1 if any check failed, else 0.
#
# The doctor only looks: it reads /proc and /sys, runs `unshare ... true`
# and compiles a tiny program in a temporary directory. It changes nothing.
# A missing probing tool (stat, findmnt, systemd-detect-virt, ldd...) is never
# an error in itself: each probe checks for its tool first.

set -eu

# Chapters, for the messages: 01 chroot, 02 pivot_root, 03 mnt, 04 uts,
# 05 ipc, 06 pid, 07 net, 08 user, 09 cgroup, 10 time, 11 compose, 12 runtime.

# --- output ------------------------------------------------------------------

n_ok=0 n_warn=0 n_fail=0

# Colour only for a person at a terminal, and never when NO_COLOR is set
# (https://no-color.org): `make doctor > log` must stay plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ]; then
	c_ok=$'\e[32m' c_warn=$'\e[33m' c_fail=$'\e[1;31m' c_bold=$'\e[1m' c_off=$'\e[0m'
else
	c_ok='' c_warn='' c_fail='' c_bold='' c_off=''
fi

# report STATUS NAME MESSAGE: one aligned line, counted for the summary.
report() {
	local status=$1 name=$2 message=$3 colour
	case $status in
	ok)   colour=$c_ok;   n_ok=$((n_ok + 1)) ;;
	warn) colour=$c_warn; n_warn=$((n_warn + 1)) ;;
	fail) colour=$c_fail; n_fail=$((n_fail + 1)) ;;
	esac
	printf '  %s%-4s%s  %-15s  %s\n' "$colour" "$status" "$c_off" "$name" "$message"
}

# count COLOUR N WORD: "3 warn", coloured if N is not 0 (for the summary).
count() {
	if [ "$2" -eq 0 ]; then printf '%d %s' "$2" "$3"; else printf '%s%d %s%s' "$1" "$2" "$3" "$c_off"; fi
}

section() {
	printf '\n%s%s%s\n' "$c_bold" "$1" "$c_off"
}

# --- helpers -------------------------------------------------------------------

# The fixes we suggest start with sudo, unless root runs us.
if [ "$EUID" -eq 0 ]; then sudo=''; else sudo='sudo '; fi
apt_install="${sudo}apt install"

# find_tool NAME...: print the path of the first NAME found. Debian leaves
# /usr/sbin out of a normal user's PATH, yet `ip` lives there, so look there too.
find_tool() {
	local name dir
	for name in "$@"; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
		for dir in /usr/local/sbin /usr/sbin /sbin; do
			if [ -x "$dir/$name" ]; then
				echo "$dir/$name"
				return 0
			fi
		done
	done
	return 1
}

# find_file PATH...: print the first PATH that exists.
find_file() {
	local path
	for path in "$@"; do
		if [ -e "$path" ]; then
			echo "$path"
			return 0
		fi
	done
	return 1
}

# The kernel's version as a number, 6.18 -> 6018, for comparisons.
kernel_release=$(uname -r 2>/dev/null || cat /proc/sys/kernel/osrelease)
if [[ $kernel_release =~ ^([0-9]+)\.([0-9]+) ]]; then
	kernel_version=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
else
	kernel_version=0
fi

# kernel_at_least MAJOR MINOR
kernel_at_least() {
	[ "$kernel_version" -ge $(($1 * 1000 + $2)) ]
}

# has_cap BIT: is this capability in our effective set? (CAP_SYS_ADMIN is 21)
# Root in a container often lacks CAP_SYS_ADMIN, and then unshare(2) and
# mount(2) fail with EPERM even though `id -u` says 0.
has_cap() {
	local hex
	hex=$(awk '/^CapEff:/ { print $2 }' /proc/self/status 2>/dev/null) || hex=
	[ -n "$hex" ] && [ $(((16#$hex >> $1) & 1)) -eq 1 ]
}

# mountinfo_field MOUNTPOINT WHAT: from the topmost mount on MOUNTPOINT in
# /proc/self/mountinfo, print WHAT: "fstype" or "propagation".
# A mountinfo line (proc(5)):
#   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
#   id parent dev root mountpoint options [optional fields...] - fstype source superoptions
# The optional fields say how mounts propagate: shared:N, master:N, unbindable.
mountinfo_field() {
	awk -v mp="$1" -v what="$2" '
		$5 == mp {
			prop = ""; fstype = ""
			for (i = 7; i <= NF; i++) {
				if ($i == "-") { fstype = $(i + 1); break }
				split($i, tag, ":")
				prop = prop (prop == "" ? "" : ",") tag[1]
			}
			result = (what == "fstype") ? fstype : prop
		}
		END { print result }' /proc/self/mountinfo 2>/dev/null || true
}

# fs_type PATH: the filesystem type as statfs(2) sees it ("cgroup2fs", "tmpfs"),
# or "" if PATH does not exist. Without stat(1), mountinfo says nearly the same.
fs_type() {
	local type
	if command -v stat >/dev/null 2>&1; then
		stat -fc %T "$1" 2>/dev/null || true
		return 0
	fi
	type=$(mountinfo_field "$1" fstype)
	if [ "$type" = cgroup2 ]; then type=cgroup2fs; fi
	echo "$type"
}

# v1_controllers: the controllers that have a v1 hierarchy mounted, from the
# super options of each "cgroup" mount ("rw,cpu,cpuacct" -> cpu cpuacct).
v1_controllers() {
	awk '{
		for (i = 7; i <= NF; i++) if ($i == "-") break
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), opt, ",")
		for (j = 1; j <= n; j++)
			if (opt[j] !~ /^(rw|ro|noprefix|clone_children|xattr|cpuset_v2_mode|favordynmods)$/ && opt[j] !~ /=/)
				print opt[j]
	}' /proc/self/mountinfo 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# cgroup_writable DIR: can root create cgroups under DIR? A container
# usually mounts /sys/fs/cgroup read-only, and then chapter 09 fails.
# (For a normal user this says nothing: it is root's to write anyway.)
cgroup_writable() {
	[ "$EUID" -ne 0 ] || [ -w "$1" ]
}

# word_in WORD LIST: is WORD one of the space-separated words in LIST?
word_in() {
	case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

# --- the machine ----------------------------------------------------------------

# Creating namespaces, mounting and pivot_root all need CAP_SYS_ADMIN, so
# chapters 01-07 and 09-12 run as root. Chapter 08 is the exception: a user
# namespace gives an unprivileged user a root of its own.
check_user() {
	if [ "$EUID" -ne 0 ]; then
		report warn "user" "not root: most chapters need root: run \`sudo make ...\`; chapter 08 shows the rootless way"
	elif ! has_cap 21; then
		report fail "user" "root, but without CAP_SYS_ADMIN (a container without --privileged?): chapters 02-12 cannot create namespaces or mount"
	else
		report ok "user" "root with CAP_SYS_ADMIN: every chapter can run"
	fi
}

# Mount namespaces and pivot_root(2) are ancient (2.4); user namespaces
# became usable by unprivileged users in 3.8, cgroup namespaces came in 4.6,
# clone3(2) in 5.3 and time namespaces in 5.6. A namespace type can also be
# compiled out (CONFIG_TIME_NS...), so ask /proc/self/ns which ones exist.
check_kernel() {
	local missing_core='' missing_late='' entry ns chapter since why

	if [ "$kernel_version" -eq 0 ] || ! kernel_at_least 3 8; then
		report fail "kernel" "$kernel_release: older than 3.8, so user namespaces (08) and much else are missing; the workshop needs a newer kernel"
		return 0
	fi

	for entry in mnt:03:2.4 uts:04:2.6.19 ipc:05:2.6.19 pid:06:2.6.24 net:07:2.6.29 user:08:3.8 cgroup:09:4.6 time:10:5.6; do
		IFS=: read -r ns chapter since <<<"$entry"
		if [ -e "/proc/self/ns/$ns" ]; then continue; fi
		case $ns in
		cgroup | time)
			if kernel_at_least "${since%.*}" "${since#*.}"; then why="built without CONFIG_${ns^^}_NS"; else why="needs $since"; fi
			missing_late+="${missing_late:+, }no $ns namespace ($why): chapter $chapter is skipped" ;;
		*) missing_core+="${missing_core:+, }$ns (chapter $chapter)" ;;
		esac
	done

	if [ -n "$missing_core" ]; then
		report fail "kernel" "$kernel_release lacks these namespaces: $missing_core; the kernel is built without them"
	elif [ -n "$missing_late" ]; then
		report warn "kernel" "$kernel_release: $missing_late"
	elif ! kernel_at_least 5 3; then
		report ok "kernel" "$kernel_release: every namespace is here; no clone3(2) before 5.3, so the chapters' clone(2) is the way"
	else
		report ok "kernel" "$kernel_release: every namespace the chapters use (mnt and pivot_root: any kernel; user 3.8; cgroup 4.6; time 5.6) and clone3 (5.3)"
	fi
}

# Try it for real: only the kernel knows whether a seccomp filter, a missing
# capability or a sysctl stops us. As root each namespace on its own, as what
# the chapters do. As a normal user each one inside a new user namespace
# (`unshare -Ur`), which is the rootless way of chapter 08.
check_unshare() {
	local unshare help entry ns option chapter made='' failed='' error first_error='' prefix=()

	if ! unshare=$(find_tool unshare); then
		report warn "namespaces" "cannot try to create any: unshare not found ($apt_install util-linux)"
		return 0
	fi
	help=$("$unshare" --help 2>&1) || help=

	if [ "$EUID" -ne 0 ]; then prefix=(--user --map-root-user); fi
	for entry in mnt:--mount:03 uts:--uts:04 ipc:--ipc:05 pid:--pid:06 net:--net:07 user:--user:08 cgroup:--cgroup:09 time:--time:10; do
		IFS=: read -r ns option chapter <<<"$entry"
		# The kernel check above already reported a namespace it lacks, and
		# an old unshare(1) may not know --cgroup (2.28) or --time (2.36).
		if [ ! -e "/proc/self/ns/$ns" ] || [[ $help != *"$option"* ]]; then continue; fi
		if [ "$ns" = pid ]; then option="--pid --fork"; fi
		# shellcheck disable=SC2086 # $option is "--pid --fork" on purpose
		if error=$("$unshare" "${prefix[@]}" $option true 2>&1); then
			made+="$ns "
		else
			failed+="${failed:+, }$ns ($chapter)"
			if [ -z "$first_error" ]; then first_error=${error%%$'\n'*}; fi
		fi
	done

	if [ "$EUID" -eq 0 ]; then
		if [ -n "$failed" ]; then
			report fail "namespaces" "root cannot create: $failed: $first_error"
		else
			report ok "namespaces" "root can create: ${made% }"
		fi
	elif [ -n "$failed" ]; then
		report warn "namespaces" "you cannot create, even inside a user namespace: $failed: $first_error (chapter 08's rootless way needs this; as root it may still work)"
	else
		report ok "namespaces" "you can create, inside a user namespace: ${made% } (chapter 08's rootless way works)"
	fi
}

# Three sysctls decide whether user namespaces are allowed at all, and for whom.
check_userns_sysctls() {
	local max clone restrict

	# user.max_user_namespaces = 0 forbids them to everybody, root included.
	if max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null); then
		if [ "$max" -eq 0 ]; then
			report fail "userns max" "user.max_user_namespaces = 0: user namespaces are off, chapter 08 cannot run; fix: ${sudo}sysctl user.max_user_namespaces=15000"
		else
			report ok "userns max" "user.max_user_namespaces = $max: chapter 08 may create user namespaces"
		fi
	else
		report ok "userns max" "user.max_user_namespaces: not present (fine: a kernel before 4.9 has no such limit)"
	fi

	# Debian and Ubuntu patched older kernels with this switch; 0 lets only
	# root create user namespaces.
	if clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null); then
		if [ "$clone" -eq 0 ]; then
			report warn "userns clone" "kernel.unprivileged_userns_clone = 0: only root gets user namespaces, so chapter 08's rootless way fails; fix: ${sudo}sysctl kernel.unprivileged_userns_clone=1"
		else
			report ok "userns clone" "kernel.unprivileged_userns_clone = $clone: unprivileged users may create user namespaces (chapter 08)"
		fi
	else
		report ok "userns clone" "kernel.unprivileged_userns_clone: not present (fine)"
	fi

	# Ubuntu 24.04: AppArmor lets an unprivileged user create a user namespace
	# but takes away its capabilities there, unless a profile allows them.
	if restrict=$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null); then
		if [ "$restrict" -eq 1 ]; then
			report warn "userns apparmor" "kernel.apparmor_restrict_unprivileged_userns = 1: chapter 08's rootless container gets no capabilities; fix: ${sudo}sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile with 'userns,' for the chapter's binary"
		else
			report ok "userns apparmor" "kernel.apparmor_restrict_unprivileged_userns = $restrict: AppArmor does not restrict user namespaces (chapter 08)"
		fi
	else
		report ok "userns apparmor" "kernel.apparmor_restrict_unprivileged_userns: not present (fine)"
	fi
}

# pivot_root(2) fails with EINVAL when the new root or its parent mount is
# shared, and a mount made in a shared subtree would leak back to the host.
check_propagation() {
	local prop
	prop=$(mountinfo_field / propagation)
	case $prop in
	*shared*)
		report ok "/ propagation" "shared (systemd does this): this is why chapter 02 makes / private (MS_REC|MS_PRIVATE) before pivot_root" ;;
	*master*)
		report ok "/ propagation" "slave (receives mounts from outside, as in many containers): chapter 02 makes / private (MS_REC|MS_PRIVATE) before pivot_root" ;;
	*unbindable*)
		report ok "/ propagation" "unbindable: chapter 02 makes / private (MS_REC|MS_PRIVATE) before pivot_root" ;;
	*)
		report ok "/ propagation" "private: fine; chapter 02 makes / private anyway, because under systemd it is shared" ;;
	esac
}

# A container inside a container works only with the privileges that
# `docker run --privileged` gives: CAP_SYS_ADMIN, no seccomp filter on
# unshare/mount/clone, and a writable /sys/fs/cgroup.
check_container() {
	local why=() lacks=() detect kind='' item evidence='' problems=''

	if detect=$(find_tool systemd-detect-virt); then
		kind=$("$detect" --container 2>/dev/null) || kind=
		if [ "$kind" = none ]; then kind=''; fi
		if [ -n "$kind" ]; then why+=("systemd-detect-virt -c says $kind"); fi
	fi
	if [ -e /.dockerenv ]; then why+=(/.dockerenv); fi
	if [ -e /run/.containerenv ]; then why+=(/run/.containerenv); fi
	if grep -qE 'docker|kubepods|containerd|libpod|lxc' /proc/1/cgroup 2>/dev/null; then
		why+=("/proc/1/cgroup names a container manager")
	fi
	if [ "$(mountinfo_field / fstype)" = overlay ]; then why+=("/ is overlayfs"); fi

	if [ ${#why[@]} -eq 0 ]; then
		report ok "container" "not inside a container${detect:+ (systemd-detect-virt agrees)}"
		return 0
	fi

	# Say what this container allows, so that the warning is concrete.
	if [ "$EUID" -eq 0 ] && ! has_cap 21; then
		lacks+=("no CAP_SYS_ADMIN, so no namespaces or mounts (every chapter)")
	fi
	if [ "$(awk '/^Seccomp:/ { print $2 }' /proc/self/status 2>/dev/null)" = 2 ]; then
		lacks+=("a seccomp filter, which may refuse unshare, mount and clone with EPERM")
	fi
	if ! cgroup_writable /sys/fs/cgroup && ! cgroup_writable /sys/fs/cgroup/memory; then
		lacks+=("read-only cgroups (chapter 09)")
	fi

	for item in "${why[@]}"; do evidence+="${evidence:+, }$item"; done
	if [ ${#lacks[@]} -eq 0 ] && [ "$EUID" -ne 0 ]; then
		report warn "container" "inside ${kind:-a container} ($evidence): nested containers need what --privileged gives (CAP_SYS_ADMIN, no seccomp filter, writable cgroups); run as root to see whether this one does"
	elif [ ${#lacks[@]} -eq 0 ]; then
		report warn "container" "inside ${kind:-a container} ($evidence): it looks privileged (CAP_SYS_ADMIN, no seccomp filter, writable cgroups), so nested containers should work; if a chapter gets EPERM, this is why"
	else
		for item in "${lacks[@]}"; do problems+="${problems:+; }$item"; done
		report warn "container" "inside ${kind:-a container} ($evidence): nested containers need --privileged, and here there is $problems"
	fi
}

# A virtual machine has a kernel of its own, so it is as good as bare metal.
# WSL2 is a VM too, with quirks; WSL1 has no Linux kernel at all.
check_virtualization() {
	local version detect kind
	version=$(cat /proc/version 2>/dev/null) || version=

	if [ -e /proc/sys/fs/binfmt_misc/WSLInterop ] || [[ ${version,,} == *microsoft* ]]; then
		if [[ ${version,,} == *microsoft-standard* || $version == *WSL2* ]]; then
			report warn "virtualization" "WSL2: a real kernel in a VM, so the chapters run; but systemd may be off and cgroups are often hybrid (09)"
		else
			report fail "virtualization" "WSL1: no Linux kernel, no namespaces; switch the distro to WSL2 (wsl --set-version <distro> 2)"
		fi
		return 0
	fi

	if detect=$(find_tool systemd-detect-virt); then
		kind=$("$detect" --vm 2>/dev/null) || kind=none
		if [ "$kind" = none ]; then
			report ok "virtualization" "bare metal (systemd-detect-virt): fine"
		else
			report ok "virtualization" "virtual machine ($kind, says systemd-detect-virt): fine, its kernel is its own"
		fi
	elif grep -qw hypervisor /proc/cpuinfo 2>/dev/null; then
		report ok "virtualization" "virtual machine (the CPU has the hypervisor flag): fine, its kernel is its own"
	else
		report ok "virtualization" "no hypervisor seen: bare metal, fine"
	fi
}

# Chapter 09 limits a container through cgroups. The kernel offers two
# interfaces: v1 (one hierarchy per controller, on a tmpfs at /sys/fs/cgroup)
# and v2 (one unified hierarchy, cgroup2fs). "Hybrid" systemd setups mount v1
# for the controllers plus a v2 hierarchy at /sys/fs/cgroup/unified that only
# tracks processes and holds whatever controllers v1 did not claim.
check_cgroup() {
	local type
	type=$(fs_type /sys/fs/cgroup)
	case $type in
	cgroup2fs) check_cgroup_v2 ;;
	tmpfs)
		if [ "$(fs_type /sys/fs/cgroup/unified)" = cgroup2fs ]; then
			check_cgroup_v1 hybrid
		else
			check_cgroup_v1 v1
		fi ;;
	*)
		report warn "cgroup mode" "no cgroup filesystem on /sys/fs/cgroup (${type:-nothing there}): chapter 09 cannot run; mount cgroup2 on it" ;;
	esac
}

check_cgroup_v2() {
	local root=/sys/fs/cgroup available enabled controller missing='' unavailable=''
	available=$(cat "$root/cgroup.controllers" 2>/dev/null) || available=
	enabled=$(cat "$root/cgroup.subtree_control" 2>/dev/null) || enabled=

	if cgroup_writable "$root"; then
		report ok "cgroup mode" "v2 (unified, cgroup2fs on $root): chapter 09 uses it directly"
	else
		report warn "cgroup mode" "v2, but $root is read-only (a container?): chapter 09 cannot create a cgroup"
	fi

	# A child cgroup only gets the controllers its parent lists in
	# cgroup.subtree_control: without "memory" there, memory.max does not exist.
	for controller in memory pids cpu; do
		if ! word_in "$controller" "$available"; then
			unavailable+="$controller "
		elif ! word_in "$controller" "$enabled"; then
			missing+="$controller "
		fi
	done
	if [ -n "$unavailable" ]; then
		report warn "cgroup ctrls" "no controller for: ${unavailable% } (available: ${available:-none}): chapter 09 cannot set those limits"
	elif [ -n "$missing" ]; then
		missing=${missing% }
		report warn "cgroup ctrls" "$missing not enabled for child cgroups ($root/cgroup.subtree_control: ${enabled:-empty}): chapter 09 cannot set those limits; fix: echo '+${missing// / +}' | ${sudo}tee $root/cgroup.subtree_control"
	else
		report ok "cgroup ctrls" "available: $available; enabled for children: $enabled (chapter 09 needs memory pids cpu)"
	fi
}

check_cgroup_v1() {
	local mode=$1 v1 unified='' controller missing='' dir=/sys/fs/cgroup/memory
	v1=$(v1_controllers)

	if [ ! -d "$dir" ]; then dir=/sys/fs/cgroup/pids; fi
	if ! cgroup_writable "$dir"; then
		report warn "cgroup mode" "$mode, but $dir is read-only (a container?): chapter 09 cannot create a cgroup"
	elif [ "$mode" = hybrid ]; then
		report ok "cgroup mode" "hybrid (v1 on /sys/fs/cgroup, cgroup2 on /sys/fs/cgroup/unified): chapter 09 limits through v1; its v2 path is tested in a qemu guest"
	else
		report ok "cgroup mode" "v1 (legacy, on /sys/fs/cgroup): chapter 09 limits through v1; its v2 path is tested in a qemu guest"
	fi

	for controller in memory pids cpu; do
		if ! word_in "$controller" "$v1"; then missing+="$controller "; fi
	done
	if [ "$mode" = hybrid ]; then
		unified=$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null) || unified=
		unified="; the unified hierarchy here holds: ${unified:-no controllers (it only tracks processes)}"
	fi
	if [ -n "$missing" ]; then
		report warn "cgroup ctrls" "no v1 hierarchy for: ${missing% } (mounted: ${v1:-none}): chapter 09 cannot set those limits$unified"
	else
		report ok "cgroup ctrls" "v1 controllers do the limiting: $v1$unified"
	fi
}

# --- the tools -------------------------------------------------------------------

# check_tool LEVEL NAME PACKAGE WHAT COMMAND...: is one of COMMANDs installed?
# WHAT names what needs it; LEVEL is what its absence costs (fail or warn).
check_tool() {
	local level=$1 name=$2 package=$3 what=$4 path
	shift 4
	if path=$(find_tool "$@"); then
		report ok "$name" "$path ($what)"
	else
		missing_report "$level" "$name" "$package" "$what"
	fi
}

# check_header LEVEL NAME PACKAGE WHAT HEADER...: the same for a C library's
# development headers (HEADER relative to an include directory).
check_header() {
	local level=$1 name=$2 package=$3 what=$4 header path
	shift 4
	for header in "$@"; do
		if path=$(find_file "/usr/include/$header" "/usr/local/include/$header"); then
			report ok "$name" "$path ($what)"
			return 0
		fi
	done
	missing_report "$level" "$name" "$package" "$what"
}

missing_report() {
	local level=$1 name=$2 package=$3 what=$4
	if [ "$level" = fail ]; then
		report fail "$name" "not found, and $what needs it: $apt_install $package"
	else
		report warn "$name" "not found, which skips $what: $apt_install $package"
	fi
}

# gcc alone is not enough: without libc6-dev there is no <sched.h>. So compile
# (never run) the smallest program that uses what every chapter uses.
check_compiler() {
	local gcc dir error
	if ! gcc=$(find_tool gcc); then
		missing_report fail "gcc" "gcc" "every chapter"
		return 0
	fi
	if ! dir=$(mktemp -d "${TMPDIR:-/tmp}/doctor.XXXXXX"); then
		report warn "gcc" "$gcc found, but no temporary directory to try it in (TMPDIR=${TMPDIR:-/tmp})"
		return 0
	fi
	cat >"$dir/ns.c" <<-'EOF'
		#define _GNU_SOURCE
		#include <sched.h>
		#include <sys/mount.h>
		#include <unistd.h>
		int main(void) { return unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL); }
	EOF
	if error=$("$gcc" -o "$dir/ns" "$dir/ns.c" 2>&1); then
		report ok "gcc" "$gcc compiles a namespace program (every chapter)"
	else
		report fail "gcc" "$gcc cannot compile a namespace program (${error%%$'\n'*}): $apt_install build-essential"
	fi
	rm -rf "$dir"
}

# Every container's rootfs is made of busybox: rootfs-fetch.sh copies
# /bin/busybox into it. It must be statically linked, because inside the
# container there is no /lib with a loader and libc.
check_busybox() {
	local busybox=/bin/busybox ldd file linkage=''
	if [ ! -x "$busybox" ]; then
		report fail "busybox" "no $busybox, and the rootfs of every chapter needs it: $apt_install busybox-static"
		return 0
	fi
	if ! "$busybox" true >/dev/null 2>&1; then
		report fail "busybox" "$busybox does not run: $apt_install busybox-static"
		return 0
	fi
	# ldd says "not a dynamic executable" (and fails) for a static binary.
	if ldd=$(find_tool ldd); then
		case $("$ldd" "$busybox" 2>&1) in
		*"not a dynamic executable"* | *"statically linked"*) linkage=static ;;
		*) linkage=dynamic ;;
		esac
	elif file=$(find_tool file); then
		case $("$file" -L "$busybox" 2>&1) in
		*"statically linked"* | *"static-pie linked"*) linkage=static ;;
		*"dynamically linked"*) linkage=dynamic ;;
		esac
	fi
	case $linkage in
	static)  report ok "busybox" "$busybox is static (the rootfs of every chapter)" ;;
	dynamic) report fail "busybox" "$busybox is dynamically linked, so it cannot run in the rootfs: $apt_install busybox-static" ;;
	*)       report warn "busybox" "$busybox: cannot tell whether it is static (no ldd or file); the rootfs needs busybox-static" ;;
	esac
}

# lsns, nsenter and unshare come together in util-linux.
check_util_linux() {
	local tool missing=''
	for tool in lsns nsenter unshare; do
		if ! find_tool "$tool" >/dev/null; then missing+="$tool "; fi
	done
	if [ -z "$missing" ]; then
		report ok "util-linux" "lsns nsenter unshare (chapter 03's tests)"
	else
		report warn "util-linux" "${missing% } not found, which skips chapter 03's tests: $apt_install util-linux"
	fi
}

# The slides use reveal.js, which `make slides` fetches with npm.
check_node() {
	local tool missing=''
	for tool in node npm; do
		if ! find_tool "$tool" >/dev/null; then missing+="$tool "; fi
	done
	if [ -z "$missing" ]; then
		report ok "node/npm" "$(find_tool npm) (reveal.js for make slides)"
	else
		report warn "node/npm" "${missing% } not found, which skips make slides (reveal.js comes from npm): $apt_install npm"
	fi
}

# Chapter 09 tests its cgroup v2 path in a qemu guest booting a kernel image.
# Without /dev/kvm qemu emulates the CPU: it works, only slowly.
check_qemu() {
	local qemu speed
	if ! qemu=$(find_tool qemu-system-x86_64); then
		missing_report warn "qemu" "qemu-system-x86" "chapter 09's cgroup v2 guest test"
		return 0
	fi
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then speed="with KVM"; else speed="without /dev/kvm access, so slowly"; fi
	report ok "qemu" "$qemu (chapter 09's cgroup v2 guest test, $speed)"
}

# The guest needs a kernel to boot. Ubuntu makes /boot/vmlinuz-* readable only
# by root, which bites when a normal user runs the test.
check_kernel_image() {
	local image
	image=$(find_file "/boot/vmlinuz-$kernel_release" /boot/vmlinuz-*) || image=
	if [ -z "$image" ]; then
		report warn "kernel image" "no /boot/vmlinuz-*, which skips chapter 09's cgroup v2 guest test: $apt_install linux-image-amd64"
	elif [ ! -r "$image" ]; then
		report warn "kernel image" "$image is not readable by you, which skips chapter 09's cgroup v2 guest test: run it as root, or ${sudo}chmod 0644 $image"
	else
		report ok "kernel image" "$image (chapter 09's cgroup v2 guest test)"
	fi
}

check_tools() {
	check_compiler
	check_tool   fail make       make             "every chapter"                   make
	check_header fail cmocka     libcmocka-dev    "make test"                       cmocka.h
	check_busybox
	check_header warn json-c     "libjson-c-dev (or libjansson-dev)" "chapter 12 (config.json)" json-c/json.h jansson.h
	check_header fail libseccomp libseccomp-dev   "chapters 11-12 (seccomp filter)" seccomp.h
	check_tool   warn ip         iproute2         "chapter 07's tests"              ip
	check_util_linux
	check_tool   warn pandoc     pandoc           "make slides"                     pandoc
	check_tool   warn graphviz   graphviz         "the diagrams of slides and lessons" dot
	check_tool   warn chromium   chromium         "make slides and its test"        chromium chromium-browser google-chrome
	check_node
	check_qemu
	check_kernel_image
	check_tool   warn valgrind   valgrind         "the memory checks"               valgrind
	check_tool   warn cppcheck   cppcheck         "the static analysis"             cppcheck
}

# --- main ----------------------------------------------------------------------

main() {
	printf '%smake doctor%s: can this machine run chapters 01-12?\n' "$c_bold" "$c_off"

	section "machine"
	check_user
	check_kernel
	check_unshare
	check_userns_sysctls
	check_propagation
	check_container
	check_virtualization
	check_cgroup

	section "tools"
	check_tools

	# Colour a count only when it is not zero, so a clean run reads quietly.
	printf '\n%s, %s, %s\n' "$(count "$c_ok" "$n_ok" ok)" "$(count "$c_warn" "$n_warn" warn)" "$(count "$c_fail" "$n_fail" fail)"
	[ "$n_fail" -eq 0 ]
}

main "$@"
