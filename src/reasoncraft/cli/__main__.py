"""`python -m reasoncraft.cli ...` (as torchrun and accelerate launch it) runs the same app as `reasoncraft ...`."""

from . import app

app()
