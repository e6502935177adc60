#!/usr/bin/env bash
# Reproduces every table of scenarios/README.md from real runs of crossroads.
#
#   bash scenarios/tables.sh default     # the default scenario, every outcome
#   bash scenarios/tables.sh variants    # the seven variants against the default
#   bash scenarios/tables.sh returns     # the return model in settings like the return analogues (docs/sources.md#return-analogues)
#   bash scenarios/tables.sh lookback    # the 2024 model against what happened to May 2026
#   bash scenarios/tables.sh 2026        # the December 2026 baseline against the 2024 default
#   bash scenarios/tables.sh evidence    # the 2024 model conditioned on January 2024 – May 2026, and the
#                                        # variants ranked by Bayes factor (EVIDENCE_RUNS per pair, 50,000)
#   bash scenarios/tables.sh all
#
# Each scenario runs with its own seed and runs (10,000) unless RUNS is set; results go to
# output/guide/<scenario name>/. The binary is $CROSSROADS if set, else target/release/crossroads
# (built with `cargo build --release` when missing). Needs jq and awk.
set -euo pipefail
cd "$(dirname "$0")/.."

CROSSROADS=${CROSSROADS:-target/release/crossroads}
if [[ ! -x $CROSSROADS ]]; then
    cargo build --release --locked -q
fi
OUT=output/guide
RUNS_FLAG=()
if [[ -n ${RUNS:-} ]]; then
    RUNS_FLAG=(--runs "$RUNS")
fi

# run FILE: runs one scenario once per invocation of this script; prints its summary.json path.
declare -A DONE=()
run() {
    local file=$1 name
    name=$(basename "$file" .toml)
    if [[ -z ${DONE[$name]:-} ]]; then
        "$CROSSROADS" run "$file" "${RUNS_FLAG[@]}" --quiet --no-charts --out "$OUT/$name" >&2
        DONE[$name]=1
    fi
    echo "$OUT/$name/summary.json"
}

# value SUMMARY OUTCOME [percent|persons|number]: the estimate, formatted.
value() {
    jq -r --arg n "$2" --arg f "${3:-number}" '
        .outcomes[] | select(.name == $n)
        | if .kind == "probability" then (.probability * 100 * 10 | round / 10 | tostring) + "%"
          elif $f == "percent" then (.mean * 100 * 10 | round / 10 | tostring) + "%"
          elif $f == "persons" then (.mean | round | tostring)
          else (.mean * 100 | round / 100 | tostring) end' "$1"
}

# halfwidth SUMMARY...: the largest 95% Monte Carlo half-width of any probability in these files, in points.
halfwidth() {
    jq -s -r '[.[].outcomes[] | select(.kind == "probability") | (.upper - .lower) / 2] | max * 100
        | . * 10 | ceil / 10 | tostring' "$@"
}

