"""Clean Dutch text and the organisations it names (layer 2): normalisation with an offset map (``normalize``), the
spaCy pipeline with our tokenizer and entity ruler (``pipeline``), its lemma table kept in the user's cache
(``lookups``), entity look-up and evaluation (``entities``, ``metrics``). May import ``corpus`` and ``paths``;
knows nothing of themes."""
