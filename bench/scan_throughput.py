"""Scan throughput of the detection engine, against Microsoft Presidio.

Standalone (no Django). Run from the repository root:

    .venv/bin/python bench/scan_throughput.py            # 200 MB corpus, 1 GB RSS file
    .venv/bin/python bench/scan_throughput.py --quick    # small sizes, seconds
    .venv/bin/python bench/scan_throughput.py --engine-only --every 3   # hs/re rates only, dense corpus

The corpus is generated deterministically (seeded): ``--blocks`` distinct
blocks of mixed prose, log, CSV and code lines, one line in ``--every`` with a
planted value (e-mail, phone, IBAN, card, BSN, postcode, IP) or a
checksum-failing decoy, cycled until ``--size-mb`` is reached. Measured in one
run, one process per number unless said otherwise. Rates are per core: bytes
over the process's CPU time (``time.process_time``), so a busy machine does
not skew them; the jobs speed-up is wall time and needs 2 idle cores.

* ``hs_mb_s``: Engine with hyperscan over the whole corpus, 4 MB segments;
* ``re_mb_s``: Engine with the ``re`` fallback over a ``--re-mb`` slice;
* ``presidio_mb_s``: Presidio's AnalyzerEngine, predefined pattern
  recognizers only, blank spaCy ``en`` pipeline (no model), over a
  ``--presidio-mb`` slice in 64 KB texts; ``x_presidio`` = hs / presidio;
* ``peak_rss_mb``: peak RSS of a fresh process scanning one ``--rss-gb`` text
  file through ``scanner.sources.scan_path`` (the chunked text reader);
* ``jobs2_speedup``: the command line end to end, ``python -m
  dataguardian.scanner FILE --jobs 2 --format jsonl`` against ``--jobs 1``
  on one ``--cli-mb`` text file, output to /dev/null: the median wall time of
  ``--cli-runs`` runs each, alternating, load average printed beside them;
* ``engine_jobs2_speedup``: the engine alone, the corpus split over 2
  worker processes with the matcher already compiled, vs 1.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataguardian.scanner import Engine, Segment, synthetic  # noqa: E402

MB = 1_000_000
BLOCK_CHARS = 4 * 1024 * 1024
KEY = b"bench-key"


def make_blocks(seed: int, count: int, chars: int, every: int) -> list[str]:
    return [synthetic.mixed_text(random.Random(seed * 1000 + i), chars, every) for i in range(count)]


def chunk_plan(blocks: list[str], total: int) -> list[int]:
    """Block indices, cycled, whose lengths add up to at least ``total``."""
    plan, size = [], 0
    while size < total:
        plan.append(len(plan) % len(blocks))
        size += len(blocks[plan[-1]])
    return plan


def scan_blocks(engine: Engine, blocks: list[str], plan: list[int]) -> tuple[float, int, int]:
    """(seconds, characters, findings) for scanning ``plan``'s blocks."""
    findings = chars = 0
    started = time.process_time()
    for n, index in enumerate(plan):
        text = blocks[index]
        findings += len(engine.scan_segment(Segment(text=text, path=f"chunk{n}", base_line=1)))
        chars += len(text)
    return time.process_time() - started, chars, findings


def presidio_rate(text: str) -> tuple[float, str]:
    """Presidio MB/s on ``text`` (pattern recognizers, blank spaCy), or nan and why."""
    try:
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError as exc:
        return float("nan"), f"presidio not installed ({exc.name})"
    # Keep Presidio offline: its e-mail recognizer would fetch the public suffix list.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    class BlankSpacy(SpacyNlpEngine):
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])
            self.nlp = {"en": spacy.blank("en")}

        def load(self) -> None:  # nothing to download
            pass

    nlp_engine = BlankSpacy()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp_engine)
    for recognizer in list(registry.recognizers):
        if not getattr(recognizer, "patterns", None):  # NER-based: needs a model
            registry.remove_recognizer(recognizer.name)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    analyzer.analyze(text=text[:1000], language="en")
    pieces = [text[i : i + 65536] for i in range(0, len(text), 65536)]
    started = time.process_time()
    for piece in pieces:
        analyzer.analyze(text=piece, language="en")
    elapsed = time.process_time() - started
    return len(text) / elapsed / MB, f"{len(registry.recognizers)} pattern recognizers"


def write_big_file(path: str, blocks: list[str], size: int) -> None:
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < size:
            block = blocks[(written // BLOCK_CHARS) % len(blocks)]
            out.write(block + "\n")
            written += len(block) + 1


def child_rss(path: str) -> None:
    """Run in a fresh process: scan one file, print findings, seconds and peak RSS."""
    from dataguardian.scanner.sources import scan_path

    engine = Engine(KEY)
    started = time.process_time()
    findings = sum(len(result.findings) for result in scan_path(path, engine))
    elapsed = time.process_time() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{findings} {elapsed:.3f} {peak_kb / 1024:.1f}")


def _worker(blocks: list[str], plan: list[int], ready: object, go: object, results: object) -> None:
    engine = Engine(KEY)
    engine.scan_text("warm up jan@example.nl")
    ready.release()
    go.wait()
    results.put(scan_blocks(engine, blocks, plan))


def parallel_seconds(blocks: list[str], plan: list[int], jobs: int) -> float:
    """Wall time for ``jobs`` processes to scan ``plan`` (split round-robin)."""
    context = mp.get_context("fork")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(blocks, plan[j::jobs], ready, go, results)) for j in range(jobs)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for _ in workers:
        results.get()
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return elapsed


def cli_seconds(path: str, jobs: int) -> float:
    """Wall time of one command-line scan of ``path``, JSON Lines to /dev/null."""
    command = [sys.executable, "-m", "dataguardian.scanner", path, "--jobs", str(jobs),
               "--format", "jsonl"]
    env = {**os.environ, "DG_FINDING_HASH_KEY": KEY.decode()}
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   cwd=Path(__file__).resolve().parent.parent, check=True)
    return time.perf_counter() - started


