"""The GitHub Action's logic, kept in Python so it can be tested without GitHub.

``action.yml`` at the repository root only installs ascsync and calls
``python -m ascsync.gha``; everything else happens here:

- :mod:`ascsync.gha.workflow_files` — the runner's files and commands: ``GITHUB_OUTPUT``
  (multi-line values), ``GITHUB_STEP_SUMMARY``, ``::add-mask::``, the event payload;
  escaped annotations, and ``stop-commands`` around echoed repo text.
- :mod:`ascsync.gha.key_file` — the private key from a secret, as a 0600 temp file that
  is removed afterwards.
- :mod:`ascsync.gha.pr_comment` — one sticky pull-request comment, found by a hidden
  marker in a comment of the token's own account, and updated on every push instead of
  piling up.
- :mod:`ascsync.gha.steps` — what runs for each trigger: validate + plan on a pull
  request, apply on a push, drift on a schedule.
"""
