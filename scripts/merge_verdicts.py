"""Pool a class's own verdicts into one table and one figure.

Each learner records verdicts in a file of their own, my_verdicts.csv
(notebooks/my_verdicts.py writes it; book/how_to_use.md says how). Collect the
files, name each after its learner (a pseudonym keeps the table anonymous),
and run:

    .venv/bin/python scripts/merge_verdicts.py alice.csv bob.csv ... \\
        --out class_verdicts.csv --figure class_verdicts.png

To compare the votes before and after a debate, tag each round with --label
and write both rounds into the same table; the figure then shows the two
rounds side by side, claim by claim:

    .venv/bin/python scripts/merge_verdicts.py before/*.csv --label before --out class_verdicts.csv
    .venv/bin/python scripts/merge_verdicts.py after/*.csv --label after \\
        --out class_verdicts.csv --figure class_verdicts.png

With --label, the rows of other rounds already in --out are kept and those of
this round replaced (so a round can be merged again); without it, --out is
written afresh. Every file is checked row by row against the claims register
first; if any is malformed, each problem is printed as "<file>, row N: what is
wrong" (row 1 is the header) and nothing is written.

The class table has one row per learner and claim: round, learner, claim_id,
verdict, confidence, recorded_at. A learner is named by the file: alice.csv is
"alice", and so is alice/my_verdicts.csv (the file's default name), so that the
same learner is matched across rounds; two files that name the same learner in
one round are refused.
"""

from pathlib import Path
import argparse
import csv
import sys

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "notebooks"))

import pandas as pd  # noqa: E402

from course_data import CourseDataError, load_table  # noqa: E402
from my_verdicts import COLUMNS, FILE_NAME, MyVerdictsError, read_verdicts_file, vocabulary  # noqa: E402

CLASS_COLUMNS = ["round", "learner"] + COLUMNS
# Okabe-Ito colours, one per verdict, as in chapter 11's figures.
VERDICT_COLOURS = {
    "supported": "#009E73",
    "partly supported": "#56B4E9",
    "contested": "#E69F00",
    "not supported": "#D55E00",
    "inaccurate": "#CC79A7",
    "premises weighed": "#BBBBBB",
}


class MergeError(Exception):
    """Something the instructor can fix: the message says what and where."""


def learner_name(path):
    """alice.csv is 'alice'; alice/my_verdicts.csv (a learner's file under its default name) is 'alice'."""
    path = Path(path)
    if path.stem == FILE_NAME.removesuffix(".csv") and path.resolve().parent.name:
        return path.resolve().parent.name
    return path.stem


def read_learners(paths, label=""):
    """The class table of the given learners' files, for one round; MergeError lists every bad file."""
    problems, tables, seen, names = [], [], {}, {}
    for path in paths:
        key = Path(path).resolve()
        if key in seen:
            problems.append(f"{path}: named twice (also as {seen[key]}); give each learner's file once.")
            continue
        seen[key] = path
        name = learner_name(path)
        if name in names:
            problems.append(f"{path}: names the same learner, {name!r}, as {names[name]}; rename one of them.")
            continue
        names[name] = path
        try:
            table = read_verdicts_file(path, shown=str(path))
        except MyVerdictsError as error:
            problems.append(str(error))
            continue
        if table.empty:
            print(f"{path}: no verdicts recorded yet; this learner adds nothing.", file=sys.stderr)
        tables.append(table.assign(round=label, learner=name))
    if problems:
        raise MergeError("\n".join(problems))
    if not tables:
        return pd.DataFrame(columns=CLASS_COLUMNS)
    return pd.concat(tables, ignore_index=True)[CLASS_COLUMNS]


def read_class_table(path):
    """A class table this script wrote before (every column as text)."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise MergeError(f"{path}: cannot be read as a class table ({type(error).__name__}); "
                         "choose another --out, or delete it to start afresh.") from None
    if list(table.columns) != CLASS_COLUMNS:
        raise MergeError(f"{path}: has the columns {', '.join(map(str, table.columns))}, not those of a class "
                         f"table ({', '.join(CLASS_COLUMNS)}); choose another --out, or delete it to start afresh.")
    return table


def merge(paths, out, label=None):
    """The class table for `paths` (as one round, `label`), with other rounds kept from `out`."""
    table = read_learners(paths, label or "")
    if label and Path(out).exists():
        earlier = read_class_table(out)
        table = pd.concat([earlier[earlier["round"] != label], table], ignore_index=True)
    return table


def write_table(table, out):
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CLASS_COLUMNS)
        writer.writerows(table[CLASS_COLUMNS].itertuples(index=False))


def counts(table):
    """Learners per claim, round and verdict, with the course's verdict: one row per claim and round."""
    claims = load_table("claims").set_index("claim_id")
    testable, normative, _ = vocabulary()
    # The course's words, in the order of chapter 11's figures.
    verdicts = sorted(testable + normative, key=lambda v: list(VERDICT_COLOURS).index(v) if v in VERDICT_COLOURS else 99)
    rounds = list(dict.fromkeys(table["round"]))
    grid = (table.groupby(["claim_id", "round"])["verdict"].value_counts().unstack(fill_value=0)
            .reindex(columns=verdicts, fill_value=0))
    grid = grid.reset_index()
    grid["round_order"] = grid["round"].map(rounds.index)
    grid = grid.sort_values(["claim_id", "round_order"]).drop(columns="round_order")
    grid["learners"] = grid[verdicts].sum(axis=1)
    grid["course"] = grid["claim_id"].map(claims["verdict"])
    grid["short_label"] = grid["claim_id"].map(claims["short_label"])
    grid["agree_with_course"] = [row[row["course"]] for _, row in grid.iterrows()]
    return grid.reset_index(drop=True), verdicts


