#!/usr/bin/env python3
"""A tokenizer for checkpoints that have none (synthetic ones), whose token ids you control.

    python3 scripts/llamacpp/id_tokenizer.py write MODEL_DIR      tokenizer.model + added_tokens.json
    python3 scripts/llamacpp/id_tokenizer.py prompt "1 17 42"      prints the prompt text for those ids

Ids 0, 1, 2 are <unk>, <s> (BOS) and </s>; every other id N is the word "<tN>", declared a user-defined
token, which llama.cpp's tokenizer matches as a whole before anything else. So the prompt "<t17><t42>"
tokenizes to exactly [1, 17, 42] (llama.cpp adds the BOS itself), whatever the model's weights.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BOS = 1
FIRST_WORD = 3


def word(token_id: int) -> str:
    return f"<t{token_id}>"


def write(model_dir: Path) -> None:
    from sentencepiece import sentencepiece_model_pb2 as spm

    config = json.loads((model_dir / "config.json").read_text())
    vocab = int(config["vocab_size"])
    proto = spm.ModelProto()
    proto.trainer_spec.model_type = spm.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = 4
    proto.trainer_spec.unk_id, proto.trainer_spec.bos_id, proto.trainer_spec.eos_id = 0, 1, 2
    proto.trainer_spec.pad_id = -1
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    for text, kind in (("<unk>", spm.ModelProto.SentencePiece.UNKNOWN),
                       ("<s>", spm.ModelProto.SentencePiece.CONTROL),
                       ("</s>", spm.ModelProto.SentencePiece.CONTROL),
                       ("\u2581", spm.ModelProto.SentencePiece.NORMAL)):
        piece = proto.pieces.add()
        piece.piece, piece.score, piece.type = text, 0.0, kind
    files = {
        "tokenizer.model": proto.SerializeToString(),
        "added_tokens.json": json.dumps({word(i): i for i in range(FIRST_WORD, vocab)}, indent=0).encode(),
        "tokenizer_config.json": json.dumps({"add_bos_token": True, "add_eos_token": False}).encode(),
    }
    for name, data in files.items():
        tmp = model_dir / (name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(model_dir / name)


def prompt(ids_text: str) -> str:
    ids = [int(t) for t in ids_text.replace(",", " ").split()]
    if not ids or ids[0] != BOS:
        first = " ".join(str(i) for i in ids[:5]) + (" ..." if len(ids) > 5 else "")
        raise ValueError(f"token ids must start with the BOS id {BOS} (llama.cpp adds it), got {len(ids)} ids: "
                         f"{first or 'none'}")
    bad = [(p, i) for p, i in enumerate(ids) if p > 0 and i < FIRST_WORD]
    if bad:
        shown = ", ".join(f"{i} at position {p}" for p, i in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ValueError(f"ids below {FIRST_WORD} after the BOS have no word ({len(bad)} of them): {shown}")
    return "".join(word(i) for i in ids[1:])


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("write", "prompt"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        if argv[1] == "write":
            write(Path(argv[2]))
        else:
            print(prompt(argv[2]))
    except (ValueError, OSError, KeyError) as e:
        print(f"id_tokenizer.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
