"""`factdesk train ...`: rebuild the shipped stance model and verdict aggregator.

A thin layer over `factdesk.train` (`factdesk train checkworthy` is in `cli_claims`).

Training needs the `train` extra (torch, transformers, onnx); inference never does.

    python -m factdesk.app.cli_train stance --epochs 1 --seed 13
    python -m factdesk.app.cli_train verdict --seed 13
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from factdesk.config import shared_root
from factdesk.errors import FactdeskError
from factdesk.train.stance_data import MIXES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = shared_root  # called when --data is not given: the `shared` setting, else ../shared
PACKAGE_MODELS = Path(__file__).resolve().parents[1] / "models"


def _run(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a training job; a factdesk error (missing data, torch absent) is one line and exit 2."""
    try:
        return fn()
    except FactdeskError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def data_option(help_text: str) -> Callable[[Any], Any]:
    """The `--data` option every training command takes: the folder of the shared public sets."""
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA,
        show_default="the `shared` setting, else ../shared",
        help=help_text,
    )


@click.group(name="train")
def train() -> None:
    """Rebuild factdesk's own models from public data (needs the `train` extra)."""


@train.command("stance")
@data_option("Folder holding data/ and nli/ (the shared public sets).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=PACKAGE_MODELS / "stance",
    show_default=True,
    help="Where model.onnx and config.json go.",
)
@click.option("--epochs", type=float, default=1.0, show_default=True, help="Passes over the sampled mix.")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed for sampling, order and init.")
@click.option("--max-pairs", type=int, default=None, help="Cap on the mixed training pairs.")
@click.option("--max-steps", type=int, default=None, help="Stop after this many optimiser steps.")
@click.option("--max-length", type=int, default=128, show_default=True, help="Token limit per pair.")
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--lr", type=float, default=6e-5, show_default=True)
@click.option(
    "--warmup",
    type=float,
    default=0.06,
    show_default=True,
    help="Share of the planned steps spent warming the LR up (a resumed model needs little).",
)
@click.option(
    "--max-minutes",
    type=float,
    default=None,
    help="Wall-clock budget for the training loop; the LR schedule anneals to it.",
)
@click.option(
    "--freeze-layers",
    type=int,
    default=2,
    show_default=True,
    help="Bottom encoder layers (and embeddings) kept frozen.",
)
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads.")
@click.option(
    "--resume",
    "resume",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Continue from a stance model folder (int8 ONNX, e.g. factdesk/models/stance) or a torch "
    "checkpoint folder (.cache/stance-checkpoint); its stage log is carried over.",
)
@click.option(
    "--precision",
    type=click.Choice(["bf16", "fp32"]),
    default="bf16",
    show_default=True,
    help="bf16: CPU bfloat16 autocast (AMX / AVX512-BF16); fp32: the v2 recipe.",
)
@click.option(
    "--mix",
    "mix_name",
    type=click.Choice(list(MIXES)),
    default="v3",
    show_default=True,
    help="v3: every usable pair (anchors excluded); v2: the 27k sample of the v2 model; "
    "offtopic: same-topic off-claim NEI pairs (beside --pairs); none: only --pairs.",
)
@click.option(
    "--pairs",
    "pairs_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also train on a pack written by `python -m factdesk.train.stance_data_v4` (the v4 data).",
)
@click.option(
    "--pairs-lang",
    default="en",
    show_default=True,
    help="Keep only the --pairs pairs of this language ('all': every language).",
)
@click.option("--permissive-only", is_flag=True, help="Train only on permissively licensed sets.")
@click.option(
    "--anchors-per-set",
    type=int,
    default=2000,
    show_default=True,
    help="Held-out NLI anchor pairs scored per set after export (0: skip).",
)
@click.option(
    "--checkpoint",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".cache/stance-checkpoint"),
    show_default=True,
    help="Where the stage's fp32 torch weights are kept (resume from it next time).",
)
def stance_cmd(
    data: Path,
    out: Path,
    epochs: float,
    seed: int,
    max_pairs: int | None,
    max_steps: int | None,
    max_length: int,
    batch_size: int,
    lr: float,
    max_minutes: float | None,
    freeze_layers: int,
    threads: int,
    resume: Path | None,
    precision: str,
    mix_name: str,
    permissive_only: bool,
    anchors_per_set: int,
    checkpoint: Path,
    warmup: float,
    pairs_file: Path | None,
    pairs_lang: str,
) -> None:
    """Fine-tune MiniLM-L6 as a 3-way stance cross-encoder and export int8 ONNX to --out.

    Stop it with Ctrl-C (or SIGTERM): the loop ends after the current step and the model is
    exported; `--resume` continues from it later.
    """
    from factdesk.train.stance import StanceTrainConfig, train_stance
    from factdesk.train.stance_data import mix_named

    mix = mix_named(mix_name, permissive_only)
    cfg = StanceTrainConfig(
        data=str(data),
        out=str(out),
        epochs=epochs,
        seed=seed,
        max_pairs=max_pairs,
        max_steps=max_steps,
        max_length=max_length,
        batch_size=batch_size,
        lr=lr,
        num_threads=threads,
        max_minutes=max_minutes,
        freeze_layers=freeze_layers,
        resume=str(resume) if resume else None,
        precision=precision,
        mix=mix,
        anchors_per_set=anchors_per_set,
        checkpoint=str(checkpoint),
        warmup=warmup,
        pairs_file=str(pairs_file) if pairs_file else None,
        pairs_lang=None if pairs_lang == "all" else pairs_lang,
    )
    res = _run(lambda: train_stance(cfg))
    click.echo(json.dumps(res["metrics"], indent=1))


