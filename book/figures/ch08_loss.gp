# ch08_loss.gp: the pre-trained GPT-2's training and validation loss against the step, from
# runs/ch08/gpt_loss.csv (step,train_loss,val_loss,lr,grad_norm).
set terminal svg size 760,440 dynamic font "sans,12"
set output out.'/ch08_loss.svg'
set datafile separator ','
set datafile missing ''
set key top right
set xlabel 'training step'
set ylabel 'cross-entropy (nats per token)'
set grid
set title 'Chapter 8: GPT-2 (L 4, C 128, T 128) pre-trained on the Debian corpus (BPE 4096)'
plot runs.'/gpt_loss.csv' skip 1 using 1:2 with lines lc 1 lw 1 dt 3 title 'train', \
     runs.'/gpt_loss.csv' skip 1 using 1:3 with linespoints lc 1 lw 2 pt 7 title 'validation'