def draw(table):
    """One horizontal stacked bar per claim and round: how many learners gave each verdict."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid, verdicts = counts(table)
    used = [v for v in verdicts if grid[v].sum() > 0]
    labelled_rounds = (grid["round"] != "").any()
    fig, ax = plt.subplots(figsize=(10, 1.6 + 0.36 * len(grid)))
    y_labels = []
    for y, row in grid.iterrows():
        left = 0
        for verdict in used:
            if row[verdict]:
                ax.barh(y, row[verdict], left=left, color=VERDICT_COLOURS.get(verdict, "#999999"),
                        edgecolor="#333333", height=0.7, label=verdict)
                ax.text(left + row[verdict] / 2, y, str(row[verdict]), ha="center", va="center", fontsize=8)
                left += row[verdict]
        ax.text(left + 0.15, y, f"course: {row['course']}", va="center", fontsize=8)
        first_of_claim = y == 0 or grid.loc[y - 1, "claim_id"] != row["claim_id"]
        name = f"{row['claim_id']} {row['short_label']}" if first_of_claim else ""
        y_labels.append(f"{name}  ({row['round']})" if labelled_rounds else name)
    ax.set_yticks(range(len(grid)), y_labels, fontsize=8)
    ax.set_ylim(len(grid) - 0.5, -0.5)
    ax.set_xlim(0, grid["learners"].max() * 1.45 + 1)
    ax.set_xlabel("Number of learners")
    handles = {label: handle for handle, label in zip(*ax.get_legend_handles_labels())}
    ax.legend([handles[v] for v in used if v in handles], [v for v in used if v in handles],
              title="Learners' verdict", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    learners = table.groupby("round", sort=False)["learner"].nunique()
    who = "; ".join(f"{r or 'all'}: {n} learners" for r, n in learners.items())
    ax.set_title(f"The class's verdicts, claim by claim ({who})", loc="left")
    fig.text(0.01, 0.01, "Sources: the learners' my_verdicts.csv files; the course's verdicts from data/claims.csv",
             fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def summary(table):
    """Lines for the terminal: per claim and round, how many learners share the course's verdict."""
    grid, _ = counts(table)
    lines = []
    for claim_id, rows in grid.groupby("claim_id", sort=False):
        parts = [f"{(r['round'] + ' ') if r['round'] else ''}{r['agree_with_course']} of {r['learners']}"
                 for _, r in rows.iterrows()]
        lines.append(f"{claim_id} {rows['short_label'].iloc[0]} (course: {rows['course'].iloc[0]}): "
                     f"{', '.join(parts)} learners share the course's verdict")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("files", nargs="+", type=Path, help="the learners' verdicts files (my_verdicts.csv)")
    parser.add_argument("--out", type=Path, required=True, help="the class table to write (CSV)")
    parser.add_argument("--figure", type=Path, help="also draw the class's verdicts into this image (PNG, SVG, PDF)")
    parser.add_argument("--label", help="the round these files belong to, such as before or after a debate")
    args = parser.parse_args(argv)
    if args.label is not None and not args.label.strip():
        parser.error("--label needs a name, such as before or after")
    label = args.label.strip() if args.label else None
    try:
        table = merge(args.files, args.out, label)
        if table.empty:
            raise MergeError("None of the files holds a verdict yet; nothing to pool.")
        figure = draw(table) if args.figure else None
        write_table(table, args.out)
        if figure is not None:
            figure.savefig(args.figure, dpi=150, facecolor="white")
    except (MergeError, CourseDataError, MyVerdictsError) as error:
        sys.exit(f"{error}\nNothing was written.")
    rounds = ", ".join(f"'{r}'" for r in dict.fromkeys(table["round"]) if r)
    print(f"{args.out}: {len(table)} verdicts from {table['learner'].nunique()} learners"
          + (f" (rounds {rounds})" if rounds else "") + ".")
    for line in summary(table):
        print(f"  {line}")
    if args.figure:
        print(f"{args.figure}: the figure.")


if __name__ == "__main__":
    main()
