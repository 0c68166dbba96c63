"""Hotlist files from the state and the FBI: CA DOJ CLEW fixed-width tables, the NCIC vehicle
extract and a plain CSV (``formats``), each replacing its list atomically on the city server
(``replace``), on demand or from a watched folder (``watch``). Layouts in docs/server.md."""
