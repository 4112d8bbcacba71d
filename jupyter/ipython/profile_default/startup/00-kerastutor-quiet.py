# Kernels started by `make lab` / `make test` load this first, so TensorFlow's C++ start-up
# lines stay out of notebooks even when a learner imports tensorflow before kerastutor.
try:
    from kerastutor import _quiet

    _quiet.install()
except ImportError:
    pass
