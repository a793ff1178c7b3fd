"""Notifications that reach people (R26.1 inspection and urging, R27.1 warnings, R18.1 a
resident following their report).

- :class:`cases.models.Notification` is one event addressed to an audience: an agency, a
  department, or a grid's workers (:func:`cases.primitives.notify` writes it once per key).
- :mod:`cases.notify.channels`: the ways a message reaches people. The in-app channel gives
  every person of the audience a :class:`~cases.notify.models.NotificationReceipt` in the same
  transaction (their notification centre: badge, list, read or not); outside channels (SMS to
  residents) store a :class:`~cases.notify.models.Delivery` per message, sent by a background
  task after the change commits, retried, logged.
- :mod:`cases.notify.inbox`: what a person reads and marks (scoped to their own receipts).
- :mod:`cases.notify.progress`: what the steps of a case tell grid workers and the resident.
- :mod:`cases.notify.reporter`: the resident's consent and phone, decrypted only to send.
- :mod:`cases.notify.views`: the notification centre's pages and the header badge.
"""