default_table() {
    local s
    s=$(run scenarios/south_caucasus_2024.toml)
    echo "### Default scenario: every outcome"
    echo
    echo "\`bash scenarios/tables.sh default\` ($(jq -r .runs "$s") runs, seed $(jq -r .seed "$s"))"
    echo
    echo "| outcome | measured at | estimate | 95% interval or p5–p95 |"
    echo "|---|---|---|---|"
    jq -r '
        def fmt($u): if ($u // "") | startswith("share") then (. * 1000 | round / 10 | tostring) + "%"
                     elif $u == "persons" then (round | tostring)
                     else (. * 100 | round / 100 | tostring) end;
        .outcomes[] | "| \(.title) | \(.measured_at) | " +
        (if .kind == "probability" then
            "\(.probability * 1000 | round / 10)% | \(.lower * 1000 | round / 10)–\(.upper * 1000 | round / 10)% |"
         else
            .unit as $u
            | "mean \(.mean | fmt($u))" +
              (if .undefined > 0 then (if .given then " (over runs where \(.given); not in \(.undefined * 1000 / (.runs + .undefined) | round / 10)% of runs)" else " (never in \(.undefined * 1000 / (.runs + .undefined) | round / 10)% of runs)" end) else "" end) +
              " | \(.p5 | fmt($u)) – \(.p95 | fmt($u)) |"
         end)' "$s"
    echo
}

VARIANTS=(russia_collapse russia_gains frozen_war turkey_guarantee_weak unified_army
    return_international_control return_reciprocal)

variants_table() {
    local base files=() v s
    base=$(run scenarios/south_caucasus_2024.toml)
    files+=("$base")
    for v in "${VARIANTS[@]}"; do files+=("$(run "scenarios/variants/$v.toml")"); done
    echo "### Variants: security and diplomacy"
    echo
    echo "\`bash scenarios/tables.sh variants\` (largest 95% half-width of a probability: ±$(halfwidth "${files[@]}") points)"
    echo
    echo "| scenario | treaty by 2028 | treaty by 2033 | deadly clash | clashes (mean) | attack on Azerbaijan | Turkish intervention | unified army | corridor open | Russian influence 2033 |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for s in "${files[@]}"; do
        echo "| $(jq -r .scenario "$s") | $(value "$s" treaty_signed_2028) | $(value "$s" treaty_signed) | $(value "$s" deadly_clash) | $(value "$s" clash_count) | $(value "$s" attack_on_azerbaijan) | $(value "$s" turkish_intervention) | $(value "$s" unified_army) | $(value "$s" corridor_open) | $(value "$s" russian_influence) |"
    done
    echo
    echo "### Variants: returns"
    echo
    echo "\`bash scenarios/tables.sh variants\`"
    echo
    echo "| scenario | Karabakh return agreed | agreed terms (mean, 0 if none) | Karabakh Armenians home | share home | Zangezur return agreed | Western Azerbaijanis home | share home |"
    echo "|---|---|---|---|---|---|---|---|"
    for s in "${files[@]}"; do
        echo "| $(jq -r .scenario "$s") | $(value "$s" karabakh_return_agreed) | $(value "$s" karabakh_return_terms) | $(value "$s" armenians_home persons) | $(value "$s" armenians_home_share percent) | $(value "$s" zangezur_return_agreed) | $(value "$s" azerbaijanis_home persons) | $(value "$s" azerbaijanis_home_share percent) |"
    done
    echo
}

returns_table() {
    local v s
    echo "### The return model in settings like the return analogues (docs/sources.md#return-analogues)"
    echo
    echo "\`bash scenarios/tables.sh returns\`"
    echo
    echo "| setting | file | Karabakh return agreed | share home after 5 years (2029-01) | share home after 10 years | p5–p95 after 10 years |"
    echo "|---|---|---|---|---|---|"
    for v in analogue_cyprus analogue_kosovo analogue_bosnia; do
        s=$(run "scenarios/variants/$v.toml")
        echo "| $(jq -r .title "$s" | sed 's/^Return analogue: //') | variants/$v.toml | $(value "$s" karabakh_return_agreed) | $(value "$s" armenians_home_share_5y percent) | $(value "$s" armenians_home_share percent) | $(jq -r '.outcomes[] | select(.name == "armenians_home_share") | "\(.p5 * 1000 | round / 10)–\(.p95 * 1000 | round / 10)%"' "$s") |"
    done
    for v in south_caucasus_2024 variants/return_international_control variants/return_reciprocal; do
        s=$(run "scenarios/$v.toml")
        echo "| $(jq -r .scenario "$s") | $v.toml | $(value "$s" karabakh_return_agreed) | – | $(value "$s" armenians_home_share percent) | $(jq -r '.outcomes[] | select(.name == "armenians_home_share") | "\(.p5 * 1000 | round / 10)–\(.p95 * 1000 | round / 10)%"' "$s") |"
    done
    echo
}

# share_csv RUNS_CSV CONDITION: share of runs (rows of runs.csv) meeting one of the named look-back
# conditions below, read from the look-back outcomes' columns.
share_csv() {
    awk -F, -v cond="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        {
            n++
            a = $col["lookback_clashes_2024_02"]; b = $col["lookback_clashes_2026_05"]; h = $col["lookback_return_2026_05"]
            if (cond == "first_two_months") ok = (a >= 1)
            else if (cond == "none_after_feb_2024") ok = (b == a)
            else if (cond == "one_then_none") ok = (a == 1 && b == 1)
            else if (cond == "no_clash_at_all") ok = (b == 0)
            else if (cond == "nobody_home") ok = (h == 0)
            if (ok) k++
        }
        END { printf "%.1f%%", 100 * k / n }' "$1"
}

