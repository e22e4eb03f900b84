# Two commands do everything (see README.md):
#   make book   set up the environment (first time only) and build the book
#   make test   set up the environment (first time only) and run every test
# Others:
#   make student     student edition: book and notebooks without solutions
#   make pdf         PDF edition (needs XeLaTeX and the Noto CJK fonts)
#   make benchmark   build times, chain execution time and page weights
#   make slides      seminar kit: slides for each session and chapter summaries (_build/session_kit/)
#   make assignments graded assignments with otter: student notebooks, solutions, autograders (_build/assignments/)
#   make instructor  instructor material, never published: assignments and the built book (_build/instructor/)
#   make data-check  validate data/ alone
#   make lab         open the notebooks in JupyterLab
# The environment is a virtual environment in .venv, so nothing is installed
# into the system's Python.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements

.PHONY: book test setup lab data-check student pdf benchmark clean slides assignments instructor

# After the build, check that every image the pages show exists and that no
# figure of the notebooks is missing (an incremental build after _build/html/_images
# was deleted succeeds without them).
book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	$(BIN)/python scripts/check_built_book.py _build/html
	@echo "The book is in _build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest

setup: $(STAMP)

# Validate data/ alone (make test does this too), naming table, row and column.
data-check: $(STAMP)
	$(BIN)/python data/scripts/validate_data.py

student: $(STAMP)
	$(BIN)/python scripts/student_edition.py

pdf: $(STAMP)
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "The PDF is _build/latex/korean-peninsula-course.pdf"

benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py

# Slides for each session of the six-session plan and a one-page summary of each
# chapter, generated from the notebooks and data/claims.csv (reveal.js is fetched
# once with npm into _build/vendor/; the slides then work offline).
slides: $(STAMP)
	$(BIN)/python scripts/session_kit.py

# The graded seminar assignments, from the otter master notebooks in
# book/instructor/assignments/ (otter also grades each solution notebook).
assignments: $(STAMP)
	$(BIN)/python scripts/build_assignments.py build

# Everything an instructor needs, in one folder to keep private (solutions and
# hidden tests; with a copy of _build/html if `make book` has built it).
instructor: $(STAMP)
	$(BIN)/python scripts/build_assignments.py instructor

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Re-run the installation whenever requirements.txt changes.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0] + ". Run: make PYTHON=python3.12 (or another 3.11+ interpreter).")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian or Ubuntu, install it with: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	@touch $(STAMP)

clean:
	rm -rf _build
