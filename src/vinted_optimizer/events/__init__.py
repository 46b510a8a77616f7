"""Live events: the WebSocket that pushes a family's events, and the same events over HTTP."""
