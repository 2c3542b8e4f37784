# The benchmark chart, from bench/run's summary.tsv (medians over the rounds):
#   gnuplot -e "summary='summary.tsv'; output='benchmarks.png'" plot.gp
# Top: requests/s per scenario, whiskers from the slowest to the fastest
# round. Middle: p50 and p99 latency (log scale). Bottom: CPU time per
# request, stacked by where it was spent.
if (!exists("summary")) summary = 'summary.tsv'
if (!exists("output")) output = 'benchmarks.png'

set terminal pngcairo size 1200,1300 font "DejaVu Sans,11" noenhanced
set output output
set datafile separator "\t"
set datafile columnheaders

# Columns by the names bench/report/summary.py gives them; each scenario's
# tick label and colour come with it (bench/report/scenarios.py).
tic(c) = strcol("short") . "\n" . strcol("conns") . " conns"
stats summary using "rps" nooutput
n = STATS_records

set multiplot layout 3,1 title "pageviews benchmark: medians over interleaved rounds (load generator in a container on the cluster network)" font ",13"

set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics lc rgb "#dddddd"
set border 3
set xtics nomirror font ",9"
set ytics nomirror
set xrange [-0.6:n - 0.4]
set bmargin 4
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set ylabel "requests/s"
set format y "%.0f"
unset key
plot summary using 0:"rps":"color":xtic(tic(0)) with boxes lc rgb variable, \
     '' using 0:"rps_min":(0):(column("rps_max") - column("rps_min")) with vectors nohead lc rgb "#333333" lw 1.2, \
     '' using 0:"rps_max":(sprintf("%.0f", column("rps"))) with labels offset 0,0.9 font ",10"

set ylabel "latency, ms (log scale)"
set logscale y
set yrange [*:*]
set offsets 0, 0, graph 0.1, 0
set format y "%g"
set boxwidth 0.35
set key top left
plot summary using ($0 - 0.18):"p50_ms":xtic(tic(0)) with boxes lc rgb "#90caf9" title "p50", \
     '' using ($0 + 0.18):"p99_ms" with boxes lc rgb "#1565c0" title "p99", \
     '' using ($0 + 0.18):"p99_ms":(sprintf("%.1f", column("p99_ms"))) with labels offset 0,0.7 font ",9" notitle

unset logscale y
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set format y "%.0f"
set ylabel "CPU µs per request"
set boxwidth 0.7
set key top left horizontal
# Stacked: each bar is the sum of its part and the parts drawn after it.
upto_nginx(x) = column("us_nginx")
upto_app(x) = upto_nginx(0) + column("us_app")
upto_db(x) = upto_app(0) + column("us_db")
upto_wrk(x) = upto_db(0) + column("us_wrk")
total(x) = upto_wrk(0) + column("us_docker")
# A bar far above the others (the Django reference's) would flatten them:
# the axis stops a little above 4 x the median bar, and a taller bar is cut
# there, its total printed over it with "(cut)".
stats summary using (total(0)) nooutput
cap = STATS_max > 4 * STATS_median ? 4 * STATS_median : STATS_max
cut(v) = v > cap ? cap : v
set yrange [0:cap * 1.15]
plot summary using 0:(cut(total(0))):xtic(tic(0)) with boxes lc rgb "#8e6bb8" title "docker (logs)", \
     '' using 0:(cut(upto_wrk(0))) with boxes lc rgb "#bdbdbd" title "load generator", \
     '' using 0:(cut(upto_db(0))) with boxes lc rgb "#ff7f0e" title "db", \
     '' using 0:(cut(upto_app(0))) with boxes lc rgb "#4c78a8" title "app", \
     '' using 0:(cut(upto_nginx(0))) with boxes lc rgb "#2ca02c" title "nginx", \
     '' using 0:(cut(total(0))):(sprintf(total(0) > cap ? "%.0f (cut)" : "%.0f", total(0))) with labels \
        offset 0,0.7 font ",9" notitle

unset multiplot
