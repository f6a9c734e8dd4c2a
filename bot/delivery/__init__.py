"""The one way anything leaves the bot on its own initiative: outbox → pacer → sender.

Priorities (lower first): URGENT safety messages, nurse ALERTs, REMINDERs and guidance, BROADCASTs.
"""

URGENT = 0
ALERT = 1
REMINDER = 2
BROADCAST = 3
