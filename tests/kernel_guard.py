"""Run-time guards inside the kernel that executes the notebooks under test.

tests/conftest.py copies this file into the IPython start-up folder of a
temporary IPYTHONDIR, so every kernel that the tests start (nbval's, and
the ones scripts/record_figure_digests.py starts) runs it before the first
cell. It does two things, and reports both through files in the folder named
by COURSE_GUARD_DIR, which the test side reads after each cell:

1. Refuses the network. Any attempt to open an internet socket or to look up
   a host name raises ConnectionRefusedError with a message that says why,
   and is written to network.log, so that a notebook that catches the error
   still fails its test. pip in a subprocess is told to use no index; the
   structure tests reject shell escapes and subprocesses outright.
2. Records what each figure draws. Just before a figure is rendered, a short
   digest of the numbers and text it shows (line data, bar sizes, point
   positions, labels, limits) is appended to figures.json. nbval does not
   compare images; the test side compares these digests with the ones stored
   in tests/figure_digests.json, so a changed value that reaches only a
   figure fails the test.
"""


def _install_course_guards():
    import hashlib
    import json
    import math
    import os
    import socket

    guard_dir = os.environ.get("COURSE_GUARD_DIR")
    if not guard_dir:
        return
    # Which environment this kernel runs in: the tests check that nbval's
    # kernels run in the slim one (tests/slim_environment.py).
    import sys

    with open(os.path.join(guard_dir, "kernel_prefix.txt"), "w", encoding="utf-8") as handle:
        handle.write(os.path.realpath(sys.prefix))

    # --- 1. No network -------------------------------------------------------
    message = (
        "The course's tests refuse network access: notebooks read only files "
        "in the repository's data/ folder. Remove the code that reaches {target}."
    )

    def refuse(target):
        with open(os.path.join(guard_dir, "network.log"), "a", encoding="utf-8") as log:
            log.write(f"{target!r}\n")
        raise ConnectionRefusedError(message.format(target=target))

    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def is_internet(sock):
        return sock.family in (socket.AF_INET, socket.AF_INET6)

    def guarded_connect(self, address):
        if is_internet(self):
            refuse(address)
        return original_connect(self, address)

    def guarded_connect_ex(self, address):
        if is_internet(self):
            refuse(address)
        return original_connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        refuse(host)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo
    socket.create_connection = lambda address, *a, **k: refuse(address)
    # A `%pip install` would reach the package index from a subprocess.
    os.environ["PIP_NO_INDEX"] = "1"

    # --- 2. Figure digests ---------------------------------------------------
    import matplotlib.backend_bases

    def number(value):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(value):
            return "nan"
        return format(value, ".6g")

    def numbers(values):
        import numpy

        try:
            array = numpy.ma.filled(numpy.ma.asarray(values, dtype=float), numpy.nan)
        except (TypeError, ValueError):
            # Dates (pandas Timestamps, datetimes) as the numbers matplotlib plots.
            import matplotlib.dates

            array = numpy.asarray(values, dtype=object).ravel()
            array = [matplotlib.dates.date2num(v) if hasattr(v, "year") else v for v in array]
            return [number(v) for v in array]
        return [number(v) for v in array.ravel()]

    def describe_axes(ax):
        parts = {
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "xlim": numbers(ax.get_xlim()),
            "ylim": numbers(ax.get_ylim()),
            "lines": [numbers(line.get_xydata()) for line in ax.get_lines()],
            "patches": [],
            "collections": [],
            "texts": [(t.get_text(), numbers(t.get_position())) for t in ax.texts],
            "images": [numbers(image.get_array()) for image in ax.get_images()],
        }
        for patch in ax.patches:
            if hasattr(patch, "get_width") and hasattr(patch, "get_xy"):
                parts["patches"].append(numbers([*patch.get_xy(), patch.get_width(), patch.get_height()]))
            else:
                vertices = patch.get_patch_transform().transform(patch.get_path().vertices)
                parts["patches"].append(numbers(vertices))
        for collection in ax.collections:
            entry = [numbers(collection.get_offsets())]
            if type(collection).__name__ in ("PolyCollection", "FillBetweenPolyCollection", "LineCollection"):
                entry.append([numbers(path.vertices) for path in collection.get_paths()])
            parts["collections"].append(entry)
        legend = ax.get_legend()
        if legend is not None:
            parts["legend"] = [text.get_text() for text in legend.get_texts()]
        return parts

    def digest(figure):
        described = {
            "suptitle": figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else "",
            "axes": [describe_axes(ax) for ax in figure.axes],
        }
        text = json.dumps(described, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    seen_this_cell = set()
    original_print_figure = matplotlib.backend_bases.FigureCanvasBase.print_figure

    def recording_print_figure(self, *args, **kwargs):
        figure = self.figure
        if id(figure) not in seen_this_cell:
            seen_this_cell.add(id(figure))
            try:
                value = digest(figure)
            except Exception as error:  # never break a student's figure
                value = f"digest failed: {type(error).__name__}: {error}"
            path = os.path.join(guard_dir, "figures.json")
            try:
                with open(path, encoding="utf-8") as handle:
                    recorded = json.load(handle)
            except (FileNotFoundError, ValueError):
                recorded = []
            recorded.append(value)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(recorded, handle)
        return original_print_figure(self, *args, **kwargs)

    matplotlib.backend_bases.FigureCanvasBase.print_figure = recording_print_figure

    shell = get_ipython()  # noqa: F821 (defined in IPython's start-up namespace)
    if shell is not None:
        shell.events.register("pre_run_cell", lambda *args: seen_this_cell.clear())


_install_course_guards()
del _install_course_guards
