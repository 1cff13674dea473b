#!/usr/bin/env bash
# paired.sh: ratios of two servers paired by round, from a load.sh run.
#
# load.sh's table divides medians taken over rounds. On a machine whose
# speed drifts between rounds (a VM whose host is busy: 20-30% from one
# round to the next was seen here with nothing else running in the VM),
# that ratio moves with the drift. Within one round the two servers run
# back to back, seconds apart, so the ratio of each round's pair mostly
# cancels it. This prints, per workload, the median of those per-round
# ratios and their range, for server CPU per request and for req/s.
#
# Usage:  bench/paired.sh bench/results/<date> [A/B ...]   # default ours/fasthttp
#
# Reads <dir>/runs.tsv (columns as load.sh writes them); prints Markdown.
set -euo pipefail

dir=${1:?usage: paired.sh RESULTS_DIR [A/B ...]}
shift
pairs=("$@")
[ ${#pairs[@]} -gt 0 ] || pairs=(ours/fasthttp)
tsv="$dir/runs.tsv"
[ -r "$tsv" ] || { echo "paired.sh: no $tsv" >&2; exit 1; }

echo "Ratios paired by round (each round's A over the same round's B; median [lowest-highest] over the rounds):"
echo
echo "| workload | pair | rounds | CPU per request | req/s |"
echo "|---|---|---|---|---|"
for pair in "${pairs[@]}"; do
	awk -F'\t' -v a="${pair%/*}" -v b="${pair#*/}" -v pair="$pair" '
		NR == 1 { next }
		$2 == a || $2 == b {
			if (!($3 in seen)) { seen[$3] = 1; order[++nw] = $3 }
			cpu[$2, $3, $1] = $11; rps[$2, $3, $1] = $4; rounds[$1] = 1
		}
		function stats(v, n,   i, j, t, med) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			return sprintf("%.2fx [%.2f-%.2f]", med, v[1], v[n])
		}
		END {
			for (k = 1; k <= nw; k++) {
				w = order[k]; nc = 0; nr = 0
				delete c; delete r
				for (rd in rounds) {
					if ((a, w, rd) in cpu && (b, w, rd) in cpu && cpu[a, w, rd] != "NA" && cpu[b, w, rd] != "NA" && cpu[b, w, rd] > 0)
						c[++nc] = cpu[a, w, rd] / cpu[b, w, rd]
					if ((a, w, rd) in rps && (b, w, rd) in rps && rps[b, w, rd] > 0)
						r[++nr] = rps[a, w, rd] / rps[b, w, rd]
				}
				if (nc == 0 && nr == 0) continue
				printf "| %s | %s | %d | %s | %s |\n", w, pair, nc, nc ? stats(c, nc) : "NA", nr ? stats(r, nr) : "NA"
			}
		}' "$tsv"
done
