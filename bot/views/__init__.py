"""The texts people read, built from plain data in the reader's language (the locale is set).

One module per feature; handlers and outbox renderers (bot/delivery) call these and add buttons.
"""
