# ch05_loss.gp: training and validation loss of the three neural models against the training
# step, from runs/ch05/{bigram,mlp,rnn}_loss.csv (written by ./ladder run ch05).
set terminal svg size 760,440 dynamic font "sans,12"
set output out.'/ch05_loss.svg'
set datafile separator ','
set datafile missing ''
set key top right
set xlabel 'training step'
set ylabel 'cross-entropy (nats per token)'
set grid
set title 'Chapter 5: three language models on the KJV (BPE 2048)'
plot runs.'/bigram_loss.csv' skip 1 using 1:2 with lines lc 1 lw 1 dt 3 title 'bigram train', \
     runs.'/bigram_loss.csv' skip 1 using 1:3 with linespoints lc 1 lw 2 pt 7 title 'bigram val', \
     runs.'/mlp_loss.csv' skip 1 using 1:2 with lines lc 2 lw 1 dt 3 title 'MLP train', \
     runs.'/mlp_loss.csv' skip 1 using 1:3 with linespoints lc 2 lw 2 pt 7 title 'MLP val', \
     runs.'/rnn_loss.csv' skip 1 using 1:2 with lines lc 3 lw 1 dt 3 title 'RNN train', \
     runs.'/rnn_loss.csv' skip 1 using 1:3 with linespoints lc 3 lw 2 pt 7 title 'RNN val'
