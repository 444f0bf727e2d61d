"""The demo group's crisis cells, regulatory profiles, communication templates and incident stories (data only).

Every person, number and address is invented. Mobile and landline numbers are taken from the ranges
the ARCEP reserves for fiction (06 39 98 xx xx and, for the Rhône-Alpes area, 04 65 71 xx xx) so
that nobody real is ever called from a demo; e-mail addresses are under ``example.org`` /
``.example`` (RFC 2606). The insurer is a made-up mutual. Texts written by the hospitals (templates,
crisis-log entries, declarations' descriptions) are in French, as a French crisis cell writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CELLS",
    "DEPUTY_ROLES",
    "FIRST_NAMES",
    "INSURER",
    "LAST_NAMES",
    "PROFILES",
    "RANSOMWARE_LOG",
    "ROLES",
    "TEMPLATES",
    "CellSpec",
    "EntrySpec",
    "ProfileSpec",
]


@dataclass(frozen=True)
class CellSpec:
    """The crisis cell of one demo node (an ``owners`` key): where it meets and whom it calls outside."""

    key: str
    mail_domain: str
    meeting_place: str
    fallback_meeting_place: str
    plan_blanc_location: str
    police: str
    provider: str


@dataclass(frozen=True)
class ProfileSpec:
    """A node's regulatory profile; empty values are inherited from the group."""

    nis2_status: str = ""
    insured: str = ""
    insurer: str = ""
    policy_number: str = ""
    insurer_hotline: str = ""
    insurer_notice_hours: int | None = None


@dataclass(frozen=True)
class EntrySpec:
    """A crisis-log entry ``hours`` after awareness; ``corrects`` is the index of the entry it corrects."""

    hours: float
    kind: str
    text: str
    author: str = ""
    corrects: int | None = None


#: A fictional mutual insurer (no real company of this name).
INSURER = "Mutuelle Hospitalière du Forez – assurances (fictive)"

#: The GHT's policy covers its four members; the support establishment is an essential entity under
#: NIS2 (and an OSE), the others important ones; the private clinic is not insured against cyber risk.
PROFILES: dict[str, ProfileSpec] = {
    "group": ProfileSpec(nis2_status="important", insured="yes", insurer=INSURER, policy_number="MHF-CYB-2026-004217",
                         insurer_hotline="+33 4 65 71 20 00", insurer_notice_hours=120),
    "support": ProfileSpec(nis2_status="essential"),
    "clinic": ProfileSpec(nis2_status="important", insured="no"),
}

CELLS: tuple[CellSpec, ...] = (
    CellSpec("group", "ght-vbmf.example", "Salle de crise du GHT, CH Valbrise, bâtiment A, 2e étage",
             "PC sécurité du CH Valbrise (groupe électrogène, lignes analogiques)",
             "Classeur rouge « Plan blanc du GHT », bureau de la direction générale",
             "Section de recherches de la gendarmerie (cyber)", "Infogérant du data centre du GHT (fictif)"),
    CellSpec("support", "ch-valbrise.example", "Salle du directoire, bâtiment administratif",
             "Salle de régulation du SAMU 42 bis (fictive)",
             "Classeur rouge « Plan blanc », bureau de l'administrateur de garde",
             "Commissariat de police de Valbrise", "Infogérant du data centre du GHT (fictif)"),
    CellSpec("general", "ch-montbrezin.example", "Salle du conseil de surveillance, site principal",
             "Salle de staff des urgences, site de Roche-Aigue",
             "Classeur rouge « Plan blanc », loge de l'accueil principal",
             "Brigade de gendarmerie de Montbrézin", "Prestataire de maintenance informatique local (fictif)"),
    CellSpec("psychiatry", "epsm-forez.example", "Bureau de la direction, pavillon Les Cèdres",
             "Salle polyvalente de l'unité d'admission",
             "Classeur rouge « Plan blanc », bureau des cadres de santé de garde",
             "Brigade de gendarmerie de Chaselles", "Infogérant du data centre du GHT (fictif)"),
    CellSpec("nursing_home", "ehpad-tilleuls.example", "Bureau de la direction de l'EHPAD",
             "Salle de soins du 1er étage", "Classeur « Plan bleu », infirmerie",
             "Commissariat de police de Valbrise", "Infogérant du data centre du GHT (fictif)"),
    CellSpec("clinic", "clinique-du-parc.example", "Salle de réunion du bloc opératoire",
             "Bureau de la direction des soins", "Classeur rouge « Plan blanc », accueil de la clinique",
             "Commissariat de police de Valbrise", "Hébergeur de données de santé de la clinique (fictif)"),
)