@train.command("stance-average")
@click.argument("first", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("second", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Where the averaged model.onnx and config.json go.",
)
@click.option(
    "--weight",
    type=float,
    default=0.5,
    show_default=True,
    help="Share of SECOND in the average: (1 - w) x FIRST + w x SECOND.",
)
@data_option("Folder holding the held-out NLI anchors scored after export.")
@click.option("--anchors-per-set", type=int, default=2000, show_default=True, help="0: skip the anchors.")
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads.")
def stance_average_cmd(
    first: Path, second: Path, out: Path, weight: float, data: Path, anchors_per_set: int, threads: int
) -> None:
    """Average the weights of two stages of the stance model (WiSE-FT) and export int8 ONNX.

    FIRST and SECOND are stance model folders (e.g. factdesk/models/stance) or torch checkpoint
    folders (.cache/stance-checkpoint), as for `--resume`; SECOND's stage log is carried on.
    """
    from factdesk.train.stance import average_stages

    def job() -> dict[str, Any]:
        root = Path(data) if (Path(data) / "nli").is_dir() else None
        if root is None and anchors_per_set != 0:
            click.echo(f"no nli/ under {data}: the held-out anchors are not scored (pass --data)", err=True)
        return average_stages(
            first, second, out, weight=weight, root=root, anchors_per_set=anchors_per_set, threads=threads
        )

    res = _run(job)
    click.echo(json.dumps(res["metrics"], indent=1))


@train.command("verdict")
@data_option("Folder holding data/averitec/train.json.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PACKAGE_MODELS / "verdict" / "aggregator.json",
    show_default=True,
)
@click.option(
    "--stance-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Stance model folder, MiniLM or e5 (default: the shipped MiniLM).",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Optional .npz cache of stance scores, reused when the stance model is unchanged.",
)
@click.option(
    "--pool",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Store of the pooled AVeriTeC answers (built by `factdesk eval averitec --setting retrieved "
    "--db POOL`): adds rows with retrieved evidence, as `check` sees it.",
)
def verdict_cmd(
    data: Path, out: Path, stance_dir: Path | None, seed: int, cache: Path | None, pool: Path | None
) -> None:
    """Fit the calibrated verdict aggregator on AVeriTeC train (held-out quarter) and save JSON."""
    from factdesk.train.verdict import train_verdict

    res = _run(lambda: train_verdict(data=data, out=out, stance_dir=stance_dir, seed=seed, cache=cache, pool=pool))
    click.echo(json.dumps(res["metrics"], indent=1))


@train.command(
    "same-claim",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def same_claim_cmd(args: tuple[str, ...]) -> None:
    """Fine-tune the same-claim reranker on CheckThat! 2020 Task 2 (`factdesk train same-claim --help`
    lists its options; the same as `python -m factdesk.train.same_claim`)."""
    from factdesk.train.same_claim import main as run

    sys.exit(run(list(args)))


if __name__ == "__main__":  # pragma: no cover
    train()
