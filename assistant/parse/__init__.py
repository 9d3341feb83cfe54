"""The turn parser: what a customer message means.

* ``schema``: the parse itself (intents, span types, slots; ``TurnParse``);
* ``model``: the network (a LoRA-adapted causal LM with an intent head and a span tagger) and
  how a turn is encoded for it;
* ``parser``: ``TurnParser``, which loads a fine-tuned adapter folder and parses turns;
* ``normalise``: tagged spans → typed slots (amounts, currencies, references);
* ``rules``: ``rule_parse``, the parse without the LLM;
* ``guarded``: ``GuardedParser``, the LLM parse under a time budget, the rule parse when it fails.

Importing this package loads no model and no torch; ``model`` and ``parser`` do.
"""

__all__: list[str] = []
