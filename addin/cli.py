"""`gestimum-excel`: the headless command line over the same pipeline as the ribbon.

Exit codes (DESIGN §3.2): 0 success, 1 some lines rejected, 2 bad input (nothing sent),
3 server/network error or unknown outcome.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from addin.core.errors import AddinError
from addin.core.gc_pause import collector_paused

__all__ = ["main"]

DEFAULT_SERVER = "http://localhost:8080"
DEFAULT_FICHIER = "DEMO.Gestimum"
DEFAULT_UTILISATEUR = "DEMO"


EXIT_CODES = (
    "Codes de sortie : 0 tout est importé (ou contrôle sans problème bloquant), 1 des lignes "
    "rejetées, 2 données à corriger (rien n'a été envoyé), 3 erreur du serveur ou du réseau, "
    "ou résultat inconnu (vérifiez dans Gestimum)."
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with French headings."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with French help and usage errors, and exit code 2 (bad input)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("epilog", EXIT_CODES)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="affiche cette aide et quitte")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"Erreur : {message}\n")


class _VersionAction(argparse.Action):
    """``--version``: the add-in, xlwings and catalog versions, then exit 0."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        from addin.core.versions import about_lines

        print("\n".join(about_lines()))
        parser.exit(0)


def _add_target(
    p: argparse.ArgumentParser, *, server: bool = True, delimiter: bool = True
) -> None:
    if delimiter:
        _add_delimiter(p)
    if server:
        p.add_argument("--server", help=f"URL du Web Service Gestimum (défaut {DEFAULT_SERVER})")
    p.add_argument("--societe", help=f"fichier société .Gestimum (défaut {DEFAULT_FICHIER})")
    p.add_argument("--utilisateur", help=f"utilisateur Gestimum (défaut {DEFAULT_UTILISATEUR})")
    p.add_argument(
        "--batch-size", "--taille-lots", dest="batch_size",
        help="lignes par requête (remplace la feuille Connexion) ; « auto » (défaut) : le moins "
             "de requêtes possible d'après le temps de réponse du serveur",
    )


def _add_delimiter(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--delimiteur", default="", metavar="CARACTERE",
        help="identificateur de texte (ex. '\"') : les valeurs contenant « ; » sont alors "
             "entourées de ce caractère au lieu d'être refusées",
    )


def _add_journal(p: argparse.ArgumentParser) -> None:
    p.add_argument("--journal", type=Path, default=None,
                   help="fichier du journal des exécutions (défaut : variable GESTIMUM_JOURNAL, "
                        "sinon le dossier de données de l'utilisateur)")


