"""Reading a note in order (mh_nlp.themes.context): the forward-backward posterior of a sticky Markov chain over
the sections, and the stay probability learnt from the order of the quotes."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from mh_nlp.themes.context import read_in_order, stay_probability, within_chapter_share


def _transitions(S: int, stay: float, chapters=None, within=None) -> np.ndarray:
    """The chain's transition matrix, written out: stay, else ``within`` to the other sections of the chapter and
    the rest to the sections of other chapters, alike among them (every other section alike without chapters)."""
    if chapters is None:
        T = np.full((S, S), (1 - stay) / (S - 1))
        np.fill_diagonal(T, stay)
        return T
    T = np.zeros((S, S))
    for i in range(S):
        same = [j for j in range(S) if j != i and chapters[j] == chapters[i]]
        other = [j for j in range(S) if chapters[j] != chapters[i]]
        share = within if same and other else (1.0 if same else 0.0)
        T[i, i] = stay
        T[i, same] = (1 - stay) * share / max(len(same), 1)
        T[i, other] = (1 - stay) * (1 - share) / max(len(other), 1)
    return T


def _brute_force(P: np.ndarray, stay: float, chapters=None, within=None) -> np.ndarray:
    """The posterior by summing over every path of sections (small n and S only)."""
    n, S = P.shape
    T = _transitions(S, stay, chapters, within)
    post = np.zeros_like(P)
    for path in itertools.product(range(S), repeat=n):
        p = P[0, path[0]] * np.prod([T[a, b] * P[t + 1, b] for t, (a, b) in enumerate(zip(path, path[1:]))])
        for t, s in enumerate(path):
            post[t, s] += p
    return post / post.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("stay", [0.2, 0.6, 0.95])
def test_the_posterior_is_the_sum_over_every_path(stay):
    rng = np.random.default_rng(3)
    P = rng.dirichlet(np.ones(3), size=4)
    assert np.allclose(read_in_order(P, stay), _brute_force(P, stay))


@pytest.mark.parametrize("chapters", [[1, 1, 2, 2, 2], [1, 2, 2, 2, 2], [3, 3, 3, 3, 3]])
@pytest.mark.parametrize("stay", [0.3, 0.9])
def test_moving_within_the_chapter_is_the_sum_over_every_path_too(chapters, stay):
    """With chapters (also one of a single section, and all in one chapter) the same holds; every row of the
    written-out transitions sums to 1."""
    rng = np.random.default_rng(5)
    P = rng.dirichlet(np.ones(5), size=4)
    assert np.allclose(_transitions(5, stay, chapters, 0.8).sum(axis=1), 1)
    assert np.allclose(read_in_order(P, stay, chapters, 0.8), _brute_force(P, stay, chapters, 0.8))


def test_a_note_that_keeps_its_chapter_while_its_section_changes_is_not_pulled_into_one_section():
    """Notes by the four questions of a round table: the chapter holds for a while, the section changes at almost
    every statement. Simulated (52 sections in 4 chapters of 13; each statement's evidence noisy, leaning to its
    section and a little to its chapter): moving only to "any other section", the chain reads each run as one
    theme and pulls its statements into one section, far below reading them alone; moving within the chapter, the
    note is read about as well as its statements alone, and its chapters better."""
    from mh_nlp.themes.context import read_note

    rng = np.random.default_rng(0)
    S, chapters = 52, np.arange(52) // 13
    right = {"alone": [], "anywhere": [], "by_chapter": []}
    chapter_right = {"alone": [], "by_chapter": []}
    for _ in range(100):
        sections = np.concatenate([rng.choice(np.flatnonzero(chapters == k), 6) for k in range(4)])
        logits = rng.normal(0, 1.0, (len(sections), S))
        logits[np.arange(len(sections)), sections] += 1.8
        logits += 0.8 * (chapters[None, :] == chapters[sections][:, None])
        P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        read = {"alone": P, "anywhere": read_note(P, 0.95)[0], "by_chapter": read_note(P, 0.95, chapters, 0.9)[0]}
        for k, Q in read.items():
            right[k].append(np.mean(Q.argmax(axis=1) == sections))
        for k in chapter_right:
            chapter_right[k].append(np.mean(chapters[read[k].argmax(axis=1)] == chapters[sections]))
    acc = {k: float(np.mean(v)) for k, v in right.items()}
    assert acc["anywhere"] < acc["alone"] - 0.15  # the old chain: one section per run
    assert acc["by_chapter"] > acc["anywhere"] + 0.15 and acc["by_chapter"] > acc["alone"] - 0.02
    assert np.mean(chapter_right["by_chapter"]) > np.mean(chapter_right["alone"]) + 0.05


def test_within_chapter_share_counts_changes_of_section_only():
    sections = ["1.1", "1.1", "1.2", "1.3", "2.1", "2.1", "2.4"]
    chapters = [int(s[0]) for s in sections]  # changes: 1.1-1.2, 1.2-1.3 (within), 1.3-2.1 (across), 2.1-2.4
    assert within_chapter_share(sections, chapters) == pytest.approx((3 + 1) / (4 + 2))
    assert within_chapter_share(["1.1", "1.1"], [1, 1]) is None


def test_with_no_preference_to_stay_each_statement_is_read_on_its_own():
    P = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.1, 0.2, 0.6], [0.25, 0.25, 0.25, 0.25]])
    assert np.allclose(read_in_order(P, 1 / 4), P, atol=1e-9)


def test_an_unclear_statement_takes_the_section_of_its_clear_neighbours_and_a_clear_one_keeps_its_own():
    P = np.array([[0.8, 0.1, 0.1], [0.3, 0.4, 0.3], [0.8, 0.1, 0.1], [0.02, 0.96, 0.02]])
    Q = read_in_order(P, 0.8)
    assert P[1].argmax() == 1 and Q[1].argmax() == 0
    assert Q[3].argmax() == 1
    assert np.allclose(Q.sum(axis=1), 1)


def test_one_statement_or_a_bad_stay():
    P = np.array([[0.2, 0.8]])
    assert np.array_equal(read_in_order(P, 0.9), P)
    with pytest.raises(ValueError, match="stay"):
        read_in_order(np.array([[0.5, 0.5], [0.5, 0.5]]), 1.0)
    with pytest.raises(ValueError, match="within"):
        read_in_order(np.array([[0.5, 0.5], [0.5, 0.5]]), 0.5, [1, 2], 1.5)
    with pytest.raises(ValueError, match="chapters"):
        read_in_order(np.array([[0.5, 0.5], [0.5, 0.5]]), 0.5, [1, 2, 2], 0.9)


def test_stay_probability_counts_neighbours_within_a_group_only():
    sections = ["a", "a", "b", "b", "c", "c"]
    pages = [1, 1, 1, 2, 2, 3]  # pairs within a page: a-a, a-b, b-c (b-b and c-c cross pages)
    assert stay_probability(sections, pages) == pytest.approx((1 + 1) / (3 + 2))
    assert stay_probability(["a", "b"], [1, 2]) is None


def test_each_note_chooses_how_much_its_statements_hang_together():
    """A note whose statements keep to one theme is read with the learnt stay; one whose statements each point
    firmly elsewhere is read statement by statement (1 / S), so its answers stay as they were."""
    from mh_nlp.themes.context import read_note

    themed = np.array([[0.6, 0.2, 0.1, 0.1], [0.3, 0.35, 0.2, 0.15], [0.7, 0.1, 0.1, 0.1], [0.5, 0.3, 0.1, 0.1]])
    Q, stay = read_note(themed, 0.95)
    assert stay == 0.95 and Q[1].argmax() == 0
    changing = np.array([[0.94, 0.02, 0.02, 0.02], [0.02, 0.94, 0.02, 0.02], [0.02, 0.02, 0.94, 0.02],
                         [0.02, 0.02, 0.02, 0.94], [0.94, 0.02, 0.02, 0.02]])
    Q, stay = read_note(changing, 0.95)
    assert stay == pytest.approx(1 / 4) and np.array_equal(Q, changing)
    assert read_note(themed[:1], 0.95) == (pytest.approx(themed[:1]), 1 / 4)


def test_how_a_note_was_read_is_said_in_words_and_shown_in_the_overview():
    from mh_nlp.io.label import LabelRow, Summary
    from mh_nlp.io.readers import Statement
    from mh_nlp.io.writers import summary_markdown, summary_text
    from mh_nlp.themes.context import note_reading
    from mh_nlp.themes.prediction import Prediction

    assert note_reading(None) == "each statement read on its own"
    assert "each read on its own" in note_reading(1 / 52) and "change theme" in note_reading(1 / 52)
    assert note_reading(0.96).endswith("probability 0.96 (the theme mostly holds)")
    assert note_reading(0.6).endswith("probability 0.60 (the theme often holds)")
    assert note_reading(0.2).endswith("probability 0.20 (the theme often changes: the neighbours count for less)")
    assert note_reading(0.4).endswith("probability 0.40 (the theme often changes: the neighbours count for less)")
    summary = Summary()
    for source, position, stay in (("a.txt", 1, 0.96), ("a.txt", 2, 0.96), ("b.txt", 1, None)):
        st = Statement(source=source, position=position, text="Er is te weinig opvang.")
        p = Prediction("2.5", "Opvang", 2, "Problemen", 0.5, 0.7, note_stay=stay)
        summary.add(LabelRow(st, p))
    overview = summary.to_dict()
    assert overview["inputs"][0]["read_in_order"] == {"stay": 0.96, "reading": note_reading(0.96)}
    assert "read_in_order" not in overview["inputs"][1]
    assert summary_text(overview).splitlines()[1] == "  " + note_reading(0.96)
    assert summary_markdown(overview).count("Read in order as one note") == 1


def test_a_table_of_several_notes_is_batched_and_counted_note_by_note():
    """With a note column, consecutive rows with one value in it are one note (one batch read in order), and the
    overview counts the notes and says how many held their theme; an input without the column is one note."""
    from mh_nlp.io.label import LabelRow, Summary, split_notes
    from mh_nlp.io.readers import Statement
    from mh_nlp.themes.context import note_reading
    from mh_nlp.themes.prediction import Prediction

    rows = [Statement("t.csv", i, f"zin {i}", {"sessie": s}) for i, s in enumerate("aabba", start=2)]
    rows.append(Statement("n.txt", 1, "Er is te weinig opvang."))
    assert [[st.position for st in b] for b in split_notes(rows, "sessie")] == [[2, 3], [4, 5], [6], [1]]
    assert [[st.position for st in b] for b in split_notes(rows)] == [[2, 3, 4, 5, 6], [1]]
    summary = Summary(note_column="sessie")
    for st, stay in zip(rows, (0.96, 0.96, 1 / 52, 1 / 52, 0.8, 0.4)):
        summary.add(LabelRow(st, Prediction("2.5", "Opvang", 2, "Problemen", 0.5, 0.7, note_stay=stay)))
    table, note = (i["read_in_order"] for i in summary.to_dict()["inputs"])
    assert table["notes"] == 3 and table["by"] == "sessie" and table["stays"] == [0.96, round(1 / 52, 4), 0.8]
    assert table["reading"].endswith(": 2 with the theme holding, 1 statement by statement")
    assert note == {"stay": 0.4, "reading": "one statement: nothing to read in order; read on its own"}
    assert note_reading(0.4, statements=2) == note_reading(0.4) and note_reading(0.4, brief=True, statements=1) == \
        "one statement"


def test_the_brief_reading_uses_the_words_of_the_full_one():
    """QA 39: the documents table said "theme holds (0.40)" while its hover said "the theme often changes"."""
    from mh_nlp.themes.context import note_reading, notes_reading

    for stay, words in ((0.95, "theme holds"), (0.65, "theme often holds"), (0.40, "theme often changes")):
        assert note_reading(stay, brief=True) == f"{words} ({stay:.2f})"
        assert f"(the {words.replace('theme holds', 'theme mostly holds')}" in note_reading(stay)
    assert notes_reading([0.9, 0.01, 0.01], "datum", brief=True) == "3 notes by “datum”, theme holds in 1 of 3"
    assert notes_reading([0.01, 0.01], "datum", brief=True) == "2 notes by “datum”, each statement by statement"


def test_a_note_of_the_note_column_does_not_run_on_into_the_next_sheet():
    """QA 40: with --in-order --note-column vraag, sheet Utrecht's question-2 rows and sheet Zwolle's were one note,
    so one round table's rows moved the other's sections."""
    from mh_nlp.io.label import split_notes
    from mh_nlp.io.readers import Statement

    rows = [("Utrecht", "1"), ("Utrecht", "2"), ("Utrecht", "2"), ("Zwolle", "2"), ("Zwolle", "3")]
    items = [Statement("w.xlsx", i + 2, f"tekst {i}", {"sheet": sheet, "vraag": v}) for i, (sheet, v) in enumerate(rows)]
    assert [[st.position for st in note] for note in split_notes(items, "vraag")] == [[2], [3, 4], [5], [6]]
    assert [len(note) for note in split_notes(items)] == [5]  # without the column: the file is one note
    # QA 40 re-test: a workbook with a column of its own named `sheet` (the sheet's name is then not added); the
    # next sheet's rows start again from the top
    own = [Statement("w.xlsx", r, f"tekst {r}", {"sheet": "ronde", "vraag": v})
           for r, v in ((2, "1"), (3, "2"), (4, "2"), (2, "2"), (3, "3"))]
    assert [[st.position for st in note] for note in split_notes(own, "vraag")] == [[2], [3, 4], [2], [3]]
