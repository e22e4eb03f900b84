"""A real JupyterHub, as a class would use it: the book's JupyterHub button, nbgitpuller, two students.

The test starts JupyterHub (pinned in requirements.txt) with configurable-http-proxy
(pinned from npm by tests/hub_proxy/package-lock.json, installed with `npm ci` into
_build/vendor/chp) on 127.0.0.1, with the dummy authenticator (one shared password)
and a local process spawner; every bit of the hub's state (database, cookie secret,
proxy token, students' homes) lives in a temporary folder. The course is served
from a bare clone of this repository's HEAD over file://, under the repository's
name, so that the link is exactly the one the book's button makes (the same code,
sphinx-book-theme's, builds it here) with only the repository address swapped.

Two students log in with the login form and open the link. Each must get their
own copy with notebooks/ and data/; a chapter then runs through the student's
server, cell by cell, over the kernel REST and websocket API, in the pulled
notebooks/ folder. After an upstream commit and the students' own edits, a second
click must merge the two (nbgitpuller's promise: upstream changes arrive, the
student's edits are kept). Everything the test started is stopped and checked to
be gone. It writes what it measured (time from opening the link to a running
kernel; peak memory of the kernel and of the student's whole server) to
_build/jupyterhub_test/measurements.json; book/instructor/hub_recipes.md quotes it.

Needs git, npm and the registry (first run only); skips without them on a
developer's machine, fails in CI.
"""

import datetime
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
import yaml

from conftest import IN_CI, REPO_ROOT, cell_text, find_tool, read_notebook, skip_or_fail

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from enable_launch_buttons import enable  # noqa: E402

PROXY_LOCK = REPO_ROOT / "tests" / "hub_proxy"
PROXY_DIR = REPO_ROOT / "_build" / "vendor" / "chp"
MEASUREMENTS = REPO_ROOT / "_build" / "jupyterhub_test" / "measurements.json"
# The name the course is published under; the button's urlpath starts with it.
PUBLISHED = "https://github.com/example-university/korean-peninsula-course"
COURSE_NAME = PUBLISHED.rsplit("/", 1)[-1]
# One chapter per student: 05 and 03 are the heaviest in memory (see the recipe page).
CHAPTERS = {"alice": "05_drills_and_defence", "bob": "03_nuclear_and_missiles"}
PASSWORD = "course-" + secrets.token_hex(8)
CELL_TIMEOUT = 300


