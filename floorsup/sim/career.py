"""The demo centre's career path: a believable spread of stages by tenure, who does which
work (what the QA tool evaluates them on), who chose to mentor, mentorships begun in the
past weeks (some new hires still waiting), adherence for the closed days before today,
leadership traits noted by the leads, and two people who grew into other departments."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from floorsup.domain.career import DEFAULT_STAGES, learning_work
from floorsup.sim.centre import Centre
from floorsup.store.mentoring import TRAITS

_TRAIT_EVIDENCE = {
    "communication": "Explained the new refund rule to the team huddle better than the memo did.",
    "emotional intelligence": "Noticed a colleague struggling after a hard call and stepped in.",
    "humility": "Asked for QA feedback on a call they thought went well.",
    "coachability": "Took last week's coaching on hold times and it showed in every call since.",
}


@dataclass(frozen=True)
class DemoCareer:
    stages: dict[str, int]  # staff_id -> stage
    work: dict[str, tuple[str, ...]]  # what each agent does and is learning (QA follows it)
    opted_in: frozenset[str]
    mentorships: list[tuple[str, str, int]]  # (mentor, mentee, days ago it began)
    adherence: dict[str, float]  # each agent's usual adherence (the closed days vary round it)
    traits: list[tuple[str, str, int]]  # (staff_id, trait, days ago)
    moves: list[tuple[str, str, str, int]]  # (staff_id, department, why, days ago)


def demo_career(centre: Centre, today: dt.date, *, seed: int = 7) -> DemoCareer:
    rng = random.Random(seed * 31337 + 5)
    stages: dict[str, int] = {}
    for s in centre.agents:
        years = (today - s.hire_date).days / 365.25
        if years < 0.25:
            stage = 1
        elif years < 1:
            stage = rng.choice((1, 1, 2))
        elif years < 3:
            stage = rng.choice((2, 2, 3))
        else:
            stage = rng.choice((3, 3, 4))
        stages[s.staff_id] = stage
    work = {sid: learning_work(DEFAULT_STAGES, st) for sid, st in stages.items()}
    opted_in = frozenset(sid for sid, st in stages.items() if st >= 3 and rng.random() < 0.7)
    hires = sorted(
        (s for s in centre.agents if (today - s.hire_date).days < 90), key=lambda s: s.hire_date
    )
    mentors = sorted(opted_in)
    rng.shuffle(mentors)
    mentorships = []
    for i, h in enumerate(hires[: max(len(hires) - 2, 0)]):  # the two newest still wait
        if mentors:
            started = max(1, min(60, (today - h.hire_date).days - 3))
            mentorships.append((mentors[i % len(mentors)], h.staff_id, started))
    adherence = {s.staff_id: min(0.995, max(0.8, rng.gauss(0.93, 0.035))) for s in centre.agents}
    seniors = [sid for sid, st in stages.items() if st >= 3]
    traits = [
        (sid, trait, rng.randrange(3, 40))
        for sid in rng.sample(seniors, min(4, len(seniors)))
        for trait in rng.sample(TRAITS, rng.randrange(1, 4))
    ]
    movers = rng.sample(seniors, min(2, len(seniors)))
    moves = [
        (movers[0], "Workforce management", "Grew from floor adherence work into WFM analyst.", 20)
    ] + [(m, "Training", "Mentored three new hires well; now a trainer.", 45) for m in movers[1:]]
    return DemoCareer(stages, work, opted_in, mentorships, adherence, traits, moves)


def trait_evidence(trait: str) -> str:
    return _TRAIT_EVIDENCE[trait]
