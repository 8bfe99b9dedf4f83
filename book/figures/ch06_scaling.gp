# ch06_scaling.gp: one training step of attention and of the RNN as the context T grows, on log-log
# axes: step time (left) and the memory that grows with T (right: attention's (T,T) probabilities,
# the RNN's stored recurrence), from runs/ch06/scaling.csv (T,model,step_ms,matrix_bytes,activation_bytes).
set terminal svg size 860,420 dynamic font "sans,12"
set output out.'/ch06_scaling.svg'
set datafile separator ','
set multiplot layout 1,2
set logscale xy 2
set grid
set key top left
set xlabel 'context T (tokens)'
set ylabel 'step time (ms)'
set title 'time: attention ~T^2, the RNN ~T'
plot runs.'/scaling.csv' skip 1 using 1:(strcol(2) eq 'attention' ? $3 : NaN) with linespoints lw 2 pt 7 title 'attention', \
     runs.'/scaling.csv' skip 1 using 1:(strcol(2) eq 'attention_fused' ? $3 : NaN) with linespoints lw 2 pt 5 title 'attention (fused)', \
     runs.'/scaling.csv' skip 1 using 1:(strcol(2) eq 'rnn' ? $3 : NaN) with linespoints lw 2 pt 9 title 'RNN'
set ylabel 'bytes kept for the backward'
set title 'memory: the (T,T) matrix vs the RNN state'
plot runs.'/scaling.csv' skip 1 using 1:(strcol(2) eq 'attention' ? $4 : NaN) with linespoints lw 2 pt 7 title 'attention (T,T)', \
     runs.'/scaling.csv' skip 1 using 1:(strcol(2) eq 'rnn' ? $4 : NaN) with linespoints lw 2 pt 9 title 'RNN states'
unset multiplot
