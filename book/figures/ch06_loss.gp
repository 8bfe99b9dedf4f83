# ch06_loss.gp: validation loss of the attention model against the step, with learned, sinusoidal
# and no positions, from runs/ch06/attention*_loss.csv (step,train_loss,val_loss,lr,grad_norm).
set terminal svg size 760,440 dynamic font "sans,12"
set output out.'/ch06_loss.svg'
set datafile separator ','
set datafile missing ''
set key top right
set xlabel 'training step'
set ylabel 'cross-entropy (nats per token)'
set grid
set title 'Chapter 6: attention on the KJV (BPE 2048)'
plot runs.'/attention_loss.csv' skip 1 using 1:2 with lines lc 1 lw 1 dt 3 title 'learned positions, train', \
     runs.'/attention_loss.csv' skip 1 using 1:3 with linespoints lc 1 lw 2 pt 7 title 'learned positions, val', \
     runs.'/attention_sinusoidal_loss.csv' skip 1 using 1:2 with lines lc 2 lw 1 title 'sinusoidal, train', \
     runs.'/attention_none_loss.csv' skip 1 using 1:2 with lines lc 3 lw 1 title 'no positions, train'
