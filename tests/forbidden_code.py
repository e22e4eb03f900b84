"""Find code that a course notebook must not run: network access, file writes,
shell escapes and subprocesses, and absolute paths.

A cell is first translated by IPython itself (so `!curl`, `%pip install` and
`%%writefile` become the calls IPython would make), then parsed as Python and
walked as a syntax tree. That is harder to slip past than a pattern over the
text, and it does not flag a name that only appears in a comment or a string.
The run-time guards (notebook_guards.py) back this up while nbval runs.
"""

import ast
import re

from IPython.core.inputtransformer2 import TransformerManager

NETWORK_MODULES = {"socket", "urllib", "urllib3", "requests", "httpx", "aiohttp", "http", "ftplib",
                   "smtplib", "telnetlib", "webbrowser", "paramiko", "websocket", "websockets"}
PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "shutil"}
PROCESS_CALLS = {"system", "popen", "spawnl", "spawnv", "spawnlp", "spawnvp", "execv", "execl", "execvp", "fork"}
# os functions, and methods of paths and figures, that create, change or delete files.
OS_FILE_CALLS = {"remove", "unlink", "rmdir", "removedirs", "rename", "renames", "replace", "mkdir",
                 "makedirs", "link", "symlink", "truncate", "chmod", "chown", "utime", "mkfifo"}
FILE_METHODS = {"write_text", "write_bytes", "touch", "symlink_to", "hardlink_to", "unlink", "rmdir",
                "mkdir", "savefig", "imsave", "to_file", "chmod"}
FILE_FUNCTIONS = {"json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump", "np.save", "np.savetxt",
                  "numpy.save", "numpy.savetxt", "np.savez", "plt.imsave"}
# pandas writers: they write a file when given a path or buffer, and return a string otherwise.
PANDAS_WRITERS = {"to_csv", "to_excel", "to_json", "to_parquet", "to_pickle", "to_html", "to_latex",
                  "to_markdown", "to_string", "to_xml", "to_feather", "to_hdf", "to_sql", "to_stata",
                  "to_clipboard", "to_orc"}
WRITER_PATH_KEYWORDS = {"path_or_buf", "buf", "excel_writer", "path", "name", "con"}
ALLOWED_MAGICS = {"matplotlib", "config", "time", "timeit"}
# /home/..., /content, ~/..., C:\\... or C:/..., \\\\server\\share (a lone "/" is not a path).
ABSOLUTE = re.compile(r"^(/[\w.-]+(/|$)|~[/\\]|[A-Za-z]:[\\/]|\\\\\w)")
URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

_translate = TransformerManager().transform_cell


def _dotted(node):
    """'a.b.c' for a Name/Attribute chain, else ''."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # get_ipython().system(...)
        inner = _dotted(node.func)
        return ".".join([inner + "()"] + list(reversed(parts))) if inner else ""
    return ""


def _write_mode(call):
    """The mode of an open(...) call if it writes, else None."""
    mode = None
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
        mode = call.args[1].value
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value.value if isinstance(keyword.value, ast.Constant) else "?"
    if mode is None:
        return None
    return mode if not isinstance(mode, str) or set(mode) & set("wax+?") else None


def forbidden_code(source):
    """A list of plain-language problems with `source` (empty when the code is allowed)."""
    try:
        python = _translate(source)
        tree = ast.parse(python)
    except SyntaxError as error:
        return [f"the cell is not valid Python ({error.msg}, line {error.lineno})"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top in NETWORK_MODULES:
                    problems.append(f"imports {name}, which can reach the network; notebooks read only files in data/")
                if top in PROCESS_MODULES:
                    problems.append(f"imports {name}, which runs programs or changes files; notebooks only read data/")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            last = name.rsplit(".", 1)[-1]
            if name.startswith("get_ipython()."):
                kind = name.split(".", 1)[1]
                magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
                if kind in ("system", "getoutput"):
                    problems.append("runs a shell command (!...); notebooks run only Python")
                elif kind in ("run_line_magic", "run_cell_magic") and magic not in ALLOWED_MAGICS:
                    problems.append(f"uses the magic %{magic}, which can install, write files or run a shell; "
                                    "notebooks only read data/")
            elif name == "open" and _write_mode(node):
                problems.append(f"opens a file for writing (mode {_write_mode(node)!r}); notebooks only read")
            elif last in PANDAS_WRITERS and (node.args or {k.arg for k in node.keywords} & WRITER_PATH_KEYWORDS):
                problems.append(f".{last}(...) with a path or buffer writes a file; call it without one to get text")
            elif (name.startswith("os.") and last in OS_FILE_CALLS) or last in FILE_METHODS or name in FILE_FUNCTIONS:
                problems.append(f"{name}(...) creates, changes or deletes a file; notebooks only read")
            elif last in PROCESS_CALLS and name.split(".")[0] == "os":
                problems.append(f"{name}(...) runs a program; notebooks run only Python")
            elif name in ("eval", "exec", "__import__", "compile"):
                problems.append(f"{name}(...) runs code the tests cannot read; write it out instead")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if URL.match(text):
                problems.append(f"names the address {text[:60]!r}; notebooks read only files in data/")
            elif ABSOLUTE.match(text) and "\n" not in text:
                problems.append(f"names the absolute path {text[:60]!r}; use a path relative to the notebook")
    return problems
