"""Prepare ``src/photocheck/vision/models/`` from the ``mediapipe==0.10.21`` wheel (Apache 2.0).

Run from the repository root (a few seconds with ``--wheel``)::

    uv run python tools/fetch_mediapipe_models.py [--wheel PATH] [--mediapipe-src DIR] [--out DIR]

Without ``--wheel`` the wheel (cp311, manylinux x86_64, about 36 MB) is fetched with
``pip download --no-deps --only-binary=:all:`` into a temporary folder. The flatbuffer code used
to rewrite the landmark model is LiteRT's own schema (``ai_edge_litert.schema_py_generated``)
with ``flatbuffers``, both already installed with ``ai-edge-litert``; nothing else is needed.

What it writes, every time the same bytes for the same inputs:

* ``face_detection_short_range.tflite``, ``face_detection_full_range_sparse.tflite``,
  ``selfie_segmentation.tflite``: copied unchanged from the wheel.
* ``face_landmark_attention_stage1.tflite`` and ``face_landmark_attention_stage2.tflite``:
  ``face_landmark_with_attention.tflite`` cut at its custom operations (3
  Landmarks2TransformMatrix, 3 TransformTensorBilinear, 5 TransformLandmarks, all v2), which
  stock LiteRT cannot run. Stage 1 is the trunk and the 468-point mesh, stage 2 the lips, eye and
  iris heads; ``photocheck.vision.mesh_ops`` does the custom operations in NumPy between and
  after them. Weights and builtin operators are copied unchanged; the model metadata is dropped.
* ``face_landmark_attention.json``: the order to run the stages and custom operations in, the
  operations' attributes (decoded from their flexbuffer ``custom_options``), and the landmark
  refinement index maps from ``tensors_to_face_landmarks_with_attention.pbtxt``.
* ``canonical_face.npz``: the canonical face mesh vertices and Procrustes weights.
* ``README.md``, ``NOTICE`` and ``LICENSE-mediapipe`` (attribution).

The ``.obj``/``.pbtxt`` data come from a checkout of github google-ai-edge/mediapipe at
:data:`MEDIAPIPE_COMMIT` (``--mediapipe-src``, default ``../shared/mediapipe``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src/photocheck/vision/models"
DEFAULT_MEDIAPIPE_SRC = ROOT.parent / "shared/mediapipe"

MEDIAPIPE_VERSION = "0.10.21"
WHEEL_NAME = f"mediapipe-{MEDIAPIPE_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
MEDIAPIPE_COMMIT = "85c0cdc7d70653888903c88df45962b764296342"
MEDIAPIPE_REPO = "https://github.com/google-ai-edge/mediapipe"

# Files copied unchanged: shipped name -> (path inside the wheel, sha256, description).
COPIED = {
    "face_detection_short_range.tflite": (
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
        "BlazeFace short-range face detector (128x128 input; faces filling much of the frame).",
    ),
    "face_detection_full_range_sparse.tflite": (
        "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
        "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
        "BlazeFace full-range face detector (192x192 input; small or distant faces).",
    ),
    "selfie_segmentation.tflite": (
        "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
        "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
        "Selfie segmentation (256x256 input; probability of 'person' per pixel).",
    ),
}
ATTENTION_PATH = "mediapipe/modules/face_landmark/face_landmark_with_attention.tflite"
ATTENTION_SHA256 = "e06a804e0144f9929eda782122916b35d60c697c3c9344013ca2bbe76a6ce2b4"
STAGE_NAME = "face_landmark_attention_stage{}"
PLAN_NAME = "face_landmark_attention.json"

GEOMETRY_DIR = "mediapipe/modules/face_geometry/data"
CANONICAL_OBJ = f"{GEOMETRY_DIR}/canonical_face_model.obj"
GEOMETRY_PBTXT = f"{GEOMETRY_DIR}/geometry_pipeline_metadata_landmarks.pbtxt"
REFINEMENT_PBTXT = "mediapipe/modules/face_landmark/tensors_to_face_landmarks_with_attention.pbtxt"
CUSTOM_OPS_DIR = "mediapipe/util/tflite/operations"

# The LandmarksRefinementCalculator's inputs in the pbtxt's order, as model output names.
REFINEMENT_SOURCES = (
    "output_mesh_identity",
    "output_lips",
    "output_left_eye",
    "output_right_eye",
    "output_left_iris",
    "output_right_iris",
)
SUPPORTED_CUSTOM_OPS = {
    "Landmarks2TransformMatrix": 2,
    "TransformTensorBilinear": 2,
    "TransformLandmarks": 2,
}


def sha256(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_sha256(what: str, data: bytes, expected: str) -> None:
    """Stop with a message when ``data`` is not the file the script was written for."""
    got = sha256(data)
    if got != expected:
        raise SystemExit(f"{what}: sha256 {got}, expected {expected}; refusing to continue")


# --------------------------------------------------------------------------- wheel


def download_wheel(folder: Path) -> Path:
    """Fetch the pinned mediapipe wheel into ``folder`` with ``pip download``."""
    if (
        subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode
        == 0
    ):
        pip = [sys.executable, "-m", "pip"]
    elif shutil.which("pip"):
        pip = ["pip"]
    else:
        raise SystemExit("no pip found to download the wheel; pass --wheel PATH")
    cmd = [
        *pip,
        "download",
        f"mediapipe=={MEDIAPIPE_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        "manylinux_2_28_x86_64",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--dest",
        str(folder),
    ]
    print("running:", " ".join(cmd))
    subprocess.run(cmd, check=True)
    wheel = folder / WHEEL_NAME
    if not wheel.is_file():
        raise SystemExit(f"pip did not produce {WHEEL_NAME} in {folder}")
    return wheel


def read_wheel(wheel: Path) -> dict[str, bytes]:
    """Return the models this script uses from ``wheel``, each checked against its sha256."""
    check_sha256(wheel.name, wheel.read_bytes(), WHEEL_SHA256)
    wanted = {path: digest for path, digest, _ in COPIED.values()}
    wanted[ATTENTION_PATH] = ATTENTION_SHA256
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as archive:
        for path, digest in wanted.items():
            data = archive.read(path)
            check_sha256(path, data, digest)
            out[path] = data
    return out


# --------------------------------------------------------------------------- canonical face


def canonical_face_npz(src: Path) -> bytes:
    """Return ``canonical_face.npz``: ``vertices`` (468, 3) and ``weights`` (468,), float64.

    Vertices are the ``v`` lines of ``canonical_face_model.obj``; weights are the
    ``procrustes_landmark_basis`` entries of ``geometry_pipeline_metadata_landmarks.pbtxt``,
    zero for vertices the pbtxt does not list.
    """
    vertices = np.array(
        [
            [float(value) for value in line.split()[1:4]]
            for line in (src / CANONICAL_OBJ).read_text().splitlines()
            if line.startswith("v ")
        ]
    )
    weights = np.zeros(len(vertices))
    basis = re.finditer(
        r"procrustes_landmark_basis\s*\{\s*landmark_id:\s*(\d+)\s+weight:\s*([-+0-9.eE]+)\s*\}",
        (src / GEOMETRY_PBTXT).read_text(),
    )
    for match in basis:
        weights[int(match.group(1))] = float(match.group(2))
    if vertices.shape != (468, 3) or np.count_nonzero(weights) == 0:
        raise SystemExit(f"unexpected canonical face data under {src}")
    buffer = io.BytesIO()
    # np.savez writes zip entries with a fixed 1980 timestamp: the bytes are reproducible.
    np.savez(buffer, vertices=vertices, weights=weights)
    return buffer.getvalue()


# --------------------------------------------------------------------------- refinement maps


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", re.sub(r"#[^\n]*", "", text))]


def refinement_maps(src: Path) -> list[dict[str, Any]]:
    """Read the LandmarksRefinementCalculator options of the attention graph.

    Returns one entry per refinement, in the graph's order: the model output it reads
    (``source``), the 478-point ``indexes`` its points go to, and how depth is set: ``copy``
    (from the source), ``none`` (kept from the points already there) or ``average`` (the
    mean depth of the ``average_of`` points, which come from the mesh).
    """
    text = (src / REFINEMENT_PBTXT).read_text()
    blocks = re.split(r"^\s*refinement:\s*\{", text, flags=re.M)[1:]
    if len(blocks) != len(REFINEMENT_SOURCES):
        raise SystemExit(f"expected {len(REFINEMENT_SOURCES)} refinements in {REFINEMENT_PBTXT}")
    maps = []
    for source, block in zip(REFINEMENT_SOURCES, blocks, strict=True):
        mapping = re.search(r"indexes_mapping:\s*\[(.*?)\]", block, re.S)
        z_part = block.split("z_refinement:", 1)[1]
        if mapping is None:
            raise SystemExit(f"no indexes_mapping for {source} in {REFINEMENT_PBTXT}")
        entry: dict[str, Any] = {"source": source, "indexes": _numbers(mapping.group(1))}
        if re.match(r"\s*\{\s*copy", z_part):
            entry["z"] = "copy"
        elif re.match(r"\s*\{\s*none", z_part):
            entry["z"] = "none"
        else:
            average = re.search(r"indexes_for_average:\s*\[(.*?)\]", z_part, re.S)
            if average is None:
                raise SystemExit(f"unknown z_refinement for {source} in {REFINEMENT_PBTXT}")
            entry["z"] = "average"
            entry["average_of"] = _numbers(average.group(1))
        maps.append(entry)
    targets = sorted(i for entry in maps for i in entry["indexes"])
    if len(targets) != 468 + 80 + 71 + 71 + 5 + 5 or max(targets) != 477:
        raise SystemExit(f"unexpected refinement index maps in {REFINEMENT_PBTXT}")
    return maps


# --------------------------------------------------------------------------- model splitting


class Graph:
    """Read-only view of the single subgraph of a LiteRT model (``ModelT`` object API)."""

    def __init__(self, model: Any) -> None:
        from ai_edge_litert import schema_py_generated as schema

        if len(model.subgraphs) != 1:
            raise SystemExit("the landmark model should have exactly one subgraph")
        self.model = model
        self.graph = model.subgraphs[0]
        self.ops: list[Any] = list(self.graph.operators)
        self.names = [t.name.decode() for t in self.graph.tensors]
        self.producer = {int(t): k for k, op in enumerate(self.ops) for t in op.outputs}
        self.consumers: dict[int, list[int]] = {}
        for k, op in enumerate(self.ops):
            for t in op.inputs:
                self.consumers.setdefault(int(t), []).append(k)
        self.custom: dict[int, tuple[str, int]] = {}
        for k, op in enumerate(self.ops):
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin == schema.BuiltinOperator.CUSTOM:
                self.custom[k] = (code.customCode.decode(), code.version)
        self.builtin_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if k.isupper()}
        # Tensors computed from constants alone (fp16 weights and their DEQUANTIZE outputs).
        self.constant: set[int] = set()
        for t, tensor in enumerate(self.graph.tensors):
            data = model.buffers[tensor.buffer].data
            if tensor.buffer and data is not None and len(data):
                self.constant.add(t)
        for op in self.ops:
            if all(int(t) in self.constant for t in op.inputs if t >= 0):
                self.constant.update(int(t) for t in op.outputs)

    def op_name(self, k: int) -> str:
        """Return the operator's builtin name or custom code."""
        if k in self.custom:
            return self.custom[k][0]
        code = self.model.operatorCodes[self.ops[k].opcodeIndex]
        return str(self.builtin_names[max(code.builtinCode, code.deprecatedBuiltinCode)])

    def inputs(self, k: int) -> list[int]:
        """Return the operator's input tensors (optional inputs, -1, left out)."""
        return [int(t) for t in self.ops[k].inputs if t >= 0]

    def levels(self) -> dict[int, int]:
        """Return, per non-constant operator, how many custom-operation barriers precede it.

        Builtin operators of level ``s`` form stage ``s + 1``; a custom operation's level is
        the level of the stage that feeds it, so chained custom operations (a transform
        matrix feeding a bilinear resampling) run between the same two stages.
        """
        tensor_level = {int(t): 0 for t in self.graph.inputs}
        op_level: dict[int, int] = {}
        for k in range(len(self.ops)):
            live = [t for t in self.inputs(k) if t not in self.constant]
            if not live:
                continue
            if k in self.custom:
                # Crossing from a stage into a custom operation adds a barrier; an output of
                # another custom operation has crossed it already.
                out_level = max(
                    tensor_level[t] + (self.producer.get(t) not in self.custom) for t in live
                )
                op_level[k] = out_level - 1
            else:
                out_level = op_level[k] = max(tensor_level[t] for t in live)
            for t in self.ops[k].outputs:
                tensor_level[int(t)] = out_level
        return op_level


