# same_csv.awk - compares two result CSVs cell by cell as the contract does: numbers within 1e-9 relative or 1e-12 absolute, other cells exactly.
# Usage: awk -F, -f bench/same_csv.awk A.csv B.csv   (no quoted commas in the cells). Prints "same N" or "differ N FIRST".
function isnum(x) { return x ~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
function abs(x) { return x < 0 ? -x : x }
NR == FNR { a[FNR] = $0; na = FNR; next }
{
    nb = FNR
    if (!(FNR in a)) { bad++; if (!first) first = "line " FNR ": only in the second file"; next }
    if (a[FNR] == $0) next
    n = split(a[FNR], x, ",")
    if (n != NF) { bad++; if (!first) first = "line " FNR ": field counts differ"; next }
    for (i = 1; i <= NF; i++) {
        if (x[i] == $i) continue
        if (isnum(x[i]) && isnum($i)) {
            d = abs(x[i] - $i); m = abs(x[i]) > abs($i) ? abs(x[i]) : abs($i)
            if (d <= 1e-12 || d <= 1e-9 * m) { close_cells++; continue }
        }
        bad++
        if (!first) first = "line " FNR " column " i ": " x[i] " vs " $i
    }
}
END {
    if (na != nb) { bad++; if (!first) first = "line counts differ: " na " vs " nb }
    if (bad) print "differ", bad, first; else print "same", close_cells + 0
}
