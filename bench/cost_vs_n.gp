# bench/cost_vs_n.gp — the cost-against-N plot from bench/osc_cost's CSV.
#   gnuplot -e "csv='osc_cost.csv'; png='cost_vs_n.png'; title='...'" bench/cost_vs_n.gp
if (!exists("csv")) csv = 'osc_cost.csv'
if (!exists("png")) png = 'cost_vs_n.png'
if (!exists("title")) title = 'CPU ns per oscillator-sample (48 kHz, block 64)'
set terminal pngcairo size 900,560 font "sans,11"
set output png
set datafile separator ','
set title title
set logscale x
set xlabel 'N oscillators'
set ylabel 'ns per oscillator-sample'
set yrange [0:*]
set key top right
set grid
# rows: engine,n,ns; one curve per engine, picked by name
pick(e) = sprintf("< awk -F, '$1 == \"%s\" { print $2 \",\" $3 }' %s | sort -t, -k1n", e, csv)
plot pick('scsynth') using 1:2 with linespoints lw 2 pt 7 title 'scsynth SinOsc (NRT, process CPU)', \
     pick('scsynth net') using 1:2 with linespoints lw 2 pt 6 dt 2 title 'scsynth SinOsc, start-up and empty engine subtracted', \
     pick('lel/sine') using 1:2 with linespoints lw 2 pt 5 title 'lel::sine through lel''s engine', \
     pick('hand/fixed') using 1:2 with linespoints lw 2 pt 4 dt 3 title 'the same oscillator, hand-written loop'
