"""The ribbon read back from the .xlam: tab, groups, buttons, callbacks that exist in the VBA."""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from addin.excel.xlam.ribbon import BUTTONS, MACROS

NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
# Microsoft's published Excel control IDs (Microsoft 365 and Office 2016), one per line.
EXCEL_CONTROL_IDS = Path(__file__).with_name("excel-control-ids.txt")

# The specification, written out independently of the table it checks.
EXPECTED_GROUPS = {
    "Données": ["Contrôler", "Tester", "Importer", "Importer les lignes valides",
                "Associer les colonnes", "Importer tout"],
    "Connexion": ["Paramètres", "Tester la connexion"],
    "Résultats": ["Effacer les statuts"],
    "Modèles": ["Nouvelle feuille", "Mettre à jour le modèle"],
}
EXPECTED_TAGS = {
    "Contrôler": "controler",
    "Tester": "tester",
    "Importer": "importer",
    "Importer les lignes valides": "importer_lignes_valides",
    "Associer les colonnes": "associer_colonnes",
    "Importer tout": "importer_tout",
    "Paramètres": "connexion",
    "Tester la connexion": "tester_connexion",
    "Effacer les statuts": "effacer_statuts",
    "Nouvelle feuille": "nouvelle_feuille",
    "Mettre à jour le modèle": "mettre_a_jour_modele",
}


@pytest.fixture(scope="module")
def ribbon(xlam_zip: zipfile.ZipFile) -> ET.Element:
    return ET.fromstring(xlam_zip.read("customUI/customUI.xml"))


def _buttons(ribbon: ET.Element) -> list[ET.Element]:
    return list(ribbon.iter(NS + "button"))


def test_one_gestimum_tab_with_the_specified_groups_and_buttons(ribbon: ET.Element) -> None:
    assert ribbon.tag == NS + "customUI"
    tabs = list(ribbon.iter(NS + "tab"))
    assert [tab.get("label") for tab in tabs] == ["Gestimum"]
    layout = {
        group.get("label"): [button.get("label") for button in group.iter(NS + "button")]
        for group in tabs[0].iter(NS + "group")
    }
    assert layout == EXPECTED_GROUPS
    assert list(layout) == list(EXPECTED_GROUPS)


def test_buttons_carry_the_specified_tags(ribbon: ET.Element) -> None:
    assert {b.get("label"): b.get("tag") for b in _buttons(ribbon)} == EXPECTED_TAGS
    assert [b.get("tag") for b in _buttons(ribbon)] == list(MACROS)
    assert {b.tag for b in BUTTONS} == set(EXPECTED_TAGS.values())


def test_buttons_have_icons_and_french_tips(ribbon: ET.Element) -> None:
    ids = [b.get("id") for b in _buttons(ribbon)]
    assert len(ids) == len(set(ids))
    for button in _buttons(ribbon):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", button.get("imageMso") or ""), button.get("id")
        assert button.get("screentip"), button.get("id")
        # A supertip is a sentence, not a copy of the label.
        assert len(button.get("supertip") or "") > 40, button.get("id")
        assert button.get("supertip") != button.get("screentip")
        assert len(button.get("supertip")) <= 1024  # RibbonX limit
        assert button.get("size") == "large"


def test_every_icon_is_an_excel_control(ribbon: ET.Element) -> None:
    # An imageMso Excel does not know (Outlook's AcceptInvitation, Word's TableInsert…) gives a
    # blank button, silently.
    lines = EXCEL_CONTROL_IDS.read_text(encoding="utf-8").splitlines()
    known = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert len(known) > 2000 and "TableInsertExcel" in known and "TableInsert" not in known
    icons = [element.get("imageMso") for element in ribbon.iter() if element.get("imageMso")]
    assert len(icons) == len(BUTTONS)
    assert [icon for icon in icons if icon not in known] == []


# Attributes the 2006/01 customUI schema allows on these elements (subset we may use). Excel
# drops the whole ribbon of an add-in on one unknown attribute, silently by default.
SCHEMA_ATTRIBUTES = {
    "tab": {"id", "idMso", "idQ", "label", "getLabel", "keytip", "visible", "insertAfterMso"},
    "group": {
        "id",
        "idMso",
        "idQ",
        "label",
        "getLabel",
        "image",
        "imageMso",
        "keytip",
        "visible",
        "screentip",
        "supertip",
        "insertAfterMso",
    },
    "button": {
        "id",
        "idMso",
        "idQ",
        "tag",
        "onAction",
        "enabled",
        "getEnabled",
        "image",
        "imageMso",
        "getImage",
        "label",
        "getLabel",
        "keytip",
        "screentip",
        "getScreentip",
        "supertip",
        "getSupertip",
        "showLabel",
        "showImage",
        "size",
        "visible",
        "insertAfterMso",
    },
}


def test_ribbon_uses_only_schema_attributes_within_limits(ribbon: ET.Element) -> None:
    for element in ribbon.iter():
        name = element.tag.removeprefix(NS)
        if name in SCHEMA_ATTRIBUTES:
            assert set(element.attrib) <= SCHEMA_ATTRIBUTES[name], (name, element.attrib)
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", element.get("id", "")), element.attrib
            for value in element.attrib.values():
                assert 0 < len(value) <= 1024  # ST_String / ST_LongString limits


