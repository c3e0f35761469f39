"""Face analysis on MediaPipe's Apache-2.0 face models, run by Google's LiteRT.

Detection (BlazeFace), the eye-aligned face crop, the 478-point attention mesh, head pose and
the person mask. Every model loads lazily, once per thread (a LiteRT interpreter is not safe to
share between threads).
"""
