"""The questionnaires a participant answers: wording, scale and anchors of each instrument.

A registry keyed by instrument name; a custom Likert scale takes its items from the study. The
English wordings here are the catalogue's msgids (marked with ``N_``); :func:`instrument_for`
gives them in the page's language. Where a translation is a published, validated version of the
instrument, the catalogue carries that version's wording (docs/translations.md lists each):

- SUS: German after Rummel (2015), "System Usability Scale – jetzt auch auf Deutsch", SAP User
  Experience Community; French F-SUS, Gronier, G. & Baudet, A. (2021), "Psychometric evaluation
  of the F-SUS: Creation and validation of the French version of the System Usability Scale",
  International Journal of Human-Computer Interaction, doi:10.1080/10447318.2021.1898828. Both
  keep "system" where uxlab's English says "website": a published wording is used as published.
- SEQ, UMUX-Lite, NPS, CSAT, CES: no published, validated German or French version was found;
  their wordings are uxlab's own translations (marked so in the catalogue and the docs).
"""

from __future__ import annotations

from dataclasses import dataclass

from uxlab.i18n.text import N_, translate


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


AGREE_5 = Scale(1, 5, N_("Strongly disagree"), N_("Strongly agree"))
AGREE_7 = Scale(1, 7, N_("Strongly disagree"), N_("Strongly agree"))

#: Brooke (1996), the standard ten SUS items ("system" may be read as "website").
SUS_ITEMS = (
    N_("I think that I would like to use this website frequently."),
    N_("I found the website unnecessarily complex."),
    N_("I thought the website was easy to use."),
    N_("I think that I would need the support of a technical person to be able to use this "
       "website."),
    N_("I found the various functions in this website were well integrated."),
    N_("I thought there was too much inconsistency in this website."),
    N_("I would imagine that most people would learn to use this website very quickly."),
    N_("I found the website very cumbersome to use."),
    N_("I felt very confident using the website."),
    N_("I needed to learn a lot of things before I could get going with this website."),
)

INSTRUMENTS: dict[str, Instrument] = {
    "seq": Instrument("seq", N_("How easy was it?"),
                      (N_("Overall, how difficult or easy was the task to complete?"),),
                      Scale(1, 7, N_("Very difficult"), N_("Very easy"))),
    "sus": Instrument("sus", N_("About the website"), SUS_ITEMS, AGREE_5,
                      N_("For each statement, choose how much you agree.")),
    "umux_lite": Instrument("umux_lite", N_("About the website"),
                            (N_("This website's capabilities meet my requirements."),
                             N_("This website is easy to use.")), AGREE_7),
    "nps": Instrument("nps", N_("Would you recommend it?"),
                      (N_("How likely are you to recommend this website to a friend or "
                          "colleague?"),),
                      Scale(0, 10, N_("Not at all likely"), N_("Extremely likely"))),
    "csat": Instrument("csat", N_("How satisfied are you?"),
                       (N_("Overall, how satisfied are you with the website?"),),
                       Scale(1, 5, N_("Very dissatisfied"), N_("Very satisfied"))),
    "ces": Instrument("ces", N_("How easy was it?"),
                      (N_("The website made it easy for me to do what I wanted."),), AGREE_7),
}


#: How each instrument is named where a human reads it (researcher pages, reports).
INSTRUMENT_LABELS = {"seq": "SEQ", "sus": "SUS", "umux_lite": "UMUX-Lite", "nps": "NPS",
                     "csat": "CSAT", "ces": "CES", "likert": "Likert scale"}


def instrument_label(name: str) -> str:
    """"umux_lite" → "UMUX-Lite"; a name that is no instrument (a Likert scale's key) as it is."""
    return INSTRUMENT_LABELS.get(name, name)


def _translated(scale: Scale) -> Scale:
    return Scale(scale.low, scale.high, translate(scale.low_label), translate(scale.high_label))


def instrument_for(questionnaire, texts=None) -> Instrument:
    """Return the instrument a study's questionnaire row asks, with the study's wording, in the
    current page's language (English on researcher pages). ``texts``
    (:class:`~uxlab.i18n.study_texts.StudyTexts`) gives the study's own wordings (a custom
    scale, a reworded question) in that language."""
    options = questionnaire.options or {}

    def own(field: str, source):
        return texts.text("questionnaires", questionnaire.key, field, source) if texts else source

    if questionnaire.instrument == "likert":
        scale_max = options.get("scale", 7)
        anchors = own("anchors", options.get("anchors")) or [translate(AGREE_7.low_label),
                                                             translate(AGREE_7.high_label)]
        return Instrument(questionnaire.key, own("title", options.get("title")) or
                          questionnaire.key, tuple(own("items", options.get("items", ()))),
                          Scale(1, scale_max, anchors[0], anchors[1]))
    base = INSTRUMENTS[questionnaire.instrument]
    items = tuple(translate(item) for item in base.items)
    if options.get("question") and len(items) == 1:
        items = (own("question", options["question"]),)
    scale = _translated(base.scale)
    if questionnaire.instrument == "csat" and options.get("scale") in (5, 7):
        scale = Scale(1, options["scale"], scale.low_label, scale.high_label)
    return Instrument(base.name, translate(base.title), items, scale,
                      translate(base.intro) if base.intro else "")
