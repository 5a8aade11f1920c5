"""The glimmers bot: notice, savour and keep small cues of safety and connection."""
