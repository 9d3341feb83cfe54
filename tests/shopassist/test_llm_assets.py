import pytest

from shopassist import llm_assets
from shopassist.errors import ModelNotFoundError
from shopassist.settings import load_settings


def test_missing_default_package_names_the_setting(monkeypatch):
    monkeypatch.setattr(llm_assets, "DEFAULT_LLM_PACKAGE", "no_such_weights_package")
    with pytest.raises(ModelNotFoundError, match="SHOPASSIST_LLM"):
        llm_assets.default_gguf_path()


def test_local_folder_and_hub_id(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        llm_assets.resolve_llm(load_settings(overrides={"home": tmp_path, "llm": str(folder)}, environ={}))
    (folder / "config.json").write_text("{}")
    assert llm_assets.resolve_llm(load_settings(overrides={"home": tmp_path, "llm": str(folder)}, environ={})) == str(folder)
    hub = load_settings(overrides={"home": tmp_path, "llm": "HuggingFaceTB/SmolLM2-360M-Instruct"}, environ={})
    assert llm_assets.resolve_llm(hub) == "HuggingFaceTB/SmolLM2-360M-Instruct"


@pytest.mark.slow
def test_default_gguf_converts_once_to_a_plain_model(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    settings = load_settings(overrides={"home": tmp_path}, environ={})
    path = llm_assets.resolve_llm(settings)
    stamp = (tmp_path / "models" / llm_assets.DEFAULT_LLM_DIRNAME / "model.safetensors").stat().st_mtime
    assert llm_assets.resolve_llm(settings) == path  # cached: no second conversion
    assert (tmp_path / "models" / llm_assets.DEFAULT_LLM_DIRNAME / "model.safetensors").stat().st_mtime == stamp

    tokenizer = AutoTokenizer.from_pretrained(path)
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token == "<|im_end|>"
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    assert 130e6 < sum(p.numel() for p in model.parameters()) < 140e6
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                        add_generation_prompt=True, return_tensors="pt", return_dict=True)["input_ids"]
    out = model.generate(ids, max_new_tokens=8, do_sample=False)
    assert "Paris" in tokenizer.decode(out[0][ids.shape[1]:])