def test_every_tag_is_a_python_identifier(ribbon: ET.Element) -> None:
    # The dispatcher splices the tag into Python code: it must be a plain name.
    for button in _buttons(ribbon):
        tag = button.get("tag") or ""
        assert tag.isidentifier() and tag.isascii() and not tag.startswith("_"), tag


def _vba_subs(source: str) -> dict[str, str]:
    """Sub name → parameter list, for every Sub of a module."""
    pattern = r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(([^)]*)\)"
    return {m.group(1): m.group(2).strip() for m in re.finditer(pattern, source, re.M | re.I)}


def test_every_onaction_callback_is_a_vba_sub_with_the_ribbon_signature(
    ribbon: ET.Element, vba: dict[str, str]
) -> None:
    callbacks = {b.get("onAction") for b in _buttons(ribbon)}
    assert len(callbacks) == 1, "one dispatcher for every button"
    for callback in callbacks:
        module, _, procedure = callback.partition(".")
        assert module in vba, f"VBA module {module} missing"
        subs = _vba_subs(vba[module])
        assert procedure in subs, f"Sub {procedure} missing in {module}"
        assert re.fullmatch(r"control\s+As\s+IRibbonControl", subs[procedure], re.I)
        assert not re.search(rf"^\s*Private\s+Sub\s+{procedure}\b", vba[module], re.M | re.I)


def _body(source: str, procedure: str) -> list[str]:
    """The lines of one Sub or Function, from its header to its End line."""
    lines = source.replace("\r\n", "\n").split("\n")
    start = next(i for i, line in enumerate(lines)
                 if re.match(rf"(Public |Private )?(Sub|Function) {procedure}\(", line))
    end = next(i for i in range(start, len(lines)) if re.match(r"End (Sub|Function)", lines[i]))
    return [line.strip() for line in lines[start : end + 1]]


def test_dispatcher_runs_the_tagged_function_of_addin_macros(vba: dict[str, str]) -> None:
    body = _body(vba["RibbonGestimum"], "OnAction")
    calls = [line for line in body if "RunPython(" in line]
    assert calls == ['failed = (RunPython("import addin.macros; addin.macros." & control.Tag '
                     '& "()") = -1)']
    assert "If ActiveWorkbook Is Nothing Then" in body
    # RunPython is the xlwings runtime's, in the same project.
    assert re.search(r"^Public Function RunPython\(", vba["xlwings"], re.M)


def test_dispatcher_restores_calculation_and_screen_updating_on_every_path(
    vba: dict[str, str],
) -> None:
    # Python sets manual calculation and hides screen updates during a run; killed, it cannot
    # put them back. The dispatcher saves them before RunPython and restores them after it,
    # whether RunPython returns, reports a Python error (-1) or raises.
    body = _body(vba["RibbonGestimum"], "OnAction")
    run = next(i for i, line in enumerate(body) if "RunPython(" in line)
    save_calc = body.index("savedCalculation = Application.Calculation")
    save_screen = body.index("savedScreenUpdating = Application.ScreenUpdating")
    trap = body.index("On Error GoTo Interrupted")
    assert save_calc < run and save_screen < run and trap < run
    restore = body.index("Restore:")
    assert run < restore
    after = body[restore:]
    assert any(re.fullmatch(r"If Application\.Calculation <> savedCalculation Then "
                            r"Application\.Calculation = savedCalculation", line) for line in after)
    assert "Application.ScreenUpdating = savedScreenUpdating" in after
    assert "Application.StatusBar = False" in after
    # The error path resumes into the restore block; the normal path falls into it.
    handler = body.index("Interrupted:")
    assert body[handler + 1 : handler + 3] == ["failed = True", "Resume Restore"]
    assert body.index("Exit Sub", restore) < handler
    assert not any(line.startswith("Exit Sub") for line in body[run:restore])
    # A stopped run is said in French, after the restore.
    message = next(i for i, line in enumerate(after) if line.startswith("MsgBox"))
    assert after[message - 1] == "If failed Then" and "rétablis" in after[message]


def test_dispatcher_explains_a_missing_interpreter_in_french(vba: dict[str, str]) -> None:
    body = _body(vba["RibbonGestimum"], "OnAction")
    assert body.index("If Not PythonIsSet() Then Exit Sub") < body.index(
        "savedCalculation = Application.Calculation")
    check = "\n".join(_body(vba["RibbonGestimum"], "PythonIsSet"))
    assert 'GetConfig("INTERPRETER_WIN", "")' in check and "FileExists(interpreter)" in check
    assert 'GetConfig("CONDA PATH", "")' in check and 'GetConfig("CONDA ENV", "")' in check
    assert check.count("gestimum-excel install-addin") == 2


def test_every_message_box_of_ours_comes_to_the_front(vba: dict[str, str]) -> None:
    for name in ("RibbonGestimum", "GestimumEvents", "ThisWorkbook"):
        for line in vba[name].splitlines():
            if re.match(r"\s*MsgBox\b", line):
                assert "vbMsgBoxSetForeground" in line, line
    # xlwings' own error box (WScript.Popup, no owner window) is patched to the front as well.
    popups = [line for line in vba["xlwings"].splitlines() if "WScript.Popup" in line]
    assert popups and all("&H10000 + &H40000" in line for line in popups)


def test_macros_exist() -> None:
    macros = importlib.import_module("addin.macros")
    for tag in MACROS:
        assert callable(getattr(macros, tag, None)), f"addin.macros.{tag} missing"
