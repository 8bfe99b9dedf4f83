# ch06_recall.gp: associative recall, the share of answers right against the distance between the
# (key, value) pair asked for and the query, attention beside the RNN, from runs/ch06/recall.csv
# (distance,attention,rnn).
set terminal svg size 700,420 dynamic font "sans,12"
set output out.'/ch06_recall.svg'
set datafile separator ','
set logscale x 2
set yrange [0:1.05]
set grid
set key bottom left
set xlabel 'distance from the pair asked for to the query (tokens)'
set ylabel 'accuracy'
set title 'recall the value bound to a key d tokens back'
plot runs.'/recall.csv' skip 1 using 1:2 with linespoints lw 2 pt 7 title 'attention', \
     runs.'/recall.csv' skip 1 using 1:3 with linespoints lw 2 pt 9 title 'RNN', \
     1.0/8 with lines dt 2 lc rgb 'gray' title 'chance (1/8)'
