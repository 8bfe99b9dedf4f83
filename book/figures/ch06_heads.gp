# ch06_heads.gp: what each head of the trained model looks at on one verse: a heat map per layer and
# head of the attention weights (query row, key column; 0 above the diagonal, the causal mask), from
# runs/ch06/heads.csv (layer,head,query,key,weight). Four heads per layer, two layers.
set terminal svg size 1000,520 dynamic font "sans,10"
set output out.'/ch06_heads.svg'
set datafile separator ','
set multiplot layout 2,4
set palette defined (0 'white', 1 '#2060a0')
set cbrange [0:1]
unset colorbox
set size ratio -1
set yrange [*:*] reverse
set autoscale fix
set offsets 0.5, 0.5, 0.5, 0.5   # the squares' half widths around the first and last cells
set xlabel 'key'
set ylabel 'query'
do for [l=0:1] {
  do for [h=0:3] {
    set title sprintf('layer %d head %d', l, h)
    # one filled square per (query, key) cell of this layer and head (the rows of the others are skipped)
    plot runs.'/heads.csv' skip 1 using ($1 == l && $2 == h ? $4 : NaN):3:(0.5):(0.5):5 \
         with boxxyerror fc palette fs solid noborder notitle
  }
}
unset multiplot
