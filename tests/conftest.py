import os

# Keras 3 runs on the torch backend here (no TensorFlow); this must be set before keras is imported.
os.environ.setdefault("KERAS_BACKEND", "torch")
