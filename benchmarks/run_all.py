"""`make bench`: the speed benchmarks, then every model of chapters 4 and 5 trained in full.

Runs each ``benchmarks/bench_*.py`` (each writes its own table to ``benchmarks/results/``), then
trains the chapter scripts below from scratch into ``benchmarks/runs/`` and gathers their
``results.json`` into ``benchmarks/results/models.md`` (kept in ``models.json``, so ``--only``
updates some rows and keeps the others). A run whose data is not on this machine
(MNIST, IMDB offline) is listed as not run, with the reason.

    python benchmarks/run_all.py [--only lenet-fashion cnn-fashion ...] [--text-data PATH]

``--text-data PATH`` adds two rows, the LSTM and GRU text classifiers on a local dataset (a folder
in the aclImdb layout or a label/text file), beside the IMDB rows.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent

MODEL_RUNS = {
    # both loops of the page, as many epochs each as the page's EPOCHS (8): the one written on
    # the page and the Trainer
    "lenet-fashion": ["ch05_practice/lenet.py", "--dataset", "fashion_mnist",
                      "--page-epochs", "8"],
    "lenet-mnist": ["ch05_practice/lenet.py", "--dataset", "mnist", "--page-epochs", "8"],
    "lenet-fit": ["ch05_practice/lenet_fit.py", "--dataset", "fashion_mnist"],
    "mlp-from-scratch": ["ch04_math/mlp_from_scratch.py", "--dataset", "fashion_mnist"],
    "mlp-binary": ["ch05_practice/mlp_binary.py"],
    "mlp-images": ["ch05_practice/mlp_images.py", "--dataset", "fashion_mnist"],
    "cnn-fashion": ["ch05_practice/cnn.py", "--dataset", "fashion_mnist"],
    "cnn-mnist": ["ch05_practice/cnn.py", "--dataset", "mnist"],
    "text-lstm": ["ch05_practice/text_classifier.py", "--dataset", "imdb", "--rnn", "lstm"],
    "text-gru": ["ch05_practice/text_classifier.py", "--dataset", "imdb", "--rnn", "gru"],
    # the generated task whose labels need word order, the text default offline
    "text-synthetic": ["ch05_practice/text_classifier.py", "--dataset", "synthetic"],
    # judged by the features of the CNN trained above (its run must come first)
    "dcgan": ["ch05_practice/dcgan.py", "--dataset", "fashion_mnist",
              "--judge", "benchmarks/runs/cnn-fashion/cnn-fashion_mnist.keras"],
}
COLUMNS = ["model", "dataset", "parameters", "epochs", "test_accuracy", "f1",
           "seconds_per_epoch", "command"]


def run_benchmarks() -> None:
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True)


def train(name: str, argv: list[str]) -> dict:
    """Train one chapter script from scratch; its ``results.json``, or why it did not run."""
    output_dir = Path("benchmarks", "runs", name)
    shutil.rmtree(REPO / output_dir, ignore_errors=True)
    command = [sys.executable, f"chapters/{argv[0]}", *argv[1:], "--output-dir", str(output_dir)]
    print(f"== {name}: {' '.join(command)}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    print(done.stdout[-2000:], flush=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"model": name, "command": " ".join(argv), "not run": reason[:200]}
    results = json.loads((REPO / output_dir / "results.json").read_text())
    results["wall_seconds"] = time.perf_counter() - start
    return with_table_columns(name, results)


def with_table_columns(name: str, results: dict) -> dict:
    """``results`` with the table's model, dataset and epochs: a page records its figures and
    the run's identity, which names the dataset and the epochs asked (``epochs_trained`` when
    early stopping ended the run sooner); the model is the run's name."""
    identity = results.get("identity") or {}
    results.setdefault("model", name)
    results.setdefault("dataset", identity.get("dataset"))
    results.setdefault("epochs", results.get("epochs_trained", identity.get("epochs")))
    return results


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if value < 10 else f"{value:.1f}"
    return "" if value is None else str(value).replace("|", "\\|")


def write_table(rows: list[dict]) -> None:
    """models.md: one row per run, its figures as columns (the identity and other records that
    are not figures stay in models.json)."""
    extra = sorted({key for row in rows for key, value in row.items()
                    if not isinstance(value, dict | list)}
                   - set(COLUMNS) - {"quick", "not run"})
    header = [*COLUMNS[:-1], *extra, "not run", COLUMNS[-1]]
    lines = [
        "# Chapter 4 and 5 models (`make bench`, `benchmarks/run_all.py`)",
        "",
        "Each row trained from scratch on this machine's CPU; the command is the one that ran.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
    ]
    lines += ["| " + " | ".join(cell(row.get(key)) for key in header) + " |" for row in rows]
    path = HERE / "results" / "models.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    print(path.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="these runs only (names as in models.json)")
    parser.add_argument("--skip-speed", action="store_true", help="no bench_*.py")
    parser.add_argument("--text-data", help="also train the text models on this local dataset")
    parser.add_argument("--table", action="store_true",
                        help="rewrite models.md from models.json, train nothing")
    args = parser.parse_args()
    runs = dict(MODEL_RUNS)
    if args.text_data:
        for rnn in ("lstm", "gru"):
            runs[f"text-{rnn}-local"] = ["ch05_practice/text_classifier.py",
                                         "--dataset", args.text_data, "--rnn", rnn]
    unknown = sorted(set(args.only or ()) - set(runs))
    if unknown:
        parser.error(f"unknown runs {unknown}; known: {sorted(runs)}")
    store = HERE / "results" / "models.json"
    rows = json.loads(store.read_text()) if store.is_file() else {}
    if not (args.skip_speed or args.table):
        run_benchmarks()
    for name in [] if args.table else args.only or runs:
        rows[name] = train(name, runs[name])
        store.parent.mkdir(exist_ok=True)
        store.write_text(json.dumps(rows, indent=2) + "\n")
    write_table([rows[name] for name in [*MODEL_RUNS, *(n for n in rows if n not in MODEL_RUNS)]])


if __name__ == "__main__":
    main()
