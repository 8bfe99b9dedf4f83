# ch01_matmul_gflops.gp: GFLOP/s against matrix size for every implementation, from
# runs/ch01/matmul.csv (written by ./ladder run ch01). Called by ./ladder book with
# runs='runs/ch01' and out='<dir>'.
set terminal svg size 720,440 dynamic font "sans,12"
set output out.'/ch01_matmul_gflops.svg'
set datafile separator ','
set datafile missing NaN   # rows of other implementations are skipped; each line stays connected
set key outside right top
set logscale xy 2
set xlabel 'matrix size n (C = A B, n x n)'
set ylabel 'GFLOP/s (log scale)'
set grid
set title 'Chapter 1: the same product, many ways'
file = runs.'/matmul.csv'
# Every implementation in the legend's order, then only those the run measured (a machine
# without a GPU has no cuda rows): a curve with no points is an empty legend entry.
all = 'cpu/blas cpu/loops simt/v1 simt/v2 simt/v3 simt/v4 cuda/v1 cuda/v2 cuda/v3 cuda/v4 cuda/cublas'
present = ' '.system("awk -F, 'NR > 1 && $7 == 1 { print $2 \"/\" $3 }' ".file." | sort -u | tr '\\n' ' '")
impls = ''
do for [k in all] { if (strstrt(present, ' '.k.' ') > 0) { impls = impls.k.' ' } }
plot for [k in impls] file skip 1 \
     using 1:((strcol(2).'/'.strcol(3)) eq k && $7 == 1 ? $6 : NaN) \
     with linespoints lw 2 title k
