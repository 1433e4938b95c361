"""Names, streets and goods that make the demo book look Belgian and French."""

BE_COMPANIES = [
    "Brasserie du Perron",
    "Menuiserie Collard",
    "Garage Ourthe-Amblève",
    "Imprimerie Mosane",
    "Transports Lambotte",
    "Bakkerij Vandenberghe",
    "Schrijnwerkerij Peeters",
    "Fleuriste Saint-Lambert",
    "Électricité Dumont & Fils",
    "Toiture Herstalienne",
    "Café des Guillemins",
    "Nettoyage Meuse Services",
    "Architectes Outremeuse",
    "Vandamme Logistics",
    "Boucherie Jacquemin",
    "Pharmacie du Pont d'Avroy",
    "Hôtel Les Augustins",
    "Agence Cointe Immo",
]
BE_FORMS = ["SRL", "SA", "SC", "BV", "NV", "SNC"]
FR_COMPANIES = [
    "Soierie de la Croix-Rousse",
    "Bouchon des Terreaux",
    "Ateliers Confluence",
    "Plomberie Gerland",
    "Transports Rhodaniens",
    "Imprimerie Bellecour",
    "Boulangerie Saint-Jean",
    "Chocolaterie Brotteaux",
    "Garage de Vaise",
    "Électricité Part-Dieu",
    "Cabinet Fourvière Conseil",
    "Traiteur des Canuts",
    "Menuiserie Villeurbannaise",
    "Pressing Jean-Macé",
    "Librairie Guillotière",
    "Fromagerie Monplaisir",
]
FR_FORMS = ["SARL", "SAS", "SASU", "EURL", "SA"]
BE_FIRST = ["Jean", "Marie", "Luc", "Sophie", "Pieter", "An", "Koen", "Nathalie"]
BE_FIRST += ["Olivier", "Els", "Michel", "Isabelle", "Tom", "Lies", "Hugo", "Emma"]
BE_LAST = ["Dubois", "Lambert", "Peeters", "Janssens", "Maes", "Jacobs", "Renard"]
BE_LAST += ["Lejeune", "Willems", "Claes", "Goossens", "Leclercq", "Wouters"]
FR_FIRST = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Arthur", "Manon", "Jules"]
FR_FIRST += ["Inès", "Gabriel", "Sarah", "Nathan", "Julie", "Thomas", "Clara"]
FR_LAST = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand"]
FR_LAST += ["Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Garcia", "Roux"]
EN_FIRST = ["James", "Emily", "Oliver", "Charlotte", "Harry", "Amelia"]
EN_LAST = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans"]
BE_STREETS = [
    "Rue Saint-Gilles",
    "Boulevard d'Avroy",
    "Rue Féronstrée",
    "Quai de Rome",
    "Rue Hors-Château",
    "Rue de la Cathédrale",
    "Avenue Rogier",
    "Rue Grétry",
]
BE_CITIES = [
    ("4000", "Liège"),
    ("4020", "Liège"),
    ("4100", "Seraing"),
    ("4040", "Herstal"),
    ("4800", "Verviers"),
    ("1000", "Bruxelles"),
    ("2000", "Antwerpen"),
    ("9000", "Gent"),
    ("3000", "Leuven"),
    ("5000", "Namur"),
]
FR_STREETS = [
    "rue de la République",
    "rue Mercière",
    "quai Saint-Antoine",
    "cours Lafayette",
    "rue Garibaldi",
    "avenue Jean-Jaurès",
    "rue du Bœuf",
    "montée de la Grande-Côte",
]
FR_CITIES = [
    ("69001", "Lyon"),
    ("69002", "Lyon"),
    ("69003", "Lyon"),
    ("69006", "Lyon"),
    ("69007", "Lyon"),
    ("69100", "Villeurbanne"),
    ("69200", "Vénissieux"),
    ("42000", "Saint-Étienne"),
    ("38000", "Grenoble"),
]
BE_GOODS = [
    "Pains et viennoiseries",
    "Livraison de marchandises",
    "Entretien annuel",
    "Réparation chaudière",
    "Impression de brochures",
    "Levering bakkerijproducten",
]
FR_GOODS = [
    "Prestation de conseil",
    "Fourniture de tissus",
    "Travaux de plomberie",
    "Traiteur — réception",
    "Impression de catalogues",
    "Maintenance informatique",
]