def _add_tls(p: argparse.ArgumentParser) -> None:
    p.add_argument("--certificat-ca", metavar="FICHIER",
                   help="autorité de certification (.pem) à reconnaître en plus de celles du "
                        "système (remplace la ligne « Certificat CA » de la feuille Connexion)")
    p.add_argument("--insecure", action="store_true",
                   help="ne pas vérifier le certificat TLS (dernier recours, déconseillé)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (French help)."""
    parser = _Parser(
        prog="gestimum-excel",
        description="Importer des classeurs Excel dans Gestimum ERP (Web Service 2).",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="affiche les versions du complément, d'xlwings et du catalogue")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                title="commandes", metavar="COMMANDE")

    p = sub.add_parser("demo", help="démonstration complète contre le bac à sable intégré")
    p.add_argument("--out", type=Path, default=Path("gestimum-demo.xlsx"),
                   help="classeur de résultats (défaut ./gestimum-demo.xlsx)")

    p = sub.add_parser("check", help="contrôle hors ligne d'un classeur",
                       description="Contrôle hors ligne : correspondance des colonnes et "
                                   "problèmes (feuille, ligne, colonne, champ). Rien n'est envoyé.")
    p.add_argument("workbook", type=Path, metavar="CLASSEUR", help="classeur .xlsx à contrôler")
    p.add_argument("--sheet", action="append", metavar="FEUILLE",
                   help="feuille à contrôler (répétable)")
    p.add_argument("--endpoint", metavar="POINT_D_ENTREE",
                   help="point d'entrée si la feuille ne le désigne pas (ex. Clients)")
    p.add_argument("--delimiteur", default="", metavar="CARACTERE",
                   help="identificateur de texte qui sera utilisé à l'import")
    p.add_argument("--ignorer-masquees", action="store_true",
                   help="ne pas contrôler les lignes masquées ou filtrées")
    _add_journal(p)
    _add_target(p, delimiter=False)
    p.add_argument("--corriger-zeros", action="store_true",
                   help="rétablir le zéro initial qu'Excel a retiré d'un code postal, SIREN ou "
                        "SIRET saisi comme un nombre (signalé pour chaque cellule)")
    p.add_argument("--enregistrer", action="store_true",
                   help="écrire le résultat du contrôle dans la colonne #STATUT (comme le bouton "
                        "Contrôler) et la correspondance des colonnes dans la feuille "
                        "Correspondances, réutilisée aux exécutions suivantes")
    p.add_argument("--out", type=Path, metavar="CHEMIN",
                   help="avec --enregistrer : écrire dans une copie plutôt que dans le classeur")
    p.add_argument("--json", action="store_true",
                   help="problèmes en JSON (avec leurs codes stables), pour les scripts")

    p = sub.add_parser("champs", help="liste les champs d'un point d'entrée",
                       description="Champs d'un point d'entrée : code, libellé, type, longueur, "
                                   "obligatoire, valeurs permises.")
    p.add_argument("endpoint", metavar="POINT_D_ENTREE", help="ex. Clients, Ecritures")
    p.add_argument("--json", action="store_true", help="en JSON")

    p = sub.add_parser("payload", help="affiche les requêtes JSON qui seraient envoyées")
    p.add_argument("workbook", type=Path)
    p.add_argument("--sheet", required=True)
    p.add_argument("--endpoint")
    p.add_argument("--test", action="store_true", help="requêtes en mode test (tester = Oui)")
    p.add_argument("--ignorer-masquees", action="store_true",
                   help="sans les lignes masquées ou filtrées")
    p.add_argument("--corriger-zeros", action="store_true",
                   help="rétablir le zéro initial qu'Excel a retiré d'un code postal, SIREN ou "
                        "SIRET saisi comme un nombre (signalé pour chaque cellule)")
    _add_target(p, server=False)

    p = sub.add_parser("import", help="contrôle, envoie et écrit les résultats dans le classeur")
    p.add_argument("workbook", type=Path)
    p.add_argument("--sheet", action="append", help="feuille à importer (répétable)")
    p.add_argument(
        "--all", action="store_true", help="toutes les feuilles, dans l'ordre des dépendances"
    )
    p.add_argument("--endpoint")
    p.add_argument("--test", action="store_true", help="mode test de Gestimum : rien n'est écrit")
    p.add_argument("--out", type=Path, help="écrire les résultats dans une copie")
    p.add_argument("--reimport", action="store_true",
                   help="fiches (clients, articles…) : renvoyer aussi les lignes inchangées, en "
                        "mise à jour ; ne renvoie jamais un document ou une écriture déjà importé")
    p.add_argument("--dupliquer", action="store_true",
                   help="documents et écritures : créer une seconde fois ceux déjà importés ou au "
                        "résultat inconnu (doublons volontaires)")
    p.add_argument("--renvoyer-inconnues", action="store_true",
                   help="renvoyer les lignes au résultat inconnu, après avoir vérifié dans "
                        "Gestimum qu'elles n'y sont pas")
    _add_journal(p)
    p.add_argument("--ignorer-masquees", action="store_true",
                   help="ne pas envoyer les lignes masquées ou filtrées (envoyées par défaut)")
    p.add_argument("--corriger-zeros", action="store_true",
                   help="rétablir le zéro initial qu'Excel a retiré d'un code postal, SIREN ou "
                        "SIRET saisi comme un nombre (signalé pour chaque cellule)")
    p.add_argument("--lignes-valides", action="store_true",
                   help="envoyer les lignes sans problème bloquant et garder les autres "
                        "(« Non envoyée » dans #STATUT) ; une pièce n'est jamais coupée")
    p.add_argument("--localiser", action="store_true",
                   help="si Gestimum ne dit pas quelles lignes ont échoué, les retrouver en "
                        "découpant le lot en mode test (requêtes supplémentaires)")
    p.add_argument("--yes", action="store_true",
                   help="confirmer d'avance un import réel vers un serveur de production "
                        "(et --dupliquer)")
    p.add_argument("--faire-confiance", action="store_true",
                   help="confirmer le serveur désigné par le classeur la première fois qu'il "
                        "est utilisé sur ce poste (sans terminal pour répondre à la question)")
    _add_tls(p)
    _add_target(p)

    p = sub.add_parser("journal", help="liste les exécutions d'import, ou en détaille une")
    p.add_argument("run", nargs="?", help="identifiant (ou début d'identifiant) d'une exécution")
    p.add_argument("--nombre", type=int, default=20, help="exécutions listées (défaut 20)")
    _add_journal(p)

    p = sub.add_parser(
        "reprendre", help="écrit dans le classeur les statuts que le journal connaît"
    )
    p.add_argument("workbook", type=Path)
    p.add_argument("--sheet", action="append", help="feuille (répétable ; défaut : toutes)")
    p.add_argument("--endpoint")
    p.add_argument("--out", type=Path, help="écrire dans une copie")
    _add_journal(p)
    _add_target(p)

    p = sub.add_parser("sandbox", help="lance le bac à sable Gestimum (serveur local)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument(
        "--data", type=Path, help="dossier des bases SQLite (défaut : dossier temporaire)"
    )
    p.add_argument("--latency", "--latence", type=float, default=0.0,
                   help="délai par appel, en secondes")
    p.add_argument("--latence-ligne", "--line-latency", dest="line_latency", type=float,
                   default=0.0, help="délai par ligne de données importée, en secondes")
    p.add_argument("--version-erp", "--erp-version", dest="erp_version",
                   help="version de l'ERP annoncée par Outils/VersionERP (ex. 8.0.0.100)")
    p.add_argument("--pannes", "--faults", dest="faults", action="store_true",
                   help="accepte l'injection de pannes et les changements de latence (tests)")

    p = sub.add_parser("version", help="versions du Web Service et de l'ERP")
    p.add_argument("--server", default=DEFAULT_SERVER)
    p.add_argument("--classeur", type=Path, metavar="CLASSEUR",
                   help="signale les feuilles de ce classeur que la version de l'ERP n'a pas")
    _add_tls(p)

    p = sub.add_parser("templates", help="(re)génère les classeurs modèles")
    p.add_argument("--out", type=Path, help="dossier de sortie (défaut workbook_templates/)")

    sub.add_parser("endpoints", help="liste les points d'entrée Gestimum")

    p = sub.add_parser(
        "mettre-a-jour", help="met un classeur rempli au niveau du modèle actuel",
        description="Réécrit les libellés, notes, listes de choix et formats des feuilles de "
        "données d'après le modèle actuel, sans toucher aux cellules de données, et liste ce "
        "qui a changé (champs nouveaux, libellés renommés, champs retirés).")
    p.add_argument("workbook", type=Path, metavar="CLASSEUR")
    p.add_argument("--out", type=Path, help="écrire le classeur mis à jour dans une copie")

    p = sub.add_parser(
        "install-addin",
        help="installe le complément Excel (Windows)",
        description="Installe le complément Excel gestimum.xlam pour l'utilisateur courant, "
        "sans aucune question (utilisable dans un script de déploiement). Codes de sortie : "
        "0 fait, 1 échec, 2 refusé (ce Python ou ce profil ne peut pas faire fonctionner le "
        "complément ; rien n'a été modifié).",
    )
    p.add_argument("--uninstall", "--desinstaller", action="store_true",
                   help="désinstalle le complément (seulement le fichier que cette commande a "
                        "installé)")
    p.add_argument("--dossier", "--folder", type=Path, default=None,
                   help="installe dans ce dossier plutôt que dans XLSTART (à déclarer comme "
                        "emplacement approuvé, puis à charger dans Excel)")
    p.add_argument("--forcer", "--force", action="store_true",
                   help="installe dans XLSTART même si AppData est sur le réseau (emplacements "
                        "réseau approuvés par le service informatique)")
    p.add_argument("--silencieux", "--quiet", action="store_true",
                   help="n'affiche que les avertissements et les erreurs")
    for command in sub.choices.values():
        _fill_help(command)
    return parser


