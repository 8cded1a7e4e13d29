"""One path from a target to a summary: ``resolve(target, Request.make(...))`` then ``summarize``.

Imports no framework until a target needs one.
"""

from .errors import TargetError
from .request import DTYPE_NAMES, TraceDevice, Request, RequestError
from .resolve import Resolved, is_keras_model, is_target, register_file_loader, resolve, summarize

__all__ = ["DTYPE_NAMES", "TraceDevice", "Request", "RequestError", "Resolved", "TargetError", "is_keras_model", "is_target", "register_file_loader", "resolve", "summarize"]
