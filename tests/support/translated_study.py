"""The demo study in English, German and French (its own texts translated in the study file)."""

from __future__ import annotations

from dataclasses import replace

from uxlab.studies.spec import StudySpec, parse_study

GERMAN = {
    "study": {
        "title": "Neuer Checkout",
        "welcome": "Danke, dass Sie teilnehmen. Sie lösen fünf kurze Aufgaben in einem "
                   "Online-Shop.",
        "consent": "Wir zeichnen auf, wo Sie im Prototyp klicken und welche Seiten Sie besuchen.",
        "thanks": "Danke! Ihre Antworten sind gespeichert.",
    },
    "tasks": {
        "find-product": {"title": "Ein Produkt finden",
                         "instructions": "Finden Sie den Schuh Trail Runner 2."},
        "add-to-cart": {"title": "In den Warenkorb",
                        "instructions": "Legen Sie den Trail Runner 2 in Größe 42 in den "
                                        "Warenkorb."},
        "apply-coupon": {"title": "Einen Gutschein einlösen",
                         "instructions": "Lösen Sie den Gutscheincode SPRING10 ein."},
        "guest-checkout": {"title": "Als Gast bestellen",
                           "instructions": "Bestellen Sie ohne Konto, mit der Testkarte "
                                           "4242 4242 4242 4242."},
        "return-policy": {"title": "Die Rückgaberegeln finden",
                          "instructions": "Finden Sie heraus, wie viele Tage Sie für eine "
                                          "Rückgabe haben.",
                          "question": "Wie viele Tage haben Sie für eine Rückgabe?"},
    },
    "questionnaires": {"nps": {"question": "Wie wahrscheinlich ist es, dass Sie den Trailhead-"
                                           "Shop einem Freund oder Kollegen empfehlen?"}},
}
#: French: only the study's title and welcome, so the other texts fall back to English.
FRENCH = {"study": {"title": "Nouveau paiement", "welcome": "Merci de votre participation."}}


def translated_demo(demo_spec: StudySpec) -> StudySpec:
    """The demo study (or a copy with fewer tasks) offered in English, German and French, parsed
    as a study file would be."""
    data = replace(demo_spec, languages=("en", "de", "fr")).to_dict()
    tasks = {task.key for task in demo_spec.tasks}
    german = {**GERMAN, "tasks": {k: v for k, v in GERMAN["tasks"].items() if k in tasks}}
    data["translations"] = {"de": german, "fr": FRENCH}
    return parse_study(data, source="translated demo")
