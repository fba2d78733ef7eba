#!/usr/bin/env bash
# CD (.github/workflows/cd.yml): waits for the migration Job berth-migrate of a namespace to complete
# (15 minutes at most); on failure prints its log. Exits 1 when it failed or did not finish in time.
#   scripts/wait-migration.sh <namespace>
set -euo pipefail
namespace=${1:?usage: wait-migration.sh <namespace>}
for _ in $(seq 1 180); do
  state=$(kubectl -n "$namespace" get job berth-migrate \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
  case " $state " in
    *" Complete "*) exit 0 ;;
    *" Failed "*)
      kubectl -n "$namespace" logs job/berth-migrate --tail=100 || true
      echo "::error::the migration Job failed"
      exit 1 ;;
  esac
  sleep 5
done
echo "::error::the migration Job did not complete within 15 minutes"
exit 1