lookback_table() {
    local s csv
    s=$(run scenarios/south_caucasus_2024_lookback.toml)
    csv=$(dirname "$s")/runs.csv
    echo "### Look-back: what the 2024 model said about 2024-01..2026-05"
    echo
    echo "\`bash scenarios/tables.sh lookback\`"
    echo
    echo "| what the model gave (from January 2024) | model | what happened (docs/sources.md#since-2024) |"
    echo "|---|---|---|"
    echo "| a deadly clash in Jan–Feb 2024 | $(share_csv "$csv" first_two_months) | yes: 13 Feb 2024, four Armenian soldiers killed |"
    echo "| no deadly clash from Mar 2024 to May 2026 | $(share_csv "$csv" none_after_feb_2024) | none found |"
    echo "| exactly one deadly clash by Feb 2024 and none after, to May 2026 | $(share_csv "$csv" one_then_none) | what happened |"
    echo "| deadly clashes, Jan 2024–May 2026 (mean) | $(value "$s" lookback_clashes_2026_05) | 1 |"
    echo "| treaty text agreed by May 2026 | $(value "$s" lookback_text_2026_05) | yes: agreed Mar 2025, initialled Aug 2025 |"
    echo "| treaty signed by May 2026 | $(value "$s" lookback_treaty_2026_05) | no |"
    echo "| Karabakh return terms agreed by May 2026 | $(value "$s" lookback_return_agreed_2026_05) | no |"
    echo "| no Karabakh Armenian back home in May 2026 | $(share_csv "$csv" nobody_home) | none: no organised return |"
    echo "| Karabakh Armenians home in May 2026 (mean persons) | $(value "$s" lookback_return_2026_05 persons) | about 0 |"
    echo "| Russia–Ukraine war ended or frozen by May 2026 | $(value "$s" lookback_war_exit_2026_05) | no general ceasefire |"
    echo "| third-state attack on Azerbaijan by May 2026 | $(value "$s" lookback_attack_2026_05) | arguable: Iranian drones hit Nakhchivan airport, 5 Mar 2026 (Iran denied it) |"
    echo
}

baseline_2026_table() {
    local a b
    a=$(run scenarios/south_caucasus_2024.toml)
    b=$(run scenarios/south_caucasus_2026.toml)
    echo "### The December 2026 baseline against the 2024 default"
    echo
    echo "\`bash scenarios/tables.sh 2026\`"
    echo
    echo "| outcome | 2024 default (to 2033-12) | 2026 baseline (to 2036-11) |"
    echo "|---|---|---|"
    for o in treaty_signed_2028 treaty_signed treaty_text_agreed deadly_clash clash_count attack_on_azerbaijan \
        turkish_intervention unified_army corridor_open corridor_agreed karabakh_return_agreed \
        zangezur_return_agreed trans_afghan_railway russian_influence; do
        echo "| $(jq -r --arg n "$o" '.outcomes[] | select(.name == $n) | .title' "$a") | $(value "$a" "$o") | $(value "$b" "$o") |"
    done
    echo "| Karabakh Armenians home (mean persons) | $(value "$a" armenians_home persons) | $(value "$b" armenians_home persons) |"
    echo "| Western Azerbaijanis home (mean persons) | $(value "$a" azerbaijanis_home persons) | $(value "$b" azerbaijanis_home persons) |"
    echo
}

