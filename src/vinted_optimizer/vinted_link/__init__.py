"""Linking a member's Vinted account through the browser extension (a short-lived pairing code), and
keeping the linked session alive. The session itself is stored on the member's row by ``users``; this
domain owns the pairing codes, and builds on ``users``, ``notifications`` and the home-side scraper."""
