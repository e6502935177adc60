#!/usr/bin/env bash
# Runs a crossroads experiment on the Kubernetes cluster kubectl points at: the scenario as a
# ConfigMap, the Indexed Job of shards, then (once every shard has succeeded) the merge Job.
#
#   examples/kubernetes/run.sh [SCENARIO.toml]      (default: scenarios/south_caucasus_2024.toml)
#
# Needs the image of Dockerfile pushed and named in both manifests (REGISTRY/crossroads:0.1.0).
# The merged folder is /results/merged on the crossroads-results volume.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scenario="${1:-$here/../../scenarios/south_caucasus_2024.toml}"

kubectl create configmap crossroads-scenario --from-file=scenario.toml="$scenario" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$here/shards-job.yaml"
# Wait until the Job has succeeded (every index) or failed (a shard out of retries).
until state=$(kubectl get job crossroads-shards -o jsonpath='{.status.conditions[?(@.status=="True")].type}') &&
  [[ $state == *Complete* || $state == *Failed* ]]; do
  sleep 10
done
if [[ $state != *Complete* ]]; then
  echo "crossroads-shards failed; see: kubectl logs -l job-name=crossroads-shards" >&2
  exit 1
fi
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/crossroads-merge --timeout=1h
kubectl logs job/crossroads-merge
