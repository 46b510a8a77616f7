"""The assistant (Assistente), cloud side: sessions and messages, exact numbers from SQL, the member's
context, and the reply streamed from the home side."""
