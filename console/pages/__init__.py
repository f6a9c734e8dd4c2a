"""One module per screen, each with its `routes` (aiohttp's RouteTableDef); console/app.py adds them all."""
