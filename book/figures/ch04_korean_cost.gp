# ch04_korean_cost.gp: what a character costs in tokens, English, Korean and code, with
# our BPE vocabulary (trained mostly on English) and with GPT-2's, from
# runs/ch04/cost.csv (written by ./ladder run ch04). Called by ./ladder book with
# runs='runs/ch04' and out='<dir>'.
set terminal svg size 640,400 dynamic font "sans,12"
set output out.'/ch04_korean_cost.svg'
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel 'tokens per character'
set yrange [0:*]
set grid ytics
set key top left
set title 'Chapter 4: the same idea costs more tokens in Korean'
file = runs.'/cost.csv'
plot file skip 1 using 4:xtic(1) title 'our BPE', '' skip 1 using 5 title 'GPT-2 (50,257 tokens)'
