# ch03_map.gp: the 2-D map of chosen words (PCA by power iteration), from runs/ch03/map.csv
# (written by ./ladder run ch03). Called by ./ladder book with runs='runs/ch03', out='<dir>'.
set terminal svg size 760,560 dynamic font "sans,11"
set output out.'/ch03_map.svg'
set datafile separator ','
set key outside right top
set xlabel 'first principal axis'
set ylabel 'second principal axis'
set grid
set title 'Chapter 3: word vectors on their top two principal axes'
groups = 'people animals colours numbers metals body'
file = runs.'/map.csv'
plot for [g in groups] file skip 1 using 3:(strcol(2) eq g ? $4 : NaN) with points pt 7 ps 0.8 title g, \
     file skip 1 using 3:4:1 with labels offset 0.6,0.4 font "sans,9" notitle
