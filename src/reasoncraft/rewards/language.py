"""Language consistency: the share of the chain of thought written in the target language.

DeepSeek-R1 (DeepSeek-AI 2025, §2.3.2) adds this reward to the accuracy reward during RL, because
R1-Zero's chains of thought mixed languages: "the proportion of target language words in the CoT".
The paper does not say how it identified the language of a word; here it is done with no model
and no download, from Unicode scripts plus small stop-word lists:

1. The chain of thought is the text of the `<think>...</think>` blocks (an unclosed `<think>`, as
   in a completion cut at the token limit, runs to the end); without one, the whole completion.
2. Tags, LaTeX commands (`\\frac`), digits and single Latin or Greek letters (`x`, `n`, `π`:
   variables) are dropped: they belong to no language.
3. The text is cut into sentences (`. ! ?`, their CJK forms and newlines). Each run of letters is
   labelled by its script. A script that one supported language owns labels it directly (Hangul:
   ko, Cyrillic: ru, Greek: el, Arabic: ar, Hebrew: he, Devanagari: hi, Thai: th). Han characters
   are Japanese in a sentence that also has kana, else Chinese; each Han or kana character counts
   as one word, since these scripts put no spaces between words. The Latin words of a sentence all
   take the Latin-script language whose stop words they match most often (ties go to the target,
   then to the first in `LATIN_LANGUAGES`); a Latin sentence with no stop word at all ("Answer 19")
   goes to the target when the target is written in Latin script (nothing marks it as another
   language), else it counts as another language.
4. The reward is words in the target language / all words; 1.0 when the chain of thought has no
   words (nothing in it is in another language, so terse arithmetic is not punished).

Limits, stated plainly: scripts shared by several languages are given to one (all Cyrillic is
"ru", all Arabic script "ar"); Latin languages outside `LATIN_LANGUAGES` are read as whichever
listed one they share most stop words with; code and identifiers in a chain of thought count as
Latin-script words.

`get_reward("language_consistency")` targets English; `get_reward("language_consistency:zh")`
another language; an unsupported code fails with the list of supported ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from .base import RewardFn, register_reward, register_reward_family
from .text import completion_text

__all__ = [
    "SUPPORTED_LANGUAGES",
    "LATIN_LANGUAGES",
    "chain_of_thought",
    "word_languages",
    "language_consistency",
    "make_language_consistency_reward",
    "language_consistency_reward",
]

# The most frequent function words of each Latin-script language (lower case), plus, for English,
# a few words of math reasoning ("answer", "sum"): English is the usual language of such text.
# Words shared by several lists ("de", "la", "a") count for each; the majority decides.
_STOP_WORDS = {
    "en": """the and of to in is it that this for with as was are be on at by we so then let me not but or if
             have has which what can will from an there now need first each its our us they you do does than also
             into because therefore thus since when where how all one two three get answer sum number total step
             wait check""",
    "fr": """le la les de des du un une et est en que qui dans pour pas sur avec ce cette ces il elle nous on donc
             alors mais ou au aux par plus sont être fait faut réponse calculons puis nombre somme étape vérifions
             aussi comme très""",
    "de": """der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im es wir ich auch als wie
             aber oder dann noch wenn sind wird werden antwort zuerst summe schritt zahl also prüfen jetzt""",
    "es": """el la los las de del y que en un una es por para con no se lo su al como más pero entonces primero
             respuesta suma sumamos son está hay este esta esto muy tenemos paso número ahora""",
    "it": """il lo la gli le di del della che un una per con non sono nel alla dei delle quindi allora poi ma anche
             come questo questa risposta somma abbiamo passo numero ora""",
    "pt": """os as de do da dos das que em um uma para com não no na por mais se mas como então resposta soma
             primeiro temos isso este esta são passo número agora""",
}
STOP_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _STOP_WORDS.items()}
LATIN_LANGUAGES = tuple(STOP_WORDS)

# script -> the language that owns it (Han and Latin are resolved per sentence)
_SCRIPT_LANGUAGE = {
    "hangul": "ko",
    "cyrillic": "ru",
    "greek": "el",
    "arabic": "ar",
    "hebrew": "he",
    "devanagari": "hi",
    "thai": "th",
    "kana": "ja",
}
SUPPORTED_LANGUAGES = tuple(sorted({*LATIN_LANGUAGES, *_SCRIPT_LANGUAGE.values(), "zh", "ja"}))

# Letter runs by script, most specific first; Han and kana match one character at a time.
_SCRIPTS = re.compile(
    r"(?P<latin>[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+)"
    r"|(?P<greek>[\u0370-\u03FF\u1F00-\u1FFF]+)"
    r"|(?P<cyrillic>[\u0400-\u052F]+)"
    r"|(?P<hebrew>[\u0590-\u05FF]+)"
    r"|(?P<arabic>[\u0600-\u06FF\u0750-\u077F]+)"
    r"|(?P<devanagari>[\u0900-\u097F]+)"
    r"|(?P<thai>[\u0E00-\u0E7F]+)"
    r"|(?P<hangul>[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+)"
    r"|(?P<kana>[\u3040-\u309F\u30A0-\u30FF\u31F0-\u31FF])"
    r"|(?P<han>[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F])"
    r"|(?P<other>[^\W\d_]+)"
)
_SENTENCE_END = re.compile(r"[.!?;。！？；\n]+")
_NOISE = re.compile(r"<[^<>\s]{1,20}>|\\[A-Za-z]+")  # tags and LaTeX commands
_THINK = re.compile(r"<think>(.*?)(?:</think>|$)", re.DOTALL)


def chain_of_thought(text: str) -> str:
    """The reasoning part of a completion: its think blocks (an unclosed one runs to the end), else all of it.

    >>> chain_of_thought("<think>2 + 2 is 4</think><answer>4</answer>"), chain_of_thought("just 4")
    ('2 + 2 is 4', 'just 4')
    >>> chain_of_thought("<think>cut off mid-")
    'cut off mid-'
    """
    blocks = _THINK.findall(text)
    return "\n".join(blocks) if blocks else text


def _latin_language(words: list[str], target: str) -> str:
    hits = {lang: sum(w.lower() in stop for w in words) for lang, stop in STOP_WORDS.items()}
    best = max(hits.values())
    if best == 0:
        return target if target in STOP_WORDS else "latin"
    if hits.get(target) == best:
        return target
    return next(lang for lang in LATIN_LANGUAGES if hits[lang] == best)


def word_languages(text: str, target: str = "en") -> Counter:
    """How many words of `text` are in each language (see the module docstring for the rules).

    `target` only breaks ties between Latin-script languages and claims Latin sentences with no
    stop word. Labels are language codes, "latin" (a Latin sentence with no stop word, target not
    Latin) or "other" (a script no supported language owns).

    >>> sorted(word_languages("Let me add the numbers. 我们先计算。").items())
    [('en', 5), ('zh', 5)]
    >>> sorted(word_languages("Donc la somme est 19. 答えは19です。").items())
    [('fr', 4), ('ja', 5)]
    >>> word_languages("x + y = 5, so \\\\frac{x}{y} works")
    Counter({'en': 2})
    """
    check_language(target)
    counts: Counter = Counter()
    for sentence in _SENTENCE_END.split(_NOISE.sub(" ", text)):
        runs = [(m.lastgroup, m.group()) for m in _SCRIPTS.finditer(sentence)]
        runs = [(script, run) for script, run in runs if not (script in ("latin", "greek") and len(run) == 1)]
        if not runs:
            continue
        has_kana = any(script == "kana" for script, _ in runs)
        latin = [run for script, run in runs if script == "latin"]
        if latin:
            counts[_latin_language(latin, target)] += len(latin)
        for script, _ in runs:
            if script == "han":
                counts["ja" if has_kana else "zh"] += 1
            elif script != "latin":
                counts[_SCRIPT_LANGUAGE.get(script, "other")] += 1
    return counts


def check_language(language: str) -> str:
    """`language` if supported, else a ValueError that lists the supported codes."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(
            f"language consistency does not support {language!r}: use one of {', '.join(SUPPORTED_LANGUAGES)} "
            "(ISO 639-1 codes; e.g. rewards: [accuracy, language_consistency:zh])"
        )
    return language


