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

# Columns: 1 kind, 2 conns, 4 rps median, 5 min, 6 max, 7 p50 ms, 8 p99 ms,
# 12-16 CPU us per request of nginx, app, db, wrk, docker
color(k) = (k eq "A") ? 0x9e9e9e : (k eq "B") ? 0x4c78a8 : (k eq "C") ? 0x2ca02c : 0xd62728
name(k) = (k eq "A") ? "A nginx" : (k eq "B") ? "B proxy" : (k eq "C") ? "C batched" : "D per-request"
tic(k, c) = name(k) . "\n" . c . " conns"
stats summary using 4 nooutput
n = STATS_records

set multiplot layout 3,1 title "pageviews benchmark: medians over interleaved rounds (wrk in a container on the cluster network)" font ",13"

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
plot summary using 0:4:(color(strcol(1))):xtic(tic(strcol(1), strcol(2))) with boxes lc rgb variable, \
     '' using 0:5:(0):($6 - $5) with vectors nohead lc rgb "#333333" lw 1.2, \
     '' using 0:6:(sprintf("%.0f", $4)) with labels offset 0,0.9 font ",10"

set ylabel "latency, ms (log scale)"
set logscale y
set yrange [*:*]
set offsets 0, 0, graph 0.1, 0
set format y "%g"
set boxwidth 0.35
set key top left
plot summary using ($0 - 0.18):7:xtic(tic(strcol(1), strcol(2))) with boxes lc rgb "#90caf9" title "p50", \
     '' using ($0 + 0.18):8 with boxes lc rgb "#1565c0" title "p99", \
     '' using ($0 + 0.18):8:(sprintf("%.1f", $8)) with labels offset 0,0.7 font ",9" notitle

unset logscale y
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set format y "%.0f"
set ylabel "CPU µs per request"
set boxwidth 0.7
set key top left horizontal
total(c) = column(12) + column(13) + column(14) + column(15) + column(16)
plot summary using 0:(total(0)):xtic(tic(strcol(1), strcol(2))) with boxes lc rgb "#8e6bb8" title "docker (logs)", \
     '' using 0:($12 + $13 + $14 + $15) with boxes lc rgb "#bdbdbd" title "wrk", \
     '' using 0:($12 + $13 + $14) with boxes lc rgb "#ff7f0e" title "db", \
     '' using 0:($12 + $13) with boxes lc rgb "#4c78a8" title "app", \
     '' using 0:12 with boxes lc rgb "#2ca02c" title "nginx", \
     '' using 0:(total(0)):(sprintf("%.0f", total(0))) with labels offset 0,0.7 font ",9" notitle

unset multiplot
