"""The home-side scraper: every call to Vinted (the client in ``vinted/``) behind one pacing gate per home
IP (``pacing``). Like ``ai/``, it imports nothing of the cloud side: only config, kit and vocabulary."""
