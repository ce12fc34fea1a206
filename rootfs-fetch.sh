#!/bin/bash
# rootfs-fetch.sh: make the root filesystem that the chapters' containers run in.
#
# A container is "just" a process whose root directory is somewhere else, so
# before chapter 01 can chroot(2) anywhere we need a directory tree that looks
# like a tiny Linux system. This script builds one, in one of four ways:
#
#   --busybox       (default, offline) one static binary, busybox, plus links
#                   named after each of its applets, and a few files in /etc.
#   --alpine        Alpine's official "minirootfs" tarball (needs internet).
#   --debootstrap   a minimal Debian bookworm (needs root and a Debian mirror).
#   --image REF     any OCI/Docker image, unpacked with skopeo and umoci.
#
# It never leaves a half-made rootfs behind: everything is built in a work
# directory beside DIR and only renamed into place when it is complete.

set -euo pipefail
# Predictable modes (755 directories, 644 files) whatever the caller's umask.
umask 022

prog=rootfs-fetch
here=$(cd "$(dirname "$0")" && pwd)

# Pinned Alpine release. The sha256 should equal the one Alpine publishes in
# $ALPINE_URL.sha256. It could not be downloaded when this script was written
# (no internet), so it was taken from several independent public projects that
# pin this same file and agree on it. If it is ever wrong, the script stops
# with "does not match" and deletes the download; it never unpacks the file.
ALPINE_VERSION=3.20.3
ALPINE_FILE=alpine-minirootfs-$ALPINE_VERSION-x86_64.tar.gz
ALPINE_URL=https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/$ALPINE_FILE
ALPINE_SHA256=d4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c

# The stamp file inside a finished rootfs: it says that this script made the
# directory and which flavour it is, so a second run knows it has nothing to do.
STAMP=.rootfs-fetch

usage() {
	cat <<EOF
usage: $0 [--busybox | --alpine | --debootstrap | --image REF] [DIR]

Build a root filesystem for the containers in DIR (default: build/rootfs
in the repository, $here/build/rootfs).

  --busybox      a static busybox and its applet links (default; offline)
  --alpine       Alpine $ALPINE_VERSION minirootfs, downloaded and checked by sha256
  --debootstrap  Debian bookworm, minbase variant (needs root and debootstrap)
  --image REF    an OCI image, e.g. docker.io/library/alpine:3.20
                 (needs skopeo and umoci)
  -h, --help     show this help

If DIR was made by this script already, nothing is done; remove it to rebuild.
EOF
}

