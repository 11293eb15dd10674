// "The Interview": an ink-style opening written for this port (an original,
// in the manner of inkle's The Intercept). Knots: 4 (cell, questions,
// hut_story, verdict); stitches: 1 (questions.about_work); gathers: 3.
VAR suspicion = 0
VAR lied = false
VAR cigarettes = 0

-> cell

=== cell ===
The door opens at six. {~A guard brings|Two guards bring} a chair and leave it facing the wall. Harris sits on it backwards.
* [Say nothing.]
    You say nothing. He seems to expect it.
    ~ suspicion = suspicion + 1
* [Ask for a cigarette.]
    "Smoke?" He throws the packet onto the table.
    ~ cigarettes = cigarettes + 1
- (settle) He opens a file. "Let's begin with where you were on Tuesday."
* [The pub.]
    ~ lied = true
    "The pub," he repeats, and writes it down.
* [At the hut, working.]
    "Working." He does not write it down.
* {cigarettes > 0} [Light the cigarette first.]
    ~ suspicion = suspicion + 1
    You take your time. {suspicion > 1: He watches you the way one watches a clock.}
- He turns a page.
-> questions

=== questions ===
= about_work
"What do you do at the hut?"
* [Tell him the truth.]
    -> hut_story ->
* [Deflect.]
    ~ suspicion = suspicion + 2
    "Administration," you say. {lied: He smiles, as if the pub had been enough.}
- "And the machine?" {suspicion >= 2: He leans in.|He yawns.}
-> verdict

=== hut_story ===
You describe the huts, the cold, the endless tea. {~He nods.|He makes a note.}
* [Mention the wheels.]
    ~ suspicion = suspicion + 1
    He looks up sharply.
    ->->
* [Leave it there.]
    ->->

=== verdict ===
{ suspicion >= 3:
    "I think we'll keep you a little longer," Harris says.
    -> END
- else:
    "You may go," Harris says. "For now."
    -> END
}
