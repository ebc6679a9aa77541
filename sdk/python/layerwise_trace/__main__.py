"""python -m layerwise_trace: reference data for checking a trace writer of your own (the canonical step
names, the sketch signs); --help also shows the library use."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn, Sequence

from . import SketchSpec, canonical_steps, rademacher_signs

LIBRARY_USE = """\
library use (numpy arrays, or torch tensors when torch is installed):

    import layerwise_trace

    with layerwise_trace.TraceWriter("mine.json", producer="my-engine", dtype="float16",
                                     tokens=token_ids) as trace:
        trace.record("embed", hidden)                  # every step in its canonical layout
        trace.record("layers.0.attn_norm", normed)     # and in the model dtype
        ...
        trace.record("logits", logits)
        trace.record_top_k(logits[-1])
    # written atomically when the block ends without an exception

then: layerwise compare reference.json mine.json
step names, shapes and fields: docs/trace-format.md; walk-through: docs/your-engine.md
"""


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors as one line "PROG: cause (see --help)", exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="layerwise_trace",
        description="Writes Layerwise traces (trace-format-v1) from Python: per-step statistics, row sums,\n"
                    "Rademacher sketch, SHA-256 and top-k, bit-identical to what Layerwise computes in Java.\n"
                    "Use it as a library (below). As a command it prints reference data for checking\n"
                    "a trace writer of your own: the canonical step names and the sketch signs.",
        epilog=LIBRARY_USE, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--steps", type=int, metavar="LAYERS",
                        help="print the canonical step names of a model with LAYERS layers, in execution order")
    action.add_argument("--signs", type=int, metavar="COUNT",
                        help="print the first COUNT sketch signs r_j(0..COUNT-1), one line per j (see --k, --seed)")
    parser.add_argument("--k", type=int, default=SketchSpec.k,
                        help="sketch size for --signs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SketchSpec.seed,
                        help="sketch seed for --signs (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.steps is not None:
        if args.steps < 0:
            parser.error(f"--steps: {args.steps} is negative")
        print("\n".join(canonical_steps(args.steps)))
    elif args.signs is not None:
        if args.signs < 0 or args.k < 1 or not -2 ** 63 <= args.seed < 2 ** 64:
            parser.error("--signs: COUNT must be non-negative, --k at least 1, --seed a 64-bit integer")
        spec = SketchSpec(k=args.k, seed=args.seed)
        for j in range(spec.k):
            print(" ".join("+1" if s > 0 else "-1" for s in rademacher_signs(spec, j, args.signs).tolist()))
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
