"""Recognisers: find organisations, places, dates, links, agreements and figures in report text.

Pure Python (no Django). Each recogniser takes plain text and returns mentions with character
offsets into that text; the extractor adds the block's offset to place them in the document.
"""
