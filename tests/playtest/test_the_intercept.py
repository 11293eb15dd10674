"""The opening of inkle's The Intercept, ported from its published ink
(tests/data/the_intercept; MIT licence and source in its README.md).

The port must read as the ink does: the same text on every screen, the same
choices on offer, with no more scenes than the ink it ports has knots,
stitches and gathers, and no "Continue" where the ink does not wait.

The expected screens below were written from TheIntercept.ink by hand, one
line of ink output per paragraph, and checked against inkjs 2.4.0 playing
the same ink (as were 26,000 random routes, off the test suite)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from game import load_story
from game.playtest.explore import exhaustive_playtest
from game.playtest.replay import run_playthrough
from tests.conftest import ROOT

PORT = ROOT / "tests" / "data" / "the_intercept"

# What the port covers of TheIntercept.ink (inkle/the-intercept,
# Assets/Ink/TheIntercept.ink), counted by reading it. Counted are the
# knots, stitches and gathers whose text the port shows; the port leaves out
# what no route of the ink reaches: the knot here_at_bletchley_diversion
# (only the gather at l.181 diverts to it, and that gather is never reached,
# since l.178's `{not missing_reel: -> missing_reel -> ...}` always diverts
# away: missing_reel is first visited there) with its 3 gathers (l.245,
# l.250, l.265), and the gathers at l.181 and l.192.
KNOTS = [
    "start",                        # l.74
    "missing_reel",                 # l.194
    "harris_demands_component",     # l.268
    "harris_presses_for_details",   # l.344, up to its first choices (an ending here)
    "admitted_to_something",        # l.377, likewise
    "harris_asks_for_theory",       # l.417, likewise
]
STITCHES = [
    "start.waited",                 # l.105
    "admitted_to_something.ive_done_things",  # l.410
]
GATHERS = [  # a line starting with `-` (or `- -`) that is not a divert `->`
    77, 82, 103,                            # start: intro, (opts), -> waited
    106, 115, 127, 128, 145, 156, 162, 174, 177,  # waited; 127 is `- - (pushes_cup)`
    199, 200, 208,                          # missing_reel; 208 is `- ->->`
    282, 296, 299, 308, 314, 316,           # harris_demands_component; (silence), (drinkit),
]                                           # `- - (drinkfromcup)`, `- - (whatsinit)`

# Three routes, each to one of the port's three endings. A step is the
# choice id taken here, the ink's choice text, then the screen after it: the
# ink's output up to its next choices, one line per paragraph, and the
# choices the ink then offers (for the last step: the knot the port stops at).
START = ("They are keeping me waiting.", ["Hut 14"])
HUT_14 = ("hut_14", "Hut 14", [
    "Hut 14. The door was locked after I sat down.",
    "I don't even have a pen to do any work. There's a copy of the morning's intercept in my pocket, but "
    "staring at the jumbled letters will only drive me mad.",
    "I am not a machine, whatever they say about me.",
], ["Think", "Plan", "Wait"])
WAITED = [
    "Half an hour goes by before Commander Harris returns. He closes the door behind him quickly, as "
    "though afraid a loose word might slip inside.",
    '"Well, then," he begins, awkwardly. This is an unseemly situation.',
]
NEED = '"We need that component," he says.'
REEL = [
    "The reel went missing from the Bombe this afternoon. The four of us were in the Hut, working on the "
    "latest German intercept. The results were garbage. It was Russell who found the gap in the plugboard.",
    "Any of us could have taken it; and no one else would have known its worth.",
]
LAPSANG = ('"Lapsang Souchong," he {}, placing his own cup back on the table untouched. "Such a curious '
           "flavour. It might almost not be tea at all. You might say it hides a multitude of sins. As do you. "
           "Isn't that right?\"")
PRESSES = '"You mean you\'ve left yourself open," Harris answers. "To pressure. Is that what you\'re saying?"'
DEMANDS = '"So. Do you have it?" Harris is {}: Bletchley is his watch. "Do you know where it is?"'
DIFFICULT = ('"Quite a difficult situation," {} begins{}. I\'ve seen him adopt this stiff tone of voice before, '
             'but only when talking to the brass. "I\'m sure you agree."')
FOUR = ["Yes", "No", "Lie", "Evade"]
TALK = ["Agree", "Disagree", "Lie", "Evade"]

ROUTES = {
    # Think then Plan (a {seq} on the second visit, a once-only choice), a
    # glue across a divert, the missing_reel tunnel, drugged: the words won't come.
    "pressed": ("harris_presses_for_details", [
        HUT_14,
        ("think", "Think", [
            "They suspect me to be a traitor. They think I stole the component from the calculating machine. "
            "They will be searching my bunk and cases.",
            "When they don't find it, they'll come back and demand I talk.",
            "I rattle my fingers on the field table.",
        ], ["Plan", "Wait"]),
        ("plan", "Plan", [
            "I am a problem—solver. Good with figures, quick with crosswords, excellent at chess.",
            "But in this scenario — in this trap — what is the winning play?",
        ], ["Co—operate", "Dissemble", "Divert"]),
        ("cooperate", "Co—operate", [
            "I must co—operate. My credibility is my main asset. To contradict myself, or another source, "
            "would be fatal.",
            "I must simply hope they do not ask the questions I do not want to answer.",
            *WAITED,
        ], ['"Commander."', '"Tell me what this is about."', "Wait"]),
        ("tellme", '"Tell me what this is about."', [
            '"Tell me what this is about."',
            "He shakes his head.",
            '"Now, don\'t let\'s pretend."',
            "He has brought two cups of tea in metal mugs: he sets them down on the tabletop between us.",
        ], ["Deny", "Take one", "Wait"]),
        ("deny", "Deny", [
            '"I\'m not pretending anything."',
            "I'm lying already, despite my good intentions.",
            "Harris looks disapproving. He pushes one mug halfway towards me: a small gesture of friendship.",
            "Enough to give me hope?",
        ], ["Take it", "Don't take it"]),
        ("lift_up_cup", "Take it", [
            "I take the mug, and blow away the steam. It is too hot to drink.",
            "Harris picks his own up and just holds it.",
            DIFFICULT.format("he", ", sternly"),
        ], TALK),
        ("agree", "Agree", [
            '"Awkward," I reply, sipping at my tea as though we were old friends.',
        ], ["Watch him", "Wait", "Smile"]),
        ("smile", "Smile", [
            "I try a weak smile. It is not returned.",
            NEED,
        ], ["The stolen component...", "Shrug"]),
        ("stolen", "The stolen component...", REEL, ["Panic", "Calculate", "Deny"]),
        ("panic", "Panic", [
            "They will pin it on me. They need a scapegoat so that the work can continue. I'm a likely "
            "target. Weaker than the rest.",
            DEMANDS.format("wasting no time"),
        ], FOUR),
        ("evade", "Evade", [
            '"The component?"',
            '"Don\'t play stupid," he replies. "Where is it?"',
        ], ["Co-operate", "Delay", "Lie", "Evade"]),
        ("evade", "Evade", [
            '"I don\'t know what gives you the right to pick on me. I want a lawyer."',
            '"This is time of war," Harris answers. "And by God, if I have to shoot you to recover the '
            'component, I will. Understand?" He points at the mug, "Now drink your tea and talk."',
        ], ["Drink", "Put the cup down"]),
        ("drink", "Drink", [
            "I lift the cup to my lips and sip. He waits for me to swallow before speaking again.",
            LAPSANG.format("remarks"),
        ], TALK),
        ("evade_drugged", "Evade", [
            "I open my mouth to disagree, but the words I want won't come. It is like Harris has taken a "
            "screwdriver to the sides of my jaw.",
            '"I\'ve done things," I begin helplessly. "Things I didn\'t want to do. I tried not to. But in the '
            'end, it felt like cutting off my own arm to resist."',
            PRESSES,
        ], None),
    ]),
    # Never touches the tea; forceful enough to make Harris sweat; two
    # gathers passed straight through (silence, whatsinit).
    "theory": ("harris_asks_for_theory", [
        HUT_14,
        ("plan", "Plan", [
            "What I am is a problem—solver. Good with figures, quick with crosswords, excellent at chess.",
            "But in this scenario — in this trap — what is the winning play?",
        ], ["Co—operate", "Dissemble", "Divert"]),
        ("dissemble", "Dissemble", [
            "Misinformation, then. Just as the war in Europe is one of plans and interceptions, not planes "
            "and bombs.",
            "My best hope is a story they prefer to the truth.",
            *WAITED,
        ], ['"Commander."', '"Tell me what this is about."', "Wait"]),
        ("wait", "Wait", [
            "I say nothing.",
            "He has brought two cups of tea in metal mugs: he sets them down on the tabletop between us.",
        ], ["Take one", '"What\'s going on?"', "Wait"]),
        ("what2", '"What\'s going on?"', [
            '"What\'s going on?"',
            '"You know already."',
            "He pushes one mug halfway towards me: a small gesture of friendship.",
            "Enough to give me hope?",
        ], ["Take it", "Don't take it"]),
        ("leave_it", "Don't take it", [
            "Just a cup of insipid canteen tea. I leave it where it is.",
            DIFFICULT.format("Harris", ""),
        ], TALK),
        ("disagree", "Disagree", ['"I don\'t see why," I reply.'], ["Watch him", "Wait"]),
        ("wait", "Wait", ["I wait to see how he'll respond.", NEED], ["The stolen component...", "Shrug"]),
        ("stolen", "The stolen component...", REEL, ["Calculate", "Deny"]),
        ("deny", "Deny", [
            "But this is still a mere formality. The work will not stop. A replacement component will be made "
            "and we will all be put back to work. We are too valuable to shoot.",
            DEMANDS.format("sweating slightly"),
        ], FOUR),
        ("lie", "Lie", [
            '"I have no idea."',
            "There's an icy silence. I've cracked him a little.",
            '"Now drink your tea and talk."',
        ], ["Take the cup", "Don't take it"]),
        ("leave", "Don't take it", [
            "I leave the cup where it is.",
            '"Why?" I ask coldly. "What\'s in it?"',
            LAPSANG.format("replies"),
        ], TALK),
        ("evade", "Evade", [
            '"None of us are blameless, Harris. But you\'re not my priest and I\'m not yours. Now, please. Let '
            'me go. I\'ll help you find this damn component, of course I will."',
            "He appears to consider the offer.",
            # the ink's `{ hooper_mentioned :Hooper?}"` leaves its space before the quote
            '"Tell me, then," he asks. "What\'s your theory? You\'re a smart fellow — as smart as they come '
            "around here, and that's saying something. What's your opinion on the missing component? "
            'Accident, perhaps? Or do you blame one of the other men? "',
        ], None),
    ]),
    # "He nods. <>" glued onto the next gather, [Wait] diverting into another
    # choice's body, a shrug out of the tunnel.
    "admitted": ("admitted_to_something", [
        HUT_14,
        ("wait", "Wait", WAITED, ['"Commander."', '"Tell me what this is about."', "Wait"]),
        ("commander", '"Commander."', [
            '"Commander."',
            "He nods. He has brought two cups of tea in metal mugs: he sets them down on the tabletop "
            "between us.",
        ], ["Take one", '"What\'s going on?"', "Wait"]),
        ("took", "Take one", [
            "I take a mug and warm my hands. It's a small gesture of friendship.",
            "Enough to give me hope?",
        ], ["Drink", "Wait"]),
        ("wait", "Wait", [
            "I say nothing as",  # the ink's own line break: the divert lands on a new line
            "I lift the mug and blow away the steam. It is too hot to drink.",
            "Harris picks his own up and just holds it.",
            DIFFICULT.format("he", ", sternly"),
        ], TALK),
        ("evade", "Evade", [
            '"I\'m sure you\'ve handled worse," I reply casually, sipping at my tea as though we were old '
            "friends.",
        ], ["Watch him", "Wait", "Smile"]),
        ("watch_him", "Watch him", [
            "His face is telling me nothing. I've seen Harris broad and full of laughter. Today he is tight, "
            "as much part of the military machine as the device in Hut 5.",
            NEED,
        ], ["The stolen component...", "Shrug"]),
        ("shrug", "Shrug", ["I shrug.", DEMANDS.format("wasting no time")], FOUR),
        ("yes", "Yes", [
            '"I do."',
            "Harris smiles with satisfaction, as if your willingness to talk was somehow his doing.",
            '"I see."',
            "There's a long pause, like the delay between feeding a line of cypher into the Bombe and waiting "
            "for its valves to warm up enough to begin processing.",
            '"You want to explain that?"',
        ], None),
    ]),
}


@pytest.fixture(scope="module")
def story():
    return load_story(str(PORT))


def test_it_lints_clean_with_strict():
    out = subprocess.run([sys.executable, "-m", "game", "lint", "--strict", str(PORT)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 errors, 0 warnings" in out.stdout


def test_no_more_scenes_than_the_ink_has_knots_stitches_and_gathers(story):
    assert (len(KNOTS), len(STITCHES), len(GATHERS)) == (6, 2, 21)
    assert len(story.scenes) <= len(KNOTS) + len(STITCHES) + len(GATHERS)
    # every knot the port covers is a scene of the same name
    assert {k for k in KNOTS} <= set(story.scenes)
    assert {"waited", "ive_done_things"} <= set(story.scenes)


def test_no_scene_waits_for_a_continue(story):
    """The ink waits only at its choices: every scene here has choices, is an
    ending, or is passed straight through (`pause: false`)."""
    waits = [s.id for s in story.scenes.values() if not s.choices and s.ending is None and s.pause]
    assert waits == []


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_screen_reads_as_the_ink_does(story, name):
    ending, steps = ROUTES[name]
    play = story.new_game(seed=1)
    assert play.text == START[0]
    assert [c.text for c in play.choices()] == START[1]
    for i, (cid, ink_choice, lines, ink_choices) in enumerate(steps, 1):
        offered = {c.text: c.id for c in play.choices() if c.enabled}
        assert offered.get(ink_choice) == cid, f"step {i}: the ink's '{ink_choice}' is not '{cid}' here"
        play.choose(cid)
        assert play.text == "\n\n".join(lines), f"step {i} ({cid})"
        if ink_choices is None:
            assert play.ended and play.scene.id == ending
            assert play.choices() == []
        else:
            assert not play.ended
            # the same choices, in the ink's order: never a lone "Continue"
            assert [c.text for c in play.choices()] == ink_choices, f"step {i} ({cid})"
            assert all(c.enabled for c in play.choices())
    assert play.calls == []


def test_a_false_condition_on_its_own_line_leaves_no_blank_line(story):
    """ink's `{cooperate:I'm lying already, ...}` on a line of its own prints
    nothing when false, not an empty line."""
    play = story.new_game()
    for cid in ("hut_14", "plan", "dissemble", "tellme", "deny"):
        play.choose(cid)
    assert play.text == "\n\n".join([
        '"I\'m not pretending anything."',
        "Harris looks disapproving. He pushes one mug halfway towards me: a small gesture of friendship.",
        "Enough to give me hope?",
    ])
    assert play.reply == '"I\'m not pretending anything."'


def test_state_follows_the_ink_variables(story):
    """forceful and evasive as the ink's raise()/lower() leave them."""
    want = {"pressed": (-5, 1, True, True), "theory": (5, 1, False, False), "admitted": (-1, 1, True, True)}
    for name, (_, steps) in ROUTES.items():
        play = story.new_game()
        for cid, *_ in steps:
            play.choose(cid)
        assert tuple(play.state[k] for k in ("forceful", "evasive", "teacup", "drugged")) == want[name], name


def test_the_tunnel_is_a_call(story):
    play = story.new_game()
    for cid in ("hut_14", "wait", "commander", "took", "wait", "evade", "watch_him"):
        play.choose(cid)
    assert play.scene.id == "missing_reel" and play.calls == ["missing_reel"]
    play.choose("stolen")
    assert play.calls == ["missing_reel"]
    play.choose("calculate")
    assert play.scene.id == "harris_demands_component" and play.calls == []


def test_exhaustive_no_soft_lock_no_continue(story):
    rep = exhaustive_playtest(story)
    assert rep.complete and not rep.failed
    assert rep.soft_locks == [] and rep.no_exit == [] and rep.errors == []
    assert rep.reached == set(story.scenes)
    assert all(n > 0 for n in rep.endings.values()) and set(rep.endings) == {
        "admitted_to_something", "harris_presses_for_details", "harris_asks_for_theory"}
    assert not any(k.endswith(".continue") for k in rep.taken)
    every = {f"{s.id}.{c.id}" for s in story.scenes.values() for c in s.choices}
    assert rep.taken == every


def test_its_playthroughs_pass():
    files = sorted((PORT / "playthroughs").glob("*.yaml"))
    assert [f.stem for f in files] == sorted(ROUTES)
    for pt in files:
        result = run_playthrough(str(pt))
        assert result.ok, [str(p) for p in result.problems]
