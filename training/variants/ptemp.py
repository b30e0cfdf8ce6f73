"""Round 40, `ptemp`: the temperature fitted on the held-out-*page* rows of the inner splits only (the first half of
the held-out rows: the GroupKFold splits by page come first and, like the random KFold splits after them, hold every
training quote out once). The weights are learnt on all held-out rows as before."""
from mh_nlp.themes import model as m

_fit_temperature = m.fit_temperature


def fit_temperature(logits, accepted, *args, **kwargs):
    half = len(accepted) // 2
    if len(accepted) % 2 or half < 2:
        return _fit_temperature(logits, accepted, *args, **kwargs)
    return _fit_temperature(logits[:half], accepted[:half], *args, **kwargs)


m.fit_temperature = fit_temperature
