# ch08_scaling.gp: the scaling grid, validation (solid) and training (dashed) loss against the
# non-embedding parameter count, one line per amount of distinct training text, log-log, from
# runs/ch08/scaling.csv (model,params,non_embedding_params,data_tokens,tokens_seen,epochs,
# train_loss,val_loss,val_bits_per_byte,seconds): rows grouped by data size, three models each.
set terminal svg size 760,440 dynamic font "sans,12"
set output out.'/ch08_scaling.svg'
set datafile separator ','
set key top right
set logscale xy
set xlabel 'non-embedding parameters N'
set ylabel 'cross-entropy (nats per token)'
set grid
set title 'Chapter 8: loss against model size on three amounts of text (400 steps each)'
f = runs.'/scaling.csv'
plot f skip 1 every ::0::2 using 3:8 with linespoints lc 1 lw 2 pt 7 title 'val, 25k tokens', \
     f skip 1 every ::0::2 using 3:7 with linespoints lc 1 lw 1 dt 2 pt 6 title 'train, 25k tokens', \
     f skip 1 every ::3::5 using 3:8 with linespoints lc 2 lw 2 pt 7 title 'val, 200k tokens', \
     f skip 1 every ::3::5 using 3:7 with linespoints lc 2 lw 1 dt 2 pt 6 title 'train, 200k tokens', \
     f skip 1 every ::6::8 using 3:8 with linespoints lc 3 lw 2 pt 7 title 'val, 1.6M tokens', \
     f skip 1 every ::6::8 using 3:7 with linespoints lc 3 lw 1 dt 2 pt 6 title 'train, 1.6M tokens'
