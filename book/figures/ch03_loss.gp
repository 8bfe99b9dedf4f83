# ch03_loss.gp: the training loss (mean per (context, output) pair) and the learning rate
# against words processed, from runs/ch03/loss.csv (written by ./ladder run ch03).
set terminal svg size 720,420 dynamic font "sans,12"
set output out.'/ch03_loss.svg'
set datafile separator ','
set key top right
set xlabel 'corpus words processed (millions, all epochs)'
set ylabel 'loss per pair'
set y2label 'learning rate'
set y2tics
set ytics nomirror
set grid
set title 'Chapter 3: skip-gram with negative sampling, training loss'
file = runs.'/loss.csv'
plot file skip 1 using ($1/1e6):2 with lines lw 2 title 'loss', \
     file skip 1 using ($1/1e6):3 axes x1y2 with lines dt 2 title 'learning rate'
