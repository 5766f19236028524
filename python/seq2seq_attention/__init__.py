"""seq2seq-attention's PyTorch bridge: the same model, model files and text pipeline as the
JavaScript/WebAssembly library, for training with PyTorch (one process, torchrun/DDP, CPU or GPU).

    from seq2seq_attention import Translator, Seq2SeqModel, read_model, write_model
"""

from .errors import S2SError
from .model import Seq2SeqModel, make_batch, make_config, seeded_weights
from .modelfile import parameter_layout, read_model, write_model
from .text import Vocabulary, char_tokenizer, get_tokenizer, word_tokenizer
from .translator import Translator

__all__ = ["S2SError", "Seq2SeqModel", "Translator", "Vocabulary", "char_tokenizer", "get_tokenizer",
           "make_batch", "make_config", "parameter_layout", "read_model", "seeded_weights", "word_tokenizer",
           "write_model"]
__version__ = "0.1.0"
