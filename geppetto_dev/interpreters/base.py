"""What every model interpreter shares: the file it reads, the error it raises, its shape.

An interpreter turns the bytes of one model file into Geppetto types, as the Java server's
`IModelInterpreterService.importType(url, typeName, library, access)` did: pure functions from
a file to types, no server, no global state. Includes and other files a model names are read
through `ModelFile.relative`, which never leaves the folder the file was opened under.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.model import GeppettoLibrary, GeppettoModel, Type

__all__ = ["Interpreter", "InterpreterError", "ModelFile"]

# A model file larger than this is refused before it is read (a 10k-segment cell is ~2 MB).
MAX_FILE_SIZE = 256 * 1024 * 1024


class InterpreterError(GeppettoDevError):
    """A model file that cannot be read: which file, which line, what is wrong."""

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, hint: str = ""
    ) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}", hint)
        self.path = str(path)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class ModelFile:
    """A model file and the folder its reads are confined to (its includes, its meshes)."""

    path: Path
    root: Path

    @classmethod
    def open(cls, path: Path | str, root: Path | str | None = None) -> ModelFile:
        """`path` under `root` (by default, the file's own folder)."""
        resolved = Path(path).resolve()
        base = Path(root).resolve() if root is not None else resolved.parent
        return cls(resolved, base).checked()

    def checked(self) -> ModelFile:
        if not self.path.is_relative_to(self.root):
            raise InterpreterError(
                self.path,
                f"outside the folder models are read from ({self.root})",
                hint="keep model files and their includes inside the project folder",
            )
        if not self.path.is_file():
            raise InterpreterError(self.path, "no such file")
        return self

    def read_bytes(self) -> bytes:
        size = self.path.stat().st_size
        if size > MAX_FILE_SIZE:
            raise InterpreterError(self.path, f"too large ({size} bytes; at most {MAX_FILE_SIZE})")
        return self.path.read_bytes()

    def relative(self, href: str) -> ModelFile:
        """A file this one names (an include, a mesh), relative to this file's folder."""
        if "://" in href:
            raise InterpreterError(
                self.path,
                f"names a remote file ({href}); only files beside it are read",
                hint="download it next to the model file and name it by a relative path",
            )
        return ModelFile((self.path.parent / href).resolve(), self.root).checked()


class Interpreter(Protocol):
    """A model format: `id` is the Java `modelInterpreterId` Geppetto projects name it by."""

    id: str
    # File name endings it reads (".nml", ".swc"), for `geppetto-dev view FILE`.
    extensions: tuple[str, ...]

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> Type:
        """The type an ImportType of a Geppetto project stands for (added to `library`)."""
        ...

    def read_model(self, source: ModelFile) -> GeppettoModel:
        """The whole file as a model: one library, one top-level variable per thing to draw."""
        ...
