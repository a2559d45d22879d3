# targets.sh - the fuzz targets, the project files that seed each, input limits and dictionaries (sourced by scripts).
FUZZ_TARGETS=(parse jsonl csv json spine manifest http)

# Prints the existing files matching the patterns given.
fuzz_existing() {
    local f
    for f in "$@"; do
        [[ -f $f ]] && echo "$f"
    done
    return 0
}

# Every feature file of the project (the parse target's seeds; their manifests seed the
# manifest target).
fuzz_feature_files() {
    fuzz_existing examples/*/*.feat tests/golden/cases/*.feat tests/e2e/shapes/*.feat tests/e2e/shapes/*/*.feat \
        tests/parity/regress/*/*.feat bench/*.feat
}

# fuzz_project_seeds TARGET: the project's own files that seed TARGET, besides
# tests/fuzz/seeds/TARGET/ (the manifest target's come from fuzz_feature_files, compiled).
fuzz_project_seeds() {
    case $1 in
    parse) fuzz_feature_files ;;
    jsonl | json) fuzz_existing examples/*/*.jsonl examples/*/*.ndjson ;;
    csv) fuzz_existing examples/*/*.csv tests/e2e/shapes/*.csv tests/e2e/shapes/*/*.csv tests/parity/regress/*/*.csv ;;
    spine) fuzz_existing examples/*/spine.csv tests/e2e/shapes/spine.csv tests/e2e/shapes/*/spine.csv \
        tests/parity/regress/*/spine.csv ;;
    esac
    return 0
}

# The largest input libFuzzer makes for TARGET: JSON and CSV inputs reach the nesting and
# record limits (1 MiB, the server's body limit; nesting of 1000 takes 2 KB).
fuzz_max_len() {
    case $1 in
    parse) echo 8192 ;;
    manifest) echo 65536 ;;
    *) echo 1048576 ;;
    esac
}

# The dictionary of TARGET.
fuzz_dict() {
    case $1 in
    parse) echo tests/fuzz/feat.dict ;;
    jsonl | json) echo tests/fuzz/json.dict ;;
    csv | spine) echo tests/fuzz/csv.dict ;;
    manifest) echo tests/fuzz/manifest.dict ;;
    http) echo tests/fuzz/http.dict ;;
    esac
}
