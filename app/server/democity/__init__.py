"""A demo city (Calabasas): cameras at named sites, traffic by hour, commuters, rendered
plates and hotlists with entries that will hit; realistic enough to exercise every screen."""