# Help of the options that several commands share, where a command did not give its own.
_SHARED_HELP = {
    "workbook": "classeur Excel (.xlsx ou .xlsm)",
    "sheet": "feuille de données (répétable pour import)",
    "endpoint": "point d'entrée Gestimum si le nom de la feuille ne le désigne pas "
                "(ex. Clients ; liste : commande endpoints)",
    "server": f"URL du Web Service Gestimum (défaut {DEFAULT_SERVER})",
    "insecure": "ne pas vérifier le certificat TLS (déconseillé)",
    "host": "adresse d'écoute (défaut 127.0.0.1 : cette machine seulement)",
    "port": "port d'écoute (défaut 8080)",
}


_PLACEHOLDERS = {
    "workbook": "CLASSEUR", "sheet": "FEUILLE", "endpoint": "POINT_D_ENTREE", "out": "CHEMIN",
    "server": "URL", "societe": "FICHIER", "utilisateur": "CODE", "batch_size": "N",
    "journal": "FICHIER", "data": "DOSSIER", "latency": "SECONDES", "host": "ADRESSE",
    "port": "PORT", "nombre": "N",
}


def _fill_help(parser: argparse.ArgumentParser) -> None:
    """Every option of a command gets a French help and French placeholders."""
    for action in parser._actions:  # argparse keeps no public list of a parser's actions
        if action.help is None:
            action.help = _SHARED_HELP.get(action.dest)
        if action.metavar is None and (action.option_strings or action.dest == "workbook"):
            action.metavar = _PLACEHOLDERS.get(action.dest)


_SERVERS = {"sandbox"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; French message and exit code on every known failure."""
    args = build_parser().parse_args(argv)
    from addin.commands import actions as commands

    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        if args.command in _SERVERS:  # long-lived: the collector keeps its usual rhythm
            return handler(args)
        with collector_paused():
            return handler(args)
    except AddinError as exc:
        from addin.commands.console import terminal_safe

        print(f"Erreur : {terminal_safe(exc.user_message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu. Ce qui a déjà été envoyé est noté dans le journal des exécutions : "
              "relancez la même commande (rien ne sera envoyé deux fois) ou écrivez les statuts "
              "dans le classeur avec « gestimum-excel reprendre CLASSEUR ».", file=sys.stderr)
        return 130