evidence_tables() {
    local s
    s=$(run scenarios/south_caucasus_2024_evidence.toml)
    echo "### The 2024 model conditioned on January 2024 – May 2026"
    echo
    echo "\`bash scenarios/tables.sh evidence\` ($(jq -r .runs "$s") runs, seed $(jq -r .seed "$s"))"
    echo
    echo "| evidence (docs/sources.md#since-2024) | P under the 2024 model | 95% interval | Brier (no skill 0.25) |"
    echo "|---|---|---|---|"
    jq -r '.evidence.items[] | "| `\(.observe)` \(.observed) by \(.measured_at) | \(.probability.value * 1000 | round / 10)% | \(.probability.lower * 1000 | round / 10)–\(.probability.upper * 1000 | round / 10)% | \(if .scores then (.scores.brier * 1000 | round / 1000 | tostring) else "measured" end) |"' "$s"
    jq -r '.evidence | "| **all together** (\(.accepted_runs) runs consistent; effective sample size \(.effective_sample_size | round)) | **\(.probability.value * 100000 | round / 1000)%** | \(.probability.lower * 100000 | round / 1000)–\(.probability.upper * 100000 | round / 1000)% | mean \(.scores.brier * 1000 | round / 1000); log score \(.scores.log * 100 | round / 100) (no skill \(.scores.log_no_skill * 100 | round / 100)) |"' "$s"
    echo
    echo "| driver or outcome | prior | posterior (95% interval) | prior median | posterior median (95% interval) |"
    echo "|---|---|---|---|---|"
    jq -r '
        def pc: . * 1000 | round / 10 | tostring + "%";
        def num: if (. | fabs) >= 100 then round | tostring else . * 1000 | round / 1000 | tostring end;
        def post(f): if . == null then "–" else "\(.mean | f) (\(.lower | f)–\(.upper | f))" end;
        def prior(f): if . == null then "–" else (.mean | f) end;
        def median(f): if . == null then "–" else "\(.p50 | f) (\(.p50_interval[0] | f)–\(.p50_interval[1] | f))" end;
        (.evidence.drivers[] | if .categories then (.name as $d | .categories[]
            | "| \($d)=\(.name) | \(.prior // 0 | pc) | \(.posterior | post(pc)) | | |")
          else "| \(.name) (mean) | \(.prior | prior(num)) | \(.posterior | post(num)) | \(.prior | if . == null then "–" else (.p50 | num) end) | \(.posterior | median(num)) |" end),
        (.evidence.outcomes[] | if .probability
            then "| \(.title), \(.measured_at) | \(.prior | prior(pc)) | \(.posterior | post(pc)) | | |"
            else "| \(.title), \(.measured_at) (mean) | \(.prior | prior(num)) | \(.posterior | post(num)) | \(.prior | if . == null then "–" else (.p50 | num) end) | \(.posterior | median(num)) |" end)' "$s"
    echo
    # Each variant with the same evidence: a file that extends the variant and carries the
    # evidence tables; compared in pairs with the conditioned default on common random numbers.
    local dir=$OUT/evidence-variants runs=${EVIDENCE_RUNS:-50000} file name rows=()
    mkdir -p "$dir"
    for file in scenarios/variants/*.toml; do
        name=$(basename "$file" .toml)
        {
            printf '[scenario]\nextends = "%s"\nname = "%s_evidence"\n\n' "$(realpath "$file")" "$name"
            sed -n '/^\[evidence\./,$p' scenarios/south_caucasus_2024_evidence.toml
        } > "$dir/$name.toml"
        "$CROSSROADS" compare scenarios/south_caucasus_2024_evidence.toml "$dir/$name.toml" --runs "$runs" \
            --quiet --no-charts --force --out "$dir/$name-vs-default" >&2
        rows+=("$(jq -r --arg n "$name" '
            def sig: if . == 0 then "0" elif fabs >= 0.01 then . * 100 | round / 100 | tostring
                else (fabs | log10 | floor) as $m | (. / pow(10; $m - 1) | round | tostring) as $d
                | "\($d[0:1]).\($d[1:2])e\($m)" end;
            .evidence.scenarios[1]
            | "\(.bayes_factor // 0)|| \($n) | \(.probability.value * 100 | sig)% | \(.accepted_runs) | \(if .bayes_factor then (.bayes_factor | sig) + " (" + (.lower | sig) + "–" + (.upper | sig) + ")" else "– (no run matched)" end) |"' \
            "$dir/$name-vs-default/summary.json")")
    done
    echo "### Variants ranked by Bayes factor against the default, given January 2024 – May 2026"
    echo
    echo "\`bash scenarios/tables.sh evidence\` ($runs runs per pair, seed of the default)"
    echo
    echo "| variant | P(evidence) | consistent runs | Bayes factor vs default (95% interval) |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}" | sort -t'|' -k1,1 -g -r | cut -d'|' -f2- | sed 's/^|/|/'
    echo
}

case ${1:-all} in
    default) default_table ;;
    variants) variants_table ;;
    returns) returns_table ;;
    lookback) lookback_table ;;
    2026) baseline_2026_table ;;
    evidence) evidence_tables ;;
    all) default_table; variants_table; returns_table; lookback_table; baseline_2026_table; evidence_tables ;;
    *) echo "usage: bash scenarios/tables.sh default|variants|returns|lookback|2026|evidence|all" >&2; exit 2 ;;
esac
