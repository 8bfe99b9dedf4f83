# ch02_confusion.gp: the logistic regression's confusion matrix on the test split as a heat
# map (each row is a true category, normalised to 1; the numbers are document counts), from
# runs/ch02/confusion.csv (written by ./ladder run ch02; its first C*C rows are the logistic
# regression's). Called by ./ladder book with runs='runs/ch02' and out='<dir>'.
set terminal svg size 720,640 dynamic font "sans,12"
set output out.'/ch02_confusion.svg'
set datafile separator ','
file = runs.'/confusion.csv'
stats file skip 1 using 2 nooutput
C = int(STATS_max) + 1
last = C * C - 1
set title 'Chapter 2: which category logistic regression chose (rows: the true one)'
set xlabel 'predicted category'
set ylabel 'true category'
set cblabel 'fraction of the row'
set cbrange [0:1]
set palette defined (0 'white', 0.3 '#9ecae1', 1 '#08306b')
set size ratio -1
set xrange [-0.5:C - 0.5]
set yrange [C - 0.5:-0.5]
set xtics rotate by -45 scale 0
set ytics scale 0
unset key
set bmargin 7
plot file skip 1 every ::0::last using 3:2:7 with image, \
     file skip 1 every ::0::(C - 1) using 3:2:xtic(5) with points ps 0, \
     file skip 1 every C::0::last using 3:2:ytic(4) with points ps 0, \
     file skip 1 every ::0::last using 3:2:(column(6) > 0 ? strcol(6) : '') with labels font ',9' tc rgb '#d95f02'
