#!/usr/bin/env bash
# Submits a crossroads experiment to Slurm: the shard array, then the merge, which starts only when
# every shard has succeeded (afterok; if one fails, Slurm cancels the merge instead of leaving it
# pending forever).
#
#   examples/slurm/submit.sh [SCENARIO.toml] [--runs N] [--seed S] [--set KEY=VALUE]...
#
# Environment: CROSSROADS (the binary), CROSSROADS_SHARDS (shard folder, default shards/),
# CROSSROADS_OUT (merged results, default results/). Logs: crossroads-*.log in this directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

array=$(sbatch --parsable "$here/shards.sbatch" "$@")
array=${array%%;*} # --parsable prints "id;cluster" on multi-cluster sites
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: array job $array; merge: job $merge (starts when every shard has succeeded)"
echo "watch: squeue -j $array,$merge    results: ${CROSSROADS_OUT:-results}/"
