# ch06_sqrtd.gp: the softmax's entropy over 64 keys at initialisation, with and without the
# 1/sqrt(d) scaling of the scores, for d = 16 ... 256, from runs/ch06/sqrt_d.csv
# (d,scaled,score_std,entropy,max_entropy).
set terminal svg size 700,420 dynamic font "sans,12"
set output out.'/ch06_sqrtd.svg'
set datafile separator ','
set logscale x 2
set grid
set key bottom left
set xlabel 'head size d'
set ylabel 'mean entropy of a softmax row (nats)'
set title 'why the scores are divided by sqrt(d)'
plot runs.'/sqrt_d.csv' skip 1 using 1:($2 == 1 ? $4 : NaN) with linespoints lw 2 pt 7 title 'q.k / sqrt(d)', \
     runs.'/sqrt_d.csv' skip 1 using 1:($2 == 0 ? $4 : NaN) with linespoints lw 2 pt 9 title 'q.k', \
     log(64) with lines dt 2 lc rgb 'gray' title 'uniform (ln 64)'
