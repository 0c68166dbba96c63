"""The receiver: real camera systems (OpenALPR/Rekor agents, Frigate, vendors by a declared
mapping) feed the city server as a running service, through the same checks as camera-drop
ingest (``app/server/ingest.py``), with their duplicates merged by source ids.

``candidate`` is what every source becomes; ``checks`` turns a candidate into a read the way
ingest does; ``pipeline`` merges, fetches photos (``fetch``, with a retry queue) and writes in
batches from one thread; ``http`` and ``mqtt`` are the doors; ``service`` runs them together.
"""
