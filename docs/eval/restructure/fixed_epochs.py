"""Run `shopassist eval all --part behaviour` with SASRec trained for a fixed number of epochs
and no wall-clock cap, so that two code versions can be compared without load noise."""
import importlib
import os
import sys

sys.path.insert(0, os.getcwd())

module_name, entry = sys.argv[1], sys.argv[2]
mod = importlib.import_module(module_name)
orig = mod.SASRec.__init__


def init(self, *args, **kwargs):
    kwargs["epochs"], kwargs["max_seconds"] = 4, None
    orig(self, *args, **kwargs)


mod.SASRec.__init__ = init
cli = importlib.import_module(entry)
sys.argv = ["shopassist"] + sys.argv[3:]
cli.main()
