"""The CNN of "Conv2D Layer" (tistory; reference 002) as the Keras ``Sequential`` it was written as.

``model.summary()`` gives Total 264,562 / trainable 264,262 / non-trainable 300 (the three
BatchNormalization layers' moving mean and variance). The PyTorch port is ``tutorial_keras_cnn.py``.
Keras is imported inside the function so that the zoo (and convlens) import without it.
"""

from __future__ import annotations

import os


def keras_tutorial_cnn_keras(*, num_classes: int = 25):
    """Build the tutorial's ``keras.Sequential`` on a 28×28×1 input (channels-last)."""
    # Keras 3 needs a backend chosen before its first import; convlens uses torch (no TensorFlow).
    # setdefault: a backend the user already chose is kept.
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    from keras import layers

    # Layer names as the tutorial's model.summary() prints them in a fresh session; written out so
    # that they do not depend on how many layers this process has already named.
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(75, (3, 3), strides=1, padding="same", activation="relu", name="conv2d"),
            layers.BatchNormalization(name="batch_normalization"),
            layers.MaxPool2D((2, 2), strides=2, padding="same", name="max_pooling2d"),
            layers.Conv2D(50, (3, 3), strides=1, padding="same", activation="relu", name="conv2d_1"),
            layers.Dropout(0.2, name="dropout"),
            layers.BatchNormalization(name="batch_normalization_1"),
            layers.MaxPool2D((2, 2), strides=2, padding="same", name="max_pooling2d_1"),
            layers.Conv2D(25, (3, 3), strides=1, padding="same", activation="relu", name="conv2d_2"),
            layers.BatchNormalization(name="batch_normalization_2"),
            layers.MaxPool2D((2, 2), strides=2, padding="same", name="max_pooling2d_2"),  # 7×7 -> 4×4 ('same' = ceil(7 / 2))
            layers.Flatten(name="flatten"),
            layers.Dense(units=512, activation="relu", name="dense"),
            layers.Dropout(0.3, name="dropout_1"),
            layers.Dense(units=num_classes, activation="softmax", name="dense_1"),
        ],
        name="keras_tutorial_cnn",
    )