#: Internal roles of every cell, with the position their holder has in the establishment.
ROLES: tuple[tuple[str, str], ...] = (
    ("director", "Directeur(rice) général(e) ou de garde"),
    ("medical_lead", "Président(e) de la CME"),
    ("nursing_lead", "Coordonnateur(rice) général(e) des soins"),
    ("ciso", "RSSI"),
    ("cio", "DSI"),
    ("communication", "Responsable de la communication"),
    ("logistics", "Directeur(rice) des services économiques et logistiques"),
    ("dpo", "Délégué(e) à la protection des données"),
    ("legal", "Responsable des affaires juridiques"),
    ("log_keeper", "Assistant(e) de direction (main courante)"),
)
#: Roles with a deputy (rank 2): they share the on-call rota week by week.
DEPUTY_ROLES = ("director", "ciso", "cio")

FIRST_NAMES = (
    "Claire", "Julien", "Sophie", "Mathieu", "Nadia", "Olivier", "Camille", "Thomas", "Inès", "Laurent",
    "Émilie", "Karim", "Hélène", "Pierre", "Aurélie", "Yann", "Sandrine", "Bruno", "Léa", "Rachid",
    "Marion", "Antoine", "Chloé", "Vincent", "Agnès", "Sébastien", "Lucie", "Franck", "Pauline", "Hugo",
)
LAST_NAMES = (
    "Vernet", "Roussel", "Chabert", "Mounier", "Faure", "Berthon", "Giraud", "Peyron", "Dumas", "Achard",
    "Vial", "Brunel", "Michaud", "Gauthier", "Teyssier", "Cros", "Bonnefoy", "Chambon", "Rivoire", "Perrin",
    "Granjon", "Tardy", "Crozet", "Marcoux", "Pinatel", "Besson", "Royer", "Fayolle", "Desgranges", "Ollier",
)

