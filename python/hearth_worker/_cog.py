"""Cog predictors as Hearth handlers, and their OpenAPI schema.

A manifest whose ``handler`` names a class (a ``cog.yaml``'s ``predict: "predict.py:Predictor"``) is a Cog model: the
worker makes one instance, runs its ``setup()`` once, and turns each job into ``predict(**input)``:

- each input is checked against its type hint and ``Input(...)`` (``ge``, ``le``, ``min_length``, ``max_length``,
  ``regex``, ``choices``), missing ones take their defaults; a bad or missing one fails the job with an error that
  names it (``input 'steps': ensure this value is less than or equal to 50``), inputs ``predict`` does not take are
  ignored, as Cog does;
- a ``Path`` input is a URL (``http:``, ``https:``) or a data URL, downloaded to a temporary file first;
- a ``Path`` output becomes a data URL (what Cog returns when it has nowhere to upload files); a generator's items are
  streamed one by one (the job's output is then the list of them).

``python -m hearth_worker._cog schema predict.py Predictor`` prints the model's OpenAPI schema, as Cog builds it from
the type hints, read from the source with ``ast`` without importing the model (the control plane runs it at deploy).
"""

import ast
import json
import os
import sys

_NUMBER_TYPES = ("int", "float")


class InputError(Exception):
    """A job input that ``predict`` cannot take; the message names the field."""


# ---------------------------------------------------------------------------------------------------- the handler


def is_predictor(target):
    return isinstance(target, type)


def load(cls):
    """The predictor class -> (handler(job), setup()): one instance serves every job of the worker."""
    predictor = cls()
    fields = _fields(predictor.predict)

    def setup():
        fn = getattr(predictor, "setup", None)
        if fn is None:
            return None
        import inspect
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.default is inspect.Parameter.empty
                  and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return fn(None) if params else fn()  # Cog passes weights (None without a weights URL)

    def handler(job):
        import tempfile
        raw = job.get("input")
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            return {"error": "input must be a JSON object of predict()'s arguments, got %s" % type(raw).__name__}
        tmp = tempfile.mkdtemp(prefix="cog-input-")
        try:
            kwargs = {name: field.take(raw, tmp) for name, field in fields.items()}
        except InputError as err:
            _remove(tmp)
            return {"error": str(err)}
        try:
            out = predictor.predict(**kwargs)
        except BaseException:
            _remove(tmp)
            raise
        from .worker import _is_async_generator, _is_awaitable, _is_generator
        if _is_generator(out):
            return _stream(out, tmp)
        if _is_async_generator(out):
            return _astream(out, tmp)
        if _is_awaitable(out):
            return _await(out, tmp)
        _remove(tmp)
        return _output(out)

    return handler, setup


def _stream(gen, tmp):
    try:
        for item in gen:
            yield _output(item)
    finally:
        gen.close()
        _remove(tmp)


async def _astream(agen, tmp):
    try:
        async for item in agen:
            yield _output(item)
    finally:
        _remove(tmp)


async def _await(awaitable, tmp):
    try:
        return _output(await awaitable)
    finally:
        _remove(tmp)


def _remove(tmp):
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)


def _output(value):
    """Cog's encoding of an output: files as data URLs, secrets hidden, containers item by item."""
    import pathlib
    if isinstance(value, pathlib.PurePath):
        return _data_url(value)
    cog = sys.modules.get("cog")
    if cog is not None and isinstance(value, cog.Secret):
        return "**********"
    if isinstance(value, (list, tuple)):
        return [_output(v) for v in value]
    if isinstance(value, dict):
        return {k: _output(v) for k, v in value.items()}
    return value


def _data_url(path):
    import base64
    import mimetypes
    kind = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return "data:%s;base64,%s" % (kind, base64.b64encode(f.read()).decode("ascii"))


