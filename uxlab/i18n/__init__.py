"""Languages for participants: the message catalogue, the language a participant sees, switching.

What it is for: every text a *participant* reads (the runner, the task bar, consent, the standard
questionnaires, end pages and messages) goes through gettext (Flask-Babel) and the catalogues in
``uxlab/translations/<lang>/LC_MESSAGES/messages.po``. A study declares the languages it runs in;
the participant's browser (``Accept-Language``) picks the best of them, a switcher on every
participant page changes it, and the language shown is stored on the participant and exported.

What it is not for: researcher, moderator, CX and report pages stay English (their strings are
not marked for translation and they always render in English), and the study's own texts (task
instructions, consent text) are the researcher's to translate in the study file, not gettext's.
"""