def cli_speedup(path: str, runs: int) -> float:
    """Median ``--jobs 1`` over median ``--jobs 2`` wall time, runs alternating."""
    times: dict[int, list[float]] = {1: [], 2: []}
    for run in range(runs):
        for jobs in (1, 2):
            times[jobs].append(cli_seconds(path, jobs))
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"  command line, run {run + 1}: --jobs {jobs} {times[jobs][-1]:.2f}s (load {load})",
                  flush=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"command line: --jobs 1 {one:.2f}s, --jobs 2 {two:.2f}s (medians of {runs}) = "
          f"{one / two:.2f}x ({os.cpu_count()} cores)", flush=True)
    return one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--size-mb", type=float, default=200)
    parser.add_argument("--re-mb", type=float, default=16)
    parser.add_argument("--presidio-mb", type=float, default=1)
    parser.add_argument("--rss-gb", type=float, default=1.0)
    parser.add_argument("--cli-mb", type=float, default=400, help="file for the command-line speed-up")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of each --jobs, alternating")
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--every", type=int, default=250, help="one planted line in EVERY lines")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engine-only", action="store_true",
                        help="only the hyperscan and re rates (for comparing two checkouts)")
    parser.add_argument("--child-rss", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_rss:
        child_rss(args.child_rss)
        return
    if args.quick:
        args.size_mb, args.re_mb, args.presidio_mb, args.rss_gb, args.blocks = 16, 2, 0.25, 0.05, 2
        args.cli_mb, args.cli_runs = 64, 1

    started = time.perf_counter()
    blocks = make_blocks(args.seed, args.blocks, BLOCK_CHARS, args.every)
    plan = chunk_plan(blocks, int(args.size_mb * MB))
    corpus_chars = sum(len(blocks[i]) for i in plan)
    print(
        f"corpus: {corpus_chars / MB:.0f} MB ({args.blocks} distinct 4 MiB blocks, one planted line in "
        f"{args.every}), generated in {time.perf_counter() - started:.1f}s",
        flush=True,
    )

    hs_engine = Engine(KEY, backend="hyperscan")
    hs_engine.scan_text("warm up")
    seconds, chars, findings = scan_blocks(hs_engine, blocks, plan)
    hs_rate = chars / seconds / MB
    print(
        f"hyperscan: {chars / MB:.0f} MB in {seconds:.2f}s = {hs_rate:.1f} MB/s, {findings} findings",
        flush=True,
    )

    re_plan = chunk_plan(blocks, int(args.re_mb * MB))
    seconds, chars, findings = scan_blocks(Engine(KEY, backend="re"), blocks, re_plan)
    re_rate = chars / seconds / MB
    print(f"re: {chars / MB:.0f} MB in {seconds:.2f}s = {re_rate:.2f} MB/s, {findings} findings", flush=True)

    if args.engine_only:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"BENCH scan_engine hs_mb_s={hs_rate:.1f} re_mb_s={re_rate:.2f} every={args.every} load={load}")
        return

    presidio, how = presidio_rate(blocks[0][: int(args.presidio_mb * MB)])
    x_presidio = hs_rate / presidio if presidio == presidio and presidio > 0 else float("nan")
    print(f"presidio: {presidio:.4f} MB/s ({how}); hyperscan engine is {x_presidio:.0f}x faster", flush=True)

    with tempfile.TemporaryDirectory(prefix="dg-bench-") as tmp:
        big = os.path.join(tmp, "big.txt")
        write_big_file(big, blocks, int(args.rss_gb * 1e9))
        out = subprocess.run(
            [sys.executable, __file__, "--child-rss", big], capture_output=True, text=True, check=True
        ).stdout.split()
        size = os.path.getsize(big)
        os.remove(big)
        rss_findings, rss_seconds, peak_rss = int(out[0]), float(out[1]), float(out[2])
        print(
            f"file: {size / MB:.0f} MB via scan_path in {rss_seconds:.1f}s "
            f"({size / rss_seconds / MB:.1f} MB/s), {rss_findings} findings, peak RSS {peak_rss:.0f} MB",
            flush=True,
        )
        cli_file = os.path.join(tmp, "cli.txt")
        write_big_file(cli_file, blocks, int(args.cli_mb * MB))
        speedup = cli_speedup(cli_file, args.cli_runs)

    one = parallel_seconds(blocks, plan, 1)
    two = parallel_seconds(blocks, plan, 2)
    load = os.getloadavg()[0]
    print(
        f"engine split: 1 process {one:.2f}s, 2 processes {two:.2f}s = {one / two:.2f}x "
        f"({os.cpu_count()} cores, load {load:.1f})",
        flush=True,
    )

    print(
        f"BENCH scan_throughput hs_mb_s={hs_rate:.1f} re_mb_s={re_rate:.2f} presidio_mb_s={presidio:.4f} "
        f"x_presidio={x_presidio:.0f} peak_rss_mb={peak_rss:.0f} jobs2_speedup={speedup:.2f} "
        f"engine_jobs2_speedup={one / two:.2f}"
    )


if __name__ == "__main__":
    main()
