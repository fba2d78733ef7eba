#!/usr/bin/env bash
# CD (.github/workflows/cd.yml): GET /readyz through service/berth-api (kubectl port-forward) until it
# answers 200 with "ready" (a minute at most), then through the public base URL when one is given.
#   scripts/smoke-readyz.sh <namespace> [public base URL]
set -euo pipefail
namespace=${1:?usage: smoke-readyz.sh <namespace> [public base URL]}
public_url=${2:-}
log=${RUNNER_TEMP:-/tmp}/port-forward.log
body=${RUNNER_TEMP:-/tmp}/readyz.json
kubectl -n "$namespace" port-forward service/berth-api 18080:8080 >"$log" 2>&1 &
forward=$!
trap 'kill "$forward" 2>/dev/null || true' EXIT
ready=""
for _ in $(seq 1 30); do
  if curl --fail --silent --show-error --max-time 5 -o "$body" http://127.0.0.1:18080/readyz; then
    ready=1
    break
  fi
  sleep 2
done
if [ -z "$ready" ]; then
  cat "$log"
  echo "::error::/readyz did not answer 200 through service/berth-api within a minute"
  exit 1
fi
cat "$body"
grep -q '"ready"' "$body"
# Through the public entry point (Ingress or Gateway) too, when the environment names one.
if [ -n "$public_url" ]; then
  curl --fail --silent --show-error --max-time 10 --retry 5 --retry-all-errors "${public_url%/}/readyz"
fi
