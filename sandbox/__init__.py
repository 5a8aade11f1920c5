"""Telegram without Telegram: a strict stand-in for the Bot API (botapi.py), and the trial
that runs the real bot against it with a chat page in the browser (trial.py).

Nothing here reaches the network: the stand-in listens on 127.0.0.1 only.
"""
