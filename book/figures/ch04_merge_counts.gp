# ch04_merge_counts.gp: how often the pair merged at each step occurred, and how long the
# new token is, over the training run, from runs/ch04/merges.csv (written by ./ladder run
# ch04). Called by ./ladder book with runs='runs/ch04' and out='<dir>'.
set terminal svg size 720,440 dynamic font "sans,12"
set output out.'/ch04_merge_counts.svg'
set datafile separator ','
set logscale xy 10
set xlabel 'merge step'
set ylabel 'occurrences of the merged pair'
set y2label 'bytes in the new token'
set y2tics
set ytics nomirror
set y2range [0:*]
set grid
set key top right
set title 'Chapter 4: each merge is rarer than the last, and the tokens grow'
file = runs.'/merges.csv'
plot file skip 1 using 1:2 with lines lw 2 title 'pair count', \
     file skip 1 using 1:4 axes x1y2 with points pt 7 ps 0.2 title 'token length (bytes)'