def _with_constant_producers(graph: Graph, ops: set[int]) -> list[int]:
    """Return ``ops`` plus the operators that compute their constant inputs, in graph order."""
    todo = list(ops)
    found = set(ops)
    while todo:
        for t in graph.inputs(todo.pop()):
            producer = graph.producer.get(t)
            if t in graph.constant and producer is not None and producer not in found:
                found.add(producer)
                todo.append(producer)
    return sorted(found)


def extract(
    graph: Graph, ops: list[int], inputs: list[int], outputs: list[int], description: str
) -> bytes:
    """Return a new LiteRT model holding only ``ops`` with the given graph inputs and outputs.

    Tensors, buffers and operator codes are renumbered in order of first use; the weights and
    operator options are copied unchanged. Metadata and signatures are not kept.
    """
    import copy

    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = graph.model
    tensor_map: dict[int, int] = {}
    buffer_map: dict[int, int] = {}
    code_map: dict[int, int] = {}
    sub = schema.SubGraphT()
    sub.tensors, sub.operators = [], []
    new = schema.ModelT()
    new.version = model.version
    new.description = description.encode()
    new.operatorCodes = []
    new.buffers = [schema.BufferT()]  # buffer 0: the empty sentinel every model starts with

    def tensor(t: int) -> int:
        if t < 0:
            return t
        if t not in tensor_map:
            source = copy.copy(graph.graph.tensors[t])
            data = model.buffers[source.buffer].data
            if source.buffer and data is not None and len(data):
                if source.buffer not in buffer_map:
                    buffer_map[source.buffer] = len(new.buffers)
                    new.buffers.append(schema.BufferT(data=np.asarray(data, dtype=np.uint8)))
                source.buffer = buffer_map[source.buffer]
            else:
                source.buffer = 0
            tensor_map[t] = len(sub.tensors)
            sub.tensors.append(source)
        return tensor_map[t]

    sub.inputs = [tensor(t) for t in inputs]
    for k in ops:
        op = copy.copy(graph.ops[k])
        if op.opcodeIndex not in code_map:
            code_map[op.opcodeIndex] = len(new.operatorCodes)
            new.operatorCodes.append(model.operatorCodes[op.opcodeIndex])
        op.opcodeIndex = code_map[op.opcodeIndex]
        op.inputs = [tensor(int(t)) for t in op.inputs]
        op.outputs = [tensor(int(t)) for t in op.outputs]
        sub.operators.append(op)
    sub.outputs = [tensor(t) for t in outputs]
    sub.name = graph.graph.name
    new.subgraphs = [sub]
    builder = flatbuffers.Builder(1024)
    builder.Finish(new.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def split_attention_model(data: bytes) -> tuple[list[bytes], dict[str, Any]]:
    """Cut the attention landmark model at its custom operations.

    Returns the builtin-only stage models and the plan (JSON-ready) that runs them: stage
    inputs and outputs by tensor name, the custom operations between and after the stages
    with their decoded attributes, and which tensor holds each model output.
    """
    from ai_edge_litert import schema_py_generated as schema
    from flatbuffers import flexbuffers

    graph = Graph(schema.ModelT.InitFromPackedBuf(bytearray(data), 0))
    for name, version in graph.custom.values():
        if SUPPORTED_CUSTOM_OPS.get(name) != version:
            raise SystemExit(f"custom operation {name} v{version} has no NumPy port")
    levels = graph.levels()
    model_outputs = [int(t) for t in graph.graph.outputs]
    last = max(levels[k] for k in graph.custom)
    # Builtin operators after the last custom operations must be plain reshapes to model
    # outputs: NumPy does those, so no stage is needed for them.
    output_alias: dict[str, str] = {}
    for k, level in levels.items():
        if k in graph.custom or level <= last:
            continue
        (source,) = [t for t in graph.inputs(k) if t not in graph.constant]
        (target,) = [int(t) for t in graph.ops[k].outputs]
        if graph.op_name(k) != "RESHAPE" or target not in model_outputs:
            raise SystemExit(f"operator {k} ({graph.op_name(k)}) after the last custom operation")
        output_alias[graph.names[target]] = graph.names[source]

    stages: list[bytes] = []
    plan: dict[str, Any] = {
        "source": f"{WHEEL_NAME}:{ATTENTION_PATH}",
        "source_sha256": ATTENTION_SHA256,
        "steps": [],
    }
    for level in range(last + 1):
        ops = {k for k, lv in levels.items() if lv == level and k not in graph.custom}
        produced = {int(t) for k in ops for t in graph.ops[k].outputs}
        stage_inputs: list[int] = []
        for k in sorted(ops):
            for t in graph.inputs(k):
                if t not in produced and t not in graph.constant and t not in stage_inputs:
                    stage_inputs.append(t)
        stage_outputs = [
            t
            for t in sorted(produced)
            if t in model_outputs or any(c not in ops for c in graph.consumers.get(t, []))
        ]
        name = STAGE_NAME.format(level + 1)
        all_ops = _with_constant_producers(graph, ops)
        if any(k in graph.custom for k in all_ops):
            raise SystemExit(f"{name} would contain a custom operation")
        description = (
            f"{name}: builtin-only part {level + 1} of {ATTENTION_PATH} from {WHEEL_NAME}, "
            "cut at its custom operations by photocheck's tools/fetch_mediapipe_models.py"
        )
        stages.append(extract(graph, all_ops, stage_inputs, stage_outputs, description))
        plan["steps"].append(
            {
                "model": name,
                "inputs": [graph.names[t] for t in stage_inputs],
                "outputs": [graph.names[t] for t in stage_outputs],
            }
        )
        custom = []
        for k in sorted(graph.custom):
            if levels[k] != level:
                continue
            raw = graph.ops[k].customOptions
            options = (
                {} if raw is None or not len(raw) else flexbuffers.Loads(bytes(bytearray(raw)))
            )
            (output,) = [int(t) for t in graph.ops[k].outputs]
            name_k, version = graph.custom[k]
            shape = [int(s) for s in graph.graph.tensors[output].shape]
            if name_k == "TransformTensorBilinear" and shape[1:3] != [
                options["output_height"],
                options["output_width"],
            ]:
                raise SystemExit(f"operator {k}: output shape {shape} disagrees with its options")
            custom.append(
                {
                    "op": name_k,
                    "version": version,
                    "inputs": [graph.names[t] for t in graph.inputs(k)],
                    "output": graph.names[output],
                    "output_shape": shape,
                    "options": {key: options[key] for key in sorted(options)},
                }
            )
        plan["steps"].append({"custom": custom})
    for t in model_outputs:
        output_alias.setdefault(graph.names[t], graph.names[t])
    plan["outputs"] = {name: output_alias[name] for name in sorted(output_alias)}
    return stages, plan


def check_stages_run(folder: Path, plan: dict[str, Any]) -> None:
    """Load every stage with stock LiteRT and check its declared inputs and outputs."""
    from ai_edge_litert.interpreter import Interpreter

    for step in plan["steps"]:
        if "model" not in step:
            continue
        interp = Interpreter(model_path=str(folder / f"{step['model']}.tflite"), num_threads=1)
        interp.allocate_tensors()
        inputs = [d["name"] for d in interp.get_input_details()]
        outputs = sorted(d["name"] for d in interp.get_output_details())
        if inputs != step["inputs"] or outputs != sorted(step["outputs"]):
            raise SystemExit(f"{step['model']}: LiteRT reports inputs {inputs}, outputs {outputs}")
        for detail in interp.get_input_details():
            interp.set_tensor(detail["index"], np.zeros(detail["shape"], np.float32))
        interp.invoke()


# --------------------------------------------------------------------------- documents


def readme(files: dict[str, bytes], descriptions: dict[str, tuple[str, str]]) -> str:
    """Return the models folder's README: one section per shipped file."""
    lines = [
        "# photocheck face models",
        "",
        "Written by `tools/fetch_mediapipe_models.py`; do not edit by hand. Everything here comes",
        f"from MediaPipe ({MEDIAPIPE_REPO}), Copyright The MediaPipe Authors,",
        "under the Apache License 2.0 (`LICENSE-mediapipe`; attribution and changes in `NOTICE`).",
        "",
        f"- Models: the PyPI wheel `{WHEEL_NAME}`",
        f"  (sha256 `{WHEEL_SHA256}`).",
        "- Face geometry and landmark refinement data: the mediapipe git repository at commit",
        f"  `{MEDIAPIPE_COMMIT}`.",
        "",
        "Stock LiteRT cannot run `face_landmark_with_attention.tflite` (custom operations), so it",
        "ships as two builtin-only stages; `photocheck.vision.mesh_ops` does the custom operations",
        "in NumPy as `face_landmark_attention.json` lists them.",
        "",
        "Regenerate (identical bytes every run), from the repository root:",
        "",
        "```",
        "uv run python tools/fetch_mediapipe_models.py [--wheel PATH] [--mediapipe-src DIR]",
        "```",
        "",
        "| file | what it is | source | licence | sha256 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in sorted(files):
        what, source = descriptions[name]
        lines.append(f"| `{name}` | {what} | {source} | Apache-2.0 | `{sha256(files[name])}` |")
    lines.append("")
    return "\n".join(lines)


def notice() -> str:
    """Return the NOTICE text for the MediaPipe-derived files."""
    return f"""photocheck: MediaPipe face models and data
==========================================

The files in this folder, and src/photocheck/vision/mesh_ops.py, are or are derived from
MediaPipe ({MEDIAPIPE_REPO}), Copyright The MediaPipe Authors, licensed under the
Apache License, Version 2.0; a copy of the licence is in LICENSE-mediapipe.

Copied unchanged from the PyPI wheel {WHEEL_NAME}:
  face_detection_short_range.tflite, face_detection_full_range_sparse.tflite,
  selfie_segmentation.tflite

Modified (Apache-2.0 section 4(b)); the changes are:
  face_landmark_attention_stage1.tflite, face_landmark_attention_stage2.tflite:
    {ATTENTION_PATH} from the same wheel, cut into two models
    at its custom operations (Landmarks2TransformMatrix, TransformTensorBilinear,
    TransformLandmarks) so that stock LiteRT can run them; weights and builtin operators
    unchanged, model metadata removed.
  face_landmark_attention.json:
    the custom operations' attributes from that model, and the landmark refinement index
    maps of {REFINEMENT_PBTXT}
    (git commit {MEDIAPIPE_COMMIT}), re-encoded as JSON.
  canonical_face.npz:
    the vertices of {CANONICAL_OBJ} and the Procrustes
    weights of {GEOMETRY_PBTXT}
    (git commit {MEDIAPIPE_COMMIT}), re-encoded as NumPy arrays.
  src/photocheck/vision/mesh_ops.py:
    a NumPy port of the C++ custom operations in {CUSTOM_OPS_DIR}/
    (git commit {MEDIAPIPE_COMMIT}).
"""


def plan_json(plan: dict[str, Any]) -> str:
    """Return ``plan`` as indented JSON with each list of numbers on one line."""
    text = json.dumps(plan, indent=1, sort_keys=True)
    return re.sub(r"\[[-0-9.,\s]*\]", lambda m: re.sub(r"\s+", " ", m.group(0)), text) + "\n"


def write_if_changed(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes."""
    if path.is_file() and path.read_bytes() == data:
        print(f"unchanged {path}")
        return
    path.write_bytes(data)
    print(f"wrote     {path} ({len(data)} bytes)")


def build(wheel: Path, mediapipe_src: Path, out: Path) -> None:
    """Write every model, data and attribution file into ``out``."""
    models = read_wheel(wheel)
    files: dict[str, bytes] = {}
    descriptions: dict[str, tuple[str, str]] = {}
    for name, (path, _, what) in COPIED.items():
        files[name] = models[path]
        descriptions[name] = (what, f"`{WHEEL_NAME}`: `{path}`, unchanged")

    stages, plan = split_attention_model(models[ATTENTION_PATH])
    plan["refinement"] = refinement_maps(mediapipe_src)
    plan["refinement_source"] = f"{REFINEMENT_PBTXT} @ {MEDIAPIPE_COMMIT}"
    for number, data in enumerate(stages, start=1):
        name = f"{STAGE_NAME.format(number)}.tflite"
        files[name] = data
        part = "trunk and 468-point mesh" if number == 1 else "lips, eye and iris heads"
        descriptions[name] = (
            f"Attention face-landmark model, part {number} of {len(stages)} ({part}); "
            "builtin operators only, run by `photocheck.vision.mesh`.",
            f"`{WHEEL_NAME}`: `{ATTENTION_PATH}` (sha256 `{ATTENTION_SHA256}`), cut at its "
            "custom operations; weights unchanged, metadata dropped",
        )
    files[PLAN_NAME] = plan_json(plan).encode()
    descriptions[PLAN_NAME] = (
        "How to run the stages: tensor names, the custom operations between and after them "
        "with their attributes, and the 478-point refinement index maps.",
        f"`{WHEEL_NAME}`: `{ATTENTION_PATH}` (custom_options); "
        f"`{REFINEMENT_PBTXT}` @ `{MEDIAPIPE_COMMIT}`",
    )
    files["canonical_face.npz"] = canonical_face_npz(mediapipe_src)
    descriptions["canonical_face.npz"] = (
        "Canonical 3D face: `vertices` (468, 3) float64 and Procrustes `weights` (468,) float64 "
        "(zero where the pbtxt gives none), for head pose and the mesh's mirror partners "
        "(`photocheck.vision.mesh.mirror_partners`).",
        f"`{CANONICAL_OBJ}` and `{GEOMETRY_PBTXT}` @ `{MEDIAPIPE_COMMIT}`",
    )
    files["LICENSE-mediapipe"] = (mediapipe_src / "LICENSE").read_bytes()
    descriptions["LICENSE-mediapipe"] = (
        "The Apache License 2.0 under which MediaPipe is distributed.",
        f"`LICENSE` @ `{MEDIAPIPE_COMMIT}`",
    )
    files["NOTICE"] = notice().encode()
    descriptions["NOTICE"] = (
        "Attribution and list of changes (Apache-2.0 section 4).",
        "this tool",
    )

    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(files):
        write_if_changed(out / name, files[name])
    write_if_changed(out / "README.md", readme(files, descriptions).encode())
    check_stages_run(out, plan)
    print(f"LiteRT loads and runs {', '.join(s['model'] for s in plan['steps'] if 'model' in s)}")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and build the models folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {WHEEL_NAME} (default: download it)")
    parser.add_argument(
        "--mediapipe-src",
        type=Path,
        default=DEFAULT_MEDIAPIPE_SRC,
        help=f"a mediapipe checkout at {MEDIAPIPE_COMMIT[:12]} (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    if args.wheel is not None:
        build(args.wheel, args.mediapipe_src, args.out)
        return
    with tempfile.TemporaryDirectory() as folder:
        build(download_wheel(Path(folder)), args.mediapipe_src, args.out)


if __name__ == "__main__":
    main()
