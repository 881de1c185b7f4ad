"""The admin area: managing the installation's accounts in the browser, and their audit.

Admins list accounts, invite people (a one-time set-password link to pass on), deactivate and
re-activate accounts, issue password resets and change roles; every change is in the account
audit. The rules live in :mod:`uxlab.accounts.administration`; these are its pages. Not here:
what an account may do with a study (:mod:`uxlab.accounts.service`, the researcher pages), and
the pages every user has for their own account (:mod:`uxlab.auth.account_views`).
"""
