"""``python -m hearth_worker [file.py:function]``: load a handler from the current directory and serve it.

The argument defaults to $HEARTH_HANDLER. Importing the file, then its ``setup()`` if it defines one (or the function
$HEARTH_SETUP names, ``file.py:function``), is the worker's one-time initialisation (load models there); if either
raises, the control plane is told (``ping?status=unhealthy&check=import`` or ``check=setup``) and the process exits 1.

With $HEARTH_PREINIT_WAIT set (``scaling.preinit``), the process then waits, holding no GPU, until the control plane
hands it its GPUs (see ``_preinit``).

A handler that names a class is a Cog predictor: one instance is made, its ``setup()`` run, and each job calls
its ``predict(**input)`` (see ``_cog``).

Without the control plane's variables, ``--test-input '{"input": {...}}'`` runs the handler once and prints the
result, to try a handler locally.
"""

import argparse
import importlib.util
import json
import os
import sys
import time

from . import STARTED, serve
from .worker import _is_async_generator, _is_awaitable, _is_generator, _one_line, _traceback, report_unhealthy


class LoadError(Exception):
    """The handler could not be loaded; the message says why in one line."""


_loaded = {}  # file path -> module: a setup in the handler's own file runs in the handler's module


def load_handler(spec, cwd=None, what="handler"):
    """``handler.py:handler`` -> the function, importing the file (relative to ``cwd``) as a module."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise LoadError("the %s must look like file.py:function, got %r" % (what, spec))
    cwd = os.getcwd() if cwd is None else cwd
    full = os.path.normpath(os.path.join(cwd, path))
    module = _loaded.get(full) or _import_file(path, full, cwd)
    fn = getattr(module, name, None)
    if fn is None:
        raise LoadError("%s has no attribute %r" % (path, name))
    if not callable(fn):
        raise LoadError("%s:%s is not callable" % (path, name))
    return fn


def find_setup(handler_spec, setup_spec=None, cwd=None):
    """The set-up function: ``setup_spec`` (file.py:function) if given, else the handler module's ``setup``, if any."""
    if setup_spec:
        return load_handler(setup_spec, cwd, what="setup")
    cwd = os.getcwd() if cwd is None else cwd
    module = _loaded.get(os.path.normpath(os.path.join(cwd, handler_spec.rpartition(":")[0])))
    setup = getattr(module, "setup", None)
    return setup if callable(setup) else None


def run_setup(setup):
    out = setup()
    if _is_awaitable(out):
        import asyncio  # only for an async setup()
        asyncio.run(out)


def _import_file(path, full, cwd):
    if not os.path.isfile(full):
        raise LoadError("%s not found (looked in %s)" % (path, cwd))
    for d in (os.path.dirname(full), cwd):
        if d not in sys.path:
            sys.path.insert(0, d)
    modname = os.path.splitext(os.path.basename(full))[0]
    imported = sys.modules.get(modname)
    if imported is not None and os.path.normpath(getattr(imported, "__file__", None) or "") == full:
        _loaded[full] = imported  # the handler imported it already (e.g. `import loader`): the same module
        return imported
    if not modname.isidentifier() or modname in sys.modules:
        modname = "_hearth_handler_" + "".join(c if c.isalnum() else "_" for c in modname)
    mod_spec = importlib.util.spec_from_file_location(modname, full)
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[modname] = module
    try:
        mod_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    _loaded[full] = module
    return module


def _run_once(fn, job):
    out = fn(job)
    if _is_generator(out):
        return {"output": list(out)}
    if _is_async_generator(out) or _is_awaitable(out):
        import asyncio  # only when needed: it costs a worker's start ~40 ms
    if _is_async_generator(out):
        async def collect():
            return [chunk async for chunk in out]
        return {"output": asyncio.run(collect())}
    if _is_awaitable(out):
        async def wait():
            return await out
        out = asyncio.run(wait())
    return {"output": out}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m hearth_worker", description="Serve a Hearth handler.")
    parser.add_argument("handler", nargs="?", default=os.environ.get("HEARTH_HANDLER"),
                        help="file.py:function, relative to the current directory (default: $HEARTH_HANDLER)")
    parser.add_argument("--concurrency", type=int, default=None, help="jobs at once (default: $HEARTH_CONCURRENCY or 1)")
    parser.add_argument("--test-input", metavar="JSON", help="run the handler once on this job JSON and print the result")
    args = parser.parse_args(argv)
    if not args.handler:
        parser.error("give the handler as file.py:function (or set HEARTH_HANDLER)")
    try:
        sys.stdout.reconfigure(line_buffering=True)  # the handler's prints reach the logs as they happen
    except (AttributeError, ValueError):
        pass

    try:
        fn = load_handler(args.handler)
        if isinstance(fn, type):
            # a class: a Cog predictor (cog.yaml's predict: "predict.py:Predictor"), see _cog
            from . import _cog
            fn, setup = _cog.load(fn)
        else:
            setup = find_setup(args.handler, os.environ.get("HEARTH_SETUP"))
    except KeyboardInterrupt:
        return 130
    except BaseException as err:  # noqa: BLE001 - any failure to start is reported
        return _start_failed("import", "importing %s" % args.handler, err)
    imported = time.time()
    if setup is not None:
        try:
            run_setup(setup)
        except KeyboardInterrupt:
            return 130
        except BaseException as err:  # noqa: BLE001
            return _start_failed("setup", "setup() of %s" % args.handler, err)
    boot = (STARTED, imported, time.time())

    if args.test_input is not None:
        job = json.loads(args.test_input)
        job.setdefault("id", "local-test")
        print(json.dumps(_run_once(fn, job), indent=2, default=str))
        return 0
    if os.environ.get("HEARTH_PREINIT_WAIT"):
        from ._preinit import await_devices
        if not await_devices(os.environ, boot):
            return 0
    serve(fn, concurrency=args.concurrency, _handler_name=args.handler, _boot=boot)
    return 0


def _start_failed(check, what, err):
    if isinstance(err, LoadError):
        reason = str(err)
        sys.stderr.write("hearth_worker: cannot load %s: %s\n" % (what.split(" ", 1)[-1], reason))
    else:
        reason = _one_line(err)
        sys.stderr.write("hearth_worker: %s failed:\n" % what)
        _traceback().print_exception(type(err), err, err.__traceback__)
    sys.stderr.flush()
    report_unhealthy(check, reason)
    return 1


if __name__ == "__main__":
    sys.exit(main())
