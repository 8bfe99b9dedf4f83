# ch05_rnn.gp: the RNN from a zeroed state: loss at each position of the window, and the norm
# of the last position's gradient with respect to the hidden state k steps back (log scale),
# from runs/ch05/rnn_positions.csv.
set terminal svg size 760,420 dynamic font "sans,12"
set output out.'/ch05_rnn.svg'
set datafile separator ','
set multiplot layout 1,2
set grid
set key off
set xlabel 'position in the window (tokens seen - 1)'
set ylabel 'loss (nats)'
set title 'loss by position'
plot runs.'/rnn_positions.csv' skip 1 using 1:2 with linespoints lw 2 pt 7
set logscale y
set xlabel 'steps back k'
set ylabel '||dL_{last} / dh_{t-k}||'
set title 'the gradient vanishes'
plot runs.'/rnn_positions.csv' skip 1 using 3:4 with linespoints lw 2 pt 7
unset multiplot