def language_consistency(text: str, target: str = "en") -> float:
    """The share of the chain of thought's words that are in `target`; 1.0 when it has no words.

    >>> language_consistency("<think>First add 12 and 7, which gives 19.</think><answer>19</answer>")
    1.0
    >>> language_consistency("<think>首先计算 12 + 7 = 19</think><answer>19</answer>", target="zh")
    1.0
    >>> language_consistency("<think>首先 add them: 12 + 7 = 19</think>")  # 2 Han words of 4
    0.5
    >>> language_consistency("<think>12 + 7 = 19</think>")
    1.0
    """
    counts = word_languages(chain_of_thought(text), target)
    total = sum(counts.values())
    return counts[target] / total if total else 1.0


def make_language_consistency_reward(target: str = "en") -> Callable[..., list[float]]:
    """A reward function (the contract in `base`) scoring `language_consistency` towards `target`.

    >>> reward = make_language_consistency_reward("fr")
    >>> reward(["<think>Donc la somme est 19.</think>", "<think>So the sum is 19.</think>"])
    [1.0, 0.0]
    """
    check_language(target)

    def language_consistency_reward(completions: Sequence, **fields) -> list[float]:
        return [language_consistency(completion_text(c), target) for c in completions]

    language_consistency_reward.__qualname__ = f"language_consistency_reward[{target}]"
    return language_consistency_reward


language_consistency_reward: RewardFn = register_reward("language_consistency")(make_language_consistency_reward("en"))
register_reward_family("language_consistency", make_language_consistency_reward)
