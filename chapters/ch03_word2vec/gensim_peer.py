#!/usr/bin/python3
# gensim_peer.py: the peer of `ch03_bench`: trains gensim's Word2Vec (Debian python3-gensim
# 4.2) on the same corpus file with the same settings, times train() alone, evaluates the
# analogy questions with gensim's own evaluate_word_analogies, saves the vectors in word2vec
# binary format, and prints one JSON line. Never a build or test dependency.
# usage: gensim_peer.py CORPUS QUESTIONS OUT.bin --threads N --dim D --window W --negative K
#                       --epochs E --min-count M --sample S --alpha A --seed SEED
import argparse
import json
import os
import sys
import time

# The helper the bench peers share (tools/peers/openblas_core.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "peers"))
from openblas_core import openblas_core  # noqa: E402

from gensim.models import Word2Vec


p = argparse.ArgumentParser()
p.add_argument("corpus")
p.add_argument("questions")
p.add_argument("out")
for name, kind, default in [("threads", int, 1), ("dim", int, 100), ("window", int, 5), ("negative", int, 5),
                            ("epochs", int, 5), ("min-count", int, 5), ("sample", float, 1e-3),
                            ("alpha", float, 0.025), ("seed", int, 42)]:
    p.add_argument("--" + name, type=kind, default=default)
a = p.parse_args()

model = Word2Vec(vector_size=a.dim, window=a.window, negative=a.negative, hs=0, sg=1, min_count=a.min_count,
                 sample=a.sample, alpha=a.alpha, min_alpha=0.0001, seed=a.seed, workers=a.threads)
model.build_vocab(corpus_file=a.corpus)   # not timed, as our vocabulary pass is not
t0 = time.perf_counter()
# corpus_file mode: gensim's fastest path (Cython workers, no Python per sentence).
model.train(corpus_file=a.corpus, total_examples=model.corpus_count, total_words=model.corpus_total_words,
            epochs=a.epochs)
seconds = time.perf_counter() - t0
score, sections = model.wv.evaluate_word_analogies(a.questions, case_insensitive=True)
answered = sum(len(s["correct"]) + len(s["incorrect"]) for s in sections if s["section"] == "Total accuracy")
model.wv.save_word2vec_format(a.out, binary=True)
print(json.dumps({"seconds": seconds, "raw_words": model.corpus_total_words, "epochs": a.epochs,
                  "words_per_sec": model.corpus_total_words * a.epochs / seconds, "accuracy": score,
                  "answered": answered, "vocab": len(model.wv), "blas_core": openblas_core()}))
