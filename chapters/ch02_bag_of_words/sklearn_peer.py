#!/usr/bin/python3
"""sklearn_peer.py: the peer for chapter 2's logistic regression (./ladder bench ch02 runs it
through bin/ch02_bench; never a build or test dependency). Reads the exact TF-IDF features
ch02_bench wrote (svmlight: train.svm, validation.svm, test.svm, 1-based feature ids), picks
LogisticRegression's C on the validation split like our early stopping does, then times the
final fit (min and median of --repeats) and prints one JSON object.
Needs Debian's python3-sklearn: apt-get install python3-sklearn; run with /usr/bin/python3."""
import json
import os
import sys
import time

# The helper the bench peers share (tools/peers/openblas_core.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "peers"))
from openblas_core import openblas_core  # noqa: E402

from sklearn.datasets import load_svmlight_files
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    x_tr, y_tr, x_va, y_va, x_te, y_te = load_svmlight_files(
        [f"{folder}/train.svm", f"{folder}/validation.svm", f"{folder}/test.svm"], zero_based=False)
    best = None
    for c in (1.0, 3.0, 10.0, 30.0, 100.0):
        model = LogisticRegression(C=c, max_iter=2000).fit(x_tr, y_tr)
        acc = accuracy_score(y_va, model.predict(x_va))
        if best is None or acc > best[1]:
            best = (c, acc)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = LogisticRegression(C=best[0], max_iter=2000).fit(x_tr, y_tr)
        times.append(time.perf_counter() - start)
    times.sort()
    pred = model.predict(x_te)
    import sklearn
    print(json.dumps({
        "sklearn": sklearn.__version__, "C": best[0], "val_accuracy": best[1],
        "accuracy": accuracy_score(y_te, pred), "macro_f1": f1_score(y_te, pred, average="macro"),
        "fit_seconds_min": times[0], "fit_seconds_median": times[len(times) // 2], "repeats": repeats,
        "solver": "lbfgs", "n_iter": int(model.n_iter_[0]), "blas_core": openblas_core()}))


if __name__ == "__main__":
    main()
