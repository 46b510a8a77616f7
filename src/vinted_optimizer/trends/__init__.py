"""Market data scraped from Vinted (shared by every family, not family data). For now the one read the
listing form needs, the brands seen on the market; the scraper and the trends pages come with the Vinted
issue and build on this package."""
