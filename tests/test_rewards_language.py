"""Language consistency (DeepSeek-R1's reward) on hand-made texts, with counts worked out by hand."""

from __future__ import annotations

import time

import pytest

from reasoncraft.config import load_config
from reasoncraft.rewards import get_reward
from reasoncraft.rewards.language import (
    SUPPORTED_LANGUAGES,
    chain_of_thought,
    language_consistency,
    make_language_consistency_reward,
    word_languages,
)
from reasoncraft.train.grpo_config import GRPOConfig

ENGLISH = "<think>Let me add 12 and 7. First 12 + 7 = 19, so the answer is 19.</think><answer>19</answer>"
CHINESE = "<think>我们先把两个数相加：12 + 7 = 19。所以答案是19。</think><answer>19</answer>"
FRENCH = "<think>Nous devons additionner les deux nombres. Donc la somme est 19.</think><answer>19</answer>"
GERMAN = "<think>Wir addieren die beiden Zahlen, und die Summe ist 19.</think><answer>19</answer>"
SPANISH = "<think>Primero sumamos los dos números y la respuesta es 19.</think><answer>19</answer>"
# R1-Zero's failure mode: the chain of thought drifts from English into Chinese and back.
MIXED = "<think>Let me compute the sum. 这个和是19。 Wait, check again.</think><answer>19</answer>"


def test_whole_texts_in_one_language_score_one_for_their_own_language_only():
    cases = {"en": ENGLISH, "zh": CHINESE, "fr": FRENCH, "de": GERMAN, "es": SPANISH}
    for lang, text in cases.items():
        assert language_consistency(text, lang) == 1.0, lang
        for other in cases:
            if other != lang:
                assert language_consistency(text, other) == 0.0, (lang, other)


def test_mixed_chain_of_thought_against_hand_counts():
    # sentence 1: let me compute the sum (5 Latin words, English stop words) -> en 5
    # sentence 2: 这 个 和 是 (4 Han characters, no kana) -> zh 4; "19" is a number -> dropped
    # sentence 3: wait check again (3 Latin words; "wait", "check" are English list words) -> en 3
    assert word_languages(chain_of_thought(MIXED)) == {"en": 8, "zh": 4}
    assert language_consistency(MIXED, "en") == pytest.approx(8 / 12)
    assert language_consistency(MIXED, "zh") == pytest.approx(4 / 12)


def test_code_switch_inside_one_sentence():
    # "Let me compute 这个 sum": Latin words let, me, compute, sum -> en 4; Han 这, 个 -> zh 2
    assert word_languages("Let me compute 这个 sum") == {"en": 4, "zh": 2}
    # English words in a Chinese target count against it; a Latin sentence with no stop word still does
    assert language_consistency("<think>计算 total sum</think>", "zh") == pytest.approx(2 / 4)
    assert word_languages("计算 quickly", target="zh") == {"zh": 2, "latin": 1}


def test_french_and_english_sentences_are_told_apart_by_stop_words():
    text = "<think>Donc la somme est 19. So the answer is 19.</think>"
    assert word_languages(chain_of_thought(text)) == {"fr": 4, "en": 4}
    assert language_consistency(text, "fr") == 0.5
    # shared stop words ("de", "la") do not decide alone: most matches win
    assert word_languages("la suma de los números es diecinueve") == {"es": 7}  # es 5 matches, fr 2, pt 1, it 1


def test_japanese_korean_russian_and_scripts_without_stop_words():
    assert word_languages("答えは19です。") == {"ja": 5}  # kana in the sentence: its Han is Japanese
    assert word_languages("答案是19。") == {"zh": 3}  # no kana: Chinese
    assert word_languages("답은 19입니다") == {"ko": 2}
    assert word_languages("Ответ равен 19") == {"ru": 2}
    assert language_consistency("<think>Сначала сложим 12 и 7. Then add.</think>", "ru") == pytest.approx(3 / 5)


def test_what_belongs_to_no_language_is_ignored():
    assert word_languages(r"\frac{a}{b} + x = 2y, π r") == {}
    assert language_consistency("<think>12 + 7 = 19</think><answer>19</answer>", "zh") == 1.0
    assert language_consistency("", "en") == 1.0
    # the answer block is not the chain of thought; tags are not words
    assert language_consistency("<think>我们相加</think><answer>the answer is 19</answer>", "zh") == 1.0
    # without a think block the whole completion is read
    assert language_consistency("The answer is 19. 答案是19。", "en") == pytest.approx(3 / 6)
    # a think block cut at the token limit runs to the end
    assert language_consistency("<think>我们相加 and then", "zh") == pytest.approx(4 / 6)


def test_reward_contract_and_registry():
    reward = get_reward("language_consistency")
    assert reward([ENGLISH, CHINESE, MIXED], answer=["19"] * 3) == pytest.approx([1.0, 0.0, 8 / 12])
    assert get_reward("language_consistency:zh")([CHINESE]) == [1.0]
    assert get_reward("language_consistency:zh") is get_reward("language_consistency:zh")
    chat = [{"role": "assistant", "content": FRENCH}]
    assert make_language_consistency_reward("fr")([chat]) == [1.0]
    with pytest.raises(ValueError, match=r"does not support 'xx'.*en.*zh"):
        get_reward("language_consistency:xx")
    with pytest.raises(ValueError, match="does not support"):
        make_language_consistency_reward("english")
    assert {"en", "zh", "fr", "de", "es", "ja", "ko", "ru"} <= set(SUPPORTED_LANGUAGES)


def test_named_in_a_grpo_yaml(tmp_path):
    path = tmp_path / "r1.yaml"
    path.write_text("rewards: [accuracy, format, language_consistency]\nreward_weights: [1.0, 0.5, 0.1]\n")
    config = load_config(GRPOConfig, path)
    fns = [get_reward(name) for name in config.rewards]
    assert fns[2]([MIXED]) == pytest.approx([8 / 12])
    config = load_config(GRPOConfig, path, ["rewards=[accuracy, format, language_consistency:zh]"])
    assert get_reward(config.rewards[2])([MIXED]) == pytest.approx([4 / 12])


def test_fast_enough_for_every_rollout():
    text = "<think>" + ("Let me check 12 + 7 = 19 again. 我们再算一遍。" * 60) + "</think>"
    reward = get_reward("language_consistency")
    started = time.perf_counter()
    scores = reward([text] * 64)
    assert time.perf_counter() - started < 2.0  # 64 completions of ~2,500 characters
    assert scores[0] == pytest.approx(4 / 10)  # per repeat: en 4 (let me check again), zh 6 (我们再算一遍)
