#!/usr/bin/env bash
# Builds the real Dockerfile with buildah (no Docker engine needed), runs the image with podman as
# uid 1000 on a read-only root filesystem, probes /healthz, /readyz, /metrics and one chat request,
# stops it with SIGTERM and checks it exits 0, then prints sizes as key=value lines (bytes):
#   image_bytes, base_bytes, app_layers_bytes, build_seconds.
# Base images come from build-standin-base.sh unless BERTH_NODE_IMAGE / BERTH_RUNTIME_IMAGE name others.
# Needs root, buildah, podman and runc (see docs/image.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE="${BERTH_IMAGE:-localhost/berth:test}"
STANDIN="localhost/berth-node-standin:24"
NODE_IMAGE="${BERTH_NODE_IMAGE:-$STANDIN}"
RUNTIME_IMAGE="${BERTH_RUNTIME_IMAGE:-$STANDIN}"
BUILDAH=(buildah --storage-driver vfs)
PODMAN=(podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs)

fail() { echo "image-test: FAIL: $*" >&2; exit 1; }
step() { echo "image-test: $*" >&2; }

for tool in buildah podman runc; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (apt-get install -y buildah podman runc)"
done
# Without this podman asks for more open files than the sandbox's hard limit allows.
grep -qs 'default_ulimits' /etc/containers/containers.conf \
  || fail "/etc/containers/containers.conf lacks 'default_ulimits = []' (see docs/image.md)"

if [ "$NODE_IMAGE" = "$STANDIN" ] || [ "$RUNTIME_IMAGE" = "$STANDIN" ]; then
  scripts/image/build-standin-base.sh >&2
fi

# npm inside the build goes through a TLS-intercepting proxy: trust the host's CA store, read-only.
CA_ARGS=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  CA_ARGS=(-v /etc/ssl/certs:/etc/ssl/certs:ro --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi

step "building $IMAGE (FROM $NODE_IMAGE, runtime $RUNTIME_IMAGE)"
started=$(date +%s)
"${BUILDAH[@]}" bud --isolation chroot --network host --layers --format docker \
  --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
  --build-arg "VERSION=$(node -p 'require("./package.json").version')" \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  "${CA_ARGS[@]}" -t "$IMAGE" . >&2 || fail "buildah bud failed"
build_seconds=$(($(date +%s) - started))

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
KEY="img-$(node -e "console.log(require('crypto').randomBytes(18).toString('hex'))")"
NAME="berth-image-test-$$"
cleanup() { "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "running $NAME on port $PORT"
# No systemd here to time the HEALTHCHECK; it is run once by hand below.
"${PODMAN[@]}" run -d --name "$NAME" --network host --user 1000 --read-only \
  --tmpfs /tmp --tmpfs /data:rw,U --health-interval disable \
  -e "PORT=$PORT" -e "BERTH_API_KEYS=$KEY" "$IMAGE" >/dev/null || fail "podman run failed"

base="http://127.0.0.1:$PORT"
logs() { "${PODMAN[@]}" logs "$NAME" 2>&1 | tail -n 30 >&2; }
ready=""
for _ in $(seq 1 120); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then ready=1; break; fi
  state=$("${PODMAN[@]}" inspect --format '{{.State.Status}}' "$NAME" 2>/dev/null || echo gone)
  [ "$state" = running ] || { logs; fail "container is $state before it became ready"; }
  sleep 0.5
done
[ -n "$ready" ] || { logs; fail "/readyz did not answer 200 within 60 s"; }

curl -fsS "$base/healthz" >/dev/null || fail "/healthz did not answer 200"
# Read whole answers before grep: `grep -q` stops at its first match, and under pipefail the writer's
# SIGPIPE would fail the check on a long answer such as /metrics.
readyz=$(curl -fsS "$base/readyz") || fail "/readyz did not answer 200"
grep -q '"ready"' <<<"$readyz" || fail "/readyz is not ready: $readyz"
metrics=$(curl -fsS "$base/metrics") || fail "/metrics did not answer 200"
grep -q '^process_cpu' <<<"$metrics" || fail "/metrics has no process metrics"
status=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/chat" -H 'content-type: application/json' -d '{"message":"hi"}')
[ "$status" = 401 ] || fail "chat without the key answered $status, expected 401"
reply=$(curl -fsS "$base/api/chat" -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"message":"summarize: Berth runs agents. It keeps history."}') || fail "chat with the key failed"
grep -q '"response":"berth-offline' <<<"$reply" || fail "unexpected chat reply: $reply"
uid=$("${PODMAN[@]}" exec "$NAME" id -u) || fail "podman exec failed"
[ "$uid" = 1000 ] || fail "process runs as uid $uid, expected 1000"
"${PODMAN[@]}" exec "$NAME" sh -c 'touch /app/x' 2>/dev/null && fail "the root filesystem is writable"
"${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1 || fail "the image's HEALTHCHECK command failed"
sbom=$("${PODMAN[@]}" exec "$NAME" node -e "const s=require('/app/dist/sbom.json');console.log(s.bomFormat+' '+s.components.length)") \
  || fail "the image has no readable /app/dist/sbom.json"
case "$sbom" in CycloneDX*) ;; *) fail "unexpected SBOM: $sbom" ;; esac
step "probes passed (healthz, readyz, metrics, chat 401 without key and 200 with it, uid 1000, read-only, healthcheck, SBOM: $sbom)"

"${PODMAN[@]}" stop -t 20 "$NAME" >/dev/null || fail "podman stop failed"
exit_code=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$exit_code" = 0 ] || { logs; fail "exit code after SIGTERM was $exit_code, expected 0"; }
container_logs=$("${PODMAN[@]}" logs "$NAME" 2>&1)
grep -q '"msg":"stopped"' <<<"$container_logs" || { logs; fail "logs do not say \"stopped\""; }
step "SIGTERM: graceful stop, exit 0"

image_bytes=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
base_bytes=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$RUNTIME_IMAGE")
echo "image_test=ok"
echo "image=$IMAGE"
echo "image_bytes=$image_bytes"
echo "base_bytes=$base_bytes"
echo "app_layers_bytes=$((image_bytes - base_bytes))"
echo "build_seconds=$build_seconds"
