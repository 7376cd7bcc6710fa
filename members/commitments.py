"""The charter's commitments, by stable code: the clauses a member signs.

The codes are the keys every feature shares (compliance lights, evidence pack,
improvement actions, the versioned charter text). The titles here are those of
charter 2.1 (``../shared/charter/charte-qualite.md``); a later version of the
charter keeps the codes and may reword the titles.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class CommitmentCode(enum.StrEnum):
    COMMUNICATION = "communication"
    ADEQUACY = "adequacy"
    SCOPE = "scope"
    COSTS_DEADLINES = "costs_deadlines"
    FOLLOW_UP = "follow_up"
    EFFICIENCY = "efficiency"
    DURABILITY = "durability"
    OWNERSHIP = "ownership"
    SECURITY = "security"
    EXPERTISE = "expertise"
    WATCH = "watch"
    QUESTIONNAIRES = "questionnaires"
    MEDIATION = "mediation"


#: Charter 2.1 titles, in the charter's order.
TITLES = {
    CommitmentCode.COMMUNICATION: _l("Obligation de communication de son engagement"),
    CommitmentCode.ADEQUACY: _l("Solution en adéquation avec la demande"),
    CommitmentCode.SCOPE: _l("Ampleur du projet"),
    CommitmentCode.COSTS_DEADLINES: _l("Maîtrise des coûts et des délais"),
    CommitmentCode.FOLLOW_UP: _l("Suivi du projet"),
    CommitmentCode.EFFICIENCY: _l("Mesure d'efficacité"),
    CommitmentCode.DURABILITY: _l("Pérennité des solutions proposées"),
    CommitmentCode.OWNERSHIP: _l("Propriété des services"),
    CommitmentCode.SECURITY: _l("Sécurité (sauvegardes, licences…)"),
    CommitmentCode.EXPERTISE: _l("Ressources disponibles et expertises"),
    CommitmentCode.WATCH: _l("Veille informatique, normative et technologique"),
    CommitmentCode.QUESTIONNAIRES: _l("Questionnaires clients"),
    CommitmentCode.MEDIATION: _l("Médiation des litiges"),
}