#: Communication templates of the group (the members inherit them) and of the clinic, one per audience.
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("staff", "Consignes au personnel – panne informatique majeure",
     ("À l'ensemble du personnel de {establishment}.\n\n"
      "Depuis le {date} à {time}, le système d'information est indisponible à la suite d'un incident de "
      "cybersécurité (référence {reference}).\n\n"
      "- Appliquez les procédures dégradées de votre service (classeur rouge du service).\n"
      "- N'éteignez pas et ne rallumez pas les postes ; débranchez seulement le câble réseau si on vous le demande.\n"
      "- Ne branchez aucune clé USB, ne vous connectez pas à distance, ne répondez à aucun courriel inhabituel.\n"
      "- Toute anomalie est signalée par téléphone au PC de crise.\n\n"
      "Les consignes suivantes seront transmises par l'encadrement à chaque relève.\nLa cellule de crise")),
    ("patients", "Information des patients et des familles",
     ("Madame, Monsieur,\n\n"
      "{establishment} fait face depuis le {date} à une panne de son système informatique. Votre prise en charge "
      "est assurée : nos équipes travaillent avec des procédures sur papier, prévues pour ces situations.\n\n"
      "Certains délais d'attente peuvent être allongés et des rendez-vous non urgents reportés ; nous vous "
      "recontacterons. Nous vous remercions de votre compréhension.\n\nLa direction")),
    ("press", "Communiqué de presse",
     ("{establishment} a été victime le {date} d'un incident de cybersécurité. La cellule de crise a été activée "
      "immédiatement et l'établissement fonctionne en mode dégradé : la continuité des soins est assurée et les "
      "urgences restent ouvertes.\n\n"
      "Les autorités compétentes (ARS, CERT Santé) ont été informées et les démarches judiciaires sont engagées. "
      "Une enquête technique est en cours ; aucune autre information ne sera communiquée à ce stade.\n\n"
      "Contact presse : service communication.")),
    ("partners", "Message aux partenaires (GHT, médecins de ville, transporteurs)",
     ("Madame, Monsieur,\n\n"
      "Le {date} à {time}, {establishment} a subi un incident de cybersécurité (référence {reference}).\n\n"
      "Par précaution, les échanges électroniques avec nos systèmes (messagerie, interfaces, messagerie sécurisée "
      "de santé) sont suspendus : ne donnez suite à aucun message semblant venir de nos adresses sans l'avoir "
      "vérifié par téléphone. Les admissions programmées et les transports sanitaires sont organisés par "
      "téléphone avec le standard.\n\nLa cellule de crise")),
)

#: The crisis log of the open ransomware at Montbrézin, after its opening entry (hours after awareness).
#: Entry 3 gives a wrong count of encrypted servers; entry 6 corrects it (the log is append-only).
RANSOMWARE_LOG: tuple[EntrySpec, ...] = (
    EntrySpec(0.25, "observation",
              "Appel de l'infirmière d'accueil des urgences : écrans du DPI figés, fichiers renommés en "
              "« .lockvbx » sur le serveur de fichiers, note de rançon README-RESTORE.txt sur les postes."),
    EntrySpec(0.5, "decision",
              "L'administrateur de garde déclenche la cellule de crise cyber ; convocation par SMS (liste hors "
              "ligne du kit de crise).", "Administrateur de garde"),
    EntrySpec(0.75, "action",
              "Site de Roche-Aigue et site principal isolés du réseau du GHT (liens coupés au cœur de réseau). "
              "Postes laissés allumés pour préserver les traces.", "Astreinte informatique"),
    EntrySpec(1.5, "observation", "Premier bilan de la DSI : 4 serveurs chiffrés sur le site principal."),
    EntrySpec(2.0, "decision",
              "Passage des urgences et des services de médecine et chirurgie en mode dégradé (dossiers papier, "
              "bons de laboratoire manuels, résultats par téléphone)."),
    EntrySpec(3.0, "communication",
              "Message aux partenaires envoyé depuis la messagerie de secours : SAMU, établissements du GHT, "
              "transporteurs sanitaires.", "Service communication"),
    EntrySpec(4.5, "correction",
              "Bilan corrigé après inventaire : 7 serveurs chiffrés (et non 4), dont le serveur du laboratoire "
              "d'urgence.", "Astreinte informatique", corrects=3),
    EntrySpec(6.0, "observation",
              "Les sauvegardes hors ligne (bandes LTO de la semaine) sont intactes ; restauration possible dès "
              "la remise à plat de l'annuaire."),
    EntrySpec(9.0, "decision",
              "Délestage : les patients du bloc programmé des prochaines 48 heures sont réorientés vers le "
              "CH Valbrise ; la régulation du SAMU est prévenue."),
    EntrySpec(20.0, "observation",
              "Le prestataire de réponse à incident confirme une exfiltration probable (environ 12 Go) depuis le "
              "serveur de fichiers avant le chiffrement : violation de données personnelles probable."),
    EntrySpec(26.0, "decision",
              "Point de situation de la cellule : plainte à déposer au plus vite à la brigade de gendarmerie ; "
              "notification CNIL préparée par la DPO."),
)
