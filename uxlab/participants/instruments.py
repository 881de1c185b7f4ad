"""The questionnaires a participant answers: wording, scale and anchors of each instrument.

A registry keyed by instrument name; a custom Likert scale takes its items from the study.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    low: int
    high: int
    low_label: str
    high_label: str

    @property
    def points(self) -> range:
        return range(self.low, self.high + 1)


@dataclass(frozen=True)
class Instrument:
    name: str
    title: str
    items: tuple[str, ...]
    scale: Scale
    intro: str = ""


AGREE_5 = Scale(1, 5, "Strongly disagree", "Strongly agree")
AGREE_7 = Scale(1, 7, "Strongly disagree", "Strongly agree")

#: Brooke (1996), the standard ten SUS items ("system" may be read as "website").
SUS_ITEMS = (
    "I think that I would like to use this website frequently.",
    "I found the website unnecessarily complex.",
    "I thought the website was easy to use.",
    "I think that I would need the support of a technical person to be able to use this website.",
    "I found the various functions in this website were well integrated.",
    "I thought there was too much inconsistency in this website.",
    "I would imagine that most people would learn to use this website very quickly.",
    "I found the website very cumbersome to use.",
    "I felt very confident using the website.",
    "I needed to learn a lot of things before I could get going with this website.",
)

INSTRUMENTS: dict[str, Instrument] = {
    "seq": Instrument("seq", "How easy was it?",
                      ("Overall, how difficult or easy was the task to complete?",),
                      Scale(1, 7, "Very difficult", "Very easy")),
    "sus": Instrument("sus", "About the website", SUS_ITEMS, AGREE_5,
                      "For each statement, choose how much you agree."),
    "umux_lite": Instrument("umux_lite", "About the website",
                            ("This website's capabilities meet my requirements.",
                             "This website is easy to use."), AGREE_7),
    "nps": Instrument("nps", "Would you recommend it?",
                      ("How likely are you to recommend this website to a friend or colleague?",),
                      Scale(0, 10, "Not at all likely", "Extremely likely")),
    "csat": Instrument("csat", "How satisfied are you?",
                       ("Overall, how satisfied are you with the website?",),
                       Scale(1, 5, "Very dissatisfied", "Very satisfied")),
    "ces": Instrument("ces", "How easy was it?",
                      ("The website made it easy for me to do what I wanted.",), AGREE_7),
}


#: How each instrument is named where a human reads it (researcher pages, reports).
INSTRUMENT_LABELS = {"seq": "SEQ", "sus": "SUS", "umux_lite": "UMUX-Lite", "nps": "NPS",
                     "csat": "CSAT", "ces": "CES", "likert": "Likert scale"}


def instrument_label(name: str) -> str:
    """"umux_lite" → "UMUX-Lite"; a name that is no instrument (a Likert scale's key) as it is."""
    return INSTRUMENT_LABELS.get(name, name)


def instrument_for(questionnaire) -> Instrument:
    """Return the instrument a study's questionnaire row asks, with the study's wording."""
    options = questionnaire.options or {}
    if questionnaire.instrument == "likert":
        scale_max = options.get("scale", 7)
        anchors = options.get("anchors") or ["Strongly disagree", "Strongly agree"]
        return Instrument(questionnaire.key, options.get("title", questionnaire.key),
                          tuple(options.get("items", ())),
                          Scale(1, scale_max, anchors[0], anchors[1]))
    base = INSTRUMENTS[questionnaire.instrument]
    items = base.items
    if options.get("question") and len(items) == 1:
        items = (options["question"],)
    scale = base.scale
    if questionnaire.instrument == "csat" and options.get("scale") in (5, 7):
        scale = Scale(1, options["scale"], scale.low_label, scale.high_label)
    return Instrument(base.name, base.title, items, scale, base.intro)
