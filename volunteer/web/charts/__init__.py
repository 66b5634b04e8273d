"""Charts drawn on the server as SVG (no JavaScript, no tile server): the district map.

Web layer only: takes plain values and callables for links and wording, returns safe markup.
"""