def requirement_pin(name):
    for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.split("==")[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


# --- the link the book's JupyterHub button makes -------------------------------------------

def book_launch_links(hub_url, repository=PUBLISHED, page="notebooks/05_drills_and_defence"):
    """The launch buttons of one chapter page, from sphinx-book-theme's own code, with
    _config.yml as the publishing workflow leaves it (scripts/enable_launch_buttons.py)."""
    from jupyter_book.config import get_final_config
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    config_text = enable((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"), repository, hub=hub_url)
    final, _ = get_final_config(user_yaml=yaml.safe_load(config_text),
                                cli_config={"latex_individualpages": False}, sourcedir=REPO_ROOT)

    class Config(SimpleNamespace):
        def __getitem__(self, key):
            return getattr(self, key)

    app = SimpleNamespace(
        builder=None,
        config=Config(html_theme_options=final["html_theme_options"], html_context={}),
        env=SimpleNamespace(doc2path=lambda name: str(REPO_ROOT / f"{name}.ipynb"),
                            metadata={page: {"kernelspec": {"name": "python3"}}}),
    )
    update_context_with_repository_info(app)
    context = dict(app.config.html_context, pagename=page, header_buttons=[],
                   sourcename=f"{page}.ipynb", page_source_suffix=".ipynb")
    add_launch_buttons(app, page, "page.html", context, None)
    groups = [group for group in context["header_buttons"] if group.get("label") == "launch-buttons"]
    assert groups, "the book makes no launch buttons with the workflow's settings"
    return {button["text"]: button["url"] for button in groups[0]["buttons"]}


def test_the_guide_gives_the_links_the_book_makes():
    """The guide states the hub and Binder link formats; they must be what the buttons make."""
    links = book_launch_links("https://hub.example.edu")
    hub = urlsplit(links["JupyterHub"])
    assert hub.path == "/hub/user-redirect/git-pull"
    query = parse_qs(hub.query)
    assert query == {"repo": [PUBLISHED], "branch": ["main"],
                     "urlpath": [f"lab/tree/{COURSE_NAME}/notebooks/05_drills_and_defence.ipynb"]}
    guide = (REPO_ROOT / "book" / "instructor" / "guide.md").read_text(encoding="utf-8")
    # The guide's example link, filled in with this repository and chapter 5, is the button's link.
    example = re.search(r"```text\n(https://<hub>/hub/user-redirect/git-pull\?[^\n]+)\n```", guide)
    assert example, "the guide does not give the JupyterHub link format in a text block"
    filled = (example.group(1).replace("https://<hub>", "https://hub.example.edu")
              .replace("<repo-url>", PUBLISHED.replace("https://", "https%3A//"))
              .replace("<repo-name>", COURSE_NAME).replace("<branch>", "main")
              .replace("<chapter>", "05_drills_and_defence"))
    assert filled == links["JupyterHub"], f"guide: {filled}\nbook:  {links['JupyterHub']}"
    recipes = (REPO_ROOT / "book" / "instructor" / "hub_recipes.md").read_text(encoding="utf-8")
    example = re.search(r"```text\n(https://<hub>/hub/user-redirect/git-pull\?[^\n]+)\n```", recipes)
    assert example, "the hub recipes do not give the course's link in a text block"
    filled = (example.group(1).replace("https://<hub>", "https://hub.example.edu")
              .replace("<owner>", "example-university").replace("<repo-name>", COURSE_NAME)
              .replace("<chapter>", "05_drills_and_defence"))
    assert filled == links["JupyterHub"], f"recipes: {filled}\nbook:    {links['JupyterHub']}"
    binder = re.search(r"```text\n(https://mybinder.org/v2/gh/<owner>/<repo-name>/<branch>\?urlpath=[^\n]+)\n```", guide)
    assert binder, "the guide does not give the Binder link format"
    filled = (binder.group(1).replace("<owner>", "example-university").replace("<repo-name>", COURSE_NAME)
              .replace("<branch>", "main").replace("<chapter>", "05_drills_and_defence"))
    assert filled == links["Binder"], f"guide: {filled}\nbook:  {links['Binder']}"


# --- helpers ----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_proxy():
    """configurable-http-proxy from the committed lock, with `npm ci` (which checks every
    package's integrity against the lock), once into _build/vendor/chp."""
    version = json.loads((PROXY_LOCK / "package-lock.json").read_text())["packages"][
        "node_modules/configurable-http-proxy"]["version"]
    binary = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    installed = PROXY_DIR / "node_modules" / "configurable-http-proxy" / "package.json"
    lock_copy = PROXY_DIR / "package-lock.json"
    if not (binary.exists() and installed.exists() and lock_copy.exists()
            and lock_copy.read_bytes() == (PROXY_LOCK / "package-lock.json").read_bytes()):
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            skip_or_fail("Node.js and npm are needed for configurable-http-proxy (.ci/run installs them)")
        PROXY_DIR.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(PROXY_LOCK / name, PROXY_DIR / name)
        result = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=PROXY_DIR,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"npm ci of configurable-http-proxy failed:\n{result.stderr[-3000:]}"
    assert json.loads(installed.read_text())["version"] == version
    return binary


def git(*args, cwd):
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def vm_hwm_mib(pid):
    """The kernel's own peak resident memory (Linux VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


class Hub:
    def __init__(self, root, proxy):
        import psutil
        self.psutil = psutil
        self.root = root
        self.port, self.api_port, self.hub_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        singleuser = find_tool("jupyterhub-singleuser")
        assert singleuser, "jupyterhub-singleuser is not installed with this Python"
        args = ["--allow-root"] if os.geteuid() == 0 else []
        config = f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]
c.ConfigurableHTTPProxy.auth_token = {secrets.token_hex(32)!r}
c.JupyterHub.db_url = "sqlite:///{root / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(root / 'jupyterhub_cookie_secret')!r}
c.JupyterHub.pid_file = {str(root / 'jupyterhub.pid')!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(CHAPTERS)!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(root / 'home' / '{username}')!r}
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.services = [{{"name": "course-test", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "course-test", "services": ["course-test"],
                             "scopes": ["admin:users", "admin:servers", "tokens"]}}]
"""
        (root / "jupyterhub_config.py").write_text(config, encoding="utf-8")
        self.log = open(root / "jupyterhub.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(root / "jupyterhub_config.py")],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.seen = set()   # every process the hub started, for the stray-process check

    def log_tail(self):
        self.log.flush()
        return (self.root / "jupyterhub.log").read_text(errors="replace")[-4000:]

    def api(self, method, path, **kwargs):
        import requests
        response = requests.request(method, f"{self.url}/hub/api{path}",
                                    headers={"Authorization": f"token {self.token}"}, timeout=30, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.text else None

    def wait_up(self):
        import requests
        deadline = time.time() + 90
        while time.time() < deadline:
            assert self.process.poll() is None, f"JupyterHub exited:\n{self.log_tail()}"
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"JupyterHub did not answer within 90 s:\n{self.log_tail()}")

    def descendants(self):
        try:
            found = self.psutil.Process(self.process.pid).children(recursive=True)
        except self.psutil.NoSuchProcess:
            return []
        self.seen.update((p.pid, p.create_time()) for p in found)
        return found

    def user_server(self, name):
        for proc in self.descendants():
            try:
                if proc.environ().get("JUPYTERHUB_USER") == name and "singleuser" in " ".join(proc.cmdline()):
                    return proc
            except self.psutil.Error:
                continue
        raise AssertionError(f"no single-user server process for {name}")

    def stop(self):
        """Stop the hub as an administrator would (SIGTERM); it stops the servers and the proxy.
        Returns the processes it started that are still alive (and then kills them)."""
        self.descendants()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        deadline, alive = time.time() + 20, []
        while time.time() < deadline:
            alive = []
            for pid, created in self.seen:
                try:
                    proc = self.psutil.Process(pid)
                    if proc.create_time() == created and proc.status() != self.psutil.STATUS_ZOMBIE:
                        alive.append(proc)
                except self.psutil.NoSuchProcess:
                    pass
            if not alive:
                break
            time.sleep(0.5)
        described = [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in alive]
        for proc in alive:
            proc.kill()
        return described


class Student:
    """A browser, reduced to what matters: cookies, redirects, and what the pages' JavaScript does."""

    def __init__(self, hub, name):
        import requests
        self.hub, self.name = hub, name
        self.http = requests.Session()
        self.base = f"{hub.url}/user/{name}/"
        self.token = None

    def log_in(self):
        page = self.http.get(f"{self.hub.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        data = {"username": self.name, "password": PASSWORD}
        if xsrf:
            data["_xsrf"] = unescape(xsrf.group(1))
        wrong = self.http.post(f"{self.hub.url}/hub/login?next=", data=dict(data, password="wrong"),
                               allow_redirects=False, timeout=30)
        assert wrong.status_code == 403, "the hub let a student in with the wrong password"
        answer = self.http.post(f"{self.hub.url}/hub/login?next=", data=data, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, f"log-in failed for {self.name}: {answer.status_code}"
        assert any(c.name.startswith("jupyterhub-session") or c.name == "jupyterhub-hub-login"
                   for c in self.http.cookies)

    def open_link(self, link):
        """Open the link as a browser would: follow redirects, wait on the spawn page as its
        script does, then run the nbgitpuller page's script (its event stream) and land."""
        opened = time.time()
        response = self.http.get(link, timeout=60)
        deadline = time.time() + 180
        while "/spawn-pending/" in response.url or "/hub/spawn/" in response.url:
            assert time.time() < deadline, f"{self.name}'s server did not start:\n{self.hub.log_tail()}"
            server = self.hub.api("GET", f"/users/{self.name}")["servers"].get("", {})
            if server.get("ready"):
                response = self.http.get(link, timeout=60)
            else:
                time.sleep(0.5)
        assert response.status_code == 200, f"{response.status_code} at {response.url}"
        server_ready = time.time()
        assert urlsplit(response.url).path == f"/user/{self.name}/git-pull", (
            f"the link did not reach {self.name}'s own nbgitpuller page but {response.url}")
        body = re.search(r"<body([^>]*)>", response.text, re.S)
        assert body, "nbgitpuller's page has no body"
        data = {key: unquote(unescape(value)) for key, value in re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1))}
        params = {"_xsrf": data["xsrf"], "repo": data["repo"], "targetpath": data["targetpath"]}
        for key in ("depth", "branch", "backup"):
            if key in data:
                params[key] = data[key]
        events = []
        with self.http.get(f"{self.hub.url}{data['base-url']}git-pull/api?{urlencode(params)}",
                           stream=True, timeout=300) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("phase") in ("finished", "error"):
                        break
        assert events and events[-1]["phase"] == "finished", (
            f"nbgitpuller did not finish for {self.name}: {events[-1] if events else 'no events'}")
        pulled = time.time()
        landing = self.http.get(f"{self.hub.url}{data['base-url']}{data['path']}", timeout=60)
        assert landing.status_code == 200, f"landing page {landing.url}: {landing.status_code}"
        data["timings"] = {"spawn_and_log_in_seconds": round(server_ready - opened, 2),
                           "pull_seconds": round(pulled - server_ready, 2)}
        return data

    def api(self, method, path, **kwargs):
        import requests
        if self.token is None:
            self.token = self.hub.api("POST", f"/users/{self.name}/tokens",
                                      json={"note": "course test", "expires_in": 3600})["token"]
        response = requests.request(method, f"{self.base}api/{path}",
                                    headers={"Authorization": f"token {self.token}"}, timeout=60, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.text else None


class Peak(threading.Thread):
    """Samples the resident memory of the kernel and of the server's whole process tree."""

    def __init__(self, server, kernel):
        super().__init__(daemon=True)
        self.server, self.kernel = server, kernel
        self.tree_mib = self.kernel_mib = 0.0
        self.running = True

    def run(self):
        import psutil
        while self.running:
            try:
                procs = [self.server] + self.server.children(recursive=True)
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.tree_mib = max(self.tree_mib, total / 2**20)
                self.kernel_mib = max(self.kernel_mib, self.kernel.memory_info().rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.1)


def kernel_process(server, kernel_id):
    for proc in server.children(recursive=True):
        if kernel_id in " ".join(proc.cmdline()):
            return proc
    raise AssertionError(f"kernel {kernel_id} is not a child of the student's server")


def run_notebook(student, notebook_path, on_kernel_ready):
    """Open a session on the notebook (the kernel starts in its folder), then send every code
    cell as an execute_request over the kernel's websocket; any error reply fails."""
    import websocket
    session = student.api("POST", "sessions", json={"path": notebook_path, "name": Path(notebook_path).name,
                                                    "type": "notebook", "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    ws_url = f"ws://127.0.0.1:{student.hub.port}/user/{student.name}/api/kernels/{kernel_id}/channels"
    connection = websocket.create_connection(f"{ws_url}?session_id={uuid.uuid4().hex}",
                                             header=[f"Authorization: token {student.token}"], timeout=CELL_TIMEOUT)
    session_id = uuid.uuid4().hex

    def request(msg_type, content):
        msg_id = uuid.uuid4().hex
        connection.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": student.name, "session": session_id,
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}))
        errors = []
        while True:
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "error":
                errors.append(f"{message['content']['ename']}: {message['content']['evalue']}")
            if message["channel"] == "shell" and message["msg_type"].endswith("_reply"):
                return message["content"], errors

    try:
        reply, _ = request("kernel_info_request", {})
        assert reply["status"] == "ok"
        ready = on_kernel_ready(kernel_id)
        started = time.time()
        notebook = read_notebook(student.hub.root / "home" / student.name / notebook_path)
        failures = []
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            reply, errors = request("execute_request", {
                "code": cell_text(cell), "silent": False, "store_history": True,
                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
            if reply["status"] != "ok" or errors:
                failures.append(f"cell {index}: {reply.get('ename')}: {reply.get('evalue')} {errors}")
                break
        cwd, _ = request("execute_request", {"code": "import os; print(os.getcwd())", "silent": False,
                                             "store_history": False, "user_expressions":
                                             {"cwd": "os.getcwd()"}, "allow_stdin": False})
        return {"kernel_id": kernel_id, "failures": failures, "seconds": time.time() - started,
                "cwd": cwd["user_expressions"]["cwd"]["data"]["text/plain"].strip("'\""), **ready}
    finally:
        connection.close()


# --- the test ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        import jupyterhub  # noqa: F401
        import nbgitpuller  # noqa: F401
        import psutil  # noqa: F401
        import requests  # noqa: F401
        import websocket  # noqa: F401
    except ImportError as missing:
        skip_or_fail(f"{missing.name} is not installed (pip install -r requirements.txt)")
    if shutil.which("git") is None:
        skip_or_fail("git is needed to serve the course to the hub")
    assert jupyterhub.__version__ == requirement_pin("jupyterhub")
    assert nbgitpuller.__version__ == requirement_pin("nbgitpuller")
    proxy = install_proxy()
    root = tmp_path_factory.mktemp("hub")
    (root / "home").mkdir()
    started = Hub(root, proxy)
    try:
        started.wait_up()
        yield started
    finally:
        strays = started.stop()
        assert not strays, f"processes the hub started were still running after it stopped: {strays}"


def test_a_class_on_jupyterhub(hub, tmp_path):
    import psutil

    # The course, served over file:// under its published name (a bare repository of HEAD, on main).
    upstream = tmp_path / "upstream" / COURSE_NAME
    upstream.mkdir(parents=True)
    git("init", "--bare", "--initial-branch=main", ".", cwd=upstream)
    git("config", "receive.shallowUpdate", "true", cwd=upstream)   # CI's checkout may be shallow
    git("push", "--quiet", str(upstream), "HEAD:refs/heads/main", cwd=REPO_ROOT)
    tracked = set(git("ls-tree", "-r", "--name-only", "main", cwd=upstream).splitlines())

    links = book_launch_links(hub.url)
    button = links["JupyterHub"]
    assert button.startswith(f"{hub.url}/hub/user-redirect/git-pull?repo=https%3A//github.com/")
    # Only the repository address changes: the local clone instead of GitHub.
    link = button.replace("repo=" + PUBLISHED.replace("https://", "https%3A//"),
                          "repo=" + urlencode({"": upstream.as_uri()}, safe="/")[1:])
    assert link != button and "branch=main" in link

    measured = {}
    students = {}
    for name, chapter in CHAPTERS.items():
        student = students[name] = Student(hub, name)
        student.log_in()
        opened = time.time()
        landed = student.open_link(link)
        assert landed["path"].startswith(f"lab/tree/{COURSE_NAME}/notebooks/")
        # The page the link lands on is the chapter itself, in the student's own copy.
        target = student.api("GET", f"contents/{landed['path'].removeprefix('lab/tree/')}?content=0")
        assert target["type"] == "notebook" and target["path"] == f"{COURSE_NAME}/notebooks/05_drills_and_defence.ipynb"
        copy = hub.root / "home" / name / COURSE_NAME
        assert (copy / ".git").is_dir(), f"{name} has no copy of the course at {copy}"
        for folder in ("notebooks", "data"):
            files = {str(p.relative_to(copy)) for p in (copy / folder).rglob("*") if p.is_file()}
            expected = {path for path in tracked if path.startswith(folder + "/")}
            assert expected and expected <= files, f"{name}'s copy lacks {sorted(expected - files)[:5]}"
        server = hub.user_server(name)
        assert Path(server.cwd()) == hub.root / "home" / name

        def on_kernel_ready(kernel_id, opened=opened, server=server):
            ready = {"link_to_kernel_seconds": round(time.time() - opened, 2)}
            peak = Peak(server, kernel_process(server, kernel_id))
            peak.start()
            ready["peak"] = peak
            return ready

        result = run_notebook(student, f"{COURSE_NAME}/notebooks/{chapter}.ipynb", on_kernel_ready)
        peak = result.pop("peak")
        kernel = kernel_process(server, result["kernel_id"])
        hwm = vm_hwm_mib(kernel.pid)
        cpu = kernel.cpu_times()
        peak.running = False
        peak.join()
        assert not result["failures"], f"chapter {chapter} failed on {name}'s server: {result['failures']}"
        assert Path(result["cwd"]) == copy / "notebooks", "the kernel did not run in the pulled notebooks/ folder"
        measured[name] = {
            "chapter": chapter,
            "link_to_kernel_seconds": result["link_to_kernel_seconds"],
            **landed["timings"],
            "chapter_run_seconds": round(result["seconds"], 1),
            "kernel_cpu_seconds": round(cpu.user + cpu.system, 1),
            "kernel_peak_rss_mib": round(hwm if hwm is not None else peak.kernel_mib, 1),
            "kernel_peak_rss_sampled_mib": round(peak.kernel_mib, 1),
            "server_tree_peak_rss_mib": round(peak.tree_mib, 1),
        }

    # Each student has their own copy: an edit in one is not in the other.
    alice, bob = students["alice"], students["bob"]
    mine = "notebooks/05_drills_and_defence.ipynb"
    notebook = alice.api("GET", f"contents/{COURSE_NAME}/{mine}?content=1")["content"]
    notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "Alice's note: drills, check 2016."})
    alice.api("PUT", f"contents/{COURSE_NAME}/{mine}",
              json={"type": "notebook", "format": "json", "content": notebook})
    readme = alice.api("GET", f"contents/{COURSE_NAME}/README.md?content=1&format=text&type=file")["content"]
    alice.api("PUT", f"contents/{COURSE_NAME}/README.md",
              json={"type": "file", "format": "text", "content": readme + "\nAlice's own line.\n"})
    assert "Alice's note" not in (hub.root / "home" / "bob" / COURSE_NAME / mine).read_text()

    # The instructor corrects the course upstream: a changed chapter, a new file, and README.md,
    # which Alice has edited too.
    work = tmp_path / "instructor"
    git("clone", "--quiet", upstream.as_uri(), str(work), cwd=tmp_path)
    chapter3 = work / "notebooks" / "03_nuclear_and_missiles.ipynb"
    nb = json.loads(chapter3.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["Correction from the instructor."]})
    chapter3.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (work / "notebooks" / "errata.md").write_text("# Errata\n\nWeek 3: a corrected date.\n", encoding="utf-8")
    with open(work / "README.md", "a", encoding="utf-8") as handle:
        handle.write("\nThe instructor's line.\n")
    git("add", "-A", cwd=work)
    git("-c", "user.name=Instructor", "-c", "user.email=instructor@example.edu",
        "commit", "--quiet", "-m", "Errata for week 3", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)

    # Alice clicks the same link again.
    alice.open_link(link)
    copy = hub.root / "home" / "alice" / COURSE_NAME
    assert (copy / "notebooks" / "errata.md").exists(), "the upstream file did not arrive"
    assert "Correction from the instructor." in (copy / "notebooks" / "03_nuclear_and_missiles.ipynb").read_text()
    assert "Alice's note: drills, check 2016." in (copy / mine).read_text(), "the second pull lost Alice's edit"
    assert "Alice's own line." in (copy / "README.md").read_text(), (
        "where Alice and the instructor changed the same file, the pull overwrote her edit")
    json.loads((copy / mine).read_text())   # still a notebook, not a file with conflict markers
    assert "<<<<<<<" not in (copy / "README.md").read_text()
    # Bob, who changed nothing, gets everything.
    bob.open_link(link)
    bob_copy = hub.root / "home" / "bob" / COURSE_NAME
    assert "The instructor's line." in (bob_copy / "README.md").read_text()
    assert (bob_copy / "notebooks" / "errata.md").exists()

    # The whole server of each student, after the chapter: for the recipe's per-user figures.
    for name in CHAPTERS:
        server = hub.user_server(name)
        tree = [server] + server.children(recursive=True)
        measured[name]["server_tree_rss_after_mib"] = round(
            sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20, 1)
        copy = hub.root / "home" / name / COURSE_NAME
        measured[name]["course_copy_mib"] = round(
            sum(p.stat().st_size for p in copy.rglob("*") if p.is_file()) / 2**20, 1)
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    MEASUREMENTS.write_text(json.dumps({
        "measured": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "how": ("tests/test_jupyterhub.py: JupyterHub with SimpleLocalProcessSpawner on 127.0.0.1; "
                "link_to_kernel_seconds from the GET of the nbgitpuller link (server not yet started) "
                "to the kernel's kernel_info_reply (spawn_and_log_in_seconds and pull_seconds are parts of it); "
                "kernel_cpu_seconds is the kernel's user+system CPU time at the end of the chapter; kernel_peak_rss_mib is the kernel's VmHWM after "
                "running every code cell of the chapter; server_tree_peak_rss_mib is the largest sum "
                "of RSS over the single-user server and all its children, sampled every 0.1 s"),
        "jupyterhub": requirement_pin("jupyterhub"), "nbgitpuller": requirement_pin("nbgitpuller"),
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2), "in_ci": IN_CI,
        "users": measured,
    }, indent=2) + "\n", encoding="utf-8")
    assert psutil.Process(hub.process.pid).is_running()
