"""Thin Telegram adapters: parse an update, call bot/ or storage/, render a reply."""
