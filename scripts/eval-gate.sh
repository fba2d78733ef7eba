#!/usr/bin/env bash
# CD's eval gate (.github/workflows/cd.yml): the golden and adversarial suites (berth eval) against a
# Berth in Kubernetes, through kubectl port-forward. Each run is recorded there (GET /api/evals) with
# that deployment's release and configuration; the script exits 1 when either suite fails its gate.
#   scripts/eval-gate.sh <namespace> service/berth-api   an api pod behind the Service (staging)
#   scripts/eval-gate.sh <namespace> digest:<sha256:…>    a ready api pod of that image: the new release,
#                                                         whose pass rate the canary analysis reads
# Needs BERTH_EVAL_KEY (an operator key of that deployment), kubectl, jq, and the CLI (npm ci).
# Reports (Markdown, JUnit XML, JSON) go to eval-reports/.
set -euo pipefail
namespace=${1:?usage: eval-gate.sh <namespace> service/<name> | digest:<sha256:…>}
target=${2:?usage: eval-gate.sh <namespace> service/<name> | digest:<sha256:…>}
port=18090

if [ -z "${BERTH_EVAL_KEY:-}" ]; then
  echo "::error::no BERTH_EVAL_KEY: give the environment an operator key of this deployment" \
    "(kubectl -n $namespace exec deploy/berth-api -- berth keys create ci-evals --role operator)"
  exit 1
fi

if [[ $target == digest:* ]]; then
  digest=${target#digest:}
  pod=""
  for _ in $(seq 1 60); do
    pod=$(kubectl -n "$namespace" get pods -l app.kubernetes.io/component=api -o json | jq -r --arg digest "$digest" \
      '[.items[] | select(any(.spec.containers[]; .image | endswith("@" + $digest)))
        | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))][0].metadata.name // empty')
    if [ -n "$pod" ]; then break; fi
    sleep 5
  done
  if [ -z "$pod" ]; then
    echo "::error::no api pod of $digest became ready within 5 minutes"
    exit 1
  fi
  target=pod/$pod
fi

echo "Evaluating $target in $namespace"
kubectl -n "$namespace" port-forward "$target" "$port:8080" >"${RUNNER_TEMP:-/tmp}/eval-forward.log" 2>&1 &
forward=$!
trap 'kill "$forward" 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  if curl --fail --silent --max-time 5 -o /dev/null "http://127.0.0.1:$port/healthz"; then break; fi
  sleep 2
done

# Both suites run; either one failing fails the gate.
status=0
for suite in golden adversarial; do
  npx berth eval "$suite" --against "http://127.0.0.1:$port" --output eval-reports || status=1
done
exit "$status"
