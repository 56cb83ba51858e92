"""Seeded generator of a realistic synthetic dataset (« données fictives ») to contract v1.

The generator builds one consistent world over the requested years — buyers,
companies, operations that run several years, people whose pathways chain
several contracts — and writes, for each year N, the five tables the way the
observatory's consolidated export looks: ``out_root/N/{operations,
donneurs_ordre, entreprises, participants, contrats}.csv`` (UTF-8, ``;``,
decimal comma, dates ``31/03/2019``, ``Oui``/``Non``).

How the calibration holds:

- hours are exact per year: people are drawn cohort by cohort (the year their
  first contract starts) and a cohort stops growing once the year's target is
  reached, the hours carried over by earlier cohorts included;
- where the hours go (département, grand projet, nature, modalité) is set by
  raking the operations' weights to published shares before contracts pick
  their operation;
- counts (participants, contracts, operations, companies) follow from the
  distributions of pathway length, contract duration and weekly hours.

Everything is vectorised with numpy (loops run over years, cohorts, a pathway's
contract rank or the small reference tables, never over generated rows), so the
same code produces a million contracts a year for the whole of France.

Regenerate the committed example with ``panorama example --out examples/donnees``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from panorama.core import referential
from panorama.core.errors import UsageError
from panorama.input.source import FICTITIOUS_MARKER, FICTITIOUS_NOTICE

__all__ = ["generate", "scale_for_contracts"]

DEFAULT_YEARS = (2017, 2018, 2019)
DEFAULT_SEED = 2019
IDF_REGION = "11"

# Published orders of magnitude (``../shared/domain/clauses-sociales.md``), Île-de-France, scale 1.
HOURS_2017 = 4.0e6
HOURS_GROWTH = 1.105
OPERATIONS_STARTED_2017 = 800
OPERATIONS_GROWTH = 1.06
# Contracts lengthen a little each year (2014–2021), so participants grow more slowly than hours.
CONTRACT_LENGTH_GROWTH = 1.10
# Hours per inhabitant outside Île-de-France relative to Île-de-France (France ≈ 13 M h in 2017).
OUTSIDE_IDF_INTENSITY = 0.5
# Contracts of one Île-de-France volume unit at scale 1 in 2019, and their yearly growth
# (measured on the generated data: 13,369, 13,624 and 14,259 contracts in 2017–2019).
CONTRACTS_2019 = 14_260
CONTRACTS_GROWTH = 1.033
# Cohorts of people who entered before the first year, so that year one has carried-over contracts.
BURN_IN_YEARS = 3
# Operations notified before the first cohort, so that long operations are already running.
OPERATION_LEAD_YEARS = 3

# --- nomenclatures (codes of the contract, in referential order) -----------------------------

NATURES = referential.codes("nature")
SECTEURS = referential.codes("secteur")
MODALITES = referential.codes("modalite")
BUYER_TYPES = referential.codes("type_donneur_ordre")
STRUCTURES = referential.codes("type_structure")
TAILLES = referential.codes("taille")
CONTRATS = referential.codes("type_contrat")
QUALIFICATIONS = referential.codes("niveau_qualification")
CRITERES = referential.codes("critere")
PRESCRIPTEURS = referential.codes("prescripteur")
SORTIES = referential.codes("situation_sortie")
GRANDS_PROJETS = ("", "Grand Paris Express", "JOP 2024", "NPNRU")
GP_NONE, GP_GPE, GP_JOP, GP_NPNRU = range(4)

COLUMNS = {
    "operations": ("operation_id", "intitule", "donneur_ordre_id", "departement", "commune",
                   "nature", "secteur", "modalite", "date_notification", "montant_ht",
                   "heures_prevues", "grand_projet", "facilitateur"),
    "donneurs_ordre": ("donneur_ordre_id", "nom", "type", "siret", "departement"),
    "entreprises": ("entreprise_id", "nom", "siret", "type_structure", "taille", "departement"),
    "participants": ("participant_id", "sexe", "annee_naissance", "niveau_qualification",
                     "critere_principal", "publics", "commune_residence", "qpv", "prescripteur",
                     "situation_sortie"),
    "contrats": ("contrat_id", "operation_id", "participant_id", "entreprise_id", "type_contrat",
                 "date_debut", "date_fin", "heures"),
}

# --- territory ---------------------------------------------------------------------------------

# code | name | « de » form | region | population (thousands) | chef-lieu INSEE code | chef-lieu
_DEPARTEMENTS = """\
01|Ain|de l'Ain|84|652|01053|Bourg-en-Bresse
02|Aisne|de l'Aisne|32|531|02408|Laon
03|Allier|de l'Allier|84|335|03190|Moulins
04|Alpes-de-Haute-Provence|des Alpes-de-Haute-Provence|93|164|04070|Digne-les-Bains
05|Hautes-Alpes|des Hautes-Alpes|93|141|05061|Gap
06|Alpes-Maritimes|des Alpes-Maritimes|93|1083|06088|Nice
07|Ardèche|de l'Ardèche|84|328|07186|Privas
08|Ardennes|des Ardennes|44|270|08105|Charleville-Mézières
09|Ariège|de l'Ariège|76|153|09122|Foix
10|Aube|de l'Aube|44|310|10387|Troyes
11|Aude|de l'Aude|76|372|11069|Carcassonne
12|Aveyron|de l'Aveyron|76|279|12202|Rodez
13|Bouches-du-Rhône|des Bouches-du-Rhône|93|2043|13055|Marseille
14|Calvados|du Calvados|28|694|14118|Caen
15|Cantal|du Cantal|84|144|15014|Aurillac
16|Charente|de la Charente|75|352|16015|Angoulême
17|Charente-Maritime|de la Charente-Maritime|75|651|17300|La Rochelle
18|Cher|du Cher|24|302|18033|Bourges
19|Corrèze|de la Corrèze|75|240|19272|Tulle
2A|Corse-du-Sud|de la Corse-du-Sud|94|158|2A004|Ajaccio
2B|Haute-Corse|de la Haute-Corse|94|181|2B033|Bastia
21|Côte-d'Or|de la Côte-d'Or|27|534|21231|Dijon
22|Côtes-d'Armor|des Côtes-d'Armor|53|600|22278|Saint-Brieuc
23|Creuse|de la Creuse|75|117|23096|Guéret
24|Dordogne|de la Dordogne|75|413|24322|Périgueux
25|Doubs|du Doubs|27|543|25056|Besançon
26|Drôme|de la Drôme|84|516|26362|Valence
27|Eure|de l'Eure|28|600|27229|Évreux
28|Eure-et-Loir|d'Eure-et-Loir|24|432|28085|Chartres
29|Finistère|du Finistère|53|915|29232|Quimper
30|Gard|du Gard|76|748|30189|Nîmes
31|Haute-Garonne|de la Haute-Garonne|76|1400|31555|Toulouse
32|Gers|du Gers|76|191|32013|Auch
33|Gironde|de la Gironde|75|1623|33063|Bordeaux
34|Hérault|de l'Hérault|76|1176|34172|Montpellier
35|Ille-et-Vilaine|d'Ille-et-Vilaine|53|1079|35238|Rennes
36|Indre|de l'Indre|24|220|36044|Châteauroux
37|Indre-et-Loire|d'Indre-et-Loire|24|610|37261|Tours
38|Isère|de l'Isère|84|1271|38185|Grenoble
39|Jura|du Jura|27|259|39300|Lons-le-Saunier
40|Landes|des Landes|75|413|40192|Mont-de-Marsan
41|Loir-et-Cher|de Loir-et-Cher|24|330|41018|Blois
42|Loire|de la Loire|84|765|42218|Saint-Étienne
43|Haute-Loire|de la Haute-Loire|84|227|43157|Le Puy-en-Velay
44|Loire-Atlantique|de la Loire-Atlantique|52|1429|44109|Nantes
45|Loiret|du Loiret|24|680|45234|Orléans
46|Lot|du Lot|76|174|46042|Cahors
47|Lot-et-Garonne|de Lot-et-Garonne|75|331|47001|Agen
48|Lozère|de la Lozère|76|76|48095|Mende
49|Maine-et-Loire|de Maine-et-Loire|52|818|49007|Angers
50|Manche|de la Manche|28|495|50502|Saint-Lô
51|Marne|de la Marne|44|566|51108|Châlons-en-Champagne
52|Haute-Marne|de la Haute-Marne|44|172|52121|Chaumont
53|Mayenne|de la Mayenne|52|307|53130|Laval
54|Meurthe-et-Moselle|de Meurthe-et-Moselle|44|733|54395|Nancy
55|Meuse|de la Meuse|44|184|55029|Bar-le-Duc
56|Morbihan|du Morbihan|53|759|56260|Vannes
57|Moselle|de la Moselle|44|1044|57463|Metz
58|Nièvre|de la Nièvre|27|204|58194|Nevers
59|Nord|du Nord|32|2604|59350|Lille
60|Oise|de l'Oise|32|825|60057|Beauvais
61|Orne|de l'Orne|28|280|61001|Alençon
62|Pas-de-Calais|du Pas-de-Calais|32|1466|62041|Arras
63|Puy-de-Dôme|du Puy-de-Dôme|84|660|63113|Clermont-Ferrand
64|Pyrénées-Atlantiques|des Pyrénées-Atlantiques|75|683|64445|Pau
65|Hautes-Pyrénées|des Hautes-Pyrénées|76|228|65440|Tarbes
66|Pyrénées-Orientales|des Pyrénées-Orientales|76|479|66136|Perpignan
67|Bas-Rhin|du Bas-Rhin|44|1132|67482|Strasbourg
68|Haut-Rhin|du Haut-Rhin|44|765|68066|Colmar
69|Rhône|du Rhône|84|1876|69123|Lyon
70|Haute-Saône|de la Haute-Saône|27|235|70550|Vesoul
71|Saône-et-Loire|de Saône-et-Loire|27|551|71270|Mâcon
72|Sarthe|de la Sarthe|52|566|72181|Le Mans
73|Savoie|de la Savoie|84|436|73065|Chambéry
74|Haute-Savoie|de la Haute-Savoie|84|826|74010|Annecy
75|Paris|de Paris|11|2175|75056|Paris
76|Seine-Maritime|de la Seine-Maritime|28|1255|76540|Rouen
77|Seine-et-Marne|de Seine-et-Marne|11|1421|77288|Melun
78|Yvelines|des Yvelines|11|1448|78646|Versailles
79|Deux-Sèvres|des Deux-Sèvres|75|375|79191|Niort
80|Somme|de la Somme|32|570|80021|Amiens
81|Tarn|du Tarn|76|389|81004|Albi
82|Tarn-et-Garonne|de Tarn-et-Garonne|76|260|82121|Montauban
83|Var|du Var|93|1076|83137|Toulon
84|Vaucluse|de Vaucluse|93|560|84007|Avignon
85|Vendée|de la Vendée|52|685|85191|La Roche-sur-Yon
86|Vienne|de la Vienne|75|438|86194|Poitiers
87|Haute-Vienne|de la Haute-Vienne|75|374|87085|Limoges
88|Vosges|des Vosges|44|365|88160|Épinal
89|Yonne|de l'Yonne|27|337|89024|Auxerre
90|Territoire de Belfort|du Territoire de Belfort|27|141|90010|Belfort
91|Essonne|de l'Essonne|11|1306|91228|Évry-Courcouronnes
92|Hauts-de-Seine|des Hauts-de-Seine|11|1624|92050|Nanterre
93|Seine-Saint-Denis|de la Seine-Saint-Denis|11|1655|93008|Bobigny
94|Val-de-Marne|du Val-de-Marne|11|1396|94028|Créteil
95|Val-d'Oise|du Val-d'Oise|11|1249|95500|Pontoise
971|Guadeloupe|de la Guadeloupe|01|384|97105|Basse-Terre
972|Martinique|de la Martinique|02|358|97209|Fort-de-France
973|Guyane|de la Guyane|03|290|97302|Cayenne
974|La Réunion|de La Réunion|04|862|97411|Saint-Denis
976|Mayotte|de Mayotte|06|280|97611|Mamoudzou
"""

# region | name of the regional council (blank: none besides the département) | seat département
_REGIONS = """\
84|Région Auvergne-Rhône-Alpes|69
27|Région Bourgogne-Franche-Comté|21
53|Région Bretagne|35
24|Région Centre-Val de Loire|45
94|Collectivité de Corse|2A
44|Région Grand Est|67
32|Région Hauts-de-France|59
11|Région Île-de-France|75
28|Région Normandie|76
75|Région Nouvelle-Aquitaine|33
76|Région Occitanie|31
52|Région Pays de la Loire|44
93|Région Provence-Alpes-Côte d'Azur|13
01|Région Guadeloupe|971
02|Collectivité territoriale de Martinique|972
03|Collectivité territoriale de Guyane|973
04|Région Réunion|974
06||976
"""

# Real INSEE codes: Île-de-France communes, and the neighbouring communes where some people who
# work in Île-de-France live. code | name | population (thousands) | share of residents in a QPV
# (0 none or little … 3 most).
_COMMUNES = """\
75101|Paris 1er|16|0
75102|Paris 2e|21|0
75103|Paris 3e|34|0
75104|Paris 4e|28|0
75105|Paris 5e|58|0
75106|Paris 6e|41|0
75107|Paris 7e|50|0
75108|Paris 8e|36|0
75109|Paris 9e|59|0
75110|Paris 10e|86|1
75111|Paris 11e|145|1
75112|Paris 12e|140|1
75113|Paris 13e|180|1
75114|Paris 14e|135|1
75115|Paris 15e|232|0
75116|Paris 16e|163|0
75117|Paris 17e|166|1
75118|Paris 18e|192|2
75119|Paris 19e|183|2
75120|Paris 20e|193|2
77053|Brie-Comte-Robert|18|0
77058|Bussy-Saint-Georges|27|0
77083|Champs-sur-Marne|25|1
77108|Chelles|54|2
77122|Combs-la-Ville|22|1
77152|Dammarie-les-Lys|21|2
77186|Fontainebleau|15|0
77243|Lagny-sur-Marne|21|1
77251|Lieusaint|13|0
77258|Lognes|14|1
77284|Meaux|55|3
77285|Le Mée-sur-Seine|21|2
77288|Melun|40|3
77294|Mitry-Mory|20|1
77296|Moissy-Cramayel|17|1
77305|Montereau-Fault-Yonne|17|3
77333|Nemours|13|2
77337|Noisiel|15|2
77350|Ozoir-la-Ferrière|20|0
77373|Pontault-Combault|38|1
77379|Provins|12|1
77390|Roissy-en-Brie|23|1
77445|Savigny-le-Temple|30|2
77468|Torcy|23|2
77514|Villeparisis|26|1
78005|Achères|21|1
78029|Aubergenville|12|1
78123|Carrières-sous-Poissy|16|1
78138|Chanteloup-les-Vignes|10|3
78146|Chatou|30|0
78158|Le Chesnay-Rocquencourt|33|0
78172|Conflans-Sainte-Honorine|35|1
78242|Fontenay-le-Fleury|13|0
78297|Guyancourt|29|1
78311|Houilles|32|0
78335|Limay|16|2
78358|Maisons-Laffitte|23|0
78361|Mantes-la-Jolie|44|3
78362|Mantes-la-Ville|20|2
78383|Maurepas|18|1
78423|Montigny-le-Bretonneux|33|0
78440|Les Mureaux|33|3
78490|Plaisir|31|1
78498|Poissy|38|1
78517|Rambouillet|26|0
78545|Saint-Cyr-l'École|19|1
78551|Saint-Germain-en-Laye|45|0
78586|Sartrouville|52|2
78621|Trappes|32|3
78640|Vélizy-Villacoublay|21|0
78643|Vernouillet|10|0
78646|Versailles|85|0
78686|Viroflay|16|0
78688|Voisins-le-Bretonneux|11|0
91027|Athis-Mons|34|1
91103|Brétigny-sur-Orge|26|1
91114|Brunoy|26|1
91161|Chilly-Mazarin|20|1
91174|Corbeil-Essonnes|51|3
91200|Dourdan|10|0
91201|Draveil|29|1
91215|Épinay-sous-Sénart|12|2
91223|Étampes|25|2
91228|Évry-Courcouronnes|67|3
91272|Gif-sur-Yvette|21|0
91286|Grigny|29|3
91312|Igny|10|0
91326|Juvisy-sur-Orge|17|1
91345|Longjumeau|21|1
91377|Massy|50|2
91421|Montgeron|24|1
91434|Morsang-sur-Orge|20|1
91471|Orsay|16|0
91477|Palaiseau|35|1
91521|Ris-Orangis|29|2
91549|Sainte-Geneviève-des-Bois|36|1
91570|Saint-Michel-sur-Orge|20|1
91589|Savigny-sur-Orge|37|1
91657|Vigneux-sur-Seine|31|2
91661|Villebon-sur-Yvette|10|0
91687|Viry-Châtillon|31|2
91691|Yerres|29|1
91692|Les Ulis|25|3
92002|Antony|63|1
92004|Asnières-sur-Seine|87|1
92007|Bagneux|40|2
92009|Bois-Colombes|28|0
92012|Boulogne-Billancourt|121|0
92014|Bourg-la-Reine|20|0
92019|Châtenay-Malabry|34|2
92020|Châtillon|37|0
92022|Chaville|20|0
92023|Clamart|53|1
92024|Clichy|63|1
92025|Colombes|86|2
92026|Courbevoie|82|0
92032|Fontenay-aux-Roses|24|1
92033|Garches|18|0
92035|La Garenne-Colombes|29|0
92036|Gennevilliers|47|3
92040|Issy-les-Moulineaux|69|0
92044|Levallois-Perret|66|0
92046|Malakoff|30|1
92048|Meudon|46|1
92049|Montrouge|50|0
92050|Nanterre|96|2
92051|Neuilly-sur-Seine|60|0
92060|Le Plessis-Robinson|29|0
92062|Puteaux|45|0
92063|Rueil-Malmaison|79|1
92064|Saint-Cloud|30|0
92071|Sceaux|20|0
92072|Sèvres|23|0
92073|Suresnes|49|1
92075|Vanves|28|0
92078|Villeneuve-la-Garenne|24|3
93001|Aubervilliers|88|3
93005|Aulnay-sous-Bois|86|2
93006|Bagnolet|36|2
93007|Le Blanc-Mesnil|57|2
93008|Bobigny|53|3
93010|Bondy|54|2
93013|Le Bourget|16|2
93014|Clichy-sous-Bois|29|3
93027|La Courneuve|44|3
93029|Drancy|71|2
93030|Dugny|11|2
93031|Épinay-sur-Seine|55|2
93032|Gagny|40|1
93039|L'Île-Saint-Denis|8|2
93045|Les Lilas|23|1
93046|Livry-Gargan|45|1
93047|Montfermeil|27|3
93048|Montreuil|110|2
93049|Neuilly-Plaisance|21|1
93050|Neuilly-sur-Marne|36|2
93051|Noisy-le-Grand|68|2
93053|Noisy-le-Sec|44|2
93055|Pantin|57|2
93057|Les Pavillons-sous-Bois|23|0
93059|Pierrefitte-sur-Seine|31|3
93061|Le Pré-Saint-Gervais|17|1
93062|Le Raincy|15|0
93063|Romainville|29|2
93064|Rosny-sous-Bois|46|2
93066|Saint-Denis|113|3
93070|Saint-Ouen-sur-Seine|51|2
93071|Sevran|51|3
93072|Stains|39|3
93073|Tremblay-en-France|36|1
93077|Villemomble|30|1
93078|Villepinte|37|2
93079|Villetaneuse|13|3
94002|Alfortville|44|1
94003|Arcueil|21|1
94004|Boissy-Saint-Léger|16|2
94011|Bonneuil-sur-Marne|17|3
94016|Cachan|31|1
94017|Champigny-sur-Marne|77|2
94018|Charenton-le-Pont|30|0
94019|Chennevières-sur-Marne|18|1
94021|Chevilly-Larue|20|1
94022|Choisy-le-Roi|46|2
94028|Créteil|92|2
94033|Fontenay-sous-Bois|53|1
94034|Fresnes|27|1
94037|Gentilly|17|1
94038|L'Haÿ-les-Roses|31|1
94041|Ivry-sur-Seine|63|2
94042|Joinville-le-Pont|19|0
94043|Le Kremlin-Bicêtre|26|1
94044|Limeil-Brévannes|27|1
94046|Maisons-Alfort|56|0
94052|Nogent-sur-Marne|33|0
94054|Orly|24|3
94058|Le Perreux-sur-Marne|34|0
94067|Saint-Mandé|22|0
94068|Saint-Maur-des-Fossés|75|0
94071|Sucy-en-Brie|26|1
94073|Thiais|29|1
94074|Valenton|15|2
94076|Villejuif|55|2
94077|Villeneuve-le-Roi|21|1
94078|Villeneuve-Saint-Georges|33|3
94079|Villiers-sur-Marne|28|2
94080|Vincennes|49|0
94081|Vitry-sur-Seine|95|2
95018|Argenteuil|111|2
95019|Arnouville|14|2
95063|Bezons|30|2
95127|Cergy|66|2
95176|Cormeilles-en-Parisis|24|0
95197|Deuil-la-Barre|22|1
95199|Domont|15|0
95203|Eaubonne|25|0
95210|Enghien-les-Bains|11|0
95218|Éragny|17|1
95219|Ermont|29|1
95250|Fosses|10|2
95252|Franconville|37|1
95268|Garges-lès-Gonesse|42|3
95277|Gonesse|27|2
95280|Goussainville|31|2
95306|Herblay-sur-Seine|29|0
95313|L'Isle-Adam|12|0
95351|Louvres|10|1
95424|Montigny-lès-Cormeilles|21|1
95428|Montmorency|21|0
95476|Osny|17|0
95487|Persan|13|2
95500|Pontoise|31|2
95555|Saint-Gratien|21|1
95572|Saint-Ouen-l'Aumône|24|2
95582|Sannois|26|1
95585|Sarcelles|58|3
95598|Soisy-sous-Montmorency|18|0
95607|Taverny|26|1
95637|Vauréal|16|1
95680|Villiers-le-Bel|28|3
02168|Château-Thierry|15|1
02722|Soissons|28|2
10268|Nogent-sur-Seine|6|0
27681|Vernon|24|1
28134|Dreux|31|3
45208|Montargis|14|2
60175|Creil|36|3
60414|Montataire|13|2
60463|Nogent-sur-Oise|20|2
89387|Sens|27|2
"""

# Share of the Île-de-France volume carried out in each département (place of execution).
_IDF_SHARES = {"75": 0.19, "92": 0.17, "93": 0.20, "94": 0.12, "95": 0.095, "91": 0.085,
               "78": 0.08, "77": 0.06}
# Where the grands projets' hours are carried out (shares within Île-de-France).
_GP_DEPARTEMENTS = {
    GP_GPE: {"93": 0.30, "92": 0.22, "94": 0.20, "75": 0.07, "91": 0.08, "95": 0.06, "77": 0.05,
             "78": 0.02},
    GP_JOP: {"93": 0.74, "75": 0.14, "78": 0.04, "92": 0.04, "95": 0.02, "94": 0.02},
    GP_NPNRU: {"93": 0.28, "95": 0.14, "91": 0.13, "94": 0.12, "78": 0.10, "77": 0.09, "92": 0.08,
               "75": 0.06},
}
# Départements outside Île-de-France where some of its workers live, and their relative pull.
_IDF_NEIGHBOURS = {"60": 3.0, "45": 1.0, "28": 1.0, "27": 1.0, "02": 1.0, "89": 1.0, "10": 1.0,
                   "51": 0.5}
# Départements whose council is merged into a single territorial authority (or is Paris).
_NO_DEPARTEMENT_COUNCIL = ("75", "2A", "2B", "972", "973")


def _grand_projet_shares(year: int) -> dict[int, float]:
    """Share of hours carried by each grand projet in ``year`` (NPNRU: everywhere)."""
    gpe = 0.0 if year < 2015 else min(0.15 + 0.02 * (year - 2017), 0.30)
    jop = 0.0 if year < 2018 or year > 2024 else min(0.008 + 0.012 * (year - 2018), 0.07)
    npnru = 0.0 if year < 2015 else 0.11
    return {GP_GPE: gpe, GP_JOP: jop, GP_NPNRU: npnru}


# --- buyers --------------------------------------------------------------------------------------

# Île-de-France's buyers, with invented names (« Rectorat de Valbrune »): the kind of body,
# followed by an invented place name (:class:`_Toponyms`), so that no real body carries invented
# figures. type | kind | seat département | scope (R: whole region, D: its département) | weight
# [| role in the grands projets]
_IDF_BUYERS = """\
ETAT|Rectorat|94|R|0.6
ETAT|Direction régionale de l'équipement|75|R|1
ETAT|Base de soutien|78|R|0.5
ETAT|Rectorat|78|R|0.5
ETAT|Rectorat|75|R|0.4
ETABLISSEMENT_PUBLIC|Société du métro régional|93|R|0.2|metro
ETABLISSEMENT_PUBLIC|Régie des transports|75|R|2|regie
ETABLISSEMENT_PUBLIC|Réseau ferré régional|93|R|1.5
ETABLISSEMENT_PUBLIC|Gares régionales|75|R|1
ETABLISSEMENT_PUBLIC|Autorité des mobilités|75|R|1
ETABLISSEMENT_PUBLIC|Hôpitaux publics|75|R|2
ETABLISSEMENT_PUBLIC|Établissement de livraison des ouvrages olympiques|93|R|0.2|olympique
ETABLISSEMENT_PUBLIC|Aménagement régional|75|R|1
ETABLISSEMENT_PUBLIC|Établissement public d'aménagement|92|D|1
ETABLISSEMENT_PUBLIC|Établissement public d'aménagement|77|D|1
ETABLISSEMENT_PUBLIC|Établissement public d'aménagement|91|D|1
ETABLISSEMENT_PUBLIC|Université|91|D|0.6
ETABLISSEMENT_PUBLIC|Université|75|D|0.6
ETABLISSEMENT_PUBLIC|Université|92|D|0.5
ETABLISSEMENT_PUBLIC|Université|93|D|0.5
ETABLISSEMENT_PUBLIC|Université|95|D|0.5
ETABLISSEMENT_PUBLIC|Université|78|D|0.5
ETABLISSEMENT_PUBLIC|Université|94|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|91|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|77|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|78|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|94|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|95|D|0.5
ETABLISSEMENT_PUBLIC|Centre hospitalier|93|D|0.5
COMMUNE|Ville|75|D|12
EPCI|Métropole|75|R|0.8
EPCI|Établissement public territorial|93|D|2
EPCI|Établissement public territorial|93|D|1.5
EPCI|Établissement public territorial|93|D|1
EPCI|Établissement public territorial|93|D|1
EPCI|Établissement public territorial|92|D|1
EPCI|Établissement public territorial|92|D|1
EPCI|Établissement public territorial|92|D|1
EPCI|Établissement public territorial|92|D|1
EPCI|Établissement public territorial|94|D|1.5
EPCI|Établissement public territorial|94|D|1
EPCI|Établissement public territorial|94|D|1
EPCI|Communauté d'agglomération|95|D|1.2
EPCI|Communauté d'agglomération|95|D|1.2
EPCI|Communauté d'agglomération|95|D|1
EPCI|Communauté d'agglomération|78|D|1.2
EPCI|Communauté d'agglomération|78|D|1
EPCI|Communauté urbaine|78|D|1.2
EPCI|Communauté d'agglomération|91|D|1.5
EPCI|Communauté d'agglomération|91|D|1
EPCI|Communauté d'agglomération|91|D|0.8
EPCI|Communauté d'agglomération|77|D|1.2
EPCI|Communauté d'agglomération|77|D|1
EPCI|Communauté d'agglomération|77|D|0.8
BAILLEUR_SOCIAL|Office public de l'habitat|75|D|3
BAILLEUR_SOCIAL|Office public de l'habitat|93|D|2
BAILLEUR_SOCIAL|Office public de l'habitat|93|D|1.5
BAILLEUR_SOCIAL|Office public de l'habitat|93|D|1
BAILLEUR_SOCIAL|Office public de l'habitat|92|D|2
BAILLEUR_SOCIAL|Office public de l'habitat|94|D|2
BAILLEUR_SOCIAL|Office public de l'habitat|95|D|1.5
BAILLEUR_SOCIAL|Office public de l'habitat|91|D|1
BAILLEUR_SOCIAL|Office public de l'habitat|78|D|0.8
BAILLEUR_SOCIAL|Office public de l'habitat|77|D|1.2
BAILLEUR_SOCIAL|Entreprise sociale pour l'habitat|75|R|2
BAILLEUR_SOCIAL|Entreprise sociale pour l'habitat|93|R|1.5
BAILLEUR_SOCIAL|Entreprise sociale pour l'habitat|92|R|1.5
SEM_SPL|Société d'économie mixte d'aménagement|75|D|0.8
SEM_SPL|Société d'économie mixte d'aménagement|93|D|1
SEM_SPL|Société publique locale de développement|93|D|0.6
SEM_SPL|Société d'économie mixte d'aménagement|94|D|0.6
SEM_SPL|Société publique locale d'aménagement|92|R|0.8
PRIVE|Foncière|75|R|1
PRIVE|Promotion immobilière|92|R|1
PRIVE|Promotion immobilière|75|R|0.8
AUTRE|Syndicat d'assainissement|75|R|0.8
AUTRE|Syndicat des eaux|75|R|0.6
"""

# Facilitators' structures in Île-de-France, by département: their kind (the place name is invented).
_IDF_FACILITATEURS = {
    "75": ("Maison de l'emploi", "Direction de l'emploi"),
    "77": ("PLIE", "Maison de l'emploi"),
    "78": ("Maison de l'emploi", "PLIE"),
    "91": ("Maison de l'emploi", "PLIE"),
    "92": ("PLIE", "Maison de l'emploi"),
    "93": ("Établissement public territorial", "PLIE", "Maison de l'emploi"),
    "94": ("Maison de l'emploi", "PLIE"),
    "95": ("Maison de l'emploi", "PLIE"),
}

# Invented place names for the example's organisations: none is the name of a commune of France
# (tests/test_example.py checks them against the official list).
_TOPONYM_STARTS = ("Valbrune", "Arvelle", "Corvenay", "Daumarel", "Estrevaux", "Fonvelle", "Garmontel",
                   "Hautbrunel", "Isarelle", "Jonvaux-Sorbier", "Lormeval", "Marvelonne", "Norbelin",
                   "Ormevaux", "Pradelune", "Quinvallon", "Roumelier", "Sorbelune", "Trévalonne", "Ursevaux",
                   "Vermelune", "Yzerolle", "Brévalune", "Cormelin")
_TOPONYM_ENDS = ("", "-sur-Lune", "-les-Prés-Verts", "-la-Forêt-Haute", "-le-Haut-Val", "-sur-Orbelle",
                 "-les-Vignes-Basses", "-la-Rivière-Claire", "-le-Bois-Joli", "-Saint-Aubelin")


class _Toponyms:
    """A running supply of distinct invented place names."""

    def __init__(self):
        self.used = 0

    def next(self) -> str:
        """The next invented place name (« Valbrune », « Arvelle-sur-Lune »…)."""
        i, self.used = self.used, self.used + 1
        n, m = len(_TOPONYM_STARTS), len(_TOPONYM_ENDS)
        name = _TOPONYM_STARTS[i % n] + _TOPONYM_ENDS[(i // n) % m]
        return name if i < n * m else f"{name}-{_TOPONYM_STARTS[(i // (n * m)) % n]}"

    def of(self, kind: str) -> str:
        """« Rectorat de Valbrune », « Office public de l'habitat d'Arvelle »."""
        return f"{kind} {_de(self.next())}"


# --- companies -----------------------------------------------------------------------------------

# Companies in the pool per unit of volume (Île-de-France ≈ 1), by type_structure.
_COMPANIES_PER_VOLUME = {"ENTREPRISE": 1300, "EI": 70, "ETTI": 60, "AI": 45, "ACI": 80, "EA": 35,
                         "ESAT": 25, "GEIQ": 8, "ETT": 50}
_TAILLE_BY_STRUCTURE = {  # TPE, PME, ETI, GE
    "ENTREPRISE": (0.25, 0.45, 0.18, 0.12), "EI": (0.5, 0.5, 0, 0), "ETTI": (0.4, 0.6, 0, 0),
    "AI": (0.6, 0.4, 0, 0), "ACI": (0.6, 0.4, 0, 0), "EA": (0.3, 0.7, 0, 0),
    "ESAT": (0.2, 0.8, 0, 0), "GEIQ": (0.6, 0.4, 0, 0), "ETT": (0.1, 0.3, 0.2, 0.4),
}
_NAME_ROOTS = (
    "Arvelis", "Batimor", "Corvalis", "Delvane", "Ferralis", "Galvane", "Hexabat", "Isocrea",
    "Jovalis", "Kerbat", "Lumavert", "Marnalis", "Norvane", "Orvalis", "Pavimor", "Quarzel",
    "Rivalis", "Sevrane", "Tertalis", "Urbalis", "Valmor", "Wazel", "Ybris", "Zenbat",
    "Altoria", "Bricalis", "Cimentis", "Dunelis", "Escalis", "Fondalis", "Gravalis", "Horizane",
    "Inoval", "Jardival", "Lineval", "Maçonis", "Nervalis", "Ostral", "Pierrelis", "Rocalis",
    "Solvane", "Trivalis", "Ulmaris", "Verbalis", "Brunel & Fils", "Martineau Frères",
    "Dupuis-Lemaire", "Bertin Père & Fils",
)
_NAME_PATTERNS = {
    "ENTREPRISE": ("{} Construction", "{} Bâtiment", "{} TP", "{} Rénovation", "{} Génie civil",
                   "{} Étanchéité", "{} Électricité", "{} Menuiserie", "{} Peinture",
                   "{} Propreté", "{} Services", "{} Paysage", "{} Restauration",
                   "{} Logistique", "SAS {}", "Entreprise {}"),
    "EI": ("{} Insertion", "Atelier {}"),
    "ETTI": ("{} Intérim Insertion", "Tremplin {} Intérim"),
    "AI": ("Association {} Emploi", "Relais {} Services"),
    "ACI": ("Chantier d'insertion {}", "Jardins {}"),
    "EA": ("{} Entreprise adaptée",),
    "ESAT": ("ESAT {}",),
    "GEIQ": ("GEIQ BTP {}", "GEIQ Propreté {}"),
    "ETT": ("{} Intérim", "{} Travail temporaire"),
}

# --- behaviour tables ----------------------------------------------------------------------------

_NATURE_BY_GP = np.array([  # TRAVAUX, SERVICES, FOURNITURES
    [0.55, 0.42, 0.03], [1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.85, 0.15, 0.0]])
_SERVICE_SECTORS = np.array(  # over SECTEURS, for SERVICES operations
    [0, 0.30, 0.20, 0.10, 0.10, 0.05, 0.05, 0.05, 0, 0.15])
_SUPPLY_SECTORS = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0.6, 0.4])
_MODALITE_BY_NATURE = np.array([  # over MODALITES
    [0.85, 0.06, 0.03, 0.03, 0.00, 0.00, 0.03],   # TRAVAUX
    [0.55, 0.04, 0.18, 0.12, 0.08, 0.03, 0.00],   # SERVICES
    [0.50, 0.00, 0.00, 0.00, 0.30, 0.20, 0.00],   # FOURNITURES
])
_MODALITE_BY_GP = np.array([  # grands projets
    [0.95, 0.05, 0, 0, 0, 0, 0], [0.90, 0.05, 0, 0.05, 0, 0, 0], [0.85, 0.05, 0.05, 0.05, 0, 0, 0]])
# Raking targets: share of new contracts by nature and by modalité (hours follow closely).
_NATURE_TARGET = np.array([0.73, 0.255, 0.015])
_MODALITE_TARGET = np.array([0.79, 0.05, 0.055, 0.05, 0.022, 0.012, 0.018])
_SIZE_BY_GP = np.array([1.0, 4.0, 3.0, 1.5])   # relative size of an operation
_SPAN_BY_GP = np.array([  # years an operation is followed: 1 … 7
    [0.45, 0.35, 0.15, 0.05, 0, 0, 0], [0, 0, 0.2, 0.25, 0.25, 0.2, 0.1],
    [0, 0.3, 0.3, 0.3, 0.1, 0, 0], [0, 0.25, 0.35, 0.3, 0.1, 0, 0]])
_BUYER_TYPE_BY_KIND = np.array([  # over BUYER_TYPES
    [0.05, 0.07, 0.11, 0.28, 0.08, 0.20, 0.13, 0.03, 0.02, 0.03],  # works
    [0.08, 0.06, 0.12, 0.32, 0.12, 0.11, 0.15, 0.02, 0.00, 0.02],  # services
    [0.30, 0.20, 0.20, 0.10, 0.00, 0.00, 0.20, 0.00, 0.00, 0.00],  # supplies
    [0, 0, 0, 0.25, 0.15, 0.55, 0, 0.05, 0, 0],                    # NPNRU
    [0, 0, 0.2, 0.5, 0.3, 0, 0, 0, 0, 0],                          # JOP, besides SOLIDEO
    [0, 0, 0, 0, 0, 0.4, 0, 0, 0.6, 0],                            # outside public procurement
])
# Probability that a buyer of this type is one with a regional scope (rather than local).
_REGIONAL_SCOPE = np.array([0.3, 1.0, 0.0, 0.0, 0.1, 0.25, 0.6, 0.3, 1.0, 1.0])
# How the clause is fulfilled (type_structure), by operation profile.
_STRUCTURE_BY_PROFILE = np.array([  # over STRUCTURES
    [0.22, 0.05, 0.58, 0.03, 0.01, 0.01, 0.00, 0.03, 0.07],  # works (execution clause, …)
    [0.36, 0.10, 0.24, 0.14, 0.05, 0.04, 0.01, 0.02, 0.04],  # services and supplies
    [0.00, 0.30, 0.05, 0.10, 0.55, 0.00, 0.00, 0.00, 0.00],  # MARCHE_INSERTION
    [0.00, 0.45, 0.10, 0.15, 0.30, 0.00, 0.00, 0.00, 0.00],  # RESERVE_SIAE
    [0.00, 0.00, 0.00, 0.00, 0.00, 0.65, 0.35, 0.00, 0.00],  # RESERVE_HANDICAP
    [0.35, 0.30, 0.00, 0.00, 0.25, 0.10, 0.00, 0.00, 0.00],  # RESERVE_ESS
])
# type_contrat by structure: row 0 ordinary companies hiring under-26s, then one row per structure.
_CONTRACT_BY_ROW = np.array([  # over CONTRATS
    [0.10, 0.42, 0, 0, 0, 0, 0.20, 0.18, 0, 0.08, 0.02],  # ENTREPRISE, under 26
    [0.25, 0.57, 0, 0, 0, 0, 0.01, 0.08, 0, 0.07, 0.02],  # ENTREPRISE
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],                    # EI
    [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],                    # ETTI
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],                    # AI
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],                    # ACI
    [0.4, 0.6, 0, 0, 0, 0, 0, 0, 0, 0, 0],                # EA
    [0.4, 0.6, 0, 0, 0, 0, 0, 0, 0, 0, 0],                # ESAT
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],                    # GEIQ
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],                    # ETT
])
# Duration in days (median, log-sd, min, max) and weekly hours by type_contrat.
_DURATION = np.array([
    [170, 0.5, 30, 548], [72, 0.8, 5, 540], [14, 1.0, 1, 365], [36, 1.1, 1, 365],
    [31, 1.1, 1, 365], [135, 0.5, 30, 730], [365, 0.35, 180, 1095], [210, 0.35, 90, 730],
    [270, 0.4, 90, 730], [240, 0.35, 90, 730], [60, 0.8, 5, 365]])
_WEEKLY_HOURS = np.array([35, 35, 35, 35, 20, 26, 24, 26, 26, 24, 30], dtype=float)
_CDI = CONTRATS.index("CDI")
_IAE_CONTRACTS = [CONTRATS.index(c) for c in ("INTERIM_INSERTION", "MISE_A_DISPOSITION_AI", "CDDI")]
_ALTERNANCE_CONTRACTS = [CONTRATS.index(c) for c in ("APPRENTISSAGE", "PROFESSIONNALISATION",
                                                     "GEIQ")]
# Temp work is logged by the half hour.
_HALF_HOURS = np.isin(np.arange(len(CONTRATS)), [CONTRATS.index(c) for c in (
    "INTERIM", "INTERIM_INSERTION", "MISE_A_DISPOSITION_AI")])
# Pathways: number of successive contracts, gap between them, keeping the operation/company.
_PATHWAY_LENGTH = np.array([0.84, 0.10, 0.04, 0.015, 0.005])
_SHORT_GAP, _SAME_OPERATION, _SAME_DEPARTEMENT, _SAME_COMPANY = 0.6, 0.6, 0.85, 0.5
_MONTH_WEIGHTS = np.array([0.9, 1.0, 1.1, 1.1, 1.05, 1.0, 0.9, 0.45, 1.25, 1.2, 1.1, 0.8])
# People.
_WOMEN_BY_SECTEUR = np.array([0.065, 0.45, 0.15, 0.45, 0.15, 0.30, 0.55, 0.80, 0.25, 0.35])
_AGE_BANDS = np.array([0.31, 0.58, 0.11])  # under 26, 26–49, 50 and over, at entry
_QUALIF_BY_AGE = np.array([  # over QUALIFICATIONS, by age band
    [0.50, 0.24, 0.14, 0.02, 0.01, 0.09], [0.44, 0.30, 0.12, 0.04, 0.03, 0.07],
    [0.52, 0.28, 0.08, 0.03, 0.02, 0.07]])
_CRITERE_BY_AGE = np.array([  # over CRITERES, by age band
    [0.10, 0.05, 0.03, 0.01, 0.68, 0.00, 0.07, 0.03, 0.03],
    [0.42, 0.24, 0.07, 0.06, 0.00, 0.00, 0.09, 0.07, 0.05],
    [0.38, 0.16, 0.09, 0.06, 0.00, 0.22, 0.04, 0.03, 0.02]])
_SECONDARY_CRITERES = np.array([0.22, 0.13, 0.03, 0.04, 0.0, 0.0, 0.10, 0.07, 0.0])
_PRESCRIPTEUR_BY_CRITERE = np.array([  # over PRESCRIPTEURS, by main criterion
    [0.50, 0.02, 0.12, 0.02, 0.10, 0.04, 0.06, 0.07, 0.03, 0.04],  # DELD
    [0.25, 0.02, 0.15, 0.01, 0.10, 0.32, 0.04, 0.05, 0.02, 0.04],  # RSA
    [0.20, 0.02, 0.05, 0.55, 0.05, 0.02, 0.03, 0.04, 0.02, 0.02],  # RQTH
    [0.40, 0.02, 0.15, 0.05, 0.10, 0.12, 0.05, 0.05, 0.02, 0.04],  # MINIMA_SOCIAUX
    [0.15, 0.56, 0.04, 0.01, 0.07, 0.01, 0.04, 0.07, 0.02, 0.03],  # JEUNE
    [0.55, 0.00, 0.15, 0.05, 0.07, 0.03, 0.05, 0.05, 0.02, 0.03],  # SENIOR
    [0.12, 0.04, 0.06, 0.01, 0.65, 0.02, 0.02, 0.04, 0.02, 0.02],  # SIAE
    [0.10, 0.02, 0.75, 0.01, 0.04, 0.02, 0.02, 0.02, 0.01, 0.01],  # PLIE
    [0.35, 0.05, 0.08, 0.02, 0.08, 0.04, 0.08, 0.15, 0.08, 0.07],  # AUTRE
])
_QPV_BY_LEVEL = np.array([0.04, 0.22, 0.42, 0.62])
_SORTIE_KNOWN = 0.55
_SORTIE_BY_LAST = np.array([  # over the first five SORTIES, by last contract group
    [0.70, 0.15, 0.03, 0.02, 0.10],   # CDI
    [0.45, 0.20, 0.15, 0.02, 0.18],   # alternance
    [0.29, 0.19, 0.08, 0.21, 0.23],   # IAE
    [0.37, 0.26, 0.06, 0.05, 0.26],   # other
])


# =================================================================================================
# Public API
# =================================================================================================


def generate(out_root: Path, years: tuple[int, ...] = DEFAULT_YEARS, seed: int = DEFAULT_SEED,
             scale: float = 1.0, departements: tuple[str, ...] | None = None) -> None:
    """Write a synthetic dataset to contract v1: ``out_root/<year>/<table>.csv`` for each year,
    and the marker that makes every build from ``out_root`` « Données fictives » (:data:`FICTITIOUS_MARKER`).

    ``seed`` fixes every draw: the same arguments give byte-identical files.
    ``scale`` multiplies the realistic volume of the selected territory: at 1.0,
    Île-de-France has 4.0 M hours in 2017 (+10.5 % a year), about 12,000
    participants and 13,000–15,000 contracts a year; the whole of France about
    3.2 times that. ``departements`` are the départements where the work is
    carried out (default: the eight of Île-de-France); people may live elsewhere.
    """
    years = tuple(sorted({int(y) for y in years}))
    if not years:
        raise UsageError("Aucune année demandée.")
    if not scale > 0:
        raise UsageError(f"L'échelle doit être strictement positive (reçu : {scale}).")
    rng = np.random.default_rng(seed)
    terr = _territory(departements)
    buyers = _make_buyers(rng, terr)
    companies = _make_companies(rng, terr, scale)
    ops = _make_operations(rng, terr, buyers, companies, years, scale)
    people, contracts = _make_pathways(rng, terr, ops, companies, years, scale)
    _complete_operations(rng, ops, contracts, years[-1])
    Path(out_root).mkdir(parents=True, exist_ok=True)
    (Path(out_root) / FICTITIOUS_MARKER).write_text(FICTITIOUS_NOTICE, encoding="utf-8")
    for year in years:
        folder = Path(out_root) / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in _year_tables(year, terr, buyers, companies, ops, people,
                                        contracts).items():
            frame.to_csv(folder / f"{name}.csv", sep=";", index=False, encoding="utf-8",
                         lineterminator="\n")


def scale_for_contracts(contracts: int, last_year: int, departements: tuple[str, ...] | None = None) -> float:
    """The ``scale`` that gives about ``contracts`` contracts in ``last_year`` on the
    territory of ``departements`` (default: Île-de-France).

    Contracts follow the hours target: at scale 1, one Île-de-France volume unit
    holds :data:`CONTRACTS_2019` contracts in 2019, and the count grows by
    :data:`CONTRACTS_GROWTH` a year (hours grow faster, contracts lengthen);
    the result lands within a few per cent of ``contracts``.
    """
    if contracts <= 0:
        raise UsageError(f"Le nombre de contrats doit être strictement positif (reçu : {contracts}).")
    per_scale = CONTRACTS_2019 * CONTRACTS_GROWTH ** (last_year - 2019) * _territory(departements).volume.sum()
    return contracts / per_scale


# =================================================================================================
# Helpers
# =================================================================================================


def _draw(rng: np.random.Generator, table: np.ndarray, cond: np.ndarray | None = None,
          n: int | None = None) -> np.ndarray:
    """Category indices drawn from a probability vector, or from the row ``cond`` of a table."""
    cum = np.cumsum(table, axis=-1)
    cum = cum / cum[..., -1:]
    if cond is None:
        return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)
    # Row r of the table, shifted by r, makes one increasing sequence: one search for all rows.
    rows, k = cum.shape
    flat = (cum + np.arange(rows)[:, None]).ravel()
    pos = np.searchsorted(flat, rng.random(len(cond)) + cond, side="right") - cond * k
    return np.clip(pos, 0, k - 1)


class _GroupSampler:
    """Weighted draw of an item within its group, vectorised over many queries."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray, n_groups: int,
                 items: np.ndarray | None = None) -> None:
        order = np.argsort(groups, kind="stable")
        self.items = (np.arange(len(groups)) if items is None else items)[order]
        self.cum = np.cumsum(weights[order].astype(float))
        counts = np.bincount(groups, minlength=n_groups)
        self.end = np.cumsum(counts)
        self.start = self.end - counts
        cum0 = np.concatenate(([0.0], self.cum))
        self.lo, self.hi = cum0[self.start], cum0[self.end]

    def has(self, groups: np.ndarray) -> np.ndarray:
        """Whether each group has an item with a positive weight."""
        return self.hi[groups] > self.lo[groups]

    def draw(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        """One item per query group (every group must satisfy :meth:`has`)."""
        target = self.lo[groups] + rng.random(len(groups)) * (self.hi[groups] - self.lo[groups])
        pos = np.searchsorted(self.cum, target, side="right")
        return self.items[np.clip(pos, self.start[groups], self.end[groups] - 1)]


def _stochastic_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Integers whose expectation is ``x``."""
    return np.floor(x + rng.random(np.shape(x))).astype(np.int64)


def _rake(weights: np.ndarray, margins: list[tuple[np.ndarray, np.ndarray]],
          iterations: int = 25) -> np.ndarray:
    """Iterative proportional fitting of ``weights`` to target shares on several margins."""
    w = weights.astype(float).copy()
    for _ in range(iterations):
        for codes, target in margins:
            mass = np.bincount(codes, weights=w, minlength=len(target))
            share = mass / mass.sum()
            factor = np.divide(target / target.sum(), share, out=np.ones_like(share),
                               where=share > 0)
            w *= factor[codes]
    return w


def _de(name: str) -> str:
    """« de Montreuil », « d'Orly », « du Blanc-Mesnil », « des Lilas »."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in "AEIOUYÉÈÊÎÏÔÂ":
        return "d'" + name
    return "de " + name


def _days(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int(np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D").astype(np.int64))


def _year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _random_days(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """A date in each given year, months weighted by the usual hiring season."""
    month = _draw(rng, _MONTH_WEIGHTS, n=len(years))
    first = ((years - 1970) * 12 + month).astype("datetime64[M]").astype("datetime64[D]")
    length = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - first
    offset = np.floor(rng.random(len(years)) * length.astype(np.int64)).astype(np.int64)
    return first.astype(np.int64) + offset


def _sirets(rng: np.random.Generator, prefixes: list[str]) -> np.ndarray:
    """Unique, well-formed (Luhn-valid) fictitious SIRET numbers, SIREN starting with a prefix."""
    out = np.empty(len(prefixes), dtype=object)
    prefix_arr = np.array(prefixes, dtype=object)
    for prefix in sorted(set(prefixes)):
        where = np.flatnonzero(prefix_arr == prefix)
        free = 8 - len(prefix)
        body = rng.choice(10 ** free, size=len(where), replace=False)
        nic = rng.integers(1, 100, size=len(where))
        siren8 = np.array([int(ch) for ch in prefix] * len(where)).reshape(len(where), -1)
        digits = np.concatenate([siren8, _digits(body, free)], axis=1)
        digits = np.concatenate([digits, _luhn_digit(digits)[:, None]], axis=1)
        digits = np.concatenate([digits, _digits(nic, 4)], axis=1)
        digits = np.concatenate([digits, _luhn_digit(digits)[:, None]], axis=1)
        value = digits @ (10 ** np.arange(13, -1, -1, dtype=np.int64))
        out[where] = np.char.zfill(value.astype(str), 14).astype(object)
    return out


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative integers, left-padded to ``width`` columns."""
    powers = 10 ** np.arange(width - 1, -1, -1)
    return (values[:, None] // powers) % 10


def _luhn_digit(digits: np.ndarray) -> np.ndarray:
    """Check digit that makes each row of digits Luhn-valid once appended."""
    doubled = np.zeros(digits.shape[1], dtype=bool)
    doubled[::-1][::2] = True  # the rightmost body digit is doubled once the check is appended
    d = np.where(doubled, digits * 2, digits)
    d = np.where(d > 9, d - 9, d)
    return (10 - d.sum(axis=1) % 10) % 10


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers like ``P000042`` (built as fixed-width bytes: fast on millions of rows)."""
    width = max(width, len(str(int(numbers.max(initial=0)))))
    size = len(prefix) + width
    chars = np.empty((len(numbers), size), dtype=np.uint8)
    chars[:, :len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars[:, len(prefix):] = (numbers[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10 + 48
    return chars.view(f"S{size}").ravel().astype(f"U{size}").astype(object)


def _pick(labels: tuple[str, ...] | np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Labels of category indices; index -1 gives a blank (None)."""
    table = np.array([*labels, None], dtype=object)
    return table[np.where(idx < 0, len(table) - 1, idx)]


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """Blank out (None) a random share of an object array: optional fields are not always filled."""
    values = values.copy()
    values[rng.random(len(values)) < share] = None
    return values


# =================================================================================================
# Territory
# =================================================================================================


@dataclass
class _Territory:
    """Reference tables and the selected départements of execution."""

    dep_code: np.ndarray        # every département, table order
    dep_name: np.ndarray
    dep_region: np.ndarray
    dep_pop: np.ndarray
    region_name: dict[str, str]
    region_seat: dict[str, str]
    selected: np.ndarray        # indices of the selected départements
    volume: np.ndarray          # their volume in Île-de-France units
    com_code: np.ndarray        # communes: INSEE code, name, département index, weight, QPV level
    com_name: np.ndarray
    com_dep: np.ndarray
    com_pop: np.ndarray
    com_qpv: np.ndarray

    @property
    def n_dep(self) -> int:
        """Number of départements in the reference table."""
        return len(self.dep_code)


@cache
def _reference() -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """Parsed embedded tables: départements, regions, communes."""
    def rows(text: str) -> list[list[str]]:
        return [line.split("|") for line in text.strip().splitlines()]
    return rows(_DEPARTEMENTS), rows(_REGIONS), rows(_COMMUNES)


def _territory(departements: tuple[str, ...] | None) -> _Territory:
    """Reference data and volume weights for the selected départements."""
    deps, regions, communes = _reference()
    dep_code = np.array([r[0] for r in deps], dtype=object)
    wanted = tuple(_IDF_SHARES) if departements is None else tuple(
        str(d).strip().upper().zfill(2) for d in departements)
    unknown = sorted(set(wanted) - set(dep_code))
    if unknown:
        raise UsageError(f"Départements inconnus : {', '.join(unknown)}.")
    selected = np.flatnonzero(np.isin(dep_code, list(wanted)))
    pop = np.array([float(r[4]) for r in deps])
    region = np.array([r[3] for r in deps], dtype=object)
    idf_pop = pop[region == IDF_REGION].sum()
    volume = np.array([_IDF_SHARES[dep_code[i]] if region[i] == IDF_REGION
                       else pop[i] / idf_pop * OUTSIDE_IDF_INTENSITY for i in selected])
    # Communes: the embedded list, plus the chef-lieu of every département outside Île-de-France.
    com = [(c[0], c[1], float(c[2]), int(c[3])) for c in communes]
    listed = {c[0] for c in com}
    com += [(r[5], r[6], 50.0, 1) for r in deps if r[3] != IDF_REGION and r[5] not in listed]
    com_code = np.array([c[0] for c in com], dtype=object)
    dep_of_code = {code: i for i, code in enumerate(dep_code)}
    com_dep = np.array([dep_of_code[c[:3] if c.startswith("97") else c[:2]] for c in com_code])
    return _Territory(
        dep_code=dep_code, dep_name=np.array([r[1] for r in deps], dtype=object),
        dep_region=region, dep_pop=pop,
        region_name={r[0]: r[1] for r in regions}, region_seat={r[0]: r[2] for r in regions},
        selected=selected, volume=volume, com_code=com_code,
        com_name=np.array([c[1] for c in com], dtype=object), com_dep=com_dep,
        com_pop=np.array([c[2] for c in com]), com_qpv=np.array([c[3] for c in com]))


def _gp_probabilities(terr: _Territory, year: int) -> np.ndarray:
    """P(grand projet | selected département) in ``year``: one row per selected département."""
    shares = _grand_projet_shares(year)
    out = np.zeros((len(terr.selected), len(GRANDS_PROJETS)))
    for k, i in enumerate(terr.selected):
        code = terr.dep_code[i]
        if terr.dep_region[i] == IDF_REGION:
            for gp, dist in _GP_DEPARTEMENTS.items():
                out[k, gp] = shares[gp] * dist.get(code, 0.0) / _IDF_SHARES[code]
        else:
            out[k, GP_NPNRU] = shares[GP_NPNRU]
    out[:, GP_NONE] = 1.0 - out[:, 1:].sum(axis=1)
    return out


# =================================================================================================
# Buyers and companies
# =================================================================================================


@dataclass
class _Buyers:
    """Donneurs d'ordre: one row per buyer, in identifier order."""

    name: np.ndarray
    type: np.ndarray        # index into BUYER_TYPES
    dep: np.ndarray         # département index (seat)
    regional: np.ndarray    # bool: works anywhere in its region
    weight: np.ndarray
    siret: np.ndarray
    special: dict[str, int]  # named buyers of the grands projets

    def sampler_keys(self, terr: _Territory) -> tuple[np.ndarray, int]:
        """Group key per buyer: (département or region slot) × type."""
        regions = sorted(set(terr.dep_region))
        slot = np.where(self.regional,
                        terr.n_dep + np.searchsorted(regions, terr.dep_region[self.dep]),
                        self.dep)
        return slot * len(BUYER_TYPES) + self.type, (terr.n_dep + len(regions)) * len(BUYER_TYPES)


def _make_buyers(rng: np.random.Generator, terr: _Territory) -> _Buyers:
    """The catalogue of buyers of the selected territory, every one with an invented name."""
    sel_codes = set(terr.dep_code[terr.selected])
    dep_index = {code: i for i, code in enumerate(terr.dep_code)}
    rows: list[tuple[str, str, int, bool, float]] = []
    places = _Toponyms()
    special: dict[str, str] = {}
    has_idf = any(terr.dep_region[i] == IDF_REGION for i in terr.selected)
    for line in _IDF_BUYERS.strip().splitlines():
        kind, body, seat, scope, weight, *role = line.split("|")
        if (scope == "R" and has_idf) or seat in sel_codes:
            rows.append((kind, places.of(body), dep_index[seat], scope == "R", float(weight)))
            if role:
                special[role[0]] = rows[-1][1]
    for region in sorted({terr.dep_region[i] for i in terr.selected}):
        if terr.region_name[region]:
            rows.append(("REGION", places.of("Conseil régional"), dep_index[terr.region_seat[region]], True, 4.0))
    for i in terr.selected:
        code = terr.dep_code[i]
        if code not in _NO_DEPARTEMENT_COUNCIL:
            rows.append(("DEPARTEMENT", places.of("Conseil départemental"), i, False, 4.0))
        if terr.dep_region[i] == IDF_REGION:
            if code != "75":  # Paris: the regional services of the State
                rows.append(("ETAT", places.of("Direction départementale"), i, False, 0.5))
            continue
        rows += [("ETAT", places.of("Direction départementale"), i, False, 1.0),
                 ("COMMUNE", places.of("Ville"), i, False, 4.0),
                 ("EPCI", places.of("Communauté d'agglomération"), i, False, 2.0),
                 ("BAILLEUR_SOCIAL", places.of("Office public de l'habitat"), i, False, 2.0),
                 ("ETABLISSEMENT_PUBLIC", places.of("Centre hospitalier"), i, False, 1.0),
                 ("SEM_SPL", places.of("Société publique locale d'aménagement"), i, False, 0.5)]
    for k in np.flatnonzero(np.isin(terr.com_dep, terr.selected)
                            & (terr.dep_region[terr.com_dep] == IDF_REGION)):
        if not terr.com_code[k].startswith("751"):  # Paris arrondissements: the city's own buyer
            rows.append(("COMMUNE", places.of("Ville"), int(terr.com_dep[k]), False, terr.com_pop[k] ** 0.8 / 10))
    kinds = np.array([BUYER_TYPES.index(r[0]) for r in rows])
    prefixes = {"ETAT": "11", "REGION": "23", "DEPARTEMENT": "22", "COMMUNE": "21", "EPCI": "20",
                "BAILLEUR_SOCIAL": "27", "ETABLISSEMENT_PUBLIC": "26", "SEM_SPL": "4",
                "PRIVE": "8", "AUTRE": "25"}
    names = np.array([r[1] for r in rows], dtype=object)
    return _Buyers(
        name=names, type=kinds, dep=np.array([r[2] for r in rows]),
        regional=np.array([r[3] for r in rows]),
        weight=np.array([r[4] for r in rows]) * rng.lognormal(0.0, 0.5, len(rows)),
        siret=_blank(rng, _sirets(rng, [prefixes[r[0]] for r in rows]), 0.08),
        special={role: int(np.flatnonzero(names == name)[0]) for role, name in special.items()})


@dataclass
class _Companies:
    """Entreprises: one row per company, in identifier order."""

    name: np.ndarray
    structure: np.ndarray   # index into STRUCTURES
    taille: np.ndarray      # index into TAILLES
    dep: np.ndarray         # département index (seat)
    weight: np.ndarray      # how often it is chosen
    siret: np.ndarray
    local: _GroupSampler = field(init=False)     # by (département, type_structure)
    anywhere: _GroupSampler = field(init=False)  # by type_structure

    def __post_init__(self) -> None:
        n_struct = len(STRUCTURES)
        self.local = _GroupSampler(self.dep * n_struct + self.structure, self.weight,
                                   int(self.dep.max() + 1) * n_struct)
        self.anywhere = _GroupSampler(self.structure, self.weight, n_struct)


def _make_companies(rng: np.random.Generator, terr: _Territory, scale: float) -> _Companies:
    """A pool of fictitious companies per selected département and type_structure."""
    counts = np.array([[max(1, round(n * v * scale)) for n in _COMPANIES_PER_VOLUME.values()]
                       for v in terr.volume])
    dep = np.repeat(np.repeat(terr.selected, counts.shape[1]), counts.ravel())
    structure = np.repeat(np.tile(np.arange(len(STRUCTURES)), len(terr.selected)), counts.ravel())
    n = len(dep)
    taille = _draw(rng, np.array([_TAILLE_BY_STRUCTURE[s] for s in STRUCTURES]), structure)
    weight = rng.lognormal(0.0, 1.0, n) * np.array([1.0, 1.5, 2.5, 4.0])[taille]
    roots = np.array(_NAME_ROOTS, dtype=object)[rng.integers(0, len(_NAME_ROOTS), n)]
    name = np.empty(n, dtype=object)
    for s, code in enumerate(STRUCTURES):
        where = np.flatnonzero(structure == s)
        before, after = (np.array(part, dtype=object) for part in
                         zip(*(p.split("{}") for p in _NAME_PATTERNS[code]), strict=True))
        chosen = rng.integers(0, len(before), len(where))
        fill = terr.dep_code[dep[where]] if code == "GEIQ" else roots[where]
        name[where] = before[chosen] + fill + after[chosen]
    prefixes = [str(p) for p in rng.integers(3, 10, n)]
    taille_idx = np.where(rng.random(n) < 0.08, -1, taille)
    return _Companies(name=name, structure=structure, taille=taille_idx,
                      dep=dep, weight=weight, siret=_blank(rng, _sirets(rng, prefixes), 0.05))


# =================================================================================================
# Operations
# =================================================================================================


@dataclass
class _Operations:
    """Operations (marchés or lots) over the whole period, in identifier order."""

    ident: np.ndarray
    first: np.ndarray       # first and last year followed
    last: np.ndarray
    dep: np.ndarray         # département index
    gp: np.ndarray
    nature: np.ndarray
    secteur: np.ndarray
    modalite: np.ndarray
    profile: np.ndarray     # row of _STRUCTURE_BY_PROFILE
    commune: np.ndarray     # commune index, -1 blank
    buyer: np.ndarray
    holder: np.ndarray      # main contractor (an ordinary company)
    notified: np.ndarray    # day number
    facilitateur: np.ndarray
    intitule: np.ndarray
    samplers: dict[int, tuple[_GroupSampler, _GroupSampler]]  # year → (any, by département)
    planned: np.ndarray | None = None
    amount: np.ndarray | None = None
    missing: np.ndarray | None = None


def _make_operations(rng: np.random.Generator, terr: _Territory, buyers: _Buyers,
                     companies: _Companies, years: tuple[int, ...],
                     scale: float) -> _Operations:
    """Operations started each year, per (département, grand projet) cell, raked per year."""
    first_cohort = years[0] - BURN_IN_YEARS
    starts = np.arange(first_cohort - OPERATION_LEAD_YEARS, years[-1] + 1)
    total_volume = terr.volume.sum() * scale
    parts: dict[str, list[np.ndarray]] = {"year": [], "dep": [], "gp": []}
    for year in starts:
        cell = terr.volume[:, None] * _gp_probabilities(terr, int(year)) / _SIZE_BY_GP
        expected = (OPERATIONS_STARTED_2017 * total_volume * OPERATIONS_GROWTH ** (year - 2017)
                    * cell / cell.sum())
        count = np.where(expected > 0, np.maximum(1, _stochastic_round(rng, expected)), 0)
        k, gp = np.nonzero(count)
        reps = count[k, gp]
        parts["year"].append(np.full(reps.sum(), year))
        parts["dep"].append(np.repeat(terr.selected[k], reps))
        parts["gp"].append(np.repeat(gp, reps))
    first = np.concatenate(parts["year"])
    dep = np.concatenate(parts["dep"])
    gp = np.concatenate(parts["gp"])
    n = len(first)
    last = first + _draw(rng, _SPAN_BY_GP, gp)
    size = rng.lognormal(0.0, 1.4, n) * _SIZE_BY_GP[gp]

    nature = _draw(rng, _NATURE_BY_GP, gp)
    secteur = np.zeros(n, dtype=np.int64)
    services, supplies = nature == NATURES.index("SERVICES"), nature == NATURES.index("FOURNITURES")
    secteur[services] = _draw(rng, _SERVICE_SECTORS, n=int(services.sum()))
    secteur[supplies] = _draw(rng, _SUPPLY_SECTORS, n=int(supplies.sum()))
    modalite = np.where(gp == GP_NONE, _draw(rng, _MODALITE_BY_NATURE, nature),
                        _draw(rng, _MODALITE_BY_GP, np.maximum(gp - 1, 0)))
    reserved = [MODALITES.index(m) for m in ("MARCHE_INSERTION", "RESERVE_SIAE",
                                             "RESERVE_HANDICAP", "RESERVE_ESS")]
    profile = np.select([modalite == m for m in reserved] + [secteur == SECTEURS.index("BTP")],
                        [2, 3, 4, 5, 0], 1)  # rows of _STRUCTURE_BY_PROFILE

    # Place of execution: NPNRU operations go to communes with priority neighbourhoods.
    commune = np.full(n, -1)
    plain = _GroupSampler(terr.com_dep, terr.com_pop, terr.n_dep)
    priority = _GroupSampler(terr.com_dep, terr.com_pop * terr.com_qpv ** 2, terr.n_dep)
    use_priority = (gp == GP_NPNRU) & priority.has(dep)
    commune[use_priority] = priority.draw(rng, dep[use_priority])
    commune[~use_priority] = plain.draw(rng, dep[~use_priority])
    commune[rng.random(n) < 0.03] = -1

    buyer = _assign_buyers(rng, terr, buyers, dep, gp, nature, modalite)
    holder = _draw_companies(rng, companies, np.full(n, STRUCTURES.index("ENTREPRISE")), dep, 0.8)
    notified = _random_days(rng, first - 1)
    number = np.arange(n) - np.searchsorted(first, first) + 1
    ident = np.char.add(np.char.add("OP", first.astype(str)),
                        np.char.add("-", np.char.zfill(number.astype(str), 5))).astype(object)
    samplers = {}
    for year in range(first_cohort, years[-1] + 1):
        active = np.flatnonzero((first <= year) & (last >= year))
        k = np.searchsorted(terr.selected, dep[active])
        weights = _rake(size[active], [
            (k * len(GRANDS_PROJETS) + gp[active],
             (terr.volume[:, None] * _gp_probabilities(terr, year)).ravel()),
            (nature[active], _NATURE_TARGET), (modalite[active], _MODALITE_TARGET)])
        samplers[year] = (_GroupSampler(np.zeros(len(active), dtype=np.int64), weights, 1, active),
                          _GroupSampler(dep[active], weights, terr.n_dep, active))
    return _Operations(
        ident=ident, first=first, last=last, dep=dep, gp=gp, nature=nature, secteur=secteur,
        modalite=modalite, profile=profile, commune=commune, buyer=buyer, holder=holder,
        notified=notified, facilitateur=_facilitateurs(rng, terr, dep),
        intitule=_intitules(rng, terr, dep, gp, nature, secteur, modalite, commune),
        samplers=samplers)


def _assign_buyers(rng: np.random.Generator, terr: _Territory, buyers: _Buyers, dep: np.ndarray,
                   gp: np.ndarray, nature: np.ndarray, modalite: np.ndarray) -> np.ndarray:
    """A buyer for each operation, of a type plausible for its kind, local or regional."""
    private = modalite == MODALITES.index("HORS_COMMANDE_PUBLIQUE")
    kind = np.select([private, gp == GP_NPNRU, gp == GP_JOP], [5, 3, 4], nature)
    btype = _draw(rng, _BUYER_TYPE_BY_KIND, kind)
    keys, n_keys = buyers.sampler_keys(terr)
    sampler = _GroupSampler(keys, buyers.weight, n_keys)
    regions = sorted(set(terr.dep_region))
    local = dep * len(BUYER_TYPES) + btype
    regional = ((terr.n_dep + np.searchsorted(regions, terr.dep_region[dep])) * len(BUYER_TYPES)
                + btype)
    want_regional = rng.random(len(dep)) < _REGIONAL_SCOPE[btype]
    key = np.where(want_regional, regional, local)
    key = np.where(sampler.has(key), key, np.where(want_regional, local, regional))
    fallback = dep * len(BUYER_TYPES) + BUYER_TYPES.index("DEPARTEMENT")
    fallback = np.where(sampler.has(fallback), fallback,
                        dep * len(BUYER_TYPES) + BUYER_TYPES.index("COMMUNE"))
    key = np.where(sampler.has(key), key, fallback)
    out = sampler.draw(rng, key)
    u = rng.random(len(dep))
    if "metro" in buyers.special:
        gpe = gp == GP_GPE
        out[gpe] = np.where(u[gpe] < 0.88, buyers.special["metro"], buyers.special["regie"])
    if "olympique" in buyers.special:
        out[(gp == GP_JOP) & (u < 0.7)] = buyers.special["olympique"]
    return out


def _draw_companies(rng: np.random.Generator, companies: _Companies, structure: np.ndarray,
                    dep: np.ndarray, local_share: float) -> np.ndarray:
    """A company of the given type_structure, from the same département with ``local_share``."""
    key = np.minimum(dep, companies.dep.max()) * len(STRUCTURES) + structure
    use_local = ((rng.random(len(dep)) < local_share) & (dep <= companies.dep.max())
                 & companies.local.has(key))
    out = companies.anywhere.draw(rng, structure)
    out[use_local] = companies.local.draw(rng, key[use_local])
    return out


def _facilitateurs(rng: np.random.Generator, terr: _Territory, dep: np.ndarray) -> np.ndarray:
    """The structure whose facilitator follows each operation (a few per département)."""
    names: list[str] = []
    owner: list[int] = []
    places = _Toponyms()
    places.used = len(_TOPONYM_STARTS) * len(_TOPONYM_ENDS) // 2  # apart from the buyers' places
    for i in terr.selected:
        local = [places.of(kind) for kind in _IDF_FACILITATEURS.get(terr.dep_code[i], ("Maison de l'emploi", "PLIE"))]
        names += local
        owner += [i] * len(local)
    owner_arr = np.array(owner)
    sampler = _GroupSampler(owner_arr, rng.lognormal(0, 0.4, len(owner_arr)), terr.n_dep)
    return _blank(rng, np.array(names, dtype=object)[sampler.draw(rng, dep)], 0.06)


_TITLES = {
    "BTP": ("Construction du groupe scolaire", "Réhabilitation du collège",
            "Rénovation énergétique de logements sociaux", "Construction d'un gymnase",
            "Extension de la médiathèque", "Réaménagement de la voirie",
            "Restructuration du lycée", "Construction d'une crèche",
            "Travaux d'entretien des bâtiments communaux", "Réfection de l'éclairage public",
            "Construction d'un centre aquatique", "Réhabilitation de l'hôtel de ville",
            "Aménagement d'une ZAC", "Requalification du centre-ville"),
    "PROPRETE": ("Nettoyage des locaux administratifs", "Entretien des parties communes",
                 "Nettoiement de la voirie", "Nettoyage des équipements sportifs"),
    "ESPACES_VERTS": ("Entretien des espaces verts", "Entretien des parcs et jardins",
                      "Élagage des arbres d'alignement"),
    "RESTAURATION": ("Restauration scolaire", "Fourniture et livraison de repas",
                     "Gestion du restaurant administratif"),
    "TRANSPORT_LOGISTIQUE": ("Déménagement et manutention", "Collecte des déchets ménagers",
                             "Transport de personnes à mobilité réduite"),
    "NUMERIQUE": ("Maintenance du parc informatique",
                  "Collecte et reconditionnement de matériel informatique"),
    "PRESTATIONS_INTELLECTUELLES": ("Accueil et gestion du standard", "Numérisation des archives"),
    "SERVICES_A_LA_PERSONNE": ("Aide à domicile", "Portage de repas à domicile"),
    "INDUSTRIE": ("Fourniture de mobilier scolaire", "Fourniture de vêtements de travail"),
    "AUTRE": ("Gardiennage et sécurité des bâtiments", "Blanchisserie", "Entretien des véhicules"),
}
_GPE_LINES = {"93": ("Ligne 15 Est", "Ligne 16", "Ligne 17"),
              "92": ("Ligne 15 Sud", "Ligne 15 Ouest"), "94": ("Ligne 15 Sud", "Ligne 14 Sud"),
              "75": ("Ligne 14 Nord", "Ligne 15 Ouest"), "91": ("Ligne 18", "Ligne 14 Sud"),
              "95": ("Ligne 17",), "77": ("Ligne 16",), "78": ("Ligne 18",)}
_GPE_WORKS = ("génie civil des gares", "tunnel et ouvrages annexes", "aménagement des gares",
              "systèmes ferroviaires", "voies et équipements")
_JOP_SITES = ("Village des athlètes", "Centre aquatique olympique", "Cluster des médias",
              "Franchissement Pleyel", "Site d'escalade du Bourget", "Arena Porte de la Chapelle")
_JOP_WORKS = ("gros œuvre", "voiries et réseaux", "second œuvre", "aménagements paysagers")
_NPNRU_WORKS = ("démolition de logements", "réhabilitation de logements",
                "construction de logements", "aménagement des espaces publics",
                "reconstruction du groupe scolaire")


def _intitules(rng: np.random.Generator, terr: _Territory, dep: np.ndarray, gp: np.ndarray,
               nature: np.ndarray, secteur: np.ndarray, modalite: np.ndarray,
               commune: np.ndarray) -> np.ndarray:
    """Plausible French titles: « Construction du groupe scolaire – Bobigny (lot 2) »…"""
    n = len(dep)

    def choice(options: tuple[str, ...], size: int) -> np.ndarray:
        return np.array(options, dtype=object)[rng.integers(0, len(options), size)]

    place = np.where(commune >= 0, terr.com_name[np.maximum(commune, 0)],
                     terr.dep_name[dep]).astype(object)
    title = np.empty(n, dtype=object)
    for s, code in enumerate(SECTEURS):
        where = np.flatnonzero(secteur == s)
        title[where] = choice(_TITLES[code], len(where)) + " – " + place[where]
    insertion = modalite == MODALITES.index("MARCHE_INSERTION")
    title[insertion] = "Prestation d'insertion : " + title[insertion]
    private = modalite == MODALITES.index("HORS_COMMANDE_PUBLIQUE")
    title[private] = "Opération hors commande publique : " + title[private]
    npnru = np.flatnonzero(gp == GP_NPNRU)
    title[npnru] = "NPNRU " + place[npnru] + " – " + choice(_NPNRU_WORKS, len(npnru))
    jop = np.flatnonzero(gp == GP_JOP)
    title[jop] = ("JOP 2024 – " + choice(_JOP_SITES, len(jop)) + " – "
                  + choice(_JOP_WORKS, len(jop)))
    gpe = np.flatnonzero(gp == GP_GPE)
    line_table = np.array([(_GPE_LINES.get(c, ("Ligne 15 Sud",)) * 3)[:3] for c in terr.dep_code],
                          dtype=object)
    lines = line_table[dep[gpe], rng.integers(0, 3, len(gpe))]
    title[gpe] = "Grand Paris Express – " + lines + " – " + choice(_GPE_WORKS, len(gpe))
    lot = rng.random(n) < 0.3
    lots = rng.integers(1, 9, n).astype(str).astype(object)
    title[lot] = title[lot] + " (lot " + lots[lot] + ")"
    return title


# =================================================================================================
# People and their contracts
# =================================================================================================


@dataclass
class _People:
    """Participants over the whole period, in identifier order."""

    sexe: np.ndarray
    birth: np.ndarray
    qualif: np.ndarray
    critere: np.ndarray
    publics: np.ndarray     # bit mask over CRITERES (main criterion excluded)
    commune: np.ndarray     # commune index, -1 blank
    qpv: np.ndarray         # 1 yes, 0 no, -1 unknown
    prescripteur: np.ndarray
    sortie: np.ndarray      # outcome code, -1 blank
    left: np.ndarray        # day the last contract ends


@dataclass
class _Contracts:
    """Contracts over the whole period, in identifier order."""

    person: np.ndarray
    op: np.ndarray
    company: np.ndarray
    kind: np.ndarray        # index into CONTRATS
    start: np.ndarray
    end: np.ndarray
    rate: np.ndarray        # hours per calendar day
    open_end: np.ndarray    # date_fin left blank while running (per contract draw)


def _year_hours(start: np.ndarray, end: np.ndarray, rate: np.ndarray, kind: np.ndarray,
                year: int) -> np.ndarray:
    """Hours done during ``year`` (0 when the contract does not overlap it)."""
    overlap = np.minimum(end, _days(year, 12, 31)) - np.maximum(start, _days(year)) + 1
    hours = np.maximum(overlap, 0) * rate
    rounded = np.where(_HALF_HOURS[kind], np.round(hours * 2) / 2, np.round(hours))
    return np.where(overlap > 0, np.maximum(rounded, 1.0), 0.0)


def _make_pathways(rng: np.random.Generator, terr: _Territory, ops: _Operations,
                   companies: _Companies, years: tuple[int, ...],
                   scale: float) -> tuple[_People, _Contracts]:
    """People drawn cohort by cohort until each year's hours are reached."""
    first_cohort, last_year = years[0] - BURN_IN_YEARS, years[-1]
    span = np.arange(first_cohort, last_year + 1)
    target = HOURS_2017 * HOURS_GROWTH ** (span - 2017) * terr.volume.sum() * scale
    done = np.zeros(len(span))
    hours_per_person = 330.0
    people_parts: list[dict[str, np.ndarray]] = []
    contract_parts: list[dict[str, np.ndarray]] = []
    for c, cohort in enumerate(span):
        need = target[c] - done[c]
        while need > 0:
            m = int(np.ceil(need / hours_per_person * 1.15)) + 10
            person, contract = _simulate(rng, terr, ops, companies, int(cohort), m, last_year)
            per_year = np.stack([np.bincount(contract["person"], weights=_year_hours(
                contract["start"], contract["end"], contract["rate"], contract["kind"], int(y)),
                minlength=m) for y in span])
            cum = np.cumsum(per_year[c])
            keep = min(int(np.searchsorted(cum, need)) + 1, m)
            hours_per_person = max(cum[-1] / m, 50.0)
            kept = contract["person"] < keep
            contract = {k: v[kept] for k, v in contract.items()}
            contract["person"] = contract["person"] + sum(len(p["sexe"]) for p in people_parts)
            people_parts.append({k: v[:keep] for k, v in person.items()})
            contract_parts.append(contract)
            done += per_year[:, :keep].sum(axis=1)
            need = target[c] - done[c]
    people = {k: np.concatenate([p[k] for p in people_parts]) for k in people_parts[0]}
    contracts = {k: np.concatenate([p[k] for p in contract_parts]) for k in contract_parts[0]}

    # Identifiers follow the order of entry (first contract), then of contract start.
    person_order = np.lexsort((np.arange(len(people["first_start"])), people["first_start"]))
    rank = np.empty_like(person_order)
    rank[person_order] = np.arange(len(person_order))
    contracts["person"] = rank[contracts["person"]]
    people = {k: v[person_order] for k, v in people.items()}
    contract_order = np.lexsort((contracts["person"], contracts["start"]))
    contracts = {k: v[contract_order] for k, v in contracts.items()}

    # Each person's last contract (every person has at least one).
    by_end = np.lexsort((contracts["end"], contracts["person"]))
    owner = contracts["person"][by_end]
    last = by_end[np.r_[owner[1:] != owner[:-1], True]]
    left, last_kind = contracts["end"][last], contracts["kind"][last]
    group = np.select([last_kind == _CDI, np.isin(last_kind, _ALTERNANCE_CONTRACTS),
                       np.isin(last_kind, _IAE_CONTRACTS)], [0, 1, 2], 3)
    sortie = _draw(rng, _SORTIE_BY_LAST, group)
    unknown = rng.random(len(group)) >= _SORTIE_KNOWN
    sortie[unknown] = np.where(rng.random(int(unknown.sum())) < 0.7, SORTIES.index("INCONNU"), -1)
    return (
        _People(sexe=people["sexe"], birth=people["birth"], qualif=people["qualif"],
                critere=people["critere"], publics=people["publics"], commune=people["commune"],
                qpv=people["qpv"], prescripteur=people["prescripteur"], sortie=sortie, left=left),
        _Contracts(person=contracts["person"], op=contracts["op"], company=contracts["company"],
                   kind=contracts["kind"], start=contracts["start"], end=contracts["end"],
                   rate=contracts["rate"], open_end=rng.random(len(contract_order)) < 0.75))


def _simulate(rng: np.random.Generator, terr: _Territory, ops: _Operations,
              companies: _Companies, cohort: int, m: int,
              last_year: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``m`` people whose first contract starts in ``cohort``, with their chained contracts."""
    length = 1 + _draw(rng, _PATHWAY_LENGTH, n=m)
    start = _random_days(rng, np.full(m, cohort))
    op = ops.samplers[cohort][0].draw(rng, np.zeros(m, dtype=np.int64))
    person = _describe_people(rng, terr, ops, cohort, op)
    young = person.pop("young")
    company = np.full(m, -1)
    kind = np.zeros(m, dtype=np.int64)
    parts: list[dict[str, np.ndarray]] = []
    alive = np.arange(m)
    for j in range(len(_PATHWAY_LENGTH)):
        if j > 0:
            prev_end = parts[-1]["end"][np.searchsorted(parts[-1]["person"], alive)]
            gap = np.where(rng.random(len(alive)) < _SHORT_GAP,
                           rng.exponential(10.0, len(alive)), rng.uniform(30, 300, len(alive)))
            start_j = prev_end + 1 + gap.astype(np.int64)
            year_j = _year_of(start_j)
            ok = year_j <= last_year
            alive, start_j, year_j = alive[ok], start_j[ok], year_j[ok]
            prev_op = op[alive]
            keep_op = ((rng.random(len(alive)) < _SAME_OPERATION) & (ops.first[prev_op] <= year_j)
                       & (ops.last[prev_op] >= year_j))
            new_op = prev_op.copy()
            for year in np.unique(year_j[~keep_op]):
                where = np.flatnonzero(~keep_op & (year_j == year))
                anywhere, by_dep = ops.samplers[int(year)]
                dep = ops.dep[prev_op[where]]
                local = (rng.random(len(where)) < _SAME_DEPARTEMENT) & by_dep.has(dep)
                new_op[where[local]] = by_dep.draw(rng, dep[local])
                new_op[where[~local]] = anywhere.draw(rng, np.zeros(int((~local).sum()),
                                                                      dtype=np.int64))
            same_company = keep_op & (rng.random(len(alive)) < _SAME_COMPANY)
            op[alive] = new_op
        else:
            start_j = start
            same_company = np.zeros(m, dtype=bool)
        fresh = alive[~same_company]
        structure = _draw(rng, _STRUCTURE_BY_PROFILE, ops.profile[op[fresh]])
        ordinary = structure == STRUCTURES.index("ENTREPRISE")
        row = np.where(ordinary, np.where(young[fresh], 0, 1), structure + 1)
        kind[fresh] = _draw(rng, _CONTRACT_BY_ROW, row)
        chosen = _draw_companies(rng, companies, structure, ops.dep[op[fresh]], 0.75)
        holder = ordinary & (rng.random(len(fresh)) < 0.6)
        company[fresh] = np.where(holder, ops.holder[op[fresh]], chosen)
        k = kind[alive]
        median, sigma, low, high = _DURATION[k].T
        median = median * CONTRACT_LENGTH_GROWTH ** np.clip(_year_of(start_j) - 2017, -3, 4)
        duration = np.clip(np.round(median * rng.lognormal(0.0, sigma)), low, high).astype(np.int64)
        parts.append({"person": alive, "op": op[alive].copy(), "company": company[alive].copy(),
                      "kind": k, "start": start_j, "end": start_j + duration - 1,
                      "rate": _WEEKLY_HOURS[k] * rng.uniform(0.75, 1.0, len(alive)) / 7.0})
        alive = alive[length[alive] > j + 1]
        if not len(alive):
            break
    contracts = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    person["first_start"] = start
    iae = np.isin(parts[0]["kind"], _IAE_CONTRACTS)
    switch = iae & (rng.random(m) < 0.15) & (person["critere"] != CRITERES.index("JEUNE"))
    person["critere"][switch] = CRITERES.index("SIAE")
    person["publics"] &= ~(1 << person["critere"])
    person["prescripteur"] = _draw(rng, _PRESCRIPTEUR_BY_CRITERE, person["critere"])
    person["prescripteur"][rng.random(m) < 0.05] = -1
    return person, contracts


def _describe_people(rng: np.random.Generator, terr: _Territory, ops: _Operations, cohort: int,
                     first_op: np.ndarray) -> dict[str, np.ndarray]:
    """Profile of people entering in ``cohort`` on their first operation."""
    m = len(first_op)
    band = _draw(rng, _AGE_BANDS, n=m)
    age = np.select(
        [band == 0, band == 1],
        [16 + np.floor(10 * rng.beta(2.2, 1.3, m)), 26 + np.floor(24 * rng.random(m))],
        50 + np.floor(15 * rng.beta(1.0, 2.0, m))).astype(np.int64)
    sexe = (rng.random(m) < _WOMEN_BY_SECTEUR[ops.secteur[first_op]]).astype(np.int64)
    critere = _draw(rng, _CRITERE_BY_AGE, band)
    secondary = rng.random((m, len(CRITERES)), dtype=np.float32) < _SECONDARY_CRITERES
    secondary[:, CRITERES.index("JEUNE")] = (band == 0) & (rng.random(m) < 0.75)
    secondary[:, CRITERES.index("SENIOR")] = (band == 2) & (rng.random(m) < 0.4)
    publics = (secondary * (1 << np.arange(len(CRITERES)))).sum(axis=1)
    commune, qpv = _residences(rng, terr, ops.dep[first_op])
    return {"sexe": sexe, "birth": cohort - age, "qualif": _draw(rng, _QUALIF_BY_AGE, band),
            "critere": critere, "publics": publics, "commune": commune, "qpv": qpv,
            "young": band == 0}


def _residences(rng: np.random.Generator, terr: _Territory,
                work_dep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Home commune (mostly the département of work) and QPV residence of each person."""
    m = len(work_dep)
    where = _draw(rng, np.array([0.62, 0.30, 0.03, 0.05]), n=m)  # same, region, outside, blank
    region = terr.dep_region[work_dep]
    home = work_dep.copy()
    regions = sorted(set(terr.dep_region))
    region_key = np.searchsorted(regions, terr.dep_region)
    in_region = _GroupSampler(region_key, terr.dep_pop, len(regions))
    other = np.flatnonzero(where == 1)
    home[other] = in_region.draw(rng, region_key[work_dep[other]])
    outside = np.flatnonzero(where == 2)
    neighbours = np.array([_IDF_NEIGHBOURS.get(c, 0.0) for c in terr.dep_code])
    idf = region[outside] == IDF_REGION
    near = _GroupSampler(np.zeros(terr.n_dep, dtype=np.int64), neighbours * terr.dep_pop, 1)
    home[outside[idf]] = near.draw(rng, np.zeros(int(idf.sum()), dtype=np.int64))
    national = _GroupSampler(np.zeros(terr.n_dep, dtype=np.int64), terr.dep_pop, 1)
    rest = outside[~idf]
    drawn = national.draw(rng, np.zeros(len(rest), dtype=np.int64))
    home[rest] = np.where(terr.dep_region[drawn] == region[rest], work_dep[rest], drawn)
    commune = _GroupSampler(terr.com_dep, terr.com_pop, terr.n_dep).draw(rng, home)
    commune[where == 3] = -1
    level = np.where(commune >= 0, terr.com_qpv[np.maximum(commune, 0)], 1)
    qpv = (rng.random(m) < _QPV_BY_LEVEL[level]).astype(np.int64)
    qpv[rng.random(m) < np.where(commune >= 0, 0.08, 0.5)] = -1
    return commune, qpv


def _complete_operations(rng: np.random.Generator, ops: _Operations, contracts: _Contracts,
                         last_year: int) -> None:
    """Committed hours (≥ hours done) and amounts, from what the operations actually carried."""
    n = len(ops.ident)
    done = np.zeros(n)
    for year in range(int(_year_of(contracts.start.min())), last_year + 1):
        done += np.bincount(contracts.op, minlength=n, weights=_year_hours(
            contracts.start, contracts.end, contracts.rate, contracts.kind, year))
    followed = np.minimum(ops.last, last_year) - ops.first + 1
    remaining = np.maximum(ops.last - last_year, 0)
    planned = done * rng.uniform(1.0, 1.4, n) + done / followed * remaining
    idle = done == 0
    planned[idle] = rng.lognormal(6.3, 0.8, int(idle.sum()))
    ops.planned = np.ceil(planned / 10) * 10
    per_hour = np.array([1500.0, 420.0, 5000.0])[ops.nature] * rng.lognormal(0, 0.35, n)
    ops.amount = np.round(ops.planned * per_hour)
    # Optional fields left blank, the same way every year: secteur, notification, amount, hours.
    ops.missing = rng.random((4, n)) < np.array([[0.02], [0.05], [0.08], [0.04]])


# =================================================================================================
# Tables of one year
# =================================================================================================


def _fmt_dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """``31/03/2019`` strings (None where missing)."""
    first = int(days.min(initial=0))
    calendar = np.arange(first, int(days.max(initial=0)) + 1).astype("datetime64[D]")
    text = np.asarray(pd.DatetimeIndex(calendar).strftime("%d/%m/%Y"), dtype=object)
    out = text[days - first]
    if missing is not None:
        out[missing] = None
    return out


def _fmt_number(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers as plain digits, halves with a decimal comma (« 152,5 »)."""
    doubled = np.round(values * 2).astype(np.int64)
    if doubled.max(initial=0) <= 2 * 2500:  # hours: a lookup table of every possible value
        table = np.array([f"{d // 2},5" if d % 2 else str(d // 2) for d in range(5001)],
                         dtype=object)
        text = table[doubled]
    else:
        text = (doubled // 2).astype(str).astype(object)
        half = doubled % 2 == 1
        text[half] = text[half] + ",5"
    if missing is not None:
        text = text.copy()
        text[missing] = None
    return text


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A table ready for CSV: object columns (no conversion to pandas string arrays)."""
    return pd.DataFrame(columns, dtype=object)


@cache
def _publics_labels() -> np.ndarray:
    """``RSA|JEUNE``-style labels of every bit mask over CRITERES (None for no criterion)."""
    labels = ["|".join(c for b, c in enumerate(CRITERES) if mask >> b & 1) or None
              for mask in range(1 << len(CRITERES))]
    return np.array(labels, dtype=object)


def _year_tables(year: int, terr: _Territory, buyers: _Buyers, companies: _Companies,
                 ops: _Operations, people: _People,
                 contracts: _Contracts) -> dict[str, pd.DataFrame]:
    """The five tables of ``year`` as written to CSV (codes, French formats)."""
    hours = _year_hours(contracts.start, contracts.end, contracts.rate, contracts.kind, year)
    rows = np.flatnonzero(hours > 0)
    c_end = contracts.end[rows]
    running = c_end > _days(year, 12, 31)
    open_end = running & (contracts.open_end[rows] | (contracts.kind[rows] == _CDI))
    who, person_of_row = np.unique(contracts.person[rows], return_inverse=True)
    person_ids = _ids("P", who + 1, 6)
    company_ids = _ids("E", np.arange(len(companies.name)) + 1, 5)
    buyer_ids = _ids("DO", np.arange(len(buyers.name)) + 1, 4)
    contrats = _frame({
        "contrat_id": _ids("C", rows + 1, 7),
        "operation_id": ops.ident[contracts.op[rows]], "participant_id": person_ids[person_of_row],
        "entreprise_id": company_ids[contracts.company[rows]],
        "type_contrat": _pick(CONTRATS, contracts.kind[rows]),
        "date_debut": _fmt_dates(contracts.start[rows]),
        "date_fin": _fmt_dates(c_end, open_end), "heures": _fmt_number(hours[rows])})

    sortie = np.where(people.left[who] <= _days(year, 12, 31), people.sortie[who], -1)
    commune = people.commune[who]
    participants = _frame({
        "participant_id": person_ids, "sexe": np.array(["M", "F"], dtype=object)[people.sexe[who]],
        "annee_naissance": people.birth[who],
        "niveau_qualification": _pick(QUALIFICATIONS, people.qualif[who]),
        "critere_principal": _pick(CRITERES, people.critere[who]),
        "publics": _publics_labels()[people.publics[who]],
        "commune_residence": _pick(terr.com_code, commune),
        "qpv": _pick(("Non", "Oui"), people.qpv[who]),
        "prescripteur": _pick(PRESCRIPTEURS, people.prescripteur[who]),
        "situation_sortie": _pick(SORTIES, sortie)})

    listed = np.union1d(np.flatnonzero((ops.first <= year) & (ops.last >= year)),
                        contracts.op[rows])
    blank = ops.missing[:, listed]
    operations = _frame({
        "operation_id": ops.ident[listed], "intitule": ops.intitule[listed],
        "donneur_ordre_id": buyer_ids[ops.buyer[listed]],
        "departement": terr.dep_code[ops.dep[listed]],
        "commune": _pick(terr.com_code, ops.commune[listed]),
        "nature": _pick(NATURES, ops.nature[listed]),
        "secteur": _pick(SECTEURS, np.where(blank[0], -1, ops.secteur[listed])),
        "modalite": _pick(MODALITES, ops.modalite[listed]),
        "date_notification": _fmt_dates(ops.notified[listed], blank[1]),
        "montant_ht": _fmt_number(ops.amount[listed], blank[2]),
        "heures_prevues": _fmt_number(ops.planned[listed], blank[3]),
        "grand_projet": _pick(GRANDS_PROJETS[1:], ops.gp[listed] - 1),
        "facilitateur": ops.facilitateur[listed]})

    used = np.unique(ops.buyer[listed])
    donneurs = _frame({
        "donneur_ordre_id": buyer_ids[used], "nom": buyers.name[used],
        "type": _pick(BUYER_TYPES, buyers.type[used]), "siret": buyers.siret[used],
        "departement": terr.dep_code[buyers.dep[used]]})

    firms = np.unique(contracts.company[rows])
    entreprises = _frame({
        "entreprise_id": company_ids[firms], "nom": companies.name[firms],
        "siret": companies.siret[firms],
        "type_structure": _pick(STRUCTURES, companies.structure[firms]),
        "taille": _pick(TAILLES, companies.taille[firms]),
        "departement": terr.dep_code[companies.dep[firms]]})
    return {"operations": operations, "donneurs_ordre": donneurs, "entreprises": entreprises,
            "participants": participants, "contrats": contrats}
