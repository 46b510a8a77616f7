"""The context budget and the shape of the messages, without a model."""

from __future__ import annotations

from tests.ai.chat_helpers import fact, listing, request
from vinted_optimizer.ai.chat_prompt import SYSTEM_PROMPT, build_prompt, estimate_tokens
from vinted_optimizer.ai.chat_schemas import ChatTurn


def _passages(count: int, chars: int) -> list:
    return [listing(f"Articolo {i}", f"passaggio {i} " + "x" * chars) for i in range(count)]


def test_passages_are_cut_in_rank_order_to_fit_the_window() -> None:
    passages = _passages(20, 1500)
    built = build_prompt(request(facts=[fact("n", "Vendite", "17")]), passages, num_ctx=2048, max_tokens=256)
    used = [p for p in built.used if p.kind != "fact"]
    assert 0 < len(used) < 20
    assert used == passages[: len(used)]  # the best ones, in order
    assert built.used[0].id == "fact:n"  # facts are never cut
    assert built.estimated_prompt_tokens + built.max_tokens <= 2048
    assert all(f'id="{p.id}"' in built.messages[-1]["content"] for p in built.used)
    assert not any(f'id="{p.id}"' in built.messages[-1]["content"] for p in passages[len(used) :])


def test_a_bigger_window_takes_more() -> None:
    passages = _passages(20, 1500)
    small = build_prompt(request(), passages, num_ctx=2048, max_tokens=256)
    big = build_prompt(request(), passages, num_ctx=8192, max_tokens=256)
    assert len(big.used) > len(small.used)


def test_history_keeps_the_newest_turns_within_a_third() -> None:
    history = [
        ChatTurn(role="user" if i % 2 == 0 else "assistant", content=f"t{i} " + "y" * 600) for i in range(40)
    ]
    built = build_prompt(request(history=history), [], num_ctx=4096, max_tokens=512)
    kept = built.messages[1:-1]
    assert 0 < built.history_kept == len(kept) < 40
    assert [m["content"] for m in kept] == [t.content for t in history[-len(kept) :]]
    assert sum(estimate_tokens(m["content"]) for m in kept) <= 4096 // 3


def test_the_answer_share_is_bounded() -> None:
    built = build_prompt(request(), [], num_ctx=2048, max_tokens=100_000)
    assert built.max_tokens == 1024
    assert build_prompt(request(), [], num_ctx=2048, max_tokens=5).max_tokens == 5


def test_system_message_is_only_the_instructions() -> None:
    built = build_prompt(request(answer="Hai 3 pacchi in viaggio."), [], num_ctx=4096, max_tokens=256)
    assert built.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = built.messages[-1]["content"]
    assert 'id="risposta-calcolata"' in user and "Hai 3 pacchi in viaggio." in user
    assert user.rstrip().endswith("Domanda: Come spedisco un pacco venduto?")
