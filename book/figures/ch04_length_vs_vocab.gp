# ch04_length_vs_vocab.gp: tokens per character against BPE vocabulary size, for the
# English, Korean and code samples, from runs/ch04/length_vs_vocab.csv (written by
# ./ladder run ch04); GPT-2's 50,257-token vocabulary as separate points. Called by
# ./ladder book with runs='runs/ch04' and out='<dir>'.
set terminal svg size 720,440 dynamic font "sans,12"
set output out.'/ch04_length_vs_vocab.svg'
set datafile separator ','
set key outside right top
set logscale x 2
set xlabel 'vocabulary size (tokens)'
set ylabel 'tokens per character'
set yrange [0:*]
set grid
set title 'Chapter 4: a bigger vocabulary, a shorter sequence'
file = runs.'/length_vs_vocab.csv'
texts = 'english korean code'
plot for [t in texts] file skip 1 using (strcol(1) eq 'bpe' && strcol(3) eq t ? $2 : NaN):8 \
         with linespoints lw 2 title 'our BPE, '.t, \
     for [t in texts] file skip 1 using (strcol(1) eq 'gpt2' && strcol(3) eq t ? $2 : NaN):8 \
         with points pt 7 ps 1.5 title 'GPT-2, '.t
