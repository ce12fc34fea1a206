#!/bin/bash
# tests/deps.sh [--all]: install what the tutorial needs, and say what.
#
# The plain list is what make demo needs; --all (make test) adds what the
# whole suite uses besides: the lint's tools, and the qemu guest in which
# chapter 09's tests run on pure cgroup v2 (tests/vm.sh), podman and
# containerd (with its ctr and runc shim), which drive chapter 12's dcrun in
# its tests (tests/containerd.sh), tmux, the terminal in which
# they type into a container's shell, strace, which kills dcrun at each
# step of create, and clang's libFuzzer (make fuzz).
#
# On Debian and Ubuntu it installs the missing packages with apt-get; on
# any other distribution it names what is missing and stops, since package
# names differ. Each line below is: a package, and how to tell it is here.

set -eu

# package           test that it is installed
needs=(
	"gcc               command -v gcc"
	"make              command -v make"
	"libc6-dev         test -f /usr/include/stdio.h"
	"libcmocka-dev     test -f /usr/include/cmocka.h"
	"libseccomp-dev    test -f /usr/include/seccomp.h"
	"libjson-c-dev     test -f /usr/include/json-c/json.h"
	"busybox-static    busybox_is_static"
	"util-linux        command -v unshare"
	"iproute2          command -v ip"
	"cppcheck          command -v cppcheck"
	"valgrind          command -v valgrind"
	"pandoc            command -v pandoc"
	"graphviz          command -v dot"
	"chromium          command -v chromium"
	"npm               command -v npm"
)
case ${1:-} in
--all)
	needs+=(
		"shellcheck        command -v shellcheck"
		"clang-format      command -v clang-format"
		"qemu-system-x86   command -v qemu-system-x86_64"
		"linux-image-amd64 kernel_with_modules"
		"xz-utils          command -v xz"
		"kmod              test -x /sbin/modprobe"
		"podman            command -v podman"
		"conmon            conmon_installed"
		"containerd        command -v containerd"
		"tmux              command -v tmux"
		"strace            command -v strace"
		"clang             command -v clang"
		"libclang-rt-dev   clang_has_libfuzzer"
	)
	;;
'') ;;
*)
	echo "usage: tests/deps.sh [--all]" >&2
	exit 2
	;;
esac

# The rootfs needs a static busybox: Debian's "busybox" package is dynamic.
busybox_is_static() {
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1
}

# Chapter 12's tests run podman with dcrun as its runtime; podman finds
# conmon in /usr/libexec/podman or on PATH.
conmon_installed() {
	command -v conmon || [ -x /usr/libexec/podman/conmon ] || [ -x /usr/bin/conmon ]
}

# libFuzzer is clang's compiler-rt, which Debian packages apart from clang:
# clang -fsanitize=fuzzer links its libclang_rt.fuzzer (tests/fuzz/fuzz.sh).
clang_has_libfuzzer() {
	test -f "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")"
}

# tests/vm.sh boots the newest /boot/vmlinuz-* with its modules: a
# container's /boot is empty. (xz unpacks it for a faster boot; modprobe,
# in /sbin, finds the modules the guest needs.)
kernel_with_modules() {
	local kernel
	kernel=$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)
	[ -f "$kernel" ] && [ -d "/lib/modules/${kernel##*/vmlinuz-}" ]
}

missing=()
for need in "${needs[@]}"; do
	read -r package check <<<"$need"
	# shellcheck disable=SC2086 # the check is a command line
	$check >/dev/null 2>&1 || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if ! command -v apt-get >/dev/null; then
	echo "deps: missing: ${missing[*]}" >&2
	echo "deps: these are Debian's package names; install their equivalents with your" >&2
	echo "      distribution's package manager, then run make again." >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing: ${missing[*]}" >&2
	echo "deps: run as root to install them: sudo make deps (or sudo make demo, sudo make test)" >&2
	exit 1
fi

echo "deps: installing with apt-get: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
