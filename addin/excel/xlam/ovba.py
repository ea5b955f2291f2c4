"""``vbaProject.bin`` from VBA sources with ms-ovba, made correct and reproducible.

Build-time only (ms-ovba is in the ``test`` extra): the built .xlam ships in ``addin/data``.
Two runtime patches, both undone afterwards: the copy-token length fix of ms-ovba-compression
1.0.1 (see docs/ADDIN.md) and a fixed seed for the obfuscation bytes of the PROJECT stream.
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from addin.excel.xlam.vba import VbaModule

# Fixed so that every build writes the same PROJECT stream (Excel only needs it to be a GUID).
PROJECT_ID = "{6D1F8E2A-3C4B-4E5D-9A7F-47455354494D}"
# Seed of the CMG/DPB/GC obfuscation bytes; their content (no protection, no password) is fixed.
_CRYPTO_SEED = 0x47455354

# Type libraries: stdole, and the Office object library for the IRibbonControl type.
_REFERENCES = (
    (
        "stdole",
        "00020430-0000-0000-C000-000000000046",
        "2.0",
        r"C:\Windows\System32\stdole2.tlb",
        "OLE Automation",
    ),
    (
        "Office",
        "2DF8D04C-5BFA-101B-BDE5-00AA0044DE52",
        "2.0",
        r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
        "Microsoft Office 16.0 Object Library",
    ),
)


def fixed_copytoken_help(original: Any) -> Any:
    """Wrap ``MsOvba.copytoken_help`` so copy tokens never exceed MS-OVBA's maximum length."""

    def copytoken_help(difference: int) -> dict:
        help_ = original(difference)
        # ms-ovba-compression 1.0.1 computes 0xFFFF << bitCount + 3; MS-OVBA 2.4.1.3.19.1 says
        # (0xFFFF >> bitCount) + 3. Longer tokens spill into the offset bits and corrupt the code.
        help_["maxLength"] = (0xFFFF >> help_["bitCount"]) + 3
        return help_

    return copytoken_help


@contextlib.contextmanager
def patched_ms_ovba() -> Iterator[None]:
    """Apply the compression fix and the fixed obfuscation seed for the duration of a build."""
    from ms_ovba_compression.ms_ovba import MsOvba
    from ms_ovba_crypto import ms_ovba_crypto

    original_help = MsOvba.__dict__["copytoken_help"]
    original_random = ms_ovba_crypto.random
    MsOvba.copytoken_help = staticmethod(fixed_copytoken_help(original_help.__func__))
    # ms_ovba_crypto calls random.randint(); a seeded generator makes its output repeatable.
    ms_ovba_crypto.random = random.Random(_CRYPTO_SEED)
    try:
        yield
    finally:
        MsOvba.copytoken_help = original_help
        ms_ovba_crypto.random = original_random


def compress(data: bytes) -> bytes:
    """MS-OVBA compression of ``data`` with the fix applied (used by the tests too)."""
    from ms_ovba_compression.ms_ovba import MsOvba

    with patched_ms_ovba():
        return MsOvba().compress(data)


def _class_module(std_module: type, name: str) -> Any:
    """A class module, which ms-ovba 0.0.1 cannot write: a standard module listed as
    ``Class=<name>`` in the PROJECT stream and typed 0x0022 in the dir stream (MS-OVBA
    2.3.4.2.3.2.8: "document, class or designer module"; 0x0021 is for standard modules)."""

    class ClassModule(std_module):  # type: ignore[misc, valid-type]
        def __init__(self, module_name: str) -> None:
            super().__init__(module_name)
            self.type = "Class"  # PROJECT stream line: Class=<name>

        def pack(self, endien: str, cp_name: str) -> bytes:
            # ModuleBase.pack writes MODULETYPE 0x0022 only for type "Document".
            self.type = "Document"
            try:
                return super().pack(endien, cp_name)
            finally:
                self.type = "Class"

    return ClassModule(name)


def build_vba_project(modules: Sequence[VbaModule]) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules`` (source only, no p-code)."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile

    # ms-ovba writes its streams into the current directory (and appends to "<module>.new"
    # files), so every build gets a fresh, private working directory.
    with (
        tempfile.TemporaryDirectory(prefix="gestimum-xlam-") as work,
        contextlib.chdir(work),
        patched_ms_ovba(),
    ):
        project = VbaProject()
        project.project_id = PROJECT_ID
        for module in modules:
            path = os.path.join(work, module.name)
            # The ".new" file is what ms-ovba compresses; writing it ourselves keeps the exact
            # cp1252/CRLF bytes (its normalize_file() would use the locale's encoding).
            Path(path + ".new").write_bytes(module.source_bytes())
            if module.kind == "document":
                entity = DocModule(module.name)
            elif module.kind == "class":
                entity = _class_module(StdModule, module.name)
            else:
                entity = StdModule(module.name)
            entity.add_file(path)
            project.add_module(entity)
        for name, guid, version, path, description in _REFERENCES:
            libid = LibidReference(uuid.UUID(guid), version, "0", path, description)
            project.add_reference(Reference(ReferenceRegistered(libid), name))
        ProjectOleFile.write_file(project)
        return Path(work, "vbaProject.bin").read_bytes()
