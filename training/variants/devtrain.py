"""Round 20, `devtrain`: the real development sentences (``data/development/``) as training examples of their
sections, beside the written statements (kind "written": evidence, weight 1). ``training/choice_rule.py`` sees
``TRAIN_ON_DEVELOPMENT`` and then measures the development protocol by 5-fold cross-validation grouped by source
address, so that no sentence (nor another sentence of its source) is evidence for itself."""
TRAIN_ON_DEVELOPMENT = True
