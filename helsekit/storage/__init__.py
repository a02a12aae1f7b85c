"""Storage adapters: the only place helsekit talks to a database engine."""
