#!/usr/bin/env bash
# The real engine, tested: starts a one-node Slurm cluster (../shared/slurm/start.sh beside the
# repository, or CROSSROADS_SLURM_DIR), submits the default scenario with the shipped
# examples/slurm/submit.sh (a 4-task array running `--shard auto`, then the merge with afterok), and
# checks that the merged folder is byte for byte the folder of one `crossroads run`
# (SOURCE_DATE_EPOCH set in both). Also: a 1-based array (--array=1-4) merges to the same bytes as
# one process, `--shard auto` in a job that is not an array task fails with exit 2, and an experiment
# of `crossroads explore` sharded over a 3-task array merges to the bytes of one process.
# Stops the cluster with stop.sh whatever happens. Needs root (Slurm's daemons), as in CI.
# Prints "N passed, M failed"; exits 1 if any check failed.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
slurm="${CROSSROADS_SLURM_DIR:-$repo/../shared/slurm}"
timeout="${CROSSROADS_SLURM_TIMEOUT:-600}" # seconds to wait for each experiment
started=$SECONDS
passed=0
failed=0

check() { # check NAME COMMAND...: runs COMMAND, counts and prints the result
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

work="$(mktemp -d)"
cleanup() {
  "$slurm/stop.sh" >/dev/null 2>&1 || true
  if [ "$failed" -gt 0 ]; then
    for log in "$work"/*.log; do [ -e "$log" ] && { echo "--- $log"; cat "$log"; }; done
    tail -n 20 "${SLURM_RUN_DIR:-${TMPDIR:-/tmp}/crossroads-slurm}"/slurm*.log 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building the release binary"
(cd "$repo" && cargo build --release --locked --quiet) || { echo "0 passed, 1 failed (build)"; exit 1; }
export CROSSROADS="${CARGO_TARGET_DIR:-$repo/target}/release/crossroads"
export SOURCE_DATE_EPOCH=1700000000

echo "starting Slurm ($slurm/start.sh)"
if ! setup="$("$slurm/start.sh")"; then
  failed=1
  echo "0 passed, 1 failed (Slurm did not start)"
  exit 1
fi
eval "$setup"
cd "$work" || exit 1

# Waits until job $1 (and, for an array, every task) has ended; prints each task's "JobState ExitCode".
wait_for() {
  local deadline=$((SECONDS + timeout)) states
  while [ $SECONDS -lt $deadline ]; do
    states=$(scontrol -o show job "$1" 2>/dev/null | sed -E 's/.*JobState=([A-Z_]+).* ExitCode=([0-9:]+).*/\1 \2/')
    if [ -n "$states" ] && ! grep -qE '^(PENDING|CONFIGURING|RUNNING|COMPLETING|REQUEUED|RESIZING|SUSPENDED)' <<<"$states"; then
      echo "$states"
      return 0
    fi
    sleep 1
  done
  echo "TIMEOUT after ${timeout} s: $(scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | tr '\n' ' ')"
  return 1
}
all_completed() { # all_completed COUNT STATES: COUNT lines, each "COMPLETED 0:0"
  [ "$(grep -c '^COMPLETED 0:0$' <<<"$2")" -eq "$1" ] && [ "$(wc -l <<<"$2")" -eq "$1" ]
}
identical() { # identical A B: every file of the two folders the same bytes, and A a full result
  [ -s "$1/summary.json" ] && [ -s "$2/summary.json" ] && diff -r "$1" "$2" >/dev/null
}
said_shard() { # said_shard LOG_GLOB I/N: one of the logs names shard I/N from the Slurm array
  grep -l "shard $2 from the Slurm job array" $1 >/dev/null 2>&1
}

# 1. The default scenario (its 10,000 runs) as the user submits it: a 4-task array, then the merge.
echo "one process: crossroads run (default scenario)"
"$CROSSROADS" run --quiet --out "$work/one-process" || echo "the one-process run failed"
submitted=$(CROSSROADS_SHARDS="$work/shards" CROSSROADS_OUT="$work/merged" "$repo/examples/slurm/submit.sh")
echo "$submitted"
array=$(sed -nE 's/.*array job ([0-9]+).*/\1/p' <<<"$submitted")
merge=$(sed -nE 's/.*merge: job ([0-9]+).*/\1/p' <<<"$submitted")
merge_state=$(wait_for "$merge")
array_states=$(wait_for "$array")
check "submit.sh queued the array and the merge" test -n "$array" -a -n "$merge"
check "4 array tasks ran --shard auto and succeeded" all_completed 4 "$array_states"
for i in 0 1 2 3; do
  check "task $i said: shard $i/4 from the Slurm job array" said_shard "crossroads-shards-${array}_*.log" "$i/4"
done
check "the afterok merge job succeeded" all_completed 1 "$merge_state"
check "merged folder = one-process folder, byte for byte" identical "$work/one-process" "$work/merged"

# 2. A 1-based array (IDs 1..4 are shards 0..3), smaller, without charts.
"$CROSSROADS" run --quiet --runs 640 --no-charts --out "$work/one-process-640"
export CROSSROADS_SHARDS="$work/shards-640" CROSSROADS_OUT="$work/merged-640"
a=$(sbatch --parsable --array=1-4 "$repo/examples/slurm/shards.sbatch" --runs 640)
a=${a%%;*}
m=$(sbatch --parsable --dependency="afterok:$a" --kill-on-invalid-dep=yes \
  "$repo/examples/slurm/merge.sbatch" --no-charts)
m=${m%%;*}
check "--array=1-4: 4 tasks and the merge succeeded" all_completed 5 "$(wait_for "$a"; wait_for "$m")"
check "--array=1-4: task ID 4 is shard 3/4" said_shard "crossroads-shards-${a}_4.log" "3/4"
check "--array=1-4: merged folder = one-process folder" identical "$work/one-process-640" "$work/merged-640"

# 3. --shard auto in a plain job (no --array) is bad input, exit 2, and says why.
j=$(sbatch --parsable -o "$work/not-an-array.log" --wrap "'$CROSSROADS' run --runs 64 --shard auto --out '$work/never'")
check "--shard auto outside an array task: exit 2" test "$(wait_for "${j%%;*}")" = "FAILED 2:0"
check "... saying it is not an array task, writing nothing" \
  bash -c "grep -q 'not an array task' '$work/not-an-array.log' && ! test -e '$work/never'"

# 4. An experiment (`explore`) as a 3-task array and its merge: the one-process folder, byte for byte.
experiment="$repo/scenarios/explore/south_caucasus_2024.toml"
"$CROSSROADS" explore "$experiment" --quiet --points 4 --replications 5 --out "$work/explore-one"
e=$(sbatch --parsable --array=0-2 -o "$work/explore-%a.log" --wrap "'$CROSSROADS' explore '$experiment' \
  --quiet --points 4 --replications 5 --shard auto --out '$work/explore-shards/task-'\$SLURM_ARRAY_TASK_ID")
e=${e%%;*}
em=$(sbatch --parsable --dependency="afterok:$e" --kill-on-invalid-dep=yes -o "$work/explore-merge.log" \
  --wrap "'$CROSSROADS' merge --quiet '$work'/explore-shards/task-* --out '$work/explore-merged'")
em=${em%%;*}
check "explore: 3 array tasks and the merge succeeded" all_completed 4 "$(wait_for "$e"; wait_for "$em")"
check "explore: merged folder = one-process folder" identical "$work/explore-one" "$work/explore-merged"

echo "slurm: $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
