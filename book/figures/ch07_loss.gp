# ch07_loss.gp: GPT-2's training and validation loss against the step, and the ablation's
# variants' training loss, from runs/ch07/gpt2_loss.csv and ablation_*_loss.csv
# (step,train_loss,val_loss,lr,grad_norm).
set terminal svg size 760,440 dynamic font "sans,12"
set output out.'/ch07_loss.svg'
set datafile separator ','
set datafile missing ''
set key top right
set xlabel 'training step'
set ylabel 'cross-entropy (nats per token)'
set grid
set title 'Chapter 7: GPT-2 (L 4, C 128) on the KJV (BPE 2048)'
plot runs.'/gpt2_loss.csv' skip 1 using 1:2 with lines lc 1 lw 1 dt 3 title 'GPT-2, train', \
     runs.'/gpt2_loss.csv' skip 1 using 1:3 with linespoints lc 1 lw 2 pt 7 title 'GPT-2, val', \
     runs.'/ablation_no_layernorm_loss.csv' skip 1 using 1:2 with lines lc 2 lw 1 title 'ablation: no layernorm, train', \
     runs.'/ablation_no_mlp_loss.csv' skip 1 using 1:2 with lines lc 3 lw 1 title 'ablation: no MLP, train', \
     runs.'/ablation_no_residual_loss.csv' skip 1 using 1:2 with lines lc 4 lw 1 title 'ablation: no residual, train', \
     runs.'/ablation_full_loss.csv' skip 1 using 1:2 with lines lc 5 lw 1 title 'ablation: full block, train'
