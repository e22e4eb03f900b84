"""The structure tests' reader of code (forbidden_code.py) rejects every way a
cell could reach the network, write a file, run a shell or name an absolute
path that slipped past the earlier patterns, and lets ordinary pandas through."""

import pytest

from forbidden_code import forbidden_code

REJECTED = {
    "pip-magic": "%pip install requests",
    "shell-escape": "!curl -O https://example.org/data.csv",
    "shell-assignment": "files = !ls ../data",
    "sx-magic": "%sx ls",
    "bash-cell": "%%bash\nls ../data",
    "writefile-cell": "%%writefile ../data/stray.csv\na,b\n1,2\n",
    "subprocess": "import subprocess\nsubprocess.run(['ls'])",
    "os-system": "import os\nos.system('ls')",
    "open-wt": "with open(path, 'wt') as handle:\n    handle.write('x')",
    "open-mode-keyword": "open(path, mode='a')",
    "os-rename": "import os\nos.rename('a.csv', 'b.csv')",
    "to-html-file": "table.to_html('table.html')",
    "to-csv-keyword": "table.to_csv(path_or_buf='out.csv')",
    "path-write-text": "Path('x.txt').write_text('x')",
    "savefig": "fig.savefig('figure.png')",
    "urllib": "import urllib.request",
    "socket-from": "from socket import create_connection",
    "read-csv-url": "pd.read_csv('https://example.org/data.csv')",
    "colab-path": "pd.read_csv('/content/course/data/claims.csv')",
    "home-path": "pd.read_csv('~/course/data/claims.csv')",
    "windows-path": "pd.read_csv('C:\\\\Users\\\\me\\\\claims.csv')",
    "windows-single-backslash": r"pd.read_csv('C:\Users\me\claims.csv')",
    "eval": "eval('1 + 1')",
}
ALLOWED = {
    "to-html-text": "html = table.to_html()",
    "rename-columns": "table = table.rename(columns={'a': 'b'})",
    "str-replace": "label = label.replace('_', ' ')",
    "read-local": "claims = load_table('claims')",
    "matplotlib-magic": "%matplotlib inline",
    "open-read": "text = open('notes.txt', encoding='utf-8').read()",
    "slash-label": "ax.set_ylabel('launches / month')",
    "lone-slash": "parts = value.split('/')",
}


@pytest.mark.parametrize("source", REJECTED.values(), ids=REJECTED.keys())
def test_rejected(source):
    problems = forbidden_code(source)
    assert problems, f"this cell should be rejected: {source!r}"


@pytest.mark.parametrize("source", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed(source):
    assert forbidden_code(source) == [], f"ordinary code was rejected: {source!r}"
