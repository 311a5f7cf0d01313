"""Cog predictors served by hearth_worker: inputs checked as Cog checks them, outputs encoded as Cog encodes them, and
the OpenAPI schema read from the source without importing it."""

import base64
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

from hearth_worker import _cog
from hearth_worker.__main__ import load_handler

PREDICTOR = '''
from typing import Iterator, List, Optional
from cog import BasePredictor, ConcatenateIterator, Input, Path, Secret

class Predictor(BasePredictor):
    def setup(self):
        self.ready = True

    def predict(self,
                prompt: str = Input(description="what to say"),
                steps: int = Input(default=4, ge=1, le=10),
                scale: float = Input(default=7.5, ge=0, le=20),
                mode: str = Input(default="a", choices=["a", "b"]),
                loud: bool = False,
                tags: List[str] = Input(default=None),
                token: Secret = Input(default=None),
                seed: Optional[int] = None,
                ) -> str:
        assert self.ready
        secret = token.get_secret_value() if token is not None else None
        return json.dumps([prompt, steps, scale, mode, loud, tags, secret, seed])

class Files(BasePredictor):
    def predict(self, file: Path, suffix: str = ".txt") -> Path:
        out = Path(tempfile.mkdtemp()) / ("out" + suffix)
        out.write_text(file.read_text().upper())
        return out

class Words(BasePredictor):
    def predict(self, n: int = 3) -> ConcatenateIterator[str]:
        for i in range(n):
            yield "w%d " % i
'''


class CogCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, "predict.py"), "w") as f:
            f.write("import json, tempfile\n" + PREDICTOR)

    def served(self, name):
        handler, setup = _cog.load(load_handler("predict.py:" + name, cwd=self.dir))
        setup()
        return handler

    def test_inputs_take_their_defaults_and_types(self):
        out = self.served("Predictor")({"id": "j", "input": {"prompt": "hi", "steps": 2.0, "scale": 3,
                                                             "token": "s3cret", "tags": ["x"], "extra": 1}})
        self.assertEqual(json.loads(out), ["hi", 2, 3.0, "a", False, ["x"], "s3cret", None])

    def test_a_bad_input_is_an_error_that_names_the_field(self):
        handler = self.served("Predictor")
        cases = [({}, "input 'prompt': field required"),
                 ({"prompt": "x", "steps": 11}, "input 'steps': ensure this value is less than or equal to 10"),
                 ({"prompt": "x", "scale": -1}, "input 'scale': ensure this value is greater than or equal to 0"),
                 ({"prompt": "x", "mode": "c"}, "input 'mode': value is not a valid enumeration member"),
                 ({"prompt": "x", "steps": "2"}, "input 'steps': value is not a valid integer"),
                 ({"prompt": 5}, "input 'prompt': str type expected"),
                 ({"prompt": "x", "loud": "yes"}, "input 'loud': value could not be parsed to a boolean")]
        for given, error in cases:
            with self.subTest(given=given):
                self.assertIn(error, handler({"id": "j", "input": given})["error"])

    def test_a_path_input_is_fetched_from_a_data_url_or_a_url_and_a_path_output_is_a_data_url(self):
        handler = self.served("Files")
        data = "data:text/plain;base64," + base64.b64encode(b"hello").decode()
        out = handler({"id": "j", "input": {"file": data}})
        self.assertEqual(out, "data:text/plain;base64," + base64.b64encode(b"HELLO").decode())

        class Serve(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"abc")

            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Serve)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = "http://127.0.0.1:%d/in.txt" % server.server_port
        out = handler({"id": "j", "input": {"file": url, "suffix": ".bin"}})
        self.assertEqual(out, "data:application/octet-stream;base64," + base64.b64encode(b"ABC").decode())
        self.assertIn("input 'file': a file is given as an http(s) URL or a data URL",
                      handler({"id": "j", "input": {"file": "/etc/passwd"}})["error"])

    def test_a_generator_predictor_yields_its_items_one_by_one(self):
        out = self.served("Words")({"id": "j", "input": {"n": 2}})
        self.assertEqual(list(out), ["w0 ", "w1 "])

    def test_importing_more_of_cog_than_the_shim_has_fails_with_a_clear_error(self):
        with open(os.path.join(self.dir, "other.py"), "w") as f:
            f.write("from cog import BaseModel\n")
        with self.assertRaises(ImportError) as caught:
            load_handler("other.py:Nothing", cwd=self.dir)
        self.assertIn("cog.BaseModel is not available on Hearth", str(caught.exception))

    def test_the_schema_is_read_from_the_source_as_cog_writes_it(self):
        schema = _cog.schema(os.path.join(self.dir, "predict.py"), "Predictor")["components"]["schemas"]
        props = schema["Input"]["properties"]
        self.assertEqual(schema["Input"]["required"], ["prompt"])
        self.assertEqual(props["prompt"], {"title": "Prompt", "type": "string", "description": "what to say",
                                           "x-order": 0})
        self.assertEqual(props["steps"], {"title": "Steps", "type": "integer", "default": 4, "minimum": 1,
                                          "maximum": 10, "x-order": 1})
        self.assertEqual(props["mode"]["allOf"], [{"$ref": "#/components/schemas/mode"}])
        self.assertEqual(schema["mode"]["enum"], ["a", "b"])
        self.assertEqual(props["tags"]["type"], "array")
        self.assertTrue(props["token"]["x-cog-secret"])
        self.assertEqual(schema["Output"], {"title": "Output", "type": "string"})
        words = _cog.schema(os.path.join(self.dir, "predict.py"), "Words")["components"]["schemas"]["Output"]
        self.assertEqual(words["x-cog-array-display"], "concatenate")
        self.assertEqual(words["items"], {"type": "string"})

    def test_the_schema_command_names_what_it_cannot_find(self):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(_cog.__file__))))
        p = subprocess.run([sys.executable, "-m", "hearth_worker._cog", "schema", "predict.py", "Missing"],
                           cwd=self.dir, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("predict.py has no class Missing", p.stderr)


if __name__ == "__main__":
    unittest.main()
