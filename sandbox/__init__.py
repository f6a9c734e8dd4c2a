"""The local sandbox: the real bot against the embedded Bot API emulator, with a web chat,
demo people and a time machine (sandbox/README.md). `python main.py` without BOT_TOKEN runs it."""
