#!/usr/bin/env bash
# Builds localhost/berth-node-standin:24, a FROM-scratch stand-in for node:24-bookworm-slim on machines
# that cannot pull from a container registry (see docs/image.md). Made from the Node 24 binary the
# `node@24` devDependency holds, the machine's npm, the binary's shared libraries, CA certificates,
# busybox for /bin/sh, a `node` user (uid 1000) and a writable /tmp. Skipped when the image exists.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE="${BERTH_STANDIN_IMAGE:-localhost/berth-node-standin:24}"
BUILDAH=(buildah --storage-driver vfs)

if "${BUILDAH[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  echo "stand-in base $IMAGE already exists"
  exit 0
fi

fail() { echo "build-standin-base: $*" >&2; exit 1; }

NODE_BIN="node_modules/node/bin/node"
[ -x "$NODE_BIN" ] || fail "$NODE_BIN is missing: run npm ci first"
"$NODE_BIN" --version | grep -q '^v24\.' || fail "$NODE_BIN is not Node 24"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || fail "cannot find npm's folder (looked at $NPM_DIR)"
BUSYBOX="$(command -v busybox || true)"
[ -n "$BUSYBOX" ] || fail "busybox is missing (apt-get install -y busybox-static)"
{ ldd "$BUSYBOX" 2>&1 || true; } | grep -Eq 'not a dynamic|statically linked' || fail "$BUSYBOX is not statically linked (install busybox-static)"

ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,tmp,root,home/node}
chmod 1777 "$ROOTFS/tmp"

cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# The binary's shared libraries and the loader, at the paths ldd resolves them to, plus the rest of
# glibc (librt, libresolv, libnss_*): native addons in the build (rolldown's binding) load them, and
# node:*-slim images have them all.
GLIBC=$(dpkg -L libc6 2>/dev/null | grep -E '^/(usr/)?lib/x86_64-linux-gnu/[^/]+\.so[.0-9]*$' || true)
for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*') $GLIBC; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done

cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"
done
ln -s /bin/env "$ROOTFS/usr/bin/env"   # npm's scripts start with #!/usr/bin/env node

cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$ROOTFS/etc/group"

cat >"$ROOTFS/Containerfile" <<'CONTAINERFILE'
FROM scratch
COPY . /
# COPY makes every file root-owned; the user's home must be its own.
RUN chown 1000:1000 /home/node
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_VERSION=24
CMD ["node"]
CONTAINERFILE
printf 'Containerfile\n' >"$ROOTFS/.dockerignore"

"${BUILDAH[@]}" bud --isolation chroot --network host --layers -q -f "$ROOTFS/Containerfile" -t "$IMAGE" "$ROOTFS" >/dev/null
echo "stand-in base $IMAGE built"
