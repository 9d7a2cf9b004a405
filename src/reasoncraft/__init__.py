"""reasoncraft: build reasoning LLMs by the four routes of "Understanding Reasoning LLMs".

Heavy dependencies (torch, transformers) are imported where they are used, not here.
"""

from .threads import use_threads  # no torch: it sets OMP_NUM_THREADS, or torch's threads once imported

__version__ = "0.1.0"

__all__ = ["load_model", "use_threads", "__version__"]


def load_model(name_or_path: str = "smollm2-135m", dtype=None, device=None):
    """Return `(model, tokenizer)`; see `reasoncraft.models.load_model`."""
    from .models import load_model as _load  # lazy: `import reasoncraft.<any room>` runs this file; keep it bare

    return _load(name_or_path, dtype=dtype, device=device)
