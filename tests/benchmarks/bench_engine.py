"""Steps per second of random play on the 2,000-scene story (each step:
offer choices, choose, apply effects, render the new scene's text), and the
cost of a save. The issue's reference: inkjs does ~13,000–17,000 steps/s on
this machine class; the target is ≥ 5× that (75,000 steps/s)."""

import random
import time

from game import load_story

INKJS_STEPS_PER_S = 15_000


def _trial(story, seconds: float) -> float:
    rnd = random.Random(1)
    steps = 0
    game = story.new_game(seed=1)
    t = time.perf_counter()
    deadline = t + seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            offered = game.choices()
            if game.scene.ending is not None or not offered:
                game = story.new_game(seed=steps)
                continue
            pick = offered[rnd.randrange(len(offered))]
            if not pick.enabled:
                pick = offered[0]
            game.choose(pick.id)
            _ = game.text
            steps += 1
    return steps / (time.perf_counter() - t)


def test_steps_per_second(big_story, tmp_path):
    story = load_story(str(big_story))
    rates = sorted(_trial(story, 1.0) for _ in range(7))
    median, best = rates[len(rates) // 2], rates[-1]
    print(f"\nrandom play, 7 one-second trials: median {median:,.0f} steps/s, best {best:,.0f} "
          f"({median / INKJS_STEPS_PER_S:.1f}× / {best / INKJS_STEPS_PER_S:.1f}× inkjs's ~{INKJS_STEPS_PER_S:,}; "
          f"target ≥ 5×)")
    rate = median

    game = story.new_game(seed=2)
    for _ in range(200):
        offered = [c for c in game.choices() if c.enabled]
        if not offered:
            break
        game.choose(offered[0].id)
    n = 200
    t = time.perf_counter()
    for i in range(n):
        game.save(tmp_path / "slot.json")
    save_ms = (time.perf_counter() - t) / n * 1000
    t = time.perf_counter()
    for i in range(20):
        story.load_game(tmp_path / "slot.json")
    load_ms = (time.perf_counter() - t) / 20 * 1000
    print(f"save after {len(game.steps)} steps: {save_ms:.2f} ms (atomic, fsync); load (replays): {load_ms:.2f} ms")
    assert rate >= 5 * INKJS_STEPS_PER_S * 0.5  # fails only on a large regression


def test_history_length_does_not_slow_steps(big_story):
    story = load_story(str(big_story))
    # A loop of two scenes in a tiny story would be cleaner; here: undo/redo keeps history long.
    game = story.new_game(seed=3)
    ids = []
    for _ in range(100):
        offered = [c for c in game.choices() if c.enabled]
        if not offered:
            break
        game.choose(offered[0].id)
        ids.append(offered[0].id)
    t = time.perf_counter()
    for _ in range(2000):
        game.undo()
        game.choose(ids[-1])
    per_step_us = (time.perf_counter() - t) / 2000 * 1e6
    print(f"\nundo+step with {len(ids)} steps of history: {per_step_us:.1f} µs")
