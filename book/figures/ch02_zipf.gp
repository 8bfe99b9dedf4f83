# ch02_zipf.gp: word frequency against rank on log-log axes (Zipf's law), from
# runs/ch02/zipf.csv (written by ./ladder run ch02). Called by ./ladder book with
# runs='runs/ch02' and out='<dir>'.
set terminal svg size 720,440 dynamic font "sans,12"
set output out.'/ch02_zipf.svg'
set datafile separator ','
set logscale xy 10
set xlabel 'rank of the word (1 = most frequent)'
set ylabel 'occurrences in the training quotes'
set grid
set key top right
set title 'Chapter 2: a few words are everywhere, most words are rare'
file = runs.'/zipf.csv'
# Zipf's law, count ~ C / rank, anchored at the most frequent word's count.
stats file skip 1 using 2 every ::0::0 nooutput
top = STATS_max
# Every word up to rank 200, then every 10th (the plot stays small; the shape is the same).
plot file skip 1 using 1:($1 <= 200 || int($1) % 10 == 0 ? $2 : NaN) with points pt 7 ps 0.4 title 'words of the training quotes', \
     top / x with lines lw 2 dt 2 title 'Zipf: count(1) / rank'
