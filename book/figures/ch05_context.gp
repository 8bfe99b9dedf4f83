# ch05_context.gp: the MLP's validation loss as its context grows, from runs/ch05/mlp_context.csv.
set terminal svg size 620,400 dynamic font "sans,12"
set output out.'/ch05_context.svg'
set datafile separator ','
set key off
set logscale x 2
set xlabel 'context length n (tokens)'
set ylabel 'validation loss (nats per token)'
set grid
set title 'Chapter 5: the MLP sees n tokens'
plot runs.'/mlp_context.csv' skip 1 using 1:2 with linespoints lw 2 pt 7