class _Field:
    """One argument of ``predict``: its type and what ``Input(...)`` (or a plain default) says about it."""

    def __init__(self, name, hint, info, default):
        self.name = name
        self.hint = hint
        self.info = info
        self.default = default  # ... for a required field

    def take(self, raw, tmp):
        if self.name not in raw or (raw[self.name] is None and self.default is not ...):
            if self.default is ...:
                raise InputError("input '%s': field required" % self.name)
            return self.default
        return self.check(self.hint, raw[self.name], tmp)

    def check(self, hint, value, tmp):
        import typing
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Union:
            if value is None and type(None) in args:
                return None
            rest = [a for a in args if a is not type(None)]
            hint = rest[0] if len(rest) == 1 else typing.Any
            origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (list, tuple) or hint is list:
            if not isinstance(value, list):
                raise InputError("input '%s': value is not a valid list" % self.name)
            item = args[0] if args else typing.Any
            return [self.check(item, v, tmp) for v in value]
        value = self.convert(hint, value, tmp)
        self.constrain(value)
        return value

    def convert(self, hint, value, tmp):
        import pathlib
        cog = sys.modules.get("cog")
        if hint is bool:
            if isinstance(value, bool):
                return value
            raise InputError("input '%s': value could not be parsed to a boolean" % self.name)
        if hint is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise InputError("input '%s': value is not a valid integer" % self.name)
        if hint is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            raise InputError("input '%s': value is not a valid float" % self.name)
        if hint is str:
            if isinstance(value, str):
                return value
            raise InputError("input '%s': str type expected" % self.name)
        if cog is not None and hint is cog.Secret:
            if isinstance(value, str):
                return cog.Secret(value)
            raise InputError("input '%s': str type expected" % self.name)
        if isinstance(hint, type) and issubclass(hint, pathlib.PurePath):
            if not isinstance(value, str):
                raise InputError("input '%s': a file is given as a URL or a data URL" % self.name)
            return _download(self.name, value, tmp, hint if cog is None else cog.Path)
        return value

    def constrain(self, value):
        info = self.info
        if info is None:
            return
        if info.choices is not None and value not in info.choices:
            raise InputError("input '%s': value is not a valid enumeration member; permitted: %s"
                             % (self.name, ", ".join(repr(c) for c in info.choices)))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if info.ge is not None and value < info.ge:
                raise InputError("input '%s': ensure this value is greater than or equal to %s" % (self.name, info.ge))
            if info.le is not None and value > info.le:
                raise InputError("input '%s': ensure this value is less than or equal to %s" % (self.name, info.le))
        if isinstance(value, str):
            if info.min_length is not None and len(value) < info.min_length:
                raise InputError("input '%s': ensure this value has at least %d characters"
                                 % (self.name, info.min_length))
            if info.max_length is not None and len(value) > info.max_length:
                raise InputError("input '%s': ensure this value has at most %d characters"
                                 % (self.name, info.max_length))
            if info.regex is not None:
                import re
                if not re.match(info.regex, value):
                    raise InputError("input '%s': string does not match regex \"%s\"" % (self.name, info.regex))


def _fields(predict):
    import inspect
    import typing
    cog = sys.modules.get("cog")
    try:
        hints = typing.get_type_hints(predict)
    except Exception:  # noqa: BLE001 - unresolvable forward references: take the annotations as written
        hints = getattr(predict, "__annotations__", {})
    fields = {}
    for name, p in inspect.signature(predict).parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        info = None
        default = ... if p.default is inspect.Parameter.empty else p.default
        if cog is not None and isinstance(default, cog.FieldInfo):
            info = default
            default = info.default
        fields[name] = _Field(name, hints.get(name, typing.Any), info, default)
    return fields


def _download(name, url, tmp, path_type):
    import urllib.request
    from urllib.parse import unquote, urlsplit
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "data"):
        raise InputError("input '%s': a file is given as an http(s) URL or a data URL, got %r" % (name, url[:80]))
    if scheme == "data":
        header = url.split(",", 1)[0]
        kind = header[5:].split(";", 1)[0] or "application/octet-stream"
        import mimetypes
        filename = "input" + (mimetypes.guess_extension(kind) or "")
    else:
        filename = os.path.basename(unquote(urlsplit(url).path)) or "input"
    target = os.path.join(tmp, name)
    os.makedirs(target, exist_ok=True)
    target = os.path.join(target, filename)
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
    except (OSError, ValueError) as err:
        raise InputError("input '%s': cannot fetch %s: %s" % (name, url if scheme != "data" else "the data URL", err))
    return path_type(target)


# ---------------------------------------------------------------------------------------------------- the schema


class SchemaError(Exception):
    """The predictor cannot be found in its source; the message says why."""