# One error idiom, like die() in the chapters: say what failed, and on a
# second line a hint when the fix is usually in the environment.
die() {
	printf '%s: %s\n' "$prog" "$1" >&2
	if [ $# -gt 1 ]; then
		printf '  hint: %s\n' "$2" >&2
	fi
	exit 1
}

usage_error() {
	printf '%s: %s\n' "$prog" "$1" >&2
	usage >&2
	exit 2
}

# Narration in the style of the chapter programs: "=> doing x... done".
step() { printf '=> %s... ' "$1"; }
step_done() { echo 'done'; }

# Show a path the way the user would type it: relative to where they are.
pretty() {
	case $1 in
	"$PWD"/*) printf '%s' "${1#"$PWD"/}" ;;
	*) printf '%s' "$1" ;;
	esac
}

have_command() { command -v "$1" >/dev/null 2>&1; }

need() { # need COMMAND PACKAGE
	have_command "$1" || die "$1 not found" "apt-get install $2"
}

# Check the tools before touching the disk, so a missing package costs nothing.
check_prerequisites() {
	case $1 in
	busybox)
		# It must be the *static* busybox: inside the new root there is
		# no libc and no dynamic loader, so a dynamically linked binary
		# fails with a puzzling "No such file or directory". Debian's
		# busybox-static provides it; the plain "busybox" is dynamic.
		if have_command dpkg-query; then
			dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
				die "the static busybox is not installed" "apt-get install busybox-static"
		fi
		[ -x /bin/busybox ] || die "/bin/busybox not found" "apt-get install busybox-static"
		;;
	alpine)
		have_command curl || have_command wget ||
			die "neither curl nor wget found" "apt-get install curl"
		;;
	debootstrap)
		need debootstrap debootstrap
		# debootstrap chowns files, creates device nodes and runs dpkg
		# inside the new tree with chroot: all of that needs root.
		[ "$(id -u)" -eq 0 ] ||
			die "--debootstrap must run as root" "use --busybox, which needs no root"
		;;
	image)
		need skopeo skopeo
		need umoci umoci
		;;
	esac
}

# ---------------------------------------------------------------------------
# The four ways to fill $work/rootfs. Each one builds the tree under
# $work/rootfs and nothing else; the caller renames it into place.
# ---------------------------------------------------------------------------

fetch_busybox() {
	local root=$1 path up

	step "copying /bin/busybox"
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/busybox"
	chmod 0755 "$root/bin/busybox"
	step_done

	# busybox is one program that looks at argv[0] to decide what to be:
	# run as "ls" it is ls. So /bin/ls only has to be a link to it. The
	# links are *relative* (usr/bin/env -> ../../bin/busybox): an absolute
	# link to /bin/busybox would resolve against whatever root the reader
	# has, which is the host's when you look at the tree from outside.
	step "linking busybox applets"
	local n=0
	while read -r path; do
		case $path in
		bin/busybox) continue ;; # the binary itself
		linuxrc) continue ;;     # init for an initrd; a container never boots it
		esac
		mkdir -p "$root/$(dirname "$path")"
		# One "../" per directory between the link and the root.
		up=$(dirname "$path" | sed 's|[^/]*|..|g')
		ln -s "$up/bin/busybox" "$root/$path"
		n=$((n + 1))
	done < <(/bin/busybox --list-full)
	printf '%d links, ' "$n"
	step_done

	step "writing /etc"
	mkdir -p "$root/etc"
	# Just enough for "id", "whoami" and "ls -l" to print names, not numbers.
	cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
	cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1	localhost
EOF
	# Empty: the network chapter decides whether there is DNS at all.
	: >"$root/etc/resolv.conf"
	# So that "cat /etc/os-release" answers "where am I?" inside a container.
	cat >"$root/etc/os-release" <<EOF
NAME="Demystifying Containers busybox rootfs"
PRETTY_NAME="Demystifying Containers busybox rootfs ($(/bin/busybox | head -n 1 | cut -d ' ' -f 1-2))"
ID=demystifying-containers-busybox
EOF
	step_done

	# Empty mount points. The container mounts proc, sysfs, a /dev and a
	# tmpfs here itself in later chapters; /mnt is where a host directory
	# is bind-mounted (chapter 08's --bind). Nothing is created with mknod,
	# so this works without root. /tmp is world-writable with the sticky
	# bit, as everywhere.
	step "making /root /proc /sys /dev /tmp /mnt"
	mkdir -p "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/mnt"
	chmod 0700 "$root/root"
	chmod 1777 "$root/tmp"
	step_done
}

fetch_alpine() {
	local root=$1 work=$2 tarball=$2/$ALPINE_FILE

	echo "=> downloading $ALPINE_URL"
	# Time out quickly, so that an offline machine gets an answer, not a hang.
	if have_command curl; then
		curl --fail --location --connect-timeout 10 --progress-bar \
			--output "$tarball" "$ALPINE_URL" ||
			die "could not download $ALPINE_URL" \
				"are you offline? --busybox needs no network"
	else
		wget --timeout=10 --tries=1 --quiet --show-progress \
			--output-document="$tarball" "$ALPINE_URL" ||
			die "could not download $ALPINE_URL" \
				"are you offline? --busybox needs no network"
	fi

	# A pinned hash, not the .sha256 beside the tarball: a file fetched
	# from the same place as the tarball proves only that the download was
	# not truncated, not that it is the file we meant.
	step "checking sha256"
	echo "$ALPINE_SHA256  $tarball" | sha256sum --check --quiet >/dev/null ||
		die "sha256 of $ALPINE_FILE does not match the pinned value" \
			"the download is corrupt or was tampered with; try again"
	step_done

	# --numeric-owner: keep Alpine's uids and gids as numbers. Without it,
	# tar (as root) maps owner *names* through the host's /etc/passwd, and
	# Debian's numbers for a name need not be Alpine's.
	step "unpacking"
	mkdir -p "$root"
	tar --extract --gzip --numeric-owner --file "$tarball" --directory "$root"
	step_done
}

fetch_debootstrap() {
	local root=$1

	echo "=> running debootstrap --variant=minbase bookworm (a few minutes)"
	if ! debootstrap --variant=minbase bookworm "$root"; then
		# The log lives in the work tree, which is about to be deleted.
		tail -n 20 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
		die "debootstrap failed" "is a Debian mirror reachable?"
	fi
}

fetch_image() {
	local root=$1 work=$2 ref=$3
	local -a rootless=()

	# As a normal user umoci cannot chown files to the image's owners;
	# --rootless makes them all yours instead.
	if [ "$(id -u)" -ne 0 ]; then
		rootless=(--rootless)
	fi

	# skopeo talks to the registry and stores the image as an OCI layout
	# (a directory of content-addressed blobs). umoci then applies the
	# layers one after the other into a runtime "bundle": config.json plus
	# rootfs/, which is exactly what an OCI runtime like runc starts from.
	echo "=> copying docker://$ref"
	skopeo copy "docker://$ref" "oci:$work/image:tag" ||
		die "skopeo could not copy $ref" "is the name right, and is the registry reachable?"

	step "unpacking the layers with umoci"
	umoci unpack "${rootless[@]}" --image "$work/image:tag" "$work/bundle" >/dev/null
	mv "$work/bundle/rootfs" "$root"
	step_done
}

# ---------------------------------------------------------------------------
# Cleaning up after a failure or an interrupt.
# ---------------------------------------------------------------------------

work=

cleanup() {
	local status=$?
	if [ -z "$work" ] || [ ! -d "$work" ]; then
		return 0 # nothing started, or already renamed into place
	fi
	if [ "$status" -ne 0 ]; then
		printf '%s: removing the unfinished %s\n' "$prog" "$(pretty "$work")" >&2
	fi
	# Unmount anything left mounted in the work tree (debootstrap mounts
	# /proc inside it; a killed run may leave it there), deepest first.
	# /proc/self/mounts writes a space in a path as \040.
	if [ "$(id -u)" -eq 0 ]; then
		awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts |
			sed 's/\\040/ /g' | sort -r |
			while read -r m; do umount -l "$m" || true; done
	fi
	# --one-file-system: never follow a mount out of the work tree, so a
	# stray bind mount of the host cannot be deleted through it.
	rm -rf --one-file-system "$work" ||
		printf '%s: could not remove %s\n' "$prog" "$work" >&2
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

flavour=
ref=
dir=

set_flavour() {
	[ -z "$flavour" ] || usage_error "choose only one of --busybox, --alpine, --debootstrap, --image"
	flavour=$1
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--busybox) set_flavour busybox ;;
	--alpine) set_flavour alpine ;;
	--debootstrap) set_flavour debootstrap ;;
	--image)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			usage_error "--image needs an image name, e.g. docker.io/library/alpine:3.20"
		fi
		set_flavour image
		ref=$2
		shift
		;;
	--image=*)
		set_flavour image
		ref=${1#--image=}
		[ -n "$ref" ] || usage_error "--image needs an image name"
		;;
	--) shift; break ;;
	-*) usage_error "unknown option: $1" ;;
	*)
		[ -z "$dir" ] || usage_error "only one DIR, please (got '$dir' and '$1')"
		dir=$1
		;;
	esac
	shift
done
if [ $# -gt 0 ]; then
	if [ -n "$dir" ] || [ $# -gt 1 ]; then
		usage_error "only one DIR, please"
	fi
	dir=$1
fi
flavour=${flavour:-busybox}
dir=${dir:-$here/build/rootfs}
dir=${dir%/} # "rootfs/" and "rootfs" are the same place, and mktemp needs the latter

# The stamp records what was built, so "--image a" and "--image b" differ.
want=$flavour
[ "$flavour" != image ] || want="image $ref"

# Already there? Ours and the same kind: nothing to do. Anything else: refuse,
# because replacing a directory we did not make could destroy someone's work.
if [ -e "$dir" ] || [ -L "$dir" ]; then
	have=
	if [ -f "$dir/$STAMP" ]; then
		have=$(sed -n 's/^flavour=//p' "$dir/$STAMP")
	fi
	if [ -z "$have" ]; then
		die "$(pretty "$dir") exists and was not made by $prog; not touching it" \
			"remove it or choose another DIR"
	elif [ "$have" = "$want" ]; then
		echo "$(pretty "$dir") already exists ($have); remove it to rebuild"
		exit 0
	else
		die "$(pretty "$dir") already holds a different rootfs ($have, not $want)" \
			"remove it to rebuild, or choose another DIR"
	fi
fi

# Build beside DIR, on the same filesystem, so the final mv is a rename(2):
# atomic, so DIR is either absent or complete, never half made. The trap
# deletes the work directory on any error (set -e) or interrupt.
# (Only SIGKILL gets past the trap; it can leave a DIR.tmp.* behind, never a
# half-made DIR.)
check_prerequisites "$flavour"
mkdir -p "$(dirname "$dir")" || die "cannot create $(dirname "$dir")"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d "$dir.tmp.XXXXXX") ||
	die "cannot create a work directory beside $(pretty "$dir")" "is $(dirname "$dir") writable?"
root=$work/rootfs

echo "=> building the $want rootfs in $(pretty "$dir")"
case $flavour in
busybox) fetch_busybox "$root" ;;
alpine) fetch_alpine "$root" "$work" ;;
debootstrap) fetch_debootstrap "$root" ;;
image) fetch_image "$root" "$work" "$ref" ;;
esac

# The root directory of a container must be searchable by everyone: with a
# user namespace, "root" inside may be an ordinary user outside.
chmod 0755 "$root"
cat >"$root/$STAMP" <<EOF
flavour=$want
made-by=rootfs-fetch.sh
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF

mv -T "$root" "$dir"
echo "=> $(pretty "$dir") is ready; try: chroot $(pretty "$dir") /bin/sh"