def schema(path, class_name):
    """The OpenAPI document Cog serves for the predictor ``class_name`` of the file ``path``, read with ``ast``."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        raise SchemaError("%s does not parse: %s (line %s)" % (os.path.basename(path), err.msg, err.lineno))
    constants = {}
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = node
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    if class_name not in classes:
        raise SchemaError("%s has no class %s" % (os.path.basename(path), class_name))
    predict = _find_method(classes, class_name, "predict", set())
    if predict is None:
        raise SchemaError("class %s in %s has no predict() method" % (class_name, os.path.basename(path)))
    reader = _Reader(constants)
    components = {}
    properties = {}
    required = []
    args = predict.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    order = 0
    for arg, default in params:
        if arg.arg in ("self", "cls"):
            continue
        prop, is_required = reader.input_property(arg.arg, arg.annotation, default, components)
        prop["x-order"] = order
        order += 1
        properties[arg.arg] = prop
        if is_required:
            required.append(arg.arg)
    input_schema = {"title": "Input", "type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    output = dict(reader.output(predict.returns))
    output["title"] = "Output"
    components.update({"Input": input_schema, "Output": output})
    components.update(_PROTOCOL_SCHEMAS)
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": {"/predictions": {"post": {
            "summary": "Predict",
            "operationId": "predict_predictions_post",
            "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/PredictionRequest"}}}},
            "responses": {"200": {"description": "Successful Response", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/PredictionResponse"}}}}},
        }}},
        "components": {"schemas": components},
    }


def _find_method(classes, class_name, method, seen):
    cls = classes.get(class_name)
    if cls is None or class_name in seen:
        return None
    seen.add(class_name)
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == method:
            return node
    for base in cls.bases:
        if isinstance(base, ast.Name):
            found = _find_method(classes, base.id, method, seen)
            if found is not None:
                return found
    return None


_STATUS = ["starting", "processing", "succeeded", "canceled", "failed"]
_PROTOCOL_SCHEMAS = {
    "Status": {"title": "Status", "description": "An enumeration.", "enum": _STATUS, "type": "string"},
    "WebhookEvent": {"title": "WebhookEvent", "description": "An enumeration.",
                     "enum": ["start", "output", "logs", "completed"], "type": "string"},
    "PredictionRequest": {"title": "PredictionRequest", "type": "object", "properties": {
        "input": {"$ref": "#/components/schemas/Input"},
        "id": {"title": "Id", "type": "string"},
        "created_at": {"title": "Created At", "type": "string", "format": "date-time"},
        "webhook": {"title": "Webhook", "maxLength": 65536, "minLength": 1, "type": "string", "format": "uri"},
        "webhook_events_filter": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEvent"},
                                  "default": ["start", "output", "logs", "completed"]},
    }},
    "PredictionResponse": {"title": "PredictionResponse", "type": "object", "properties": {
        "input": {"$ref": "#/components/schemas/Input"},
        "output": {"$ref": "#/components/schemas/Output"},
        "id": {"title": "Id", "type": "string"},
        "version": {"title": "Version", "type": "string"},
        "created_at": {"title": "Created At", "type": "string", "format": "date-time"},
        "started_at": {"title": "Started At", "type": "string", "format": "date-time"},
        "completed_at": {"title": "Completed At", "type": "string", "format": "date-time"},
        "logs": {"title": "Logs", "type": "string", "default": ""},
        "error": {"title": "Error", "type": "string"},
        "status": {"$ref": "#/components/schemas/Status"},
        "metrics": {"title": "Metrics", "type": "object"},
    }},
}


class _Reader:
    """Type hints and ``Input(...)`` calls, as written in the source, to JSON schema."""

    def __init__(self, constants):
        self.constants = constants

    def value(self, node):
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        if (isinstance(node, ast.Call) and _name(node.func) in ("list", "sorted", "tuple") and len(node.args) == 1
                and not node.keywords):  # choices=list(COLORS), a module-level constant's keys
            items = list(self.value(node.args[0]))
            return sorted(items) if _name(node.func) == "sorted" else items
        return ast.literal_eval(node)

    def input_property(self, name, annotation, default, components):
        spec = {}
        has_default = default is not None
        if isinstance(default, ast.Call) and _name(default.func) == "Input":
            has_default = False
            keywords = {k.arg: k.value for k in default.keywords if k.arg}
            if default.args:
                keywords.setdefault("default", default.args[0])
            for key, node in keywords.items():
                try:
                    spec[key] = self.value(node)
                except ValueError:
                    spec[key] = _UNKNOWN
            has_default = "default" in spec and spec["default"] is not Ellipsis
            if "default" in spec and spec["default"] is Ellipsis:
                del spec["default"]
        elif default is not None:
            try:
                spec["default"] = self.value(default)
            except ValueError:
                spec["default"] = _UNKNOWN
        kind, optional = self.type_schema(annotation)
        prop = {"title": _title(name)}
        choices = spec.get("choices")
        if isinstance(choices, (list, tuple)) and choices:
            enum = {"title": name, "description": "An enumeration.", "enum": list(choices)}
            enum.update({k: v for k, v in kind.items() if k == "type"})
            components[name] = enum
            prop = {"allOf": [{"$ref": "#/components/schemas/" + name}]}
        else:
            prop.update(kind)
        if spec.get("default") not in (None, _UNKNOWN):
            prop["default"] = spec["default"]
        if spec.get("description") not in (None, _UNKNOWN):
            prop["description"] = spec["description"]
        for key, target in (("ge", "minimum"), ("le", "maximum"), ("min_length", "minLength"),
                            ("max_length", "maxLength"), ("regex", "pattern")):
            if spec.get(key) not in (None, _UNKNOWN):
                prop[target] = spec[key]
        if spec.get("deprecated") is True:
            prop["deprecated"] = True
        if optional:
            prop["nullable"] = True
        return prop, not has_default and not optional

    def type_schema(self, node):
        """(schema, optional) of an argument's annotation."""
        if node is None:
            return {}, False
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return {}, False
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
            parts = [p for p in (node.left, node.right) if not _is_none(p)]
            if len(parts) == 1:
                return self.type_schema(parts[0])[0], True
            return {}, False
        if isinstance(node, ast.Subscript):
            outer = _name(node.value)
            inner = node.slice.value if isinstance(node.slice, ast.Index) else node.slice  # noqa - 3.8 wraps in Index
            if outer == "Optional":
                return self.type_schema(inner)[0], True
            if outer == "Union" and isinstance(inner, ast.Tuple):
                parts = [p for p in inner.elts if not _is_none(p)]
                if len(parts) == 1:
                    return self.type_schema(parts[0])[0], len(parts) < len(inner.elts)
                return {}, False
            if outer in ("list", "List"):
                return {"type": "array", "items": self.type_schema(inner)[0]}, False
            return {}, False
        return dict(_SIMPLE.get(_name(node), {})), False

    def output(self, node):
        if node is None:
            return {}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return {}
        if isinstance(node, ast.Subscript):
            outer = _name(node.value)
            inner = node.slice.value if isinstance(node.slice, ast.Index) else node.slice  # noqa
            if outer in ("Iterator", "AsyncIterator", "Generator", "AsyncGenerator", "Iterable"):
                if isinstance(inner, ast.Tuple):
                    inner = inner.elts[0]
                return {"type": "array", "items": self.type_schema(inner)[0], "x-cog-array-type": "iterator"}
            if outer in ("ConcatenateIterator", "AsyncConcatenateIterator"):
                return {"type": "array", "items": self.type_schema(inner)[0], "x-cog-array-type": "iterator",
                        "x-cog-array-display": "concatenate"}
        return self.type_schema(node)[0]


_UNKNOWN = object()  # a value the source computes: left out of the schema
_SIMPLE = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "Path": {"type": "string", "format": "uri"},
    "File": {"type": "string", "format": "uri"},
    "Secret": {"type": "string", "format": "password", "writeOnly": True, "x-cog-secret": True},
    "dict": {"type": "object"},
    "Any": {},
}


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_none(node):
    return isinstance(node, ast.Constant) and node.value is None


def _title(name):
    return " ".join(w.capitalize() for w in name.split("_") if w) or name


def main(argv):
    if len(argv) != 3 or argv[0] != "schema":
        sys.stderr.write("usage: python -m hearth_worker._cog schema file.py ClassName\n")
        return 64
    try:
        document = schema(argv[1], argv[2])
    except (SchemaError, OSError, UnicodeDecodeError) as err:
        sys.stderr.write("%s\n" % err)
        return 2
    sys.stdout.write(json.dumps(document, default=str))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
